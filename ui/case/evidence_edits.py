"""EvidenceEdits: the analyst's edits of an evidence's record, as undoable writes.

The source record, the graphic and reference flags and the notes (of an evidence or of the
case). Each edit is a command on the window's undo stack whose redo and undo are new logged
writes; the writer's future is watched, never waited on. What the write changed comes back to
the panels through the change feed (``ui.changes``), not from here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ui.jobs import JobRunner
from ui.undo import FlagsCommand, NoteEditCommand, SourceEditCommand
from workbench.case import Case
from workbench.case import evidence as ev


class EvidenceEdits(QObject):
    """Edits of the evidence shown (``evidence``, set by the window) in the case."""

    edit_failed = Signal(str, object)  # (title, exception): for the window to show

    def __init__(self, jobs: JobRunner, undo_stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs, self.undo_stack = jobs, undo_stack
        self.case: Case | None = None
        self.evidence: ev.Evidence | None = None

    def set_case(self, case: Case | None) -> None:
        self.case, self.evidence = case, None

    def _write(self, start: Callable[[Case], Future], what: str) -> None:
        if self.case is not None:
            self.jobs.watch(
                start(self.case),
                on_error=lambda e: self.edit_failed.emit(f"Could not save {what}", e),
            )

    # -- the source record --------------------------------------------------------------
    def source_saved(self, old: ev.SourceRecord, new: ev.SourceRecord) -> None:
        if self.evidence is not None:
            self.undo_stack.push(SourceEditCommand(self._apply_source, self.evidence.id, old, new))

    def _apply_source(self, evidence_id: int, record: ev.SourceRecord) -> None:
        self._write(lambda case: ev.update_source(case, evidence_id, record), "the source record")

    # -- flags --------------------------------------------------------------------------
    def flags_changed(self, graphic: bool, reference: bool) -> None:
        e = self.evidence
        if e is not None:
            old, new = (e.is_graphic, e.is_reference), (graphic, reference)
            self.undo_stack.push(FlagsCommand(self._apply_flags, e.id, old, new))

    def _apply_flags(self, evidence_id: int, graphic: bool, reference: bool) -> None:
        self._write(
            lambda case: ev.set_flags(case, evidence_id, graphic=graphic, reference=reference),
            "the flags",
        )

    # -- notes --------------------------------------------------------------------------
    def note_saved(self, evidence_id: int | None, note_id: int | None, old: str, new: str):
        """A new note is simply added (it is edited, not undone); an edit is undoable."""
        if note_id is None:
            self._write(lambda case: ev.save_note(case, evidence_id, new), "the note")
        elif self.case is not None:
            self.undo_stack.push(NoteEditCommand(self._apply_note, evidence_id, note_id, old, new))

    def _apply_note(self, evidence_id: int | None, note_id: int, body: str) -> None:
        self._write(lambda case: ev.save_note(case, evidence_id, body, note_id), "the note")

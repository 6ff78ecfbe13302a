"""Undoable edits. Each redo/undo is a new, logged write: the audit log keeps both."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from workbench.case.evidence import SourceRecord


class SourceEditCommand(QUndoCommand):
    def __init__(
        self,
        apply: Callable[[int, SourceRecord], None],
        evidence_id: int,
        old: SourceRecord,
        new: SourceRecord,
    ) -> None:
        super().__init__(f"edit source of evidence {evidence_id}")
        self._apply, self._id, self._old, self._new = apply, evidence_id, old, new

    def redo(self) -> None:
        self._apply(self._id, self._new)

    def undo(self) -> None:
        self._apply(self._id, self._old)


class FlagsCommand(QUndoCommand):
    def __init__(
        self,
        apply: Callable[[int, bool, bool], None],
        evidence_id: int,
        old: tuple[bool, bool],
        new: tuple[bool, bool],
    ) -> None:
        super().__init__(f"change flags of evidence {evidence_id}")
        self._apply, self._id, self._old, self._new = apply, evidence_id, old, new

    def redo(self) -> None:
        self._apply(self._id, *self._new)

    def undo(self) -> None:
        self._apply(self._id, *self._old)


class NoteEditCommand(QUndoCommand):
    """Editing an existing note's text (adding a note is not undone: it is simply edited)."""

    def __init__(
        self,
        apply: Callable[[int | None, int, str], None],
        evidence_id: int | None,
        note_id: int,
        old: str,
        new: str,
    ) -> None:
        super().__init__(f"edit note {note_id}")
        self._apply = apply
        self._evidence_id, self._note_id, self._old, self._new = evidence_id, note_id, old, new

    def redo(self) -> None:
        self._apply(self._evidence_id, self._note_id, self._new)

    def undo(self) -> None:
        self._apply(self._evidence_id, self._note_id, self._old)

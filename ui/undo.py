"""Undoable edits. Each redo/undo is a new, logged write: the audit log keeps both.

The record commands (add, delete, edit) never wait on the GUI thread. Undo of an addition
needs the id the database gave it, and redo of a deletion the deleted record. A command keeps
what its last write returned (delivered on the GUI thread), and ``SerialWrites`` (which the
``GeodataService`` and the video panel's annotations use) starts a write only once every
earlier one of its writes has been answered, so that value is there when the next write needs
it. Nothing waits: with a large write queued, Ctrl+Z returns at once and its write follows the
large one (ADR 0001, ADR 0007).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from analysis.errors import WorkbenchError
from ui.jobs import JobRunner
from workbench.case import Case
from workbench.case.errors import CaseError
from workbench.case.evidence import SourceRecord

ResultFn = Callable[[Any], None]
ErrorFn = Callable[[BaseException], None]


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


Start = Callable[[], Future]


class Writes(Protocol):
    """What a command asks of the service: run a write in turn, hand back its value."""

    def submit(
        self,
        what: str,
        start: Start,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None: ...


class AddRecordCommand(QUndoCommand):
    """Add a record; undo deletes it, redo restores the deleted record with the same id.

    ``add()`` gives the writer's future of the new id, ``delete(id)`` that of the deleted
    record and ``restore(record)`` that of the restored id. ``stored_id``: the record was
    stored already (a worker computed and wrote it), so the first redo writes nothing.
    """

    def __init__(
        self,
        writes: Writes,
        text: str,
        add: Start,
        delete: Callable[[int], Future],
        restore: Callable[[Any], Future],
        *,
        stored_id: int | None = None,
    ) -> None:
        super().__init__(text)
        self._writes, self._add, self._delete, self._restore = writes, add, delete, restore
        self._id: int | None = stored_id  # the id the database gave the record
        self._record: Any = None  # the record as the last undo deleted it
        self._stored = stored_id is not None

    def redo(self) -> None:
        if self._stored:  # already in the case: pushing it only makes it undoable
            self._stored = False
            return
        self._writes.submit(self.text(), self._start_redo, on_result=self._remember_id)

    def undo(self) -> None:
        self._writes.submit("the deletion", self._start_undo, on_result=self._remember_record)

    def _start_redo(self) -> Future:
        record, self._id = self._record, None
        return self._add() if record is None else self._restore(record)

    def _start_undo(self) -> Future:
        if self._id is None:
            raise CaseError(f"{self.text()} was not saved, so there is nothing to undo")
        return self._delete(self._id)

    def _remember_id(self, new_id: int) -> None:
        self._id = new_id

    def _remember_record(self, record: Any) -> None:
        self._record = record


class DeleteRecordCommand(QUndoCommand):
    """Delete a record; undo restores it with the same id (``delete``/``restore`` as above)."""

    def __init__(
        self, writes: Writes, text: str, delete: Start, restore: Callable[[Any], Future]
    ) -> None:
        super().__init__(text)
        self._writes, self._delete, self._restore = writes, delete, restore
        self._record: Any = None

    def redo(self) -> None:
        self._writes.submit("the deletion", self._start_redo, on_result=self._remember_record)

    def undo(self) -> None:
        self._writes.submit("the restore", self._start_undo)

    def _start_redo(self) -> Future:
        self._record = None
        return self._delete()

    def _start_undo(self) -> Future:
        if self._record is None:
            raise CaseError(f"{self.text()} did not happen, so there is nothing to restore")
        return self._restore(self._record)

    def _remember_record(self, record: Any) -> None:
        self._record = record


class EditCommand(QUndoCommand):
    """Change a value (move, rename, a hypothesis's fields): ``apply(new)``, undo ``apply(old)``."""

    def __init__(
        self, writes: Writes, text: str, apply: Callable[[Any], Future], old: Any, new: Any
    ) -> None:
        super().__init__(text)
        self._writes, self._apply, self._old, self._new = writes, apply, old, new

    def redo(self) -> None:
        self._writes.submit(self.text(), lambda: self._apply(self._new))

    def undo(self) -> None:
        self._writes.submit(self.text(), lambda: self._apply(self._old))


class SerialWrites(QObject):
    """Runs writes of one case one after another, each answered on the GUI thread."""

    edit_saved = Signal()  # one of the writes was stored
    edit_failed = Signal(str, object)  # (title, exception): for the window to show

    def __init__(self, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.case: Case | None = None
        self._pending: deque[tuple[str, Start, ResultFn | None, ErrorFn | None]] = deque()
        self._busy = False
        self._generation = 0  # bumped with the case: answers for an older case are ignored

    def set_case(self, case: Case | None) -> None:
        """Write to ``case`` from now on; writes of the previous case not yet started are
        dropped (its undo stack goes with it)."""
        self.case = case
        self._pending.clear()
        self._busy = False
        self._generation += 1

    def submit(
        self,
        what: str,
        start: Start,
        on_result: ResultFn | None = None,
        on_error: ErrorFn | None = None,
    ) -> None:
        """Run ``start()`` (a write: it returns the writer's future) once every earlier write
        has been answered; then ``on_result(value)`` or ``on_error(exc)`` on the GUI thread.
        A failure is also reported as ``edit_failed``."""
        self._pending.append((what, start, on_result, on_error))
        if not self._busy:
            self._start_next()

    def _start_next(self) -> None:
        self._busy = False
        while self._pending and self.case is not None:
            what, start, on_result, on_error = self._pending.popleft()
            try:
                future = start()
            except WorkbenchError as exc:  # refused before it reached the writer
                self._failed(self._generation, what, on_error, exc)
                continue
            self._busy = True
            generation = self._generation
            self.jobs.watch(
                future,
                on_result=functools.partial(self._saved, generation, on_result),
                on_error=functools.partial(self._failed, generation, what, on_error),
            )
            return
        self._pending.clear()

    def _saved(self, generation: int, on_result: ResultFn | None, value: Any) -> None:
        if generation != self._generation:
            return
        if on_result is not None:
            on_result(value)
        self.edit_saved.emit()
        self._start_next()

    def _failed(
        self, generation: int, what: str, on_error: ErrorFn | None, exc: BaseException
    ) -> None:
        if generation != self._generation:
            return
        if on_error is not None:
            on_error(exc)
        self.edit_failed.emit(f"Could not save {what}", exc)
        if self._busy:
            self._start_next()

"""Undoable geodata edits whose writes never wait on the GUI thread.

Each redo and undo is a new logged write (``workbench.geodata``, ``workbench.hypotheses``): the
audit log keeps both directions. Undo of an addition needs the id the database gave it, and
redo of a deletion the deleted record. A command keeps what its last write returned (delivered
on the GUI thread), and the service that runs the writes (``Writes``, the ``GeodataService``)
starts a write only once every earlier one of its writes has been answered, so that value is
there when the next write needs it. Nothing waits: with a large write queued, Ctrl+Z returns
at once and its write follows the large one (ADR 0001, ADR 0007).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from workbench.case.errors import CaseError

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

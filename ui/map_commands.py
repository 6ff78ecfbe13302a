"""Undoable map edits. Each redo and undo is a new logged write (``workbench.geodata``): the
audit log keeps both directions.

Undo of an addition needs the id the database gave it, and redo of a deletion the deleted
record: both come from the writer's future of the previous step. The writer runs writes in
order and these are small, so waiting for that future (``WRITE_WAIT_S``) is brief; the GUI
never waits on a large write here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from workbench import geodata

if TYPE_CHECKING:
    from ui.map_panel import MapPanel

WRITE_WAIT_S = 30.0


class AddPointCommand(QUndoCommand):
    """Add a landmark/camera/target; undo deletes it, redo restores it with the same id."""

    def __init__(self, panel: MapPanel, kind: str, name: str, lat: float, lon: float) -> None:
        super().__init__(f"add {kind} {name}")
        self._panel, self._args = panel, (kind, name, lat, lon)
        self._added: Future | None = None
        self._deleted: Future | None = None

    def redo(self) -> None:
        case = self._panel.case
        kind, name, lat, lon = self._args
        if self._deleted is None:
            self._added = geodata.add_landmark(case, name, lat, lon, kind=kind)
        else:
            record = self._deleted.result(WRITE_WAIT_S)
            self._added = geodata.restore_landmark(case, record)
        self._panel.watch(self._added, f"the new {kind}")

    def undo(self) -> None:
        new_id = self._added.result(WRITE_WAIT_S)
        self._deleted = geodata.delete_landmark(self._panel.case, new_id)
        self._panel.watch(self._deleted, "the deletion")


class EditPointCommand(QUndoCommand):
    """Move or rename a point: ``apply(value)`` with the new value, then the old one."""

    def __init__(
        self, panel: MapPanel, text: str, apply: Callable[[Any], Future], old: Any, new: Any
    ) -> None:
        super().__init__(text)
        self._panel, self._apply, self._old, self._new = panel, apply, old, new

    def redo(self) -> None:
        self._panel.watch(self._apply(self._new), self.text())

    def undo(self) -> None:
        self._panel.watch(self._apply(self._old), self.text())


class DeletePointCommand(QUndoCommand):
    def __init__(self, panel: MapPanel, point_id: int) -> None:
        super().__init__(f"delete point {point_id}")
        self._panel, self._id = panel, point_id
        self._deleted: Future | None = None

    def redo(self) -> None:
        self._deleted = geodata.delete_landmark(self._panel.case, self._id)
        self._panel.watch(self._deleted, "the deletion")

    def undo(self) -> None:
        record = self._deleted.result(WRITE_WAIT_S)
        self._panel.watch(geodata.restore_landmark(self._panel.case, record), "the restore")


class AddObservationCommand(QUndoCommand):
    """Add an observation (``add`` returns the writer's future of its id); undo deletes it,
    redo restores it with the same id and inputs."""

    def __init__(self, panel: MapPanel, text: str, add: Callable[[], Future]) -> None:
        super().__init__(text)
        self._panel, self._add = panel, add
        self._added: Future | None = None
        self._deleted: Future | None = None

    def redo(self) -> None:
        if self._deleted is None:
            self._added = self._add()
        else:
            record = self._deleted.result(WRITE_WAIT_S)
            self._added = geodata.restore_observation(self._panel.case, record)
        self._panel.watch(self._added, self.text())

    def undo(self) -> None:
        new_id = self._added.result(WRITE_WAIT_S)
        self._deleted = geodata.delete_observation(self._panel.case, new_id)
        self._panel.watch(self._deleted, "the deletion")

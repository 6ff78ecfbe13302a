"""Undoable map edits. Each redo and undo is a new logged write (``workbench.geodata``,
``workbench.hypotheses``): the audit log keeps both directions.

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
    from ui.map.panel import MapPanel

WRITE_WAIT_S = 30.0


class AddRecordCommand(QUndoCommand):
    """Add a record; undo deletes it, redo restores the deleted record with the same id.

    ``add()`` gives the writer's future of the new id, ``delete(id)`` that of the deleted
    record and ``restore(record)`` that of the restored id; each reads the panel's case when
    it runs.
    """

    def __init__(
        self,
        panel: MapPanel,
        text: str,
        add: Callable[[], Future],
        delete: Callable[[int], Future],
        restore: Callable[[Any], Future],
    ) -> None:
        super().__init__(text)
        self._panel, self._add, self._delete, self._restore = panel, add, delete, restore
        self._added: Future | None = None
        self._deleted: Future | None = None

    def redo(self) -> None:
        if self._deleted is None:
            self._added = self._add()
        else:
            self._added = self._restore(self._deleted.result(WRITE_WAIT_S))
        self._panel.watch(self._added, self.text())

    def undo(self) -> None:
        self._deleted = self._delete(self._added.result(WRITE_WAIT_S))
        self._panel.watch(self._deleted, "the deletion")


class DeleteRecordCommand(QUndoCommand):
    """Delete a record; undo restores it with the same id (``delete``/``restore`` as above)."""

    def __init__(
        self,
        panel: MapPanel,
        text: str,
        delete: Callable[[], Future],
        restore: Callable[[Any], Future],
    ) -> None:
        super().__init__(text)
        self._panel, self._delete, self._restore = panel, delete, restore
        self._deleted: Future | None = None

    def redo(self) -> None:
        self._deleted = self._delete()
        self._panel.watch(self._deleted, "the deletion")

    def undo(self) -> None:
        self._panel.watch(self._restore(self._deleted.result(WRITE_WAIT_S)), "the restore")


def add_point_command(
    panel: MapPanel,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    evidence_id: int | None = None,
    notes: str = "",
) -> AddRecordCommand:
    """Add a landmark, camera position or target (undoable); ``evidence_id`` links a camera
    to the video it filmed (the map draws it in that video's colour)."""
    return AddRecordCommand(
        panel,
        f"add {kind} {name}",
        lambda: geodata.add_landmark(
            panel.case, name, lat, lon, kind=kind, evidence_id=evidence_id, notes=notes
        ),
        lambda new_id: geodata.delete_landmark(panel.case, new_id),
        lambda record: geodata.restore_landmark(panel.case, record),
    )


def delete_point_command(panel: MapPanel, point_id: int) -> DeleteRecordCommand:
    return DeleteRecordCommand(
        panel,
        f"delete point {point_id}",
        lambda: geodata.delete_landmark(panel.case, point_id),
        lambda record: geodata.restore_landmark(panel.case, record),
    )


def add_observation_command(
    panel: MapPanel, text: str, add: Callable[[], Future]
) -> AddRecordCommand:
    """Add an observation (``add`` gives the writer's future of its id); undoable."""
    return AddRecordCommand(
        panel,
        text,
        add,
        lambda new_id: geodata.delete_observation(panel.case, new_id),
        lambda record: geodata.restore_observation(panel.case, record),
    )


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

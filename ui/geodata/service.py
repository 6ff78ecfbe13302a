"""GeodataService: writes and undo of the case's geodata, shared by the map and the frame tools.

Landmarks (cameras, targets), observations (bearings, alignments, intersections, resections)
and hypotheses are added, moved, renamed and deleted here, each as a QUndoCommand on the
(main window's) undo stack whose redo and undo are logged writes. The map and the tools call
the same methods; neither knows the other.

The service runs its writes one after another (``submit``): a write starts once every earlier
write of the service has been answered, and its value comes back on the GUI thread through the
JobRunner. So undo finds the id of what it undoes without waiting on a future, and the GUI
thread never blocks on the writer (ADR 0001, ADR 0007). What the writes changed reaches the
panels through the case's change feed (``ui.changes``), not through this service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

from analysis.geometry.resection_frame import FrameModel
from ui.geodata.commands import AddRecordCommand, DeleteRecordCommand, EditCommand, Start
from ui.jobs import JobRunner
from ui.undo import SerialWrites
from workbench import geodata, geodata_records, geodata_resection, hypotheses
from workbench.case import Case
from workbench.case.errors import CaseError
from workbench.geodata_resection import Sighting

ResultFn = Callable[[Any], None]
ErrorFn = Callable[[BaseException], None]


class GeodataService(SerialWrites):
    """Undoable geodata writes of the open case (module doc); writes run in turn
    (``ui.undo.SerialWrites``: ``submit``, ``set_case``, ``edit_saved``, ``edit_failed``)."""

    def __init__(
        self, jobs: JobRunner, undo_stack: QUndoStack | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(jobs, parent)
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)

    # -- points -------------------------------------------------------------------------
    def add_point(
        self,
        kind: str,
        name: str,
        lat: float,
        lon: float,
        *,
        evidence_id: int | None = None,
        notes: str = "",
        height_m: float | None = None,
        position_sigma_m: float | None = None,
    ) -> None:
        """An undoable landmark, camera position or target; ``evidence_id`` links a camera
        to the video it filmed (the map draws it in that video's colour); ``height_m`` is
        the point's height above the ground, when known."""
        if self.case is None:
            return
        add = lambda: geodata.add_landmark(  # noqa: E731
            self.case,
            name,
            lat,
            lon,
            kind=kind,
            evidence_id=evidence_id,
            notes=notes,
            height_m=height_m,
            position_sigma_m=position_sigma_m,
        )
        self.undo_stack.push(
            AddRecordCommand(
                self, f"add {kind} {name}", add, self._delete_point, self._restore_point
            )
        )

    def move_point(self, point_id: int, old: tuple[float, float], new: tuple[float, float]) -> None:
        """Move a point from ``old`` to ``new`` (lat, lon), undoably."""
        if self.case is not None:
            apply = lambda pos: geodata.move_landmark(self.case, point_id, *pos)  # noqa: E731
            self.undo_stack.push(EditCommand(self, f"move point {point_id}", apply, old, new))

    def rename_point(self, point_id: int, old: str, new: str) -> None:
        if self.case is not None:
            apply = lambda name: geodata.rename_landmark(self.case, point_id, name)  # noqa: E731
            self.undo_stack.push(EditCommand(self, f"rename point {point_id}", apply, old, new))

    def set_point_sigma(self, point_id: int, old: float | None, new: float | None) -> None:
        """State a point's position one-sigma in metres (None: not stated), undoably."""
        if self.case is not None:
            apply = lambda v: geodata.set_position_sigma(self.case, point_id, v)  # noqa: E731
            text = f"position uncertainty of point {point_id}"
            self.undo_stack.push(EditCommand(self, text, apply, old, new))

    def delete_point(self, point_id: int) -> None:
        if self.case is not None:
            delete = lambda: self._delete_point(point_id)  # noqa: E731
            self.undo_stack.push(
                DeleteRecordCommand(self, f"delete point {point_id}", delete, self._restore_point)
            )

    def _delete_point(self, point_id: int) -> Future:
        return geodata.delete_landmark(self.case, point_id)

    def _restore_point(self, record: geodata_records.Landmark) -> Future:
        return geodata.restore_landmark(self.case, record)

    # -- observations -------------------------------------------------------------------
    def _observation_command(self, text: str, add: Start, stored_id: int | None = None):
        return AddRecordCommand(
            self,
            text,
            add,
            lambda obs_id: geodata.delete_observation(self.case, obs_id),
            lambda record: geodata.restore_observation(self.case, record),
            stored_id=stored_id,
        )

    def add_bearing(self, camera_id: int, azimuth_deg: float, sigma_deg: float, **kw: Any) -> None:
        """An undoable bearing observation (see ``geodata.add_bearing`` for ``kw``)."""
        case = self.case
        if case is not None:
            add = lambda: geodata.add_bearing(case, camera_id, azimuth_deg, sigma_deg, **kw)  # noqa: E731
            self.undo_stack.push(self._observation_command(f"bearing from {camera_id}", add))

    def add_alignment(self, near_id: int, far_id: int, **kw: Any) -> None:
        """An undoable alignment: two landmarks that line up in a frame (``kw``: evidence_id,
        frame_index, position_sigma_m, extra_inputs)."""
        case = self.case
        if case is not None:
            add = lambda: geodata.add_alignment(case, near_id, far_id, **kw)  # noqa: E731
            self.undo_stack.push(self._observation_command("alignment", add))

    def triangulate(
        self,
        bearing_ids: list[int],
        on_result: Callable[[geodata_records.Observation], None] | None = None,
        flash_bang_ids: Sequence[int] = (),
    ) -> None:
        """Intersect bearings (and flash-bang range rings) in a worker (which queues the
        write), then make it undoable; then ``on_result`` with the stored intersection, for
        the tool to show where it is."""
        case = self.case
        if case is None:
            return

        def read(obs_id: int) -> None:
            if on_result is None:
                return
            self.jobs.run(
                "Reading the intersection",
                lambda progress=None, cancel=None: geodata_records.get_observation(
                    case.read(), obs_id
                ),
                on_result=on_result,
                on_error=lambda e: self.edit_failed.emit("Cannot read the intersection", e),
                quiet=True,
            )

        self.jobs.run(
            "Triangulating",
            lambda progress=None, cancel=None: geodata.add_intersection(
                case, bearing_ids, flash_bang_ids=flash_bang_ids
            ),
            on_result=lambda write: self._adopt(case, "intersection", write, read),
            on_error=lambda e: self.edit_failed.emit("Cannot triangulate", e),
        )

    def resect(
        self,
        frame: FrameModel,
        sightings: list[Sighting],
        *,
        on_result: Callable[[dict[str, Any]], None] | None = None,
        on_done: Callable[[], None] | None = None,
        **kw: Any,
    ) -> None:
        """Resect in a worker and store the result as an undoable observation; then
        ``on_result`` with the stored result, and ``on_done`` after success or failure
        (``kw``: see ``geodata_resection.add_resection``)."""
        case = self.case
        if case is None:
            return

        def failed(exc: BaseException, title: str = "") -> None:
            if on_done is not None:
                on_done()
            if title:
                self.edit_failed.emit(title, exc)

        def shown(obs: geodata_records.Observation) -> None:
            if on_done is not None:
                on_done()
            if on_result is not None:
                on_result(obs.result)

        def read(obs_id: int) -> None:  # the stored result, as the tool shows it
            self.jobs.run(
                "Reading the resection",
                lambda progress=None, cancel=None: geodata_records.get_observation(
                    case.read(), obs_id
                ),
                on_result=shown,
                on_error=lambda e: failed(e, "Cannot read the resection"),
                quiet=True,
            )

        self.jobs.run(
            "Resecting",
            lambda progress=None, cancel=None: geodata_resection.add_resection(
                case, frame, sightings, **kw
            ),
            on_result=lambda write: self._adopt(case, "resection", write, read, failed),
            on_error=lambda e: failed(e, "Cannot resect"),
        )

    def _adopt(
        self,
        case: Case,
        text: str,
        write: Future,
        on_stored: ResultFn | None = None,
        on_error: ErrorFn | None = None,
    ) -> None:
        """A write a worker queued: once stored, an undoable addition (as if added here)."""
        if case is not self.case:  # the case was closed or another opened meanwhile
            if on_error is not None:
                on_error(CaseError(f"{case.path}: closed before the {text} was stored"))
            return

        def stored(obs_id: int) -> None:
            self.undo_stack.push(self._observation_command(text, lambda: write, obs_id))
            if on_stored is not None:
                on_stored(obs_id)

        self.submit(text, lambda: write, on_result=stored, on_error=on_error)

    # -- hypotheses ---------------------------------------------------------------------
    def add_hypothesis(self, lat: float, lon: float, fields: dict[str, Any]) -> None:
        """An undoable hypothesis at (lat, lon); ``fields`` as ``hypotheses.add_hypothesis``."""
        case = self.case
        if case is None:
            return
        add = lambda: hypotheses.add_hypothesis(case, lat_deg=lat, lon_deg=lon, **fields)  # noqa: E731
        self.undo_stack.push(
            AddRecordCommand(
                self,
                f"add hypothesis {fields['title']}",
                add,
                lambda new_id: hypotheses.delete_hypothesis(self.case, new_id),
                lambda record: hypotheses.restore_hypothesis(self.case, record),
            )
        )

    def edit_hypothesis(self, hypothesis_id: int, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Change fields of a hypothesis (move, or the dialog's fields); undo sets the old."""
        if self.case is not None:
            apply = lambda f: hypotheses.update_hypothesis(self.case, hypothesis_id, **f)  # noqa: E731
            text = f"edit hypothesis {hypothesis_id}"
            self.undo_stack.push(EditCommand(self, text, apply, old, new))

    def delete_hypothesis(self, hypothesis_id: int) -> None:
        if self.case is not None:
            self.undo_stack.push(
                DeleteRecordCommand(
                    self,
                    f"delete hypothesis {hypothesis_id}",
                    lambda: hypotheses.delete_hypothesis(self.case, hypothesis_id),
                    lambda record: hypotheses.restore_hypothesis(self.case, record),
                )
            )

"""TrackPanel: the Track tool of the video panel and the list of the video's tracks.

Mark point (or Mark box, two clicks at opposite corners) arms the frame: a click marks the
object on the frame on screen, and the tracker (``workbench.track_runs.track_evidence``) runs
forward and backward as a job, with progress and Cancel in the status bar; the track grows on
the frame and on the timeline as the job delivers partial results, and the finished track is
stored in the case (undoable: undo deletes it, redo puts it back with its id). The selected
track is drawn on the frame (its path, its points, the one on this frame as a ring) and as a
band on the timeline. Dragging the ring corrects the track on that frame: the point becomes
the analyst's, the track is re-propagated from all analyst points as a job, and the tracker's
points after the correction are replaced (one undoable command; undo puts the points back).
What is listed is re-read when the change feed says tracks changed, whoever wrote them.

Keys: Ctrl+T shows or hides the tool; Esc cancels the running job (the window's).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from analysis.jobs import JobCancelled
from analysis.tracking.video_track import Mark
from ui.changes import CaseChanges
from ui.jobs import JobRunner
from ui.undo import AddRecordCommand, DeleteRecordCommand, SerialWrites
from ui.video.track_items import TrackLayer
from workbench.case import Case
from workbench.track_runs import TrackRun, repropagate, track_evidence
from workbench.tracks import (
    StoredTrack,
    correct_point,
    delete_track,
    list_tracks,
    read_track,
    replace_after,
    restore_points,
    restore_track,
    store_track,
)


def describe(t: StoredTrack) -> str:
    """One line of the list: id, label, frames, how it ended."""
    first, last = t.points[0].frame_index, t.points[-1].frame_index
    label = f" “{t.label}”" if t.label else ""
    mine = sum(1 for p in t.points if p.source == "analyst")
    return f"#{t.id}{label}  frames {first}..{last} ({len(t.points)}, {mine} by you)"


class CorrectCommand(QUndoCommand):
    """Move a track's point on one frame, then re-propagate (module doc); undo restores."""

    def __init__(self, panel: TrackPanel, track: StoredTrack, frame: int, x: float, y: float):
        super().__init__(f"correct track {track.id} on frame {frame}")
        self.panel, self.track, self.frame, self.xy = panel, track, frame, (x, y)
        self.generation = 0

    def redo(self) -> None:
        self.generation += 1
        g, case, t = self.generation, self.panel.case, self.track

        def wanted() -> bool:  # an undo meanwhile drops the re-propagation's result
            return g == self.generation

        self.panel.writes.submit(
            self.text(),
            lambda: correct_point(case, t.id, self.frame, *self.xy),
            on_result=lambda _old: self.panel.repropagate(t.id, self.frame, wanted),
        )

    def undo(self) -> None:
        self.generation += 1
        case, t = self.panel.case, self.track
        self.panel.writes.submit("the undo", lambda: restore_points(case, t.id, t.points))


class TrackPanel(QWidget):
    """The Track tool and the video's tracks (module doc)."""

    track_selected = Signal(object, object)  # (case, track id or None)
    message = Signal(str)

    def __init__(self, jobs: JobRunner, undo_stack: QUndoStack, panel: QWidget) -> None:
        super().__init__(panel)
        self.jobs, self.undo_stack, self.panel = jobs, undo_stack, panel
        self.viewer, self.timeline = panel.viewer, panel.timeline
        self.case: Case | None = None
        self.evidence_id: int | None = None
        self.frame: int | None = None
        self.tracks: list[StoredTrack] = []
        self.selected: StoredTrack | None = None
        self.live: Sequence | None = None  # the points a running job delivered so far
        self.mode: str | None = None  # "point" or "box"
        self.corner: tuple[float, float] | None = None
        self._select_newest = False
        self.writes = SerialWrites(jobs, self)
        self.writes.edit_failed.connect(lambda title, exc: self._say(f"⚠ {title}: {exc}"))
        self.changes = CaseChanges(self)
        self.changes.changed.connect(self._on_changes_changed)
        self.layer = TrackLayer(self.viewer, self)
        self.layer.point_moved.connect(self._on_layer_point_moved)
        self.viewer.pixel_clicked.connect(self._on_viewer_pixel_clicked)
        self._build()
        self.setVisible(False)

    def _build(self) -> None:
        self.point_button = QToolButton()
        self.point_button.setText("Mark point")
        self.box_button = QToolButton()
        self.box_button.setText("Mark box")
        for b, mode in ((self.point_button, "point"), (self.box_button, "box")):
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(functools.partial(self.arm, mode))
        self.point_button.setToolTip("Click the object on this frame: it is tracked both ways")
        self.box_button.setToolTip("Click two opposite corners of a box around the object")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("label of the next track")
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.delete_button = QPushButton("Delete track")
        self.delete_button.clicked.connect(self.delete_selected)
        self.status = QLabel("Mark the object to track it.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # errors carry the typed label
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.point_button)
        row.addWidget(self.box_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(QLabel("<b>Track</b>"))
        layout.addLayout(row)
        layout.addWidget(self.label_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.delete_button)
        layout.addWidget(self.status)
        self.setFixedWidth(250)

    @classmethod
    def attach(cls, panel, jobs: JobRunner, undo_stack: QUndoStack) -> TrackPanel:
        """A Track tool beside ``panel``'s frame, with a Track button after its view buttons
        and Ctrl+T; it follows the video the panel shows."""
        tool = cls(jobs, undo_stack, panel)
        top = panel.layout().itemAt(0).layout()
        top.addWidget(tool)
        button = QToolButton()
        button.setText("Track")
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip("Track a marked object; drag its point to correct it (Ctrl+T)")
        button.clicked.connect(lambda: button.setChecked(tool.toggle()))
        for k in range(panel.layout().count()):
            row = panel.layout().itemAt(k).layout()
            if row is not None and row.indexOf(panel.overlays_button) >= 0:
                row.insertWidget(row.indexOf(panel.overlays_button) + 1, button)
        tool.button = button
        QShortcut(QKeySequence("Ctrl+T"), panel, button.click,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip
        panel.annotations.tool_armed.connect(tool._on_annotations_tool_armed)
        panel.frame_on_screen.connect(tool.show_frame)
        panel.table_loaded.connect(lambda _n: tool.follow(panel.case, panel.evidence))
        return tool

    # -- following the video ------------------------------------------------------------------
    def toggle(self) -> bool:
        self.setVisible(not self.isVisible())
        if not self.isVisible():
            self.arm(None)
        return self.isVisible()

    def follow(self, case: Case | None, evidence) -> None:
        """Show the tracks of ``evidence`` (a video of ``case``)."""
        if case is not self.case:
            self.writes.set_case(case)
            self.changes.set_case(case)
        self.case = case
        self.evidence_id = evidence.id if evidence is not None else None
        self.selected, self.live = None, None
        self.reload()

    def show_frame(self, frame) -> None:
        self.frame = None if frame is None else frame.frame_index
        if frame is None:
            self.layer.clear()
        self._draw()

    def reload(self) -> None:
        case, eid = self.case, self.evidence_id
        if case is None or eid is None:
            self._show_tracks([])
            return
        self.jobs.run(
            "Reading the tracks",
            lambda progress, cancel: list_tracks(case.read(), eid),
            on_result=functools.partial(self._on_read, eid),
            on_error=lambda exc: self._say(f"⚠ Cannot read the tracks: {exc}"),
            quiet=True,
        )

    def _on_read(self, evidence_id: int, tracks: list[StoredTrack]) -> None:
        if evidence_id == self.evidence_id:
            self._show_tracks(tracks)

    def _show_tracks(self, tracks: list[StoredTrack]) -> None:
        keep = self.selected.id if self.selected is not None else None
        if self._select_newest and tracks:
            keep, self._select_newest = tracks[-1].id, False
        self.tracks = tracks
        self.list.blockSignals(True)
        self.list.clear()
        for t in tracks:
            item = QListWidgetItem(describe(t))
            item.setToolTip(describe(t))
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
            if t.id == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.selected = next((t for t in tracks if t.id == keep), None)
        if self.selected is None and tracks:
            self.list.setCurrentRow(len(tracks) - 1)  # selects (and announces) the newest
        else:
            self._draw()
            self.track_selected.emit(self.case, keep if self.selected else None)

    def _on_list_current_item_changed(self, item: QListWidgetItem | None, _prev) -> None:
        tid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.selected = next((t for t in self.tracks if t.id == tid), None)
        self._draw()
        self.track_selected.emit(self.case, tid)

    def _on_changes_changed(self, change) -> None:
        if change.touches("track"):
            self.reload()

    def _draw(self) -> None:
        points = self.live if self.live is not None else (
            self.selected.points if self.selected is not None else ())  # fmt: skip
        box = (0, 0)
        if self.selected is not None and self.live is None:
            box = tuple(self.selected.params.get("box_px", (0, 0)))
        if not self.isVisible() and self.live is None:
            self.layer.clear()
        else:
            self.layer.show(points, self.frame, box, editable=self.live is None)
        frames = [p.frame_index for p in points]
        self.timeline.set_track(frames, [p.frame_index for p in points if p.source == "analyst"])

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._draw()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self._draw()

    # -- marking and tracking -----------------------------------------------------------------
    def arm(self, mode: str | None, _checked: bool = False) -> None:
        """Wait for a click (``point``) or two (``box``) on the frame; None: stop waiting."""
        self.mode = None if mode == self.mode else mode
        self.corner = None
        if self.mode is not None:  # one click, one tool: the Annotate tool stops drawing
            self.panel.annotations.set_tool(None)
        self.point_button.setChecked(self.mode == "point")
        self.box_button.setChecked(self.mode == "box")
        self.viewer.set_armed(self.mode is not None)
        if self.mode:
            self._say("Click the object." if self.mode == "point" else "Click one corner.")

    def _on_annotations_tool_armed(self, _kind: str) -> None:
        if self.mode is not None:
            self.arm(None)

    def _on_viewer_pixel_clicked(self, x_px: float, y_px: float) -> None:
        if self.mode is None or self.frame is None or self.case is None:
            return
        if self.mode == "box" and self.corner is None:
            self.corner = (x_px, y_px)
            self._say("Click the opposite corner.")
            return
        if self.mode == "box":
            (x0, y0), self.corner = self.corner, None
            x, y = min(x0, x_px), min(y0, y_px)
            w, h = abs(x_px - x0), abs(y_px - y0)
            if w < 3 or h < 3:
                self._say("⚠ The box is too small: click two opposite corners of the object.")
                return
            mark = Mark.from_box(self.frame, x, y, w, h)
        else:
            mark = Mark(self.frame, x_px, y_px)
        self.arm(None)
        self.track(mark)

    def track(self, mark: Mark) -> None:
        """Track ``mark`` as a job; the finished track is stored (undoable)."""
        case, eid, label = self.case, self.evidence_id, self.label_edit.text().strip()
        if case is None or eid is None:
            return
        self.live = ()
        self._say(f"Tracking from frame {mark.frame_index}…")
        self.jobs.run(
            f"Tracking from frame {mark.frame_index}",
            functools.partial(track_evidence, case, eid, mark),
            on_partial=self._on_partial,
            on_result=functools.partial(self._on_tracked, case, label),
            on_error=self._on_failed,
        )

    def _on_partial(self, points) -> None:
        if self.live is not None:
            self.live = points
            self._draw()

    def _on_tracked(self, case: Case, label: str, run: TrackRun) -> None:
        self.live = None
        if case is not self.case:
            return
        pts = run.track.points
        t = run.track
        self._say(f"Tracked frames {pts[0].frame_index}..{pts[-1].frame_index}: forward "
                  f"{t.stopped_forward}; backward {t.stopped_backward}.")  # fmt: skip
        self._select_newest = True
        self.undo_stack.push(AddRecordCommand(
            self.writes, f"track {label or 'an object'}",
            lambda: store_track(case, run.evidence_id, run.track, label=label, params=run.params),
            lambda tid: delete_track(case, tid), lambda record: restore_track(case, record),
        ))  # fmt: skip

    def _on_failed(self, exc: BaseException) -> None:
        self.live = None
        self._draw()
        self._say("Tracking cancelled." if isinstance(exc, JobCancelled) else f"⚠ {exc}")

    def delete_selected(self) -> None:
        t, case = self.selected, self.case
        if t is None or case is None:
            return
        self.undo_stack.push(DeleteRecordCommand(
            self.writes, f"delete track {t.id}", lambda: delete_track(case, t.id),
            lambda record: restore_track(case, record),
        ))  # fmt: skip

    # -- correcting ---------------------------------------------------------------------------
    def _on_layer_point_moved(self, frame: int, x_px: float, y_px: float) -> None:
        if self.selected is None or self.case is None:
            return
        self.undo_stack.push(CorrectCommand(self, self.selected, frame, x_px, y_px))

    def repropagate(self, track_id: int, frame: int, still_wanted) -> None:
        """Re-run the track from its analyst points (a job), then store it after ``frame``."""
        case = self.case
        if case is None:
            return
        self.live = self.selected.points if self.selected is not None else ()  # until news

        def job(progress, cancel, partial) -> TrackRun:
            stored = read_track(case.read(), track_id)
            return repropagate(case, stored, progress=progress, cancel=cancel, partial=partial)

        def store(run: TrackRun) -> None:
            self.live = None
            if still_wanted() and case is self.case:
                self.writes.submit("the re-propagation", lambda: replace_after(
                    case, track_id, frame, run.track, impact=run.impact))  # fmt: skip
            self._draw()

        self.jobs.run(
            f"Re-propagating track {track_id} from frame {frame}",
            job,
            on_partial=self._on_partial,
            on_result=store,
            on_error=self._on_failed,
        )

    def _say(self, text: str) -> None:
        self.status.setText(text)
        if text.startswith("⚠"):
            self.message.emit(text)

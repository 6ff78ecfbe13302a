"""VideoPanel: the frame viewer, transport, loupe, enhancements and the timeline of one video.

Nothing here decodes: frames come from the FrameDecoder thread (ui.video.worker), the frame
table and exports run through the JobRunner, and what the timeline shows (segments, cut edits,
the thumbnail strip) comes from its ``TimelineFeed``. Cut edits are undoable (the main
window's undo stack); each redo or undo is a new audited write. Each frame shown is announced
as ``frame_on_screen`` (a ``FrameRef``) for the frame tools.

Keys (when the panel has focus): Space play/pause, Left/Right one frame, Shift+Left/Right ten
frames, J/K/L reverse/pause/forward (again = faster), Home/End, Ctrl+G go to frame or time,
Ctrl+E export frame (Shift+E: annotations burned in), C cut here, M loupe, O overlays
(``ui.video.inspection``), A annotate (``ui.video.annotation_panel``). Run alone:
``python -m ui.video.panel CASE [ID]``.
"""

from __future__ import annotations

import functools
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from analysis.jobs import CancelToken, JobCancelled
from analysis.video.table import FrameTable
from ui.jobs import JobRunner, show_job_error
from ui.video.annotation_panel import AnnotationPanel
from ui.video.enhance_panel import EnhancePanel
from ui.video.image_viewer import FrameView
from ui.video.inspection import InspectionView, ShownInspection, summary
from ui.video.loupe import Loupe
from ui.video.on_screen import video_frame_ref
from ui.video.timeline import TimelineWidget
from ui.video.timeline_feed import TimelineFeed
from ui.video.transport import Action, frame_info, key_action, transport_row
from ui.video.worker import DecodedFrame, FrameDecoder, parse_position
from workbench.case import Case
from workbench.case.evidence import Evidence
from workbench.frame_export import ExportedFrame, export_frame
from workbench.frame_table_store import load_or_build_frame_table

MAX_SPEED = 8


class VideoPanel(QWidget):
    """Viewer + transport + timeline for one video evidence (see the module docstring)."""

    frame_shown = Signal(int)
    frame_on_screen = Signal(object)  # FrameRef of the frame shown; None when none is
    table_loaded = Signal(int)
    segments_changed = Signal(object)
    frame_exported = Signal(object)
    message = Signal(str)

    def __init__(self, jobs: JobRunner, undo_stack: QUndoStack | None = None, parent=None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.case: Case | None = None
        self.evidence: Evidence | None = None
        self.table: FrameTable | None = None
        self.shown: DecodedFrame | None = None
        self._target = 0
        self._direction = 0  # playing: +1 forward, -1 backward, 0 paused
        self._speed = 1
        self._fps = 25.0
        self._loading: list[CancelToken] = []
        self.decoder = FrameDecoder(self)
        self.decoder.frame_ready.connect(self._on_decoder_frame_ready)
        self.decoder.failed.connect(self._on_decoder_failed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._build()
        for w in (self.viewer, self.viewer.viewport(), self.timeline):
            w.installEventFilter(self)  # the transport keys work where the focus is

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.viewer = FrameView()
        self.loupe = Loupe(self.viewer)
        self.enhance_panel = EnhancePanel()
        self.enhance_panel.setFixedWidth(300)
        self.enhance_panel.setVisible(False)
        self.enhance_panel.enhancements_changed.connect(self.decoder.set_enhancements)
        self.info = QLabel("No video")
        self.info.setFont(QFont("monospace"))
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.timeline = TimelineWidget()
        self.feed = TimelineFeed(self.jobs, self.undo_stack, self.timeline)
        self.feed.segments_changed.connect(self.segments_changed)
        self.feed.failed.connect(self._show_error)
        self.inspection = InspectionView(self.jobs, self.viewer, self.timeline, self)
        self.inspection.inspected.connect(self._on_inspection_inspected)
        self.inspection.failed.connect(self._show_error)
        self.timeline.seek_requested.connect(self.go_to)
        self.timeline.cut_add_requested.connect(lambda f: self.edit_cut("add", f))
        self.timeline.cut_move_requested.connect(lambda a, b: self.edit_cut("move", a, b))
        self.timeline.cut_delete_requested.connect(lambda f: self.edit_cut("delete", f))
        self.goto_edit = QLineEdit()
        self.goto_edit.setPlaceholderText("frame or 00:01:02.500 (Ctrl+G)")
        self.goto_edit.setMaximumWidth(220)
        self.goto_edit.returnPressed.connect(self._on_goto_edit_return_pressed)
        top = QHBoxLayout()
        top.addWidget(self.viewer, 1)
        top.addWidget(self.enhance_panel)
        self.annotations = AnnotationPanel(self.jobs, self.undo_stack, self.viewer, self)
        top.addWidget(self.annotations)
        self.frame_on_screen.connect(self.annotations.show_frame)
        self.annotations.export_requested.connect(lambda: self.export_current(True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top, 1)
        layout.addWidget(self.info)
        row, buttons = transport_row(self._act, self.goto_edit)
        for attribute, button in buttons.items():  # play_button, cut_button, ...
            setattr(self, attribute, button)
        layout.addLayout(row)
        layout.addWidget(self.timeline)
        layout.addWidget(self.status)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _act(self, action: Action) -> None:
        name, *args = action
        getattr(self, name)(*args)

    def _handle_key(self, event: QKeyEvent) -> bool:
        """Transport keys (``ui.video.transport.KEYS``), for the panel and its children."""
        action = key_action(event)
        if action is None:
            return False
        self._act(action)
        event.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.KeyPress:
            return self._handle_key(event)
        return False

    # -- loading ------------------------------------------------------------------------------
    @property
    def current_index(self) -> int:
        """The index of the frame on screen (the exact decoded frame)."""
        return self.shown.frame.index if self.shown is not None else self._target

    @property
    def frame_count(self) -> int:
        return len(self.table) if self.table is not None else 0

    def show_evidence(self, case: Case, evidence: Evidence, *, blur_strip: bool = False) -> None:
        """Show a video evidence: frame table (cached in the case), segments, thumbnails.

        ``blur_strip``: the evidence is graphic and not yet revealed, so the timeline's
        thumbnails are blurred (the frame itself, asked for by the analyst, is not).
        """
        if self.case is case and self.evidence is not None and self.evidence.id == evidence.id:
            self.evidence = evidence  # the same video, its record re-read (flags may differ)
            self.set_strip_blurred(blur_strip)
            return
        self.clear()
        self.case, self.evidence = case, evidence
        self.annotations.set_case(case)
        self.feed.follow(case, evidence, blurred=blur_strip)
        self.info.setText(f"{evidence.original_name}: reading the frame table…")
        token = self.jobs.run(
            f"Frame table of {evidence.original_name}",
            functools.partial(load_or_build_frame_table, case, evidence.id),
            on_result=functools.partial(self._on_table, evidence.id),
            on_error=functools.partial(self._on_load_error, evidence.id, "Cannot read the video"),
        )
        self._loading.append(token)

    def clear(self) -> None:
        self.pause()
        for token in self._loading:  # the frame table of the previous video
            token.cancel()
        self._loading.clear()
        self.feed.clear()
        self.inspection.clear()
        self.decoder.close()
        self.case = self.evidence = self.table = self.shown = None
        self._target = 0
        self.viewer.set_image(None)
        self.loupe.set_image(None)
        self.timeline.set_video(0, 0.0)
        self.info.setText("No video")
        self.status.setText("")
        self.frame_on_screen.emit(None)

    def shutdown(self) -> None:
        """Stop the decoder thread (the panel is going away)."""
        self.clear()
        self.decoder.shutdown()

    def _on_table(self, evidence_id: int, table: FrameTable) -> None:
        if self.evidence is None or self.evidence.id != evidence_id or self.case is None:
            return
        self.table = table
        self._fps = table.mean_fps() or 25.0
        self.decoder.open(self.case.evidence_dir / self.evidence.stored_name, table)
        self.timeline.set_video(len(table), self._fps)
        if not table.complete:
            self.status.setText(
                "⚠ decoding stopped at damage: "
                + "; ".join(table.errors[:2])
                + f" — {len(table)} frames usable"
            )
        self.go_to(0)
        self.table_loaded.emit(len(table))
        self.feed.show_table(table)
        self.inspection.follow(self.case, self.evidence)  # after set_video: it clears marks

    @property
    def strip_blurred(self) -> bool:
        """Whether the timeline's thumbnails are blurred (graphic, not yet revealed)."""
        return self.feed.strip_blurred

    def set_strip_blurred(self, blurred: bool) -> None:
        """Blur or reveal the timeline's thumbnails (graphic evidence)."""
        self.feed.set_blurred(blurred)

    # -- navigation ---------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        """Show frame ``index`` (clamped); decoding happens on the decoder thread."""
        if self.table is None:
            return
        self._target = max(0, min(len(self.table) - 1, int(index)))
        self.timeline.set_current(self._target)
        self.decoder.request(self._target)

    def step(self, frames: int) -> None:
        self.pause()
        self.go_to(self._target + frames)

    def go_to_end(self) -> None:
        self.go_to(self.frame_count - 1)

    def play(self, direction: int) -> None:
        """Play forward (+1) or backward (-1); asking again in the same direction doubles."""
        if self.table is None:
            return
        same = self._direction == direction
        self._speed = min(MAX_SPEED, self._speed * 2) if same else 1
        self._direction = direction
        self._timer.start(max(1, int(1000 / (self._fps * self._speed))))
        self.play_button.setText("||")

    def pause(self) -> None:
        self._direction, self._speed = 0, 1
        self._timer.stop()
        self.play_button.setText("▶")

    def toggle_play(self) -> None:
        if self._direction:
            self.pause()
        else:
            self.play(1)

    def _on_timer_timeout(self) -> None:
        if self.decoder.busy:
            return  # never skip frames: playback waits for the decoder
        nxt = self._target + self._direction
        if not 0 <= nxt < self.frame_count:
            self.pause()
            return
        self.go_to(nxt)

    def focus_goto(self) -> None:
        self.goto_edit.setFocus()
        self.goto_edit.selectAll()

    def _on_goto_edit_return_pressed(self) -> None:
        if self.table is None:
            return
        index = parse_position(self.goto_edit.text(), self.table)
        if index is None:
            self.status.setText(f"'{self.goto_edit.text()}' is not a frame number or time code")
            return
        self.go_to(index)
        self.setFocus()

    def _on_decoder_frame_ready(self, decoded: DecodedFrame) -> None:
        if decoded.generation != self.decoder.generation or self.table is None:
            return
        self.shown = decoded
        self.viewer.replace_image(decoded.shown)
        self.loupe.set_image(decoded.shown)
        self._update_info()
        self.frame_shown.emit(decoded.frame.index)
        if self.evidence is not None:
            self.frame_on_screen.emit(video_frame_ref(self.evidence, decoded.frame))

    def _update_info(self) -> None:
        if self.shown is not None and self.table is not None:
            segments = self.timeline.segments
            text = frame_info(self.shown, self.table, segments, self._direction, self._speed)
            self.info.setText(text)

    def _on_decoder_failed(self, index: int, message: str) -> None:
        self._show_error("Cannot decode the frame" if index >= 0 else "Cannot open", message)

    # -- actions ------------------------------------------------------------------------------
    def toggle_loupe(self) -> None:
        self.loupe.set_enabled(not self.loupe.enabled)
        self.loupe_button.setChecked(self.loupe.enabled)

    def toggle_overlays(self) -> None:
        self.inspection.set_visible(not self.inspection.visible)
        self.overlays_button.setChecked(self.inspection.visible)

    def _on_inspection_inspected(self, shown: ShownInspection) -> None:
        self.status.setText(summary(shown.result))
        self.overlays_button.setToolTip("\n".join(shown.result.summary_lines()))

    def toggle_annotate(self) -> None:
        self.annotate_button.setChecked(self.annotations.toggle())

    def toggle_enhance(self) -> None:
        self.enhance_panel.setVisible(not self.enhance_panel.isVisible())
        self.enhance_button.setChecked(self.enhance_panel.isVisible())

    def export_current(self, annotations: bool = False) -> None:
        """Export the frame on screen (``annotations``: with them burned in) as a job."""
        case, e = self.case, self.evidence
        if case is None or e is None or self.shown is None:
            return
        index, enh = self.shown.frame.index, self.shown.enhancements
        self.jobs.run(
            f"Exporting frame {index}",
            functools.partial(export_frame, case, e.id, index, enh, annotations=annotations),
            on_result=self._on_exported,
            on_error=functools.partial(self._show_error, "Export failed"),
        )

    def _on_exported(self, exported: ExportedFrame) -> None:
        self.status.setText(f"Exported frame {exported.frame_index} to {exported.png_path}")
        self.message.emit(self.status.text())
        self.frame_exported.emit(exported)

    def detect_cuts(self) -> None:
        self.feed.detect()

    def cut_here(self) -> None:
        self.edit_cut("add", self.current_index)

    def edit_cut(self, op: str, *frames: int) -> None:
        """Add, move or delete a cut as an undoable command."""
        self.feed.edit(op, *frames)

    def _on_load_error(self, evidence_id: int, title: str, exc: BaseException) -> None:
        if isinstance(exc, JobCancelled) or self.evidence is None:
            return  # the user moved on to another evidence
        if self.evidence.id == evidence_id:
            self._show_error(title, exc)

    def _show_error(self, title: str, exc: BaseException | str) -> None:
        show_job_error(self.status, self.message, title, exc)


def main(argv: list[str]) -> int:
    """Start the panel alone on a case (first video evidence, or the id given)."""
    from ui.environment import prepare_environment

    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case
    from workbench.case.evidence import get_evidence, list_evidence

    app = QApplication.instance() or QApplication(argv[:1])
    case = open_case(argv[1])
    videos = [e for e in list_evidence(case.read()) if e.kind == "video"]
    evidence = get_evidence(case.read(), int(argv[2])) if len(argv) > 2 else videos[0]
    jobs = JobRunner()
    panel = VideoPanel(jobs)
    panel.resize(1200, 800)
    panel.show()
    panel.show_evidence(case, evidence)
    code = app.exec()
    panel.shutdown()
    jobs.wait_for_done()
    case.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

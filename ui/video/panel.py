"""VideoPanel: the frame viewer, transport, loupe, enhancements and the timeline of one video.

Nothing here decodes: frames come from the FrameDecoder thread (ui.video.worker), the frame
table, cut detection, thumbnails and exports run through the JobRunner, and cut edits are
writer futures watched by it. Cut edits are undoable (the main window's undo stack); each
redo or undo is a new audited write.

Keys (when the panel has focus): Space play/pause, Left/Right one frame, Shift+Left/Right ten
frames, J/K/L reverse/pause/forward (again = faster), Home/End, Ctrl+G go to frame or time,
Ctrl+E export frame, C cut here, M loupe. Run alone: ``python -m ui.video.panel CASE [ID]``.
"""

from __future__ import annotations

import bisect
import functools
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QImage,
    QKeyEvent,
    QPixmap,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from analysis.jobs import CancelToken, JobCancelled
from analysis.video.decode import time_code
from analysis.video.enhance import Enhancements
from analysis.video.probe import display_size
from analysis.video.table import FrameTable
from ui.jobs import JobRunner
from ui.video.enhance_panel import EnhancePanel
from ui.video.image_viewer import ImageViewer
from ui.video.loupe import Loupe
from ui.video.timeline import CutEditCommand, TimelineWidget
from ui.video.worker import (
    DecodedFrame,
    FrameDecoder,
    parse_position,
    thumbnail_frames,
    timeline_thumbnails,
)
from workbench.case import Case
from workbench.case.evidence import Evidence
from workbench.frame_export import ExportedFrame, export_frame
from workbench.video_store import (
    StoredSegment,
    add_cut,
    delete_cut,
    detect_and_store_segments,
    list_segments,
    load_or_build_frame_table,
    move_cut,
    restore_cut,
)

MAX_SPEED = 8
MAX_THUMBS = 64
THUMB_HEIGHT_PX = 54


class FrameView(ImageViewer):
    """The ImageViewer, keeping zoom and pan while stepping through same-sized frames."""

    def replace_image(self, image: QImage) -> None:
        if self.has_image() and self.sceneRect().size().toSize() == image.size():
            self._item.setPixmap(QPixmap.fromImage(image))
        else:
            self.set_image(image)


class VideoPanel(QWidget):
    """Viewer + transport + timeline for one video evidence (see the module docstring)."""

    frame_shown = Signal(int)
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
        self.strip_blurred = False  # graphic evidence not yet revealed: blurred thumbnails
        self._strip_token: CancelToken | None = None
        self._strip_seq = 0  # only the newest strip job's pictures are shown
        self._direction = 0  # playing: +1 forward, -1 backward, 0 paused
        self._speed = 1
        self._fps = 25.0
        self._loading: list[CancelToken] = []
        self._segments_started = self._segments_shown = 0
        self.decoder = FrameDecoder(self)
        self.decoder.frame_ready.connect(self._on_decoder_frame_ready)
        self.decoder.failed.connect(self._on_decoder_failed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._build()
        self._build_shortcuts()

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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top, 1)
        layout.addWidget(self.info)
        layout.addLayout(self._transport())
        layout.addWidget(self.timeline)
        layout.addWidget(self.status)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _button(self, row: QHBoxLayout, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the keys for the transport
        row.addWidget(b)
        return b

    def _transport(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self._button(row, "Home", "First frame (Home)", lambda: self.go_to(0))
        self._button(row, "−10", "Back ten frames (Shift+Left)", lambda: self.step(-10))
        self._button(row, "−1", "Back one frame (Left)", lambda: self.step(-1))
        self.play_button = self._button(row, "▶", "Play / pause (Space)", self.toggle_play)
        self._button(row, "+1", "Forward one frame (Right)", lambda: self.step(1))
        self._button(row, "+10", "Forward ten frames (Shift+Right)", lambda: self.step(10))
        self._button(row, "End", "Last frame (End)", self.go_to_end)
        row.addWidget(self.goto_edit)
        self.loupe_button = self._button(row, "Loupe", "Magnifier (M)", self.toggle_loupe)
        self.loupe_button.setCheckable(True)
        self.enhance_button = self._button(
            row, "Enhance", "Display enhancements (shown pixels only)", self._toggle_enhance
        )
        self.enhance_button.setCheckable(True)
        row.addStretch(1)
        self.cut_button = QPushButton("Cut here (C)")
        self.cut_button.clicked.connect(lambda: self.edit_cut("add", self.current_index))
        self.detect_button = QPushButton("Detect cuts")
        self.detect_button.clicked.connect(self.detect_cuts)
        self.export_button = QPushButton("Export frame (Ctrl+E)")
        self.export_button.clicked.connect(self.export_current)
        for b in (self.cut_button, self.detect_button, self.export_button):
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
        return row

    def _build_shortcuts(self) -> None:
        """Transport keys, handled for the panel and the children that take focus.

        A key map instead of window shortcuts: the keys must work wherever the panel sits
        (a dock, the main window, alone) without stealing them from other panels.
        """
        k, m = Qt.Key, Qt.KeyboardModifier
        none, shift, ctrl = m.NoModifier, m.ShiftModifier, m.ControlModifier
        self._keys = {
            (k.Key_Space, none): self.toggle_play,
            (k.Key_Right, none): lambda: self.step(1),
            (k.Key_Left, none): lambda: self.step(-1),
            (k.Key_Right, shift): lambda: self.step(10),
            (k.Key_Left, shift): lambda: self.step(-10),
            (k.Key_J, none): lambda: self.play(-1),
            (k.Key_K, none): self.pause,
            (k.Key_L, none): lambda: self.play(1),
            (k.Key_Home, none): lambda: self.go_to(0),
            (k.Key_End, none): self.go_to_end,
            (k.Key_G, ctrl): self._focus_goto,
            (k.Key_E, ctrl): self.export_current,
            (k.Key_C, none): lambda: self.edit_cut("add", self.current_index),
            (k.Key_M, none): self.toggle_loupe,
        }
        for w in (self.viewer, self.viewer.viewport(), self.timeline):
            w.installEventFilter(self)

    def _handle_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & (
            Qt.KeyboardModifier.ShiftModifier
            | Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
        )
        slot = self._keys.get((Qt.Key(event.key()), mods))
        if slot is None:
            return False
        slot()
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
        self.strip_blurred = blur_strip
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
        for token in self._loading:  # the frame table and thumbnails of the previous video
            token.cancel()
        self._loading.clear()
        self.decoder.close()
        self.case = self.evidence = self.table = self.shown = None
        self._target = 0
        self.viewer.set_image(None)
        self.loupe.set_image(None)
        self.timeline.set_video(0, 0.0)
        self.info.setText("No video")
        self.status.setText("")

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
        self._load_segments()
        self._load_thumbnails()

    def _load_segments(self) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None:
            return
        self.jobs.run(
            "Segments",
            lambda progress, cancel: list_segments(case.read(), e.id),
            on_result=self._segments_callback(e.id),
            quiet=True,
        )

    def _load_thumbnails(self) -> None:
        case, e, table = self.case, self.evidence, self.table
        if case is None or e is None or table is None:
            return
        w, h = display_size(table.width_px, table.height_px, table.sar, table.rotation_deg)
        thumb_w = max(24, THUMB_HEIGHT_PX * w // max(1, h))
        count = min(MAX_THUMBS, max(8, self.timeline.width() // thumb_w))
        if self._strip_token is not None:  # a strip for the old blur state is obsolete
            self._strip_token.cancel()
        self._strip_seq += 1
        token = self.jobs.run(
            "Timeline thumbnails",
            functools.partial(
                timeline_thumbnails,
                case.evidence_dir / e.stored_name,
                table,
                case.derived_dir / "thumbs" / e.sha256,
                thumbnail_frames(table, count),
                THUMB_HEIGHT_PX,
                blur=self.strip_blurred,
            ),
            on_result=functools.partial(self._on_thumbnails, e.id, self._strip_seq),
            on_error=functools.partial(self._on_load_error, e.id, "Timeline thumbnails"),
            quiet=True,
        )
        self._strip_token = token
        self._loading.append(token)

    def set_strip_blurred(self, blurred: bool) -> None:
        """Blur or reveal the timeline's thumbnails (graphic evidence)."""
        if blurred != self.strip_blurred:
            self.strip_blurred = blurred
            if blurred:  # hide the sharp pictures now, not when the blurred ones are ready
                self.timeline.set_thumbnails([])
            self._load_thumbnails()

    def _on_thumbnails(self, evidence_id: int, seq: int, thumbs) -> None:
        if self.evidence is not None and self.evidence.id == evidence_id and seq == self._strip_seq:
            self.timeline.set_thumbnails(thumbs)

    def _segments_callback(self, evidence_id: int):
        """A result handler for a segment read or write started now: results started earlier
        but delivered later (a slow read after a quick edit) never overwrite newer ones."""
        self._segments_started += 1
        return functools.partial(self._on_segments, evidence_id, self._segments_started)

    def _on_segments(self, evidence_id: int, seq: int, segments: list[StoredSegment]) -> None:
        if self.evidence is None or self.evidence.id != evidence_id:
            return
        if seq < self._segments_shown:
            return
        self._segments_shown = seq
        self.timeline.set_segments(segments)
        self.segments_changed.emit(segments)

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

    def _focus_goto(self) -> None:
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

    def _update_info(self) -> None:
        if self.shown is None or self.table is None:
            return
        f = self.shown.frame
        pts_s = "?" if f.pts_s is None else f"{f.pts_s:.6f}"
        parts = [
            f"frame {f.index} / {len(self.table) - 1}",
            f"pts {f.pts} ({pts_s} s)",
            f"time {time_code(f.time_s)}",
            "keyframe" if f.keyframe else "",
            f"md5 {f.md5[:12]}",
        ]
        segments = self.timeline.segments
        starts = [seg.first_frame for seg in segments]
        k = bisect.bisect_right(starts, f.index) - 1
        if segments and k >= 0:
            parts.append(f"segment {k + 1}/{len(segments)}")
        if any(a <= f.index <= b for a, b in self.shown.sequential_only):
            parts.append("⚠ sequential-only stretch (seeking here gave other pictures)")
        if not self.shown.enhancements.is_identity:
            parts.append("ENHANCED (display only)")
        if self._direction:
            parts.append(f"{'◀' if self._direction < 0 else '▶'} {self._speed}x")
        self.info.setText("   ".join(p for p in parts if p))

    def _on_decoder_failed(self, index: int, message: str) -> None:
        self._show_error("Cannot decode the frame" if index >= 0 else "Cannot open", message)

    # -- actions ------------------------------------------------------------------------------
    def toggle_loupe(self) -> None:
        self.loupe.set_enabled(not self.loupe.enabled)
        self.loupe_button.setChecked(self.loupe.enabled)

    def _toggle_enhance(self) -> None:
        self.enhance_panel.setVisible(not self.enhance_panel.isVisible())
        self.enhance_button.setChecked(self.enhance_panel.isVisible())

    def detect_cuts(self) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None:
            return
        self.jobs.run(
            f"Detecting cuts in {e.original_name}",
            functools.partial(detect_and_store_segments, case, e.id),
            on_result=self._segments_callback(e.id),
            on_error=functools.partial(self._show_error, "Cut detection failed"),
        )

    def export_current(self) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None or self.shown is None:
            return
        index, enh = self.shown.frame.index, self.shown.enhancements
        self.jobs.run(
            f"Exporting frame {index}",
            functools.partial(export_frame, case, e.id, index, enh),
            on_result=self._on_exported,
            on_error=functools.partial(self._show_error, "Export failed"),
        )

    def _on_exported(self, exported: ExportedFrame) -> None:
        self.status.setText(f"Exported frame {exported.frame_index} to {exported.png_path}")
        self.message.emit(self.status.text())
        self.frame_exported.emit(exported)

    def edit_cut(self, op: str, *frames: int) -> None:
        """Add, move or delete a cut as an undoable command."""
        if self.case is None or self.evidence is None:
            return
        before = self.timeline.segment_starting_at(frames[0]) if op != "add" else None
        self.undo_stack.push(
            CutEditCommand(self._apply_cut_edit, self.evidence.id, op, *frames, before=before)
        )

    def _apply_cut_edit(self, evidence_id: int, op: str, *args) -> None:
        case = self.case
        if case is None:
            return
        if op == "restore":
            segment, replacing = args
            write = restore_cut(case, evidence_id, segment, replacing=replacing)
        else:
            write = {"add": add_cut, "move": move_cut, "delete": delete_cut}[op](
                case, evidence_id, *args
            )
        self.jobs.watch(
            write,
            on_result=self._segments_callback(evidence_id),
            on_error=functools.partial(self._show_error, f"Could not {op} the cut"),
        )

    def _on_load_error(self, evidence_id: int, title: str, exc: BaseException) -> None:
        if isinstance(exc, JobCancelled) or self.evidence is None:
            return  # the user moved on to another evidence
        if self.evidence.id == evidence_id:
            self._show_error(title, exc)

    def _show_error(self, title: str, exc: BaseException | str) -> None:
        if isinstance(exc, JobCancelled):
            self.status.setText(f"{title}: cancelled")
            return
        self.status.setText(f"⚠ {title}: {exc}")
        self.message.emit(self.status.text())

    def enhancements(self) -> Enhancements:
        return self.decoder.enhancements


def main(argv: list[str]) -> int:
    """Start the panel alone on a case (first video evidence, or the id given)."""
    from ui.app import prepare_environment

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

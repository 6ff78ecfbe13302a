"""``LinkedVideo``: a second video held at the moment the main video panel shows.

Two videos share one clock once each first frame is placed in UTC
(``workbench.sync_store.video_clocks``: an anchor and the sync offsets). When the main panel
shows a frame, this view shows the partner's frame on screen at that moment; stepping here
(◀ ▶, or Ctrl+[ and Ctrl+]) steps the partner one frame and moves the main panel to the same
moment. Frames are decoded on a ``FrameDecoder`` thread, the partner's frame table in a job.

Two videos not yet synced are synced here: step each to the same event (the flash's first
frame in both) and press "Same moment" (``workbench.sync_store.sync_by_frames``), or "By
sound" (``sync_by_sound``: the sound's offset, "no match" for unrelated sound). Either stores
a ``video_sync`` observation in a job, undoably; without an anchor in UTC the two then share
a relative clock (they step together; the timeline cannot date them).
"""

from __future__ import annotations

import bisect
import functools
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from analysis.video.table import FrameTable
from ui.video.image_viewer import ImageViewer
from ui.video.worker import DecodedFrame, FrameDecoder
from workbench.frame_table_store import load_or_build_frame_table
from workbench.sync_store import VideoClock


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _times(table: FrameTable) -> list[float]:
    zero = table.frames[0].pts_s or 0.0
    return [(f.pts_s if f.pts_s is not None else zero) - zero for f in table.frames]


def frame_at(table: FrameTable, t_s: float) -> int | None:
    """The frame on screen ``t_s`` seconds after the first frame (None outside the video)."""
    times = _times(table)
    if not times or t_s < -1e-6 or t_s > times[-1] + 1.0 / (table.mean_fps() or 25.0):
        return None
    return max(0, bisect.bisect_right(times, t_s + 1e-6) - 1)


class LinkedVideo(QWidget):
    """The partner video (module doc). ``set_clocks`` offers the case's videos."""

    def __init__(self, panel, service=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel, self.jobs, self.service = panel, panel.jobs, service  # GeodataService
        self.clocks: dict[int, VideoClock] = {}
        self.partner: tuple[int, FrameTable] | None = None
        self.partner_index: int | None = None
        self._driving = False  # the main panel moves because this view stepped
        self.combo = QComboBox()
        self.combo.setToolTip("The video to hold at the main video's moment")
        self.viewer = ImageViewer()
        self.viewer.setMinimumSize(200, 120)
        self.info = QLabel("Place two videos on one clock (sync) to link them")
        self.info.setWordWrap(True)
        back, forward = QPushButton("◀"), QPushButton("▶")
        back.setToolTip("Step the linked video back one frame; the main video follows (Ctrl+[)")
        forward.setToolTip("Step the linked video one frame; the main video follows (Ctrl+])")
        back.clicked.connect(lambda: self.step(-1))
        forward.clicked.connect(lambda: self.step(1))
        QShortcut(QKeySequence("Ctrl+["), self, lambda: self.step(-1),
                  context=Qt.ShortcutContext.WindowShortcut)  # fmt: skip
        QShortcut(QKeySequence("Ctrl+]"), self, lambda: self.step(1),
                  context=Qt.ShortcutContext.WindowShortcut)  # fmt: skip
        row = QHBoxLayout()
        row.addWidget(QLabel("Linked:"))
        row.addWidget(self.combo, 1)
        row.addWidget(back)
        row.addWidget(forward)
        sync_row = self._sync_row()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.viewer, 1)
        layout.addLayout(sync_row)
        layout.addWidget(self.info)
        self.decoder = FrameDecoder(self)
        self.decoder.frame_ready.connect(self._on_decoder_frame_ready)
        self.combo.currentIndexChanged.connect(self._on_combo_changed)
        panel.frame_shown.connect(self._on_panel_frame_shown)

    def _sync_row(self) -> QHBoxLayout:
        """The sync buttons (Same moment, By sound) under the picture."""
        self.same_button = QPushButton("Same moment")
        self.same_button.setToolTip("The two frames on screen show the same event (the flash's "
                                    "first frame in each): sync the videos by it")  # fmt: skip
        self.sound_button = QPushButton("By sound")
        self.sound_button.setToolTip(
            "Sync the two videos by their sound (the same recording heard in both); sound "
            "travels, so this aligns sounds"
        )
        self.same_button.clicked.connect(self.sync_same_moment)
        self.sound_button.clicked.connect(self.sync_by_sound)
        sync_row = QHBoxLayout()
        sync_row.addWidget(QLabel("Sync:"))
        sync_row.addWidget(self.same_button)
        sync_row.addWidget(self.sound_button)
        sync_row.addStretch(1)
        return sync_row

    def set_clocks(self, clocks: dict[int, VideoClock], names: dict[int, str], videos=None) -> None:
        """The videos on a clock, and the case's videos (``videos``, default: those on one)
        to choose the linked one from."""
        current = self.combo.currentData()
        self.clocks = dict(clocks)
        self.combo.blockSignals(True)
        self.combo.clear()
        for evidence_id in sorted(videos if videos is not None else clocks):
            self.combo.addItem(names.get(evidence_id, f"evidence {evidence_id}"), evidence_id)
        self.combo.blockSignals(False)
        pick = self.combo.findData(current) if current is not None else -1
        main = self.panel.evidence.id if self.panel.evidence is not None else None
        if pick < 0:  # the first video that is not the one in the main panel
            pick = next((k for k in range(self.combo.count())
                         if self.combo.itemData(k) != main), -1)  # fmt: skip
        self.combo.setCurrentIndex(pick)
        self._on_combo_changed()

    def clear(self) -> None:
        self.clocks, self.partner, self.partner_index = {}, None, None
        self.combo.clear()
        self.decoder.close()
        self.viewer.set_image(None)

    def _on_combo_changed(self, *_args) -> None:
        evidence_id, case = self.combo.currentData(), self.panel.case
        if evidence_id is None or case is None:
            return
        self.jobs.run(
            "Frame table of the linked video",
            functools.partial(load_or_build_frame_table, case, evidence_id),
            on_result=functools.partial(self._on_table, case, evidence_id),
            quiet=True,
        )

    def _on_table(self, case, evidence_id: int, table: FrameTable) -> None:
        if case is not self.panel.case or self.combo.currentData() != evidence_id:
            return
        from workbench.case.evidence import get_evidence

        e = get_evidence(case.read(), evidence_id)  # one row by key: no wait worth a job
        same = self.partner is not None and self.partner[0] == evidence_id
        self.partner = (evidence_id, table)
        self.decoder.open(case.evidence_dir / e.stored_name, table)
        if not same:
            self.partner_index = None
        self._follow_main()
        if self.partner_index is None:  # not on a common clock: its first frame, to step
            self.partner_index = 0
            self.decoder.request(0)

    # -- in step ------------------------------------------------------------------------------
    def _moment(self, evidence_id: int, table: FrameTable, index: int) -> float | None:
        """The UTC moment (epoch seconds) of a frame; None off the clock (past a cut)."""
        clock = self.clocks.get(evidence_id)
        if clock is None or not 0 <= index < len(table) or not clock.holds(_times(table)[index]):
            return None
        return _epoch(clock.start_utc) + _times(table)[index]

    def _frame_at(self, evidence_id: int, table: FrameTable, at: float) -> int | None:
        clock = self.clocks[evidence_id]
        t = at - _epoch(clock.start_utc)
        return frame_at(table, t) if clock.holds(t) else None

    def _on_panel_frame_shown(self, _index: int) -> None:
        if self._driving:
            self._driving = False
            return
        self._follow_main()

    def _follow_main(self) -> None:
        e, table = self.panel.evidence, self.panel.table
        if self.partner is None or e is None or table is None:
            return
        at = self._moment(e.id, table, self.panel.current_index)
        pid, ptable = self.partner
        if at is None or pid not in self.clocks:
            self.info.setText("This frame is not on the shared clock (no sync, or past an edit "
                              "cut, which removed real time)")  # fmt: skip
            return
        self._show(self._frame_at(pid, ptable, at), at)

    def _show(self, index: int | None, at: float) -> None:
        stamp = datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3]
        if index is None:
            self.info.setText(f"{stamp}: the linked video does not cover this moment (or it is "
                              "past its edit cut)")  # fmt: skip
            return
        self.partner_index = index
        self.decoder.request(index)
        clock = self.clocks[self.partner[0]]
        self.info.setText(f"frame {index} at the same moment (± {clock.sigma_s * 1000:.0f} ms; "
                          f"{clock.how})")  # fmt: skip

    def step(self, frames: int) -> None:
        """Step the linked video by ``frames``; the main video goes to the same moment when
        both are on one clock."""
        if self.partner is None or self.partner_index is None:
            return
        pid, ptable = self.partner
        index = max(0, min(len(ptable) - 1, self.partner_index + frames))
        at = self._moment(pid, ptable, index)
        if at is None:
            self.partner_index = index
            self.decoder.request(index)
            why = "past its edit cut" if pid in self.clocks else "not synced yet"
            self.info.setText(f"frame {index} ({why}: the main video stays)")
            return
        self._show(index, at)
        e, table = self.panel.evidence, self.panel.table
        if e is None or table is None or e.id not in self.clocks:
            return
        main = self._frame_at(e.id, table, at)
        if main is not None and main != self.panel.current_index:
            self._driving = True
            self.panel.go_to(main)

    def _on_decoder_frame_ready(self, decoded: DecodedFrame) -> None:
        if decoded.generation == self.decoder.generation:
            self.viewer.set_image(decoded.shown)  # fitted to the view

    # -- syncing ------------------------------------------------------------------------------
    def _pair(self):
        e, case = self.panel.evidence, self.panel.case
        if e is None or case is None or self.partner is None or self.partner[0] == e.id:
            self.info.setText("Show one video in the main panel and another one here")
            return None
        return case, e.id, self.partner[0]

    def sync_same_moment(self) -> None:
        """The frames on screen show one event: store the sync they give."""
        pair = self._pair()
        if pair is None or self.partner_index is None:
            return
        case, main, partner = pair
        main_frame, partner_frame = self.panel.current_index, self.partner_index
        from workbench.sync_store import sync_by_frames

        self.jobs.run(
            "Syncing by the same moment",
            lambda progress=None, cancel=None: sync_by_frames(
                case, main, main_frame, partner, partner_frame, tool="linked video view"
            ).result(),
            on_result=functools.partial(self._on_synced, case),
            on_error=lambda exc: self.info.setText(f"Not synced: {exc}"),
        )

    def sync_by_sound(self) -> None:
        """Sync the two videos by their sound, in a job."""
        pair = self._pair()
        if pair is None:
            return
        case, main, partner = pair
        from workbench.sync_store import sync_by_sound

        self.jobs.run(
            "Syncing by sound",
            functools.partial(sync_by_sound, case, main, partner, tool="linked video view"),
            on_result=functools.partial(self._on_synced, case),
            on_error=lambda exc: self.info.setText(f"Not synced: {exc}"),
        )

    def _on_synced(self, case, obs_id: int | None) -> None:
        if obs_id is None:
            self.info.setText("No match: the two sounds do not line up (unrelated sound, or "
                              "too little shared); sync by the same moment instead")  # fmt: skip
            return
        from ui.video.sound_marks import undoable_stored

        undoable_stored(self.service, case, obs_id, "video sync")
        self.info.setText(f"Synced (observation {obs_id}); the views now step together")

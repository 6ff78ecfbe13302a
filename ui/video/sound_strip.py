"""``SoundStrip``: the video's sound under its timeline (waveform over spectrogram), in step
with the frame cursor, and flash to bang marked from it.

The sound is drawn by ``workbench.sound_view.cached_sound_picture`` in a job (cached in the
case's derived/ folder); a video without sound, or silent, says so in plain words. The strip
spans the same time as the frame timeline above it; the cursor follows the frame on screen;
a click seeks the video to that moment. The proposed bangs (the onset detector's loudest
sharp sounds) are orange ticks.

Flash to bang: "Find flash" runs ``analysis.video.flash.find_flash`` and shows the frame it
proposes; "Flash here" (Shift+F) marks the frame on screen; Shift+click on a proposed bang
chooses it; "Measure" (Shift+B) runs ``workbench.sound_store.measure_and_store_flash_bang``
as a job: the bang is the one chosen, else the loudest onset after the flash; the distance is
stored as a flash_bang observation (the map draws its ring around the camera) and shown here
with its 95% interval. Undo deletes it. "Fix with bearing" crosses its ring with the bearing to
the flash from the same camera (``ui.video.sound_fix``). A stretch dragged across the sound
can be named and kept (``ui.video.sound_marks``).
"""

from __future__ import annotations

import functools

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.video.sound_fix import fix_with_bearing
from ui.video.sound_marks import SoundMarks, undoable_stored
from workbench.sound_view import SoundPicture, cached_sound_picture

HEIGHT_PX = 72
WAVE_SHARE = 0.4  # of the height, on top; the spectrogram below
FLASH, BANG, PROPOSED, CURSOR = (QColor("#f1c40f"), QColor("#e74c3c"), QColor("#e67e22"),
                                 QColor("#ffffff"))  # fmt: skip


def _heat(spec: np.ndarray) -> QImage:
    """The spectrogram as an image, low frequencies at the bottom (a dark-to-yellow ramp)."""
    v = spec[::-1].astype(np.float32) / 255.0
    rgb = np.stack([np.clip(1.6 * v, 0, 1), np.clip(1.6 * v - 0.5, 0, 1),
                    np.clip(0.6 - abs(v - 0.35) * 2, 0, 1) * 0.8], axis=-1)  # fmt: skip
    data = np.ascontiguousarray((rgb * 255).astype(np.uint8))
    h, w, _ = data.shape
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class SoundView(QWidget):
    """Paints a ``SoundPicture`` over the span [t0, t1] of container time."""

    seek_requested = Signal(float)  # container seconds
    bang_picked = Signal(float)  # Shift+click: the proposed bang nearest that time
    span_selected = Signal(float, float)  # a drag: a stretch of sound, container seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(HEIGHT_PX)
        self.picture: SoundPicture | None = None
        self._image: QImage | None = None
        self.span = (0.0, 1.0)
        self.cursor_s: float | None = None
        self.flash_s: float | None = None
        self.bang_s: float | None = None
        self.message = "No sound shown"
        self.selection: tuple[float, float] | None = None
        self._press_x: float | None = None

    def set_picture(self, picture: SoundPicture | None, message: str = "") -> None:
        self.picture, self.message = picture, message
        self._image = _heat(picture.spectrogram) if picture is not None else None
        self.update()

    def x_of(self, t: float) -> float:
        t0, t1 = self.span
        return (t - t0) / max(t1 - t0, 1e-9) * self.width()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1b1b1b"))
        pic = self.picture
        if pic is None or self._image is None:
            p.setPen(QColor("#dddddd"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            p.end()
            return
        top = self.height() * WAVE_SHARE
        x0, x1 = self.x_of(pic.start_s), self.x_of(pic.end_s)
        p.drawImage(QRectF(x0, top, x1 - x0, self.height() - top), self._image)
        self._paint_wave(p, pic, top)
        for t in pic.onsets_s:
            self._tick(p, t, PROPOSED, 1, top)
        if self.selection is not None:
            a, b = (self.x_of(t) for t in self.selection)
            p.fillRect(QRectF(a, 0, b - a, self.height()), QColor(255, 255, 255, 60))
        for t, colour in ((self.flash_s, FLASH), (self.bang_s, BANG), (self.cursor_s, CURSOR)):
            if t is not None:
                self._tick(p, t, colour, 2, self.height())
        p.end()

    def _paint_wave(self, p: QPainter, pic: SoundPicture, height: float) -> None:
        peak = float(pic.envelope.max()) or 1.0
        mid = height / 2
        p.setPen(QPen(QColor("#7fb3d5"), 1))
        step = max(1, int(pic.envelope.size / max(self.width(), 1)))
        for k in range(0, pic.envelope.size, step):
            h = float(pic.envelope[k : k + step].max()) / peak * (mid - 2)
            x = self.x_of(pic.start_s + k * pic.column_s)
            p.drawLine(QPointF(x, mid - h), QPointF(x, mid + h))

    def _tick(self, p: QPainter, t: float, colour: QColor, width: int, height: float) -> None:
        x = self.x_of(t)
        p.setPen(QPen(colour, width))
        p.drawLine(QPointF(x, 0), QPointF(x, height))

    def time_at(self, x: float) -> float:
        t0, t1 = self.span
        return t0 + x / max(self.width(), 1) * (t1 - t0)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        t = self.time_at(event.position().x())
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self.picture is not None:
            if self.picture.onsets_s:
                self.bang_picked.emit(min(self.picture.onsets_s, key=lambda o: abs(o - t)))
            return
        self._press_x = event.position().x()
        self.seek_requested.emit(t)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        x0 = self._press_x
        if x0 is not None and abs(event.position().x() - x0) > 4:  # a drag selects a stretch
            a, b = sorted((self.time_at(x0), self.time_at(event.position().x())))
            self.selection = (a, b)
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._press_x is not None and self.selection is not None:
            self.span_selected.emit(*self.selection)
        self._press_x = None


class SoundStrip(QWidget):
    """The sound under a ``VideoPanel``'s timeline (module doc)."""

    measured = Signal(int)  # the flash_bang observation's id
    fixed = Signal(int)  # the intersection of its ring and bearing

    def __init__(self, panel, service=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel, self.jobs, self.service = panel, panel.jobs, service  # GeodataService
        self.view = SoundView()
        self.label = QLabel("")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.find_button = QPushButton("Find flash")
        self.flash_button = QPushButton("Flash here (Shift+F)")
        self.measure_button = QPushButton("Measure flash→bang (Shift+B)")
        for b, tip in ((self.find_button, "Propose the frame where the picture brightens most"),
                       (self.flash_button, "Mark the frame on screen as the flash's first frame"),
                       (self.measure_button, "Find the bang after the flash and store the "
                        "distance as a flash-bang observation (a ring on the map)")):  # fmt: skip
            b.setToolTip(tip)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.air_spin = QDoubleSpinBox()  # the air temperature: the default for place and date
        self.air_spin.setRange(-61.0, 60.0)
        self.air_spin.setDecimals(1)
        self.air_spin.setSuffix(" °C")
        self.air_spin.setSpecialValueText("air: default")
        self.air_spin.setValue(-61.0)
        self.air_spin.setToolTip("The air temperature for the speed of sound: 'default' takes "
                                 "the usual one for the camera's latitude and the date "
                                 "(sigma 8 C); a measured one counts with sigma 1 C")  # fmt: skip
        self.fix_button = QPushButton("Fix with bearing")
        self.fix_button.setToolTip("Cross the distance's ring with the bearing to the flash "
                                   "from the same camera: a point with its ellipse")  # fmt: skip
        self.fix_button.setEnabled(False)
        self.last_flash_bang: int | None = None
        items = (self.find_button, self.flash_button, self.air_spin, self.measure_button,
                 self.fix_button)  # fmt: skip
        for w in items:
            row.addWidget(w)
        self.marks = SoundMarks(self, row)  # a dragged stretch, named and kept
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view)
        layout.addLayout(row)
        layout.addWidget(self.label)  # one line under the buttons; never widens the window
        self.flash_frame: int | None = None
        self.bang_pick_s: float | None = None  # the analyst's choice among the proposed bangs
        self.shown_id: int | None = None  # the evidence whose sound is drawn
        self._token = None
        self.find_button.clicked.connect(self.find_flash)
        self.flash_button.clicked.connect(self.mark_flash)
        self.measure_button.clicked.connect(self.measure)
        self.fix_button.clicked.connect(lambda: fix_with_bearing(self))
        QShortcut(QKeySequence("Shift+F"), panel, self.mark_flash)
        QShortcut(QKeySequence("Shift+B"), panel, self.measure)
        self.view.seek_requested.connect(self._on_view_seek_requested)
        self.view.bang_picked.connect(self._on_view_bang_picked)
        panel.table_loaded.connect(self._on_panel_table_loaded)
        panel.frame_shown.connect(self._on_panel_frame_shown)

    @classmethod
    def attach(cls, panel, service=None) -> SoundStrip:
        """A strip placed in ``panel``'s layout just under its frame timeline."""
        strip = cls(panel, service)
        layout = panel.layout()
        layout.insertWidget(layout.indexOf(panel.timeline) + 1, strip)
        return strip

    # -- the sound ----------------------------------------------------------------------------
    def _on_panel_table_loaded(self, _count: int) -> None:
        case, e, table = self.panel.case, self.panel.evidence, self.panel.table
        if self._token is not None:
            self._token.cancel()
        self.flash_frame, self.view.flash_s, self.view.bang_s = None, None, None
        self.bang_pick_s = self.shown_id = self.last_flash_bang = None
        self.fix_button.setEnabled(False)
        if case is None or e is None or table is None or not len(table):
            return
        fps = table.mean_fps() or 25.0
        t0 = table.frames[0].pts_s or 0.0
        self.view.span = (t0, t0 + len(table) / fps)
        self.view.set_picture(None, "Decoding the sound…")
        self.label.setText("")
        self._token = self.jobs.run(
            f"Sound of {e.original_name}",
            functools.partial(
                cached_sound_picture, case.evidence_dir / e.stored_name, case.derived_dir, e.sha256
            ),  # fmt: skip
            on_result=functools.partial(self._on_picture, e.id),
            on_error=functools.partial(self._on_picture_failed, e.id),
            quiet=True,
        )

    def _on_picture(self, evidence_id: int, picture: SoundPicture) -> None:
        if self.panel.evidence is None or self.panel.evidence.id != evidence_id:
            return
        self.view.set_picture(picture)
        self.shown_id = evidence_id
        bangs = ", ".join(f"{t:.3f} s" for t in sorted(picture.onsets_s))
        self.label.setText(f"Sharp sounds (proposed bangs): {bangs}" if bangs else
                           "No sharp sound stands out")  # fmt: skip

    def _on_picture_failed(self, evidence_id: int, exc: BaseException) -> None:
        from analysis.audio.decode import NoAudioError, SilentAudioError

        if self.panel.evidence is None or self.panel.evidence.id != evidence_id:
            return
        if isinstance(exc, NoAudioError):
            text = "This video has no sound track: nothing to hear, no flash to bang"
        elif isinstance(exc, SilentAudioError):
            text = "This video's sound track is silent"
        else:
            text = f"The sound cannot be read: {exc}"
        self.view.set_picture(None, text)
        self.label.setText("")

    def _time_of(self, index: int) -> float | None:
        table = self.panel.table
        if table is None or not 0 <= index < len(table):
            return None
        return table.frames[index].pts_s

    def _on_panel_frame_shown(self, index: int) -> None:
        self.view.cursor_s = self._time_of(index)
        self.view.update()

    def _on_view_seek_requested(self, t: float) -> None:
        table = self.panel.table
        if table is None or not len(table):
            return
        times = [f.pts_s if f.pts_s is not None else 0.0 for f in table.frames]
        self.panel.go_to(max(0, int(np.searchsorted(times, t, side="right")) - 1))

    def _on_view_bang_picked(self, t: float) -> None:
        self.bang_pick_s = self.view.bang_s = t
        self.view.update()
        self.label.setText(
            f"Bang chosen at {t:.3f} s (Shift+click another tick to change); "
            "Measure stores the distance"
        )

    # -- flash to bang -----------------------------------------------------------------------
    def find_flash(self) -> None:
        e, case = self.panel.evidence, self.panel.case
        if e is None or case is None:
            return
        from analysis.video.flash import find_flash

        self.jobs.run(
            f"Finding the flash in {e.original_name}",
            functools.partial(
                find_flash,
                case.evidence_dir / e.stored_name,
                max_frames=self.panel.frame_count or None,
            ),  # fmt: skip
            on_result=lambda flash: (
                self.panel.go_to(flash.frame_index),
                self._mark(flash.frame_index, "proposed"),
            ),  # fmt: skip
            on_error=lambda exc: self.label.setText(f"No flash found: {exc}"),
        )

    def mark_flash(self) -> None:
        if self.panel.table is not None:
            self._mark(self.panel.current_index, "marked")

    def _mark(self, index: int, how: str) -> None:
        self.flash_frame = index
        self.view.flash_s = self._time_of(index)
        self.view.update()
        self.label.setText(f"Flash {how} at frame {index}; Measure finds its bang")

    def measure(self) -> None:
        e, case = self.panel.evidence, self.panel.case
        if e is None or case is None:
            return
        if self.flash_frame is None:
            self.label.setText("Mark the flash first (Find flash, or Flash here)")
            return
        from workbench.sound_store import measure_and_store_flash_bang

        self.jobs.run(
            f"Flash to bang in {e.original_name}",
            functools.partial(
                measure_and_store_flash_bang,
                case,
                e.id,
                self.flash_frame,
                bang_near_s=self.bang_pick_s,
                temperature_c=self.air_c,
                tool="geoworkbench video panel",
            ),
            on_result=functools.partial(self._on_measured, case),
            on_error=lambda exc: self.label.setText(f"Not measured: {exc}"),
        )

    @property
    def air_c(self) -> float | None:
        """The air temperature typed, or None for the default."""
        v = self.air_spin.value()
        return None if v == self.air_spin.minimum() else v

    def _on_measured(self, case, result) -> None:
        obs_id, r = result
        self.view.bang_s = r.bang_s
        self.view.update()
        lo, hi = r.distance_ci95_m
        self.label.setText(
            f"Bang at {r.bang_s:.3f} s, delay {r.delay_s:.3f} s, air {r.temperature_c:g} C: "
            f"{r.distance_m:,.0f} m (95%: {lo:,.0f} to {hi:,.0f} m); stored as observation "
            f"{obs_id}"
        )
        undoable_stored(self.service, case, obs_id, "flash to bang")
        self.last_flash_bang = obs_id
        self.fix_button.setEnabled(True)
        self.measured.emit(obs_id)

"""``TimelinePanel``: the case's dated events on one UTC axis, coloured by kind.

It draws what ``workbench.timeline.build_timeline`` returns: one lane per kind, a dot for an
instant, a bar for a range or an uncertainty (``sigma_s``, drawn +/- 2 sigma), and under it,
optionally, the waveform of one video's sound placed on the same axis by that video's start
time (``set_waveform``); several synced videos show as lanes side by side in time. The mouse
wheel zooms around the cursor. Clicking an event announces it (``event_clicked(source)``,
e.g. ``"evidence:3"``, and ``event_opened(source, at_utc)``) for the window to open the
evidence at that moment; clicking a video's lane announces that video at the moment clicked.
In the window's Claims workspace (``ui.claims.parts``); ``python -m ui.timeline.panel CASE
[ZONE]`` starts it alone.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from workbench.timeline import TimelineEvent

KIND_COLOURS = {
    "capture": "#2980b9", "upload": "#8e44ad", "claim": "#c0392b", "hypothesis": "#16a085",
    "observation": "#e67e22", "analyst": "#2c3e50", "name-date": "#95a5a6",
}  # fmt: skip
LANE_PX = 22
LEFT_PX = 90
WAVE_PX = 40
AXIS_PX = 18  # the time axis, along the top


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class TimelinePanel(QWidget):
    """Events on a zoomable UTC axis, with an optional waveform lane."""

    event_clicked = Signal(str)
    event_opened = Signal(str, str)  # source, the moment (ISO UTC) to open it at

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._events: list[TimelineEvent] = []
        self._lanes: list[str] = []
        self._span = (0.0, 1.0)
        self._waves: dict[str, tuple[float, np.ndarray, float]] = {}  # start, envelope, hop
        self._hits: list[tuple[QRectF, str]] = []
        self._at: dict[str, str] = {}  # source -> its event's time
        self._lane_sources: dict[str, str] = {}  # waveform label -> source ("evidence:3")
        self._lane_until: dict[str, float] = {}  # waveform label -> its first edit cut
        self._lane_rects: list[tuple[QRectF, str]] = []
        self._cursor: float | None = None  # the moment the video on screen shows (epoch s)
        self.setMinimumHeight(160)

    def set_events(self, events: list[TimelineEvent]) -> None:
        """Show these events; the axis spans the dated ones (with a margin)."""
        self._events = [e for e in events if e.at_utc]
        self._at = {e.source: e.at_utc for e in self._events}
        self._lanes = [k for k in KIND_COLOURS if any(e.kind == k for e in self._events)]
        self._fit_height()
        times = [_seconds(e.at_utc) for e in self._events]
        times += [_seconds(e.until_utc) for e in self._events if e.until_utc]
        if times:
            lo, hi = min(times), max(times)
            pad = max(1.0, 0.05 * (hi - lo))
            self._span = (lo - pad, hi + pad)
        self.update()

    def set_span(self, start_utc: str, end_utc: str) -> None:
        self._span = (_seconds(start_utc), _seconds(end_utc))
        self.update()

    def set_waveform(
        self,
        label: str,
        start_utc: str,
        samples: np.ndarray,
        sample_rate_hz: int,
        source: str | None = None,
        until_utc: str | None = None,
    ) -> None:
        """A track's sound on the axis, its first sample at ``start_utc`` (peak envelope):
        two synced videos show as two lanes whose sounds line up. ``source`` (e.g.
        ``"evidence:3"``) makes the lane open that video at the moment clicked; past
        ``until_utc`` (an edit cut) the sound is greyed: it is not on the clock there."""
        if source:
            self._lane_sources[label] = source
        if until_utc:
            self._lane_until[label] = _seconds(until_utc)
        hop = max(1, sample_rate_hz // 200)  # 5 ms
        n = len(samples) // hop
        env = np.abs(samples[: n * hop]).reshape(n, hop).max(axis=1) if n else np.zeros(0)
        self._waves[label] = (_seconds(start_utc), env, hop / sample_rate_hz)
        self._fit_height()
        self.update()

    def _fit_height(self) -> None:
        """Tall enough for every lane, every video's sound and the axis."""
        self.setMinimumHeight(max(160, 42 + len(self._lanes) * LANE_PX
                                  + len(self._waves) * (WAVE_PX + 6)))  # fmt: skip

    def set_cursor(self, at_utc: str | None) -> None:
        """Mark the moment the video on screen shows (None: no mark)."""
        self._cursor = _seconds(at_utc) if at_utc else None
        self.update()

    def focus_waveforms(self, pad_s: float = 2.0) -> None:
        """Zoom the axis to the videos' sound (with ``pad_s`` either side), if any."""
        if not self._waves:
            return
        starts = [start for start, _env, _hop in self._waves.values()]
        ends = [start + len(env) * hop for start, env, hop in self._waves.values()]
        self._span = (min(starts) - pad_s, max(ends) + pad_s)
        self.update()

    def clear_waveforms(self) -> None:
        self._waves.clear()
        self._lane_sources.clear()
        self._lane_until.clear()
        self.update()

    def _x(self, t: float) -> float:
        lo, hi = self._span
        return LEFT_PX + (t - lo) / max(hi - lo, 1e-9) * (self.width() - LEFT_PX - 10)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        self._hits = []
        for lane, kind in enumerate(self._lanes):
            y = AXIS_PX + 20 + lane * LANE_PX
            p.setPen(QColor("#555"))
            p.drawText(QRectF(4, y - 9, LEFT_PX - 8, 18), Qt.AlignmentFlag.AlignRight, kind)
            colour = QColor(KIND_COLOURS[kind])
            for e in (e for e in self._events if e.kind == kind):
                self._draw_event(p, e, y, colour)
        top = AXIS_PX + 20 + len(self._lanes) * LANE_PX
        self._lane_rects = []
        for k, (label, wave) in enumerate(self._waves.items()):
            y = top + k * (WAVE_PX + 6)
            self._draw_wave(p, y, label, wave)
            if label in self._lane_sources:
                rect = QRectF(LEFT_PX, y, self.width() - LEFT_PX - 10, WAVE_PX)
                self._lane_rects.append((rect, self._lane_sources[label]))
        self._draw_axis(p)
        if self._cursor is not None and LEFT_PX <= self._x(self._cursor) <= self.width() - 10:
            p.setPen(QPen(QColor("#e74c3c"), 1))
            x = self._x(self._cursor)
            p.drawLine(QPointF(x, AXIS_PX), QPointF(x, self.height() - 4))
        p.end()

    def _draw_event(self, p: QPainter, e: TimelineEvent, y: float, colour: QColor) -> None:
        t0 = _seconds(e.at_utc)
        x0 = self._x(t0)
        if e.until_utc or e.sigma_s:
            a = self._x(t0 - 2 * (e.sigma_s or 0.0))
            b = self._x(_seconds(e.until_utc) if e.until_utc else t0 + 2 * e.sigma_s)
            p.fillRect(QRectF(a, y - 4, max(2.0, b - a), 8), colour.lighter(140))
        p.setPen(QPen(colour.darker(120), 1))
        p.setBrush(colour)
        p.drawEllipse(QPointF(x0, y), 5, 5)
        if e.offset_flag:
            p.setPen(QPen(QColor("#c0392b"), 2))
            p.drawLine(QPointF(x0 - 6, y - 8), QPointF(x0 + 6, y - 8))
        self._hits.append((QRectF(x0 - 6, y - 6, 12, 12), e.source))

    def _draw_wave(self, p: QPainter, top: float, label: str, wave: tuple) -> None:
        start, env, hop_s = wave
        p.setPen(QColor("#555"))
        shown = p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideMiddle, LEFT_PX - 8)
        p.drawText(QRectF(4, top + WAVE_PX / 2 - 9, LEFT_PX - 8, 18),
                   Qt.AlignmentFlag.AlignRight, shown)  # fmt: skip
        mid = top + WAVE_PX / 2
        peak = float(env.max()) if env.size else 1.0
        until = self._lane_until.get(label)
        on_clock, off_clock = QPen(QColor("#34495e"), 1), QPen(QColor("#c8c8c8"), 1)
        for k in range(0, len(env), max(1, len(env) // 2000)):
            t = start + k * hop_s
            x = self._x(t)
            if not LEFT_PX <= x <= self.width() - 10:
                continue
            p.setPen(off_clock if until is not None and t >= until else on_clock)
            h = env[k] / (peak or 1.0) * WAVE_PX / 2
            p.drawLine(QPointF(x, mid - h), QPointF(x, mid + h))
        if until is not None and LEFT_PX <= self._x(until) <= self.width() - 10:
            p.setPen(QPen(QColor("#c0392b"), 2))  # the edit cut: real time was removed here
            p.drawLine(QPointF(self._x(until), top), QPointF(self._x(until), top + WAVE_PX))
            p.drawText(QRectF(self._x(until) + 3, top, 160, 14), Qt.AlignmentFlag.AlignLeft,
                       "edit cut: off the clock")  # fmt: skip

    def _draw_axis(self, p: QPainter) -> None:
        lo, hi = self._span
        y = AXIS_PX  # on top: it stays in sight when many lanes scroll
        p.setPen(QColor("#333"))
        p.drawLine(QPointF(LEFT_PX, y), QPointF(self.width() - 10, y))
        short = hi - lo < 86400  # within a day: the time alone, the date once at the left
        for k in range(6):
            t = lo + (hi - lo) * k / 5
            x = self._x(t)
            stamp = datetime.fromtimestamp(t, UTC)
            label = stamp.strftime("%H:%M:%S.%f")[:-4] if short and k else stamp.strftime(
                "%Y-%m-%d %H:%M:%S.%f")[:-4]  # fmt: skip
            flag = Qt.AlignmentFlag.AlignLeft if k == 0 else Qt.AlignmentFlag.AlignHCenter
            left = x if k == 0 else x - 70
            if k == 5:
                left, flag = x - 140, Qt.AlignmentFlag.AlignRight
            p.drawText(QRectF(left, y - 17, 140, 16), flag, label)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        lo, hi = self._span
        x = event.position().x()
        at = lo + (x - LEFT_PX) / max(self.width() - LEFT_PX - 10, 1) * (hi - lo)
        factor = 0.8 if event.angleDelta().y() > 0 else 1.25
        self._span = (at - (at - lo) * factor, at + (hi - at) * factor)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        for rect, source in self._hits:
            if rect.contains(event.position()):
                self.event_clicked.emit(source)
                self.event_opened.emit(source, self._at.get(source, ""))
                return
        for rect, source in self._lane_rects:
            if rect.contains(event.position()):
                lo, hi = self._span
                t = lo + (event.position().x() - LEFT_PX) / max(rect.width(), 1) * (hi - lo)
                at = datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")
                self.event_opened.emit(source, at)
                return


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case
    from workbench.timeline import build_timeline

    app = QApplication(argv[:1])
    panel = TimelinePanel()
    with open_case(Path(argv[1]), read_only=True) as case:
        panel.set_events(build_timeline(case.read(), zone_name=argv[2] if len(argv) > 2 else None))
    panel.resize(1100, 300)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

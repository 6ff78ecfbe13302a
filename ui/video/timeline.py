"""TimelineWidget: thumbnail strip, segments, cut markers and the playhead under the viewer.

x maps linearly to frame index (decode order). Click or drag on the strip seeks; dragging a cut
marker moves the cut (one request on release); the context menu adds or deletes a cut. The
mixed frames of a detected fade or dissolve are shaded over the strip, and so are duplicated
frames (magenta) and blended ones (cyan) once the video is inspected, each with a solid tick
under the strip so that a single frame shows in a long video. A track's frames are a band
along the bottom of the segment band (orange; the analyst's points as white ticks). The
widget only draws and asks: the panel turns requests into undoable, audited case edits.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QUndoCommand
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from workbench.video_store import StoredSegment

STRIP_TOP_PX = 18
STRIP_HEIGHT_PX = 54
BAND_HEIGHT_PX = 12
GRAB_PX = 5  # how close to a cut marker a press grabs it
SEGMENT_COLOURS = (QColor(70, 130, 180), QColor(95, 160, 95))
AUTO_CUT = QColor(230, 60, 50)
USER_CUT = QColor(255, 170, 0)
PLAYHEAD = QColor(255, 255, 255)
TRANSITION = QColor(255, 170, 0, 90)  # translucent: the thumbnails stay visible beneath
DUPLICATED = QColor(230, 0, 230)  # the same picture as the frame before
BLENDED = QColor(0, 200, 230)  # the mean of the frames either side
FLAG_SHADE_ALPHA = 80
FLAG_TICK_PX = 4
TRACK_BAND = QColor(255, 140, 0)
TRACK_BAND_PX = 5


class TimelineWidget(QWidget):
    """Draws the video's frames 0..n-1 across its width (see the module docstring)."""

    seek_requested = Signal(int)
    cut_add_requested = Signal(int)
    cut_move_requested = Signal(int, int)
    cut_delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(STRIP_TOP_PX + STRIP_HEIGHT_PX + BAND_HEIGHT_PX + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self._n = 0
        self._fps = 0.0
        self._current = 0
        self._segments: list[StoredSegment] = []
        self._thumbs: list[tuple[int, QImage]] = []
        self._drag_cut: int | None = None
        self._drag_to: int | None = None
        self._seeking = False
        self._flags: dict[str, frozenset[int]] = {"duplicated": frozenset(), "blended": frozenset()}
        self._flag_runs: list[tuple[int, int, QColor]] = []
        self._track_runs: list[tuple[int, int]] = []
        self._track_marks: list[int] = []

    # -- data ---------------------------------------------------------------------------------
    def set_video(self, frame_count: int, fps: float) -> None:
        self._n, self._fps, self._current = frame_count, fps, 0
        self._segments, self._thumbs = [], []
        self._track_runs, self._track_marks = [], []
        self.set_frame_flags((), ())

    def set_frame_flags(self, duplicated, blended) -> None:
        """Mark duplicated and blended frames (indices), as an inspection found them."""
        self._flags = {"duplicated": frozenset(duplicated), "blended": frozenset(blended)}
        self._flag_runs = [
            (first, last, colour)
            for indices, colour in ((duplicated, DUPLICATED), (blended, BLENDED))
            for first, last in _runs(sorted(indices))
        ]
        self.update()

    def set_track(self, frames: list[int], analyst: list[int]) -> None:
        """Show a track's frames (indices) as a band, its analyst points as ticks."""
        self._track_runs = _runs(sorted(frames))
        self._track_marks = sorted(analyst)
        self.update()

    @property
    def track_runs(self) -> list[tuple[int, int]]:
        """The runs of frames of the track shown, (first, last) each."""
        return list(self._track_runs)

    @property
    def frame_flags(self) -> dict[str, frozenset[int]]:
        """The marked frames: ``{"duplicated": ..., "blended": ...}``."""
        return dict(self._flags)

    def set_segments(self, segments: list[StoredSegment]) -> None:
        self._segments = list(segments)
        self.update()

    def set_thumbnails(self, thumbs: list[tuple[int, QImage]]) -> None:
        self._thumbs = list(thumbs)
        self.update()

    def set_current(self, index: int) -> None:
        self._current = index
        self.update()

    @property
    def segments(self) -> list[StoredSegment]:
        return list(self._segments)

    @property
    def cut_frames(self) -> list[int]:
        return [s.first_frame for s in self._segments if s.first_frame > 0]

    def segment_starting_at(self, frame: int) -> StoredSegment | None:
        return next((s for s in self._segments if s.first_frame == frame), None)

    @property
    def thumbnail_count(self) -> int:
        return len(self._thumbs)

    @property
    def thumbnails(self) -> list[tuple[int, QImage]]:
        """(frame index, picture) of the strip, left to right."""
        return list(self._thumbs)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(800, self.minimumHeight())

    # -- geometry -----------------------------------------------------------------------------
    def x_of(self, frame: int) -> float:
        """Left edge of ``frame`` in widget pixels."""
        return 0.0 if self._n == 0 else frame * self.width() / self._n

    def frame_at_x(self, x: float) -> int:
        if self._n == 0:
            return 0
        return int(min(self._n - 1, max(0, x * self._n / max(1, self.width()))))

    def _cut_near(self, x: float) -> int | None:
        best = None
        for f in self.cut_frames:
            d = abs(self.x_of(f) - x)
            if d <= GRAB_PX and (best is None or d < abs(self.x_of(best) - x)):
                best = f
        return best

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(35, 35, 38))
        if self._n:
            self._paint_thumbs(p)
            self._paint_segments(p)
            self._paint_flags(p)
            self._paint_track(p)
            self._paint_cuts(p)
            self._paint_ruler(p)
            x = int(self.x_of(self._current) + self.x_of(1) / 2)
            p.setPen(QPen(PLAYHEAD, 2))
            p.drawLine(x, 0, x, self.height())
        p.end()

    def _paint_thumbs(self, p: QPainter) -> None:
        top = STRIP_TOP_PX
        p.fillRect(QRect(0, top, self.width(), STRIP_HEIGHT_PX), QColor(20, 20, 20))
        if not self._thumbs:
            return
        slot = self.width() / len(self._thumbs)
        for k, (_index, image) in enumerate(self._thumbs):
            # never stretch: crop a wide picture's middle, centre a narrow one in its slot
            natural_w = image.width() * STRIP_HEIGHT_PX / max(1, image.height())
            shown_w = min(slot, natural_w)
            target = QRectF(k * slot + (slot - shown_w) / 2, top, shown_w, STRIP_HEIGHT_PX)
            src_w = image.width() * shown_w / natural_w
            source = QRectF((image.width() - src_w) / 2, 0, src_w, image.height())
            p.drawImage(target, image, source)

    def _paint_segments(self, p: QPainter) -> None:
        top = STRIP_TOP_PX + STRIP_HEIGHT_PX + 2
        for k, s in enumerate(self._segments):
            x0, x1 = self.x_of(s.first_frame), self.x_of(s.last_frame + 1)
            p.fillRect(QRectF(x0, top, x1 - x0, BAND_HEIGHT_PX), SEGMENT_COLOURS[k % 2])

    def _paint_flags(self, p: QPainter) -> None:
        bottom = STRIP_TOP_PX + STRIP_HEIGHT_PX
        for first, last, colour in self._flag_runs:
            x0, x1 = self.x_of(first), self.x_of(last + 1)
            width = max(2.0, x1 - x0)
            shade = QColor(colour)
            shade.setAlpha(FLAG_SHADE_ALPHA)
            p.fillRect(QRectF(x0, STRIP_TOP_PX, width, STRIP_HEIGHT_PX), shade)
            p.fillRect(QRectF(x0, bottom - FLAG_TICK_PX, width, FLAG_TICK_PX), colour)

    def _paint_track(self, p: QPainter) -> None:
        top = STRIP_TOP_PX + STRIP_HEIGHT_PX + 2 + BAND_HEIGHT_PX - TRACK_BAND_PX
        for first, last in self._track_runs:
            x0, x1 = self.x_of(first), self.x_of(last + 1)
            p.fillRect(QRectF(x0, top, max(2.0, x1 - x0), TRACK_BAND_PX), TRACK_BAND)
        for frame in self._track_marks:
            p.fillRect(QRectF(self.x_of(frame), top - 3, 2.0, TRACK_BAND_PX + 3), PLAYHEAD)

    def _paint_cuts(self, p: QPainter) -> None:
        for s in self._segments:
            if s.first_frame == 0:
                continue
            if s.transition is not None and s.first_frame != self._drag_cut:
                # the mixed frames of a fade or dissolve: shaded over the strip
                x0, x1 = self.x_of(s.transition[0]), self.x_of(s.transition[1] + 1)
                p.fillRect(QRectF(x0, STRIP_TOP_PX, max(2.0, x1 - x0), STRIP_HEIGHT_PX), TRANSITION)
            colour = USER_CUT if s.origin == "user" else AUTO_CUT
            frame = self._drag_to if s.first_frame == self._drag_cut else s.first_frame
            x = int(self.x_of(frame))
            pen = QPen(colour, 2)
            if s.boundary_kind in ("fade", "dissolve"):
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(x, STRIP_TOP_PX - 6, x, self.height())
            p.setBrush(colour)
            p.drawPolygon([QPoint(x - 5, 0), QPoint(x + 5, 0), QPoint(x, 8)])

    def _paint_ruler(self, p: QPainter) -> None:
        p.setPen(QColor(200, 200, 200))
        if not self._fps:
            return
        duration_s = self._n / self._fps
        step = next((s for s in (1, 2, 5, 10, 30, 60, 120, 300, 600) if duration_s / s <= 12), 1800)
        t = step
        while t < duration_s:
            x = int(self.x_of(int(round(t * self._fps))))
            p.drawLine(x, STRIP_TOP_PX - 4, x, STRIP_TOP_PX)
            p.drawText(x + 2, STRIP_TOP_PX - 5, f"{int(t // 60)}:{int(t % 60):02d}")
            t += step

    # -- mouse --------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton or not self._n:
            return
        x = event.position().x()
        cut = self._cut_near(x)
        if cut is not None:
            self._drag_cut, self._drag_to = cut, cut
        else:
            self._seeking = True
            self.seek_requested.emit(self.frame_at_x(x))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        x = event.position().x()
        if self._drag_cut is not None:
            self._drag_to = max(1, self.frame_at_x(x))
            self.update()
        elif self._seeking:
            self.seek_requested.emit(self.frame_at_x(x))
        else:
            cut = self._cut_near(x)
            near = cut is not None
            self.setCursor(Qt.CursorShape.SizeHorCursor if near else Qt.CursorShape.ArrowCursor)
            self.setToolTip(self.describe(cut if near else self.frame_at_x(x), boundary=near))

    def describe(self, frame: int, *, boundary: bool = False) -> str:
        """Tooltip text: the frame, and for a boundary its kind, origin and score."""
        text = f"frame {frame}" + (f" · {frame / self._fps:.3f} s" if self._fps else "")
        seg = next((s for s in self._segments if s.first_frame == frame), None)
        if boundary and seg is not None:
            score = "" if seg.boundary_score is None else f", score {seg.boundary_score:.2f}"
            text += f"\n{seg.boundary_kind} ({seg.origin}{score}): drag to move, right-click"
            if seg.transition is not None:
                first, last = seg.transition
                text += f"\nmixed frames {first}-{last}: neither shot alone"
        if not boundary and frame in self._flags["duplicated"]:
            text += f"\nduplicate: the same picture as frame {frame - 1}"
        if not boundary and frame in self._flags["blended"]:
            text += f"\nblended: the mean of frames {frame - 1} and {frame + 1}"
        return text

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._drag_cut is not None:
            old, new = self._drag_cut, self._drag_to
            self._drag_cut = self._drag_to = None
            if new is not None and new != old and new not in self.cut_frames:
                self.cut_move_requested.emit(old, new)
            self.update()
        self._seeking = False

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._n:
            return
        x = event.pos().x()
        menu = QMenu(self)
        cut = self._cut_near(x)
        frame = self.frame_at_x(x)
        if cut is not None:
            menu.addAction(
                f"Delete cut at frame {cut}", lambda: self.cut_delete_requested.emit(cut)
            )
        elif frame > 0 and frame not in self.cut_frames:
            menu.addAction(f"Add cut at frame {frame}", lambda: self.cut_add_requested.emit(frame))
        menu.exec(event.globalPos())


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive indices as (first, last) runs: one rectangle each, however long the video."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class CutEditCommand(QUndoCommand):
    """An undoable cut edit of one evidence: ``apply(evidence_id, op, *args)``.

    ``before`` is the segment a delete or move takes away: undo restores its boundary as it
    was (kind, score, origin, the transition's mixed frames) with ``op`` "restore"; without
    it, undo applies the inverse edit. The evidence is fixed when the edit is made, so undo
    after switching videos still undoes the edit where it was made.
    """

    INVERSE = {"add": "delete", "delete": "add", "move": "move"}

    def __init__(
        self, apply, evidence_id: int, op: str, *frames: int, before: StoredSegment | None = None
    ) -> None:
        super().__init__(f"{op} cut at frame {frames[0]} of evidence {evidence_id}")
        self._apply, self._id, self._op, self._frames = apply, evidence_id, op, frames
        self._before = before

    def redo(self) -> None:
        self._apply(self._id, self._op, *self._frames)

    def undo(self) -> None:
        if self._op != "add" and self._before is not None:
            replacing = self._frames[1] if self._op == "move" else None
            self._apply(self._id, "restore", self._before, replacing)
            return
        frames = tuple(reversed(self._frames)) if self._op == "move" else self._frames
        self._apply(self._id, self.INVERSE[self._op], *frames)

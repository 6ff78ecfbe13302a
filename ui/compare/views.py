"""The two pictures of the Compare panel.

* PairView: A and B side by side (B scaled to A's height) with the match lines (inliers green,
  rejected tentative matches faint red), B's frame outlined in A, a found region's
  quadrilateral in B, and a box the user draws on A (box mode) for the region search.
* AlignedView: B warped onto A's frame, shown as an overlay (50 %), a blink (A and B
  alternate every BLINK_MS) or a swipe (A left of the divider, B right of it).

Coordinates: scene units are A's pixels; B's item is placed right of A and scaled, so a point
(x, y) of B sits at ``b_offset + (x, y) * b_scale`` in the scene.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsView,
    QWidget,
)

from ui.video.image_viewer import ImageViewer

GAP_PX = 16
MAX_LINES = 400
BLINK_MS = 600
MODES = ("overlay", "blink", "swipe")
INLIER = QColor(60, 220, 60)
OUTLIER = QColor(230, 60, 60, 90)
OUTLINE = QColor(255, 220, 0)
BOX = QColor(0, 200, 255)


def _cosmetic(colour: QColor, width: float = 1.0) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # constant width on screen whatever the zoom
    return pen


def _subsample(idx: np.ndarray, n: int) -> np.ndarray:
    return idx if len(idx) <= n else idx[np.linspace(0, len(idx) - 1, n).astype(int)]


class PairView(ImageViewer):
    """A and B side by side with match lines; in box mode a left drag on A draws a box."""

    box_drawn = Signal(object)  # (x, y, w, h) in A's pixels

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._b_item = QGraphicsPixmapItem()
        self.scene().addItem(self._b_item)
        self._b_scale = 1.0
        self._b_offset = QPointF(0, 0)
        self._overlays: list = []
        self._quad: QGraphicsPolygonItem | None = None
        self._box_item: QGraphicsRectItem | None = None
        self._box_start: QPointF | None = None
        self._box_mode = False

    # -- content ----------------------------------------------------------------------------
    def set_pair(self, image_a: QImage, image_b: QImage) -> None:
        """Show A and B (B scaled to A's height); clears lines, quad and box."""
        self.clear_overlays()
        self.clear_box()
        self._item.setPixmap(QPixmap.fromImage(image_a))
        self._b_item.setPixmap(QPixmap.fromImage(image_b))
        self._b_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._b_scale = image_a.height() / max(image_b.height(), 1)
        self._b_item.setScale(self._b_scale)
        self._b_offset = QPointF(image_a.width() + GAP_PX, 0)
        self._b_item.setPos(self._b_offset)
        self.scene().setSceneRect(self.scene().itemsBoundingRect())
        self.fit()

    def b_to_scene(self, xy: np.ndarray) -> np.ndarray:
        """B's pixel coordinates (N, 2) in scene units."""
        off = np.array([self._b_offset.x(), self._b_offset.y()])
        return np.asarray(xy, float) * self._b_scale + off

    def show_matches(self, match) -> None:
        """Lines between matched points: inliers green, rejected faint red; B's frame in A."""
        self.clear_overlays()
        pa, pb = match.points_a, self.b_to_scene(match.points_b)
        inl = match.inlier_mask if match.matched else np.zeros(len(pa), bool)
        for want, colour in ((False, OUTLIER), (True, INLIER)):
            path = QPainterPath()
            for i in _subsample(np.flatnonzero(inl == want), MAX_LINES):
                path.moveTo(float(pa[i, 0]), float(pa[i, 1]))
                path.lineTo(float(pb[i, 0]), float(pb[i, 1]))
            item = QGraphicsPathItem(path)
            item.setPen(_cosmetic(colour))
            self.scene().addItem(item)
            self._overlays.append(item)
        if match.matched and match.homography is not None:
            w, h = match.image_b_wh
            corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float) - 0.5
            hinv = np.linalg.inv(match.homography)
            pts = np.column_stack([corners, np.ones(4)]) @ hinv.T
            self._overlays.append(self._polygon(pts[:, :2] / pts[:, 2:], OUTLINE))

    def show_quad(self, quad_b_px: np.ndarray | None) -> None:
        """Outline a found region's quadrilateral in B (None removes it)."""
        if self._quad is not None:
            self.scene().removeItem(self._quad)
            self._quad = None
        if quad_b_px is not None:
            self._quad = self._polygon(self.b_to_scene(quad_b_px), BOX, width=3.0)

    def quad_scene_points(self) -> list[QPointF]:
        return [] if self._quad is None else list(self._quad.polygon())

    def _polygon(self, pts: np.ndarray, colour: QColor, width: float = 2.0):
        item = QGraphicsPolygonItem(QPolygonF([QPointF(float(x), float(y)) for x, y in pts]))
        item.setPen(_cosmetic(colour, width))
        self.scene().addItem(item)
        return item

    def clear_overlays(self) -> None:
        for item in self._overlays:
            self.scene().removeItem(item)
        self._overlays.clear()
        self.show_quad(None)

    def fit(self) -> None:
        self._fit = True
        if self.has_image():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    # -- the box on A -------------------------------------------------------------------------
    def set_box_mode(self, on: bool) -> None:
        self._box_mode = on
        self.setDragMode(
            QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag
        )
        self.viewport().setCursor(
            Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor
        )

    def set_box(self, rect: QRectF) -> None:
        """Show the box (A's pixels, clipped to A)."""
        rect = rect.normalized().intersected(QRectF(self._item.pixmap().rect()))
        if self._box_item is None:
            self._box_item = QGraphicsRectItem()
            self._box_item.setPen(_cosmetic(BOX, 2.0))
            self.scene().addItem(self._box_item)
        self._box_item.setRect(rect)

    def box(self) -> QRectF | None:
        return None if self._box_item is None else self._box_item.rect()

    def clear_box(self) -> None:
        if self._box_item is not None:
            self.scene().removeItem(self._box_item)
            self._box_item = None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._box_mode and event.button() == Qt.MouseButton.LeftButton and self.has_image():
            self._box_start = self.mapToScene(event.position().toPoint())
            self.set_box(QRectF(self._box_start, self._box_start))
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._box_start is not None:
            self.set_box(QRectF(self._box_start, self.mapToScene(event.position().toPoint())))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._box_start is not None and event.button() == Qt.MouseButton.LeftButton:
            end = self.mapToScene(event.position().toPoint())
            self._box_start_done(end)
            return
        super().mouseReleaseEvent(event)

    def _box_start_done(self, end: QPointF) -> None:
        self.set_box(QRectF(self._box_start, end))
        self._box_start = None
        r = self.box()
        if r is not None and r.width() >= 4 and r.height() >= 4:
            self.box_drawn.emit((r.x(), r.y(), r.width(), r.height()))


class AlignedView(QWidget):
    """A with B aligned onto it: overlay, blink or swipe (see the module docstring)."""

    mode_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._a: QPixmap | None = None
        self._b: QPixmap | None = None
        self._outline: np.ndarray | None = None
        self.mode = "overlay"
        self.showing_b = False  # blink: which picture is up
        self.swipe_frac = 0.5
        self._timer = QTimer(self)
        self._timer.setInterval(BLINK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.setMinimumSize(200, 150)

    def set_images(
        self, image_a: QImage | None, b_on_a: QImage | None, outline_a_px: np.ndarray | None = None
    ) -> None:
        """A, B warped onto A, and B's frame outline in A's pixels (drawn in every mode)."""
        self._a = None if image_a is None else QPixmap.fromImage(image_a)
        self._b = None if b_on_a is None else QPixmap.fromImage(b_on_a)
        self._outline = None if outline_a_px is None else np.asarray(outline_a_px, float)
        self.update()

    @property
    def has_alignment(self) -> bool:
        return self._a is not None and self._b is not None

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        self.mode = mode
        self.showing_b = False
        if mode == "blink":
            self._timer.start()
        else:
            self._timer.stop()
        self.update()
        self.mode_changed.emit(mode)

    def stop(self) -> None:
        self._timer.stop()

    def set_swipe(self, frac: float) -> None:
        self.swipe_frac = min(1.0, max(0.0, frac))
        self.update()

    def _on_timer_timeout(self) -> None:
        self.showing_b = not self.showing_b
        self.update()

    def _target(self) -> QRectF:
        assert self._a is not None
        w, h = self._a.width(), self._a.height()
        s = min(self.width() / max(w, 1), self.height() / max(h, 1))
        return QRectF((self.width() - w * s) / 2, (self.height() - h * s) / 2, w * s, h * s)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._swipe_to(event.position().x())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._swipe_to(event.position().x())

    def _swipe_to(self, x: float) -> None:
        if self.mode == "swipe" and self._a is not None:
            t = self._target()
            self.set_swipe((x - t.x()) / max(t.width(), 1.0))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.darkGray)
        if self._a is None:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No aligned pair yet")
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        t = self._target()
        if not (self.mode == "blink" and self.showing_b):
            p.drawPixmap(t, self._a, QRectF(self._a.rect()))
        if self._b is None:
            p.drawText(
                self.rect(), Qt.AlignmentFlag.AlignBottom, "  no homography: nothing aligned"
            )
            return
        if self.mode == "overlay":
            p.setOpacity(0.5)
            p.drawPixmap(t, self._b, QRectF(self._b.rect()))
        elif self.mode == "blink" and self.showing_b:
            p.drawPixmap(t, self._b, QRectF(self._b.rect()))
        elif self.mode == "swipe":
            x = t.x() + self.swipe_frac * t.width()
            p.setClipRect(QRectF(x, t.y(), t.right() - x, t.height()))
            p.drawPixmap(t, self._b, QRectF(self._b.rect()))
            p.setClipping(False)
            p.setPen(QPen(OUTLINE, 2))
            p.drawLine(QPointF(x, t.top()), QPointF(x, t.bottom()))
        self._draw_outline(p, t)

    def _draw_outline(self, p: QPainter, t: QRectF) -> None:
        if self._outline is None or self._a is None:
            return
        s = t.width() / max(self._a.width(), 1)
        pts = [QPointF(t.x() + (x + 0.5) * s, t.y() + (y + 0.5) * s) for x, y in self._outline]
        p.setOpacity(1.0)
        p.setPen(QPen(OUTLINE, 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolygon(QPolygonF(pts))

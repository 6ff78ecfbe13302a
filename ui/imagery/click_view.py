"""PointView: an image to click on, with numbered markers that can be dragged.

Image pixels follow the project's convention (the centre of the top-left pixel at (0, 0)).
The wheel zooms about the cursor; a drag on empty ground pans; a click places a point
(``clicked``); dragging a marker moves it (``moved`` when released).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from ui.qimage import rgb_to_qimage

RADIUS = 6.0


class _Marker(QGraphicsEllipseItem):
    def __init__(self, view: PointView, index: int, colour: QColor) -> None:
        super().__init__(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.view, self.index = view, index
        self.setPen(QPen(QColor("white"), 1.5))
        self.setBrush(QBrush(colour))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(10)
        label = QGraphicsSimpleTextItem(str(index + 1), self)
        label.setBrush(QBrush(QColor("yellow")))
        label.setFont(QFont("Sans", 9, QFont.Weight.Bold))
        label.setPos(RADIUS, -2 * RADIUS)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().mouseReleaseEvent(event)
        p = self.pos()
        self.view.moved.emit(self.index, p.x() - 0.5, p.y() - 0.5)


class PointView(QGraphicsView):
    """An image with numbered, draggable points (module doc)."""

    clicked = Signal(float, float)  # image pixel x, y
    moved = Signal(int, float, float)  # marker index, new pixel x, y

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._markers: list[_Marker] = []
        self._press: QPointF | None = None
        self.image_wh = (0, 0)

    def set_image(self, bgr: np.ndarray) -> None:
        self.scene().clear()
        self._markers = []
        self.scene().addPixmap(QPixmap.fromImage(rgb_to_qimage(bgr[:, :, ::-1])))
        self.image_wh = (bgr.shape[1], bgr.shape[0])
        self.fitInView(self.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def set_points(self, points: list[tuple[float, float] | None], colour: str) -> None:
        """Show markers at pixel positions (None: that index has no point here)."""
        for m in self._markers:
            self.scene().removeItem(m)
        self._markers = []
        for i, p in enumerate(points):
            if p is None:
                continue
            m = _Marker(self, i, QColor(colour))
            m.setPos(p[0] + 0.5, p[1] + 0.5)  # scene units: pixel edges at integers
            self.scene().addItem(m)
            self._markers.append(m)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt override)
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - press).manhattanLength() > 3:
            return  # a pan or a marker drag, not a click
        if isinstance(self.itemAt(event.position().toPoint()), _Marker | QGraphicsSimpleTextItem):
            return
        p = self.mapToScene(event.position().toPoint())
        w, h = self.image_wh
        if 0 <= p.x() <= w and 0 <= p.y() <= h:
            self.clicked.emit(p.x() - 0.5, p.y() - 0.5)

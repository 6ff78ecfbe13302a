"""TrackLayer: a track drawn over the frame on screen, with its point here draggable.

The whole path of the track is drawn (a thin line through every tracked point, so the analyst
sees where the object went), each point a small dot (white: set by the analyst; yellow: the
tracker, fading with its confidence), the point on the frame on screen a larger ring with the
tracker's box around it. The ring can be dragged: on release, ``point_moved(frame, x, y)``
says where the analyst put it (a correction). Frame pixels have their centres at integer
coordinates (``ui.video.image_viewer``): the pixel (x, y) is the scene point (x + 0.5, y + 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
)

from ui.video.image_viewer import ImageViewer
from ui.video.overlay_marks import cosmetic_pen, scene_point

TRACKER = QColor(255, 214, 0)
ANALYST = QColor(255, 255, 255)
PATH = QColor(255, 140, 0)
HERE = QColor(0, 230, 120)
EDGE = QColor(0, 0, 0)
Z_VALUE = 3  # above the annotations
HANDLE_RADIUS_PX = 7


class _Handle(QGraphicsEllipseItem):
    """The point on the frame on screen: a ring of fixed screen size that can be dragged."""

    def __init__(self, layer: TrackLayer, frame: int, at: QPointF) -> None:
        r = HANDLE_RADIUS_PX
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r))
        self._layer, self._frame = layer, frame
        self.setPen(cosmetic_pen(HERE, 2.5))
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip("Drag to correct the track on this frame (then it is re-propagated)")
        self.setPos(at)
        self.setZValue(Z_VALUE + 1)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        p = self.pos()
        self._layer.point_moved.emit(self._frame, p.x() - 0.5, p.y() - 0.5)


class TrackLayer(QObject):
    """Draws one track over ``viewer`` (module doc)."""

    point_moved = Signal(int, float, float)  # frame, x_px, y_px where the analyst put it

    def __init__(self, viewer: ImageViewer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self._items: list[QGraphicsItem] = []
        self.handle: _Handle | None = None

    def clear(self) -> None:
        scene = self.viewer.scene()
        for item in self._items:
            scene.removeItem(item)
        self._items.clear()
        self.handle = None

    def show(
        self,
        points: Sequence,
        frame: int | None,
        box: tuple[int, int] = (0, 0),
        *,
        editable: bool = True,
    ) -> None:
        """Draw ``points`` (each with frame_index, x_px, y_px, confidence, source), the one
        on ``frame`` as the handle (draggable when ``editable``)."""
        self.clear()
        if not points:
            return
        path = QPainterPath(scene_point(points[0].x_px, points[0].y_px))
        for p in points[1:]:
            path.lineTo(scene_point(p.x_px, p.y_px))
        line = QGraphicsPathItem(path)
        line.setPen(cosmetic_pen(PATH, 1.2))
        self._add(line)
        for p in points:
            self._add(self._dot(p))
        here = next((p for p in points if p.frame_index == frame), None)
        if here is None:
            return
        w, h = box
        if w and h:
            rect = QGraphicsRectItem(QRectF(here.x_px + 0.5 - w / 2, here.y_px + 0.5 - h / 2, w, h))
            rect.setPen(cosmetic_pen(HERE, 1.0))
            self._add(rect)
        self.handle = _Handle(self, here.frame_index, scene_point(here.x_px, here.y_px))
        self.handle.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, editable)
        self._add(self.handle)

    def _dot(self, p) -> QGraphicsItem:
        analyst = p.source == "analyst"
        r = 3.0 if analyst else 2.0
        item = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r))
        colour = QColor(ANALYST if analyst else TRACKER)
        if not analyst:
            colour.setAlphaF(max(0.35, min(1.0, float(p.confidence))))
        item.setBrush(QBrush(colour))
        item.setPen(cosmetic_pen(EDGE, 0.5))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setPos(scene_point(p.x_px, p.y_px))
        return item

    def _add(self, item: QGraphicsItem) -> None:
        if item.zValue() == 0:
            item.setZValue(Z_VALUE)
        self.viewer.scene().addItem(item)
        self._items.append(item)

    @property
    def item_count(self) -> int:
        return len(self._items)

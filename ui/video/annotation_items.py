"""AnnotationLayer: the annotations of the frame on screen, drawn over it in the viewer.

Frame pixels have their centres at integer coordinates (``ui.video.image_viewer``), so the
pixel (x, y) is the scene point (x + 0.5, y + 0.5). Strokes are cosmetic (the same width on
screen at every zoom); points, arrow heads and labels ignore the view's scale, so they keep
their size too. Labels are plain-text items: what the analyst typed is never read as HTML.
The selected annotation is drawn thicker, in another colour; the points of a shape being
drawn are shown as small crosses until it is complete.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QObject, QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsSimpleTextItem,
)

from ui.video.image_viewer import ImageViewer
from ui.video.overlay_marks import cosmetic_pen, scene_point
from workbench.annotations import Annotation

SHAPE = QColor(255, 214, 0)
SELECTED = QColor(0, 200, 255)
DRAFT = QColor(255, 80, 200)
EDGE = QColor(0, 0, 0)
Z_VALUE = 2  # above the inspection overlays


def _fixed(item: QGraphicsItem, at: QPointF) -> QGraphicsItem:
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    item.setPos(at)
    return item


def _dot(at: QPointF, colour: QColor, radius: float = 4.0) -> QGraphicsItem:
    item = QGraphicsEllipseItem(QRectF(-radius, -radius, 2 * radius, 2 * radius))
    item.setBrush(QBrush(colour))
    item.setPen(QPen(EDGE, 1))
    return _fixed(item, at)


def _head(p0: QPointF, p1: QPointF, colour: QColor) -> QGraphicsItem:
    """An arrow head of fixed screen size at ``p1``, pointing away from ``p0``."""
    head = QGraphicsPolygonItem(QPolygonF([QPointF(0, 0), QPointF(-14, -6), QPointF(-14, 6)]))
    head.setBrush(QBrush(colour))
    head.setPen(QPen(EDGE, 1))
    head.setRotation(math.degrees(math.atan2(p1.y() - p0.y(), p1.x() - p0.x())))
    return _fixed(head, p1)


def _text(at: QPointF, text: str, colour: QColor) -> QGraphicsItem:
    label = QGraphicsSimpleTextItem(text)  # plain text, never HTML
    label.setBrush(colour)
    label.setPen(QPen(EDGE, 0.6))
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return _fixed(label, at)


def shape_items(a: Annotation, selected: bool) -> list[QGraphicsItem]:
    """The items that draw ``a`` (a path for strokes, fixed-size points, heads and labels)."""
    colour = SELECTED if selected else SHAPE
    pts = [scene_point(x, y) for x, y in a.shape.points]
    items: list[QGraphicsItem] = []
    kind = a.kind
    if kind in ("line", "arrow", "polygon", "box"):
        path = QPainterPath()
        if kind == "box":
            path.addRect(QRectF(pts[0], pts[1]))
        else:
            path.addPolygon(QPolygonF(pts + ([pts[0]] if kind == "polygon" else [])))
        for colour_, width in ((EDGE, 5 if selected else 4), (colour, 3 if selected else 2)):
            stroke = QGraphicsPathItem(path)
            stroke.setPen(cosmetic_pen(colour_, width))
            items.append(stroke)
        if kind == "arrow":
            items.append(_head(pts[0], pts[1], colour))
    elif kind == "point":
        items.append(_dot(pts[0], colour, 6 if selected else 4))
    if kind == "text":
        items.append(_text(pts[0], a.label, colour))
    elif a.label:
        top_left = QPointF(min(p.x() for p in pts), min(p.y() for p in pts))
        label = _text(top_left, a.label, colour)
        # just above the shape, in screen pixels (the label ignores the view's scale)
        label.setTransform(QTransform.fromTranslate(0, -label.boundingRect().height() - 3))
        items.append(label)
    return items


class AnnotationLayer(QObject):
    """The annotation items in ``viewer``'s scene (see the module docstring)."""

    def __init__(self, viewer: ImageViewer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self._items: list[QGraphicsItem] = []
        self._draft: list[QGraphicsItem] = []
        self.ids: list[int] = []  # the annotations drawn, in order

    def show(self, annotations: Sequence[Annotation], selected_id: int | None) -> None:
        """Draw ``annotations`` (those of the frame on screen), ``selected_id`` highlighted."""
        self._remove(self._items)
        self.ids = [a.id for a in annotations]
        for a in annotations:
            for item in shape_items(a, a.id == selected_id):
                self._add(item, self._items)

    def show_draft(
        self,
        points: Sequence[tuple[float, float]],
        hover: tuple[float, float] | None = None,
        kind: str = "",
    ) -> None:
        """Mark the points placed so far of a shape being drawn, and the shape it would be
        with ``hover`` (the pixel under the mouse) as its next point."""
        self._remove(self._draft)
        for x, y in points:
            self._add(_dot(scene_point(x, y), DRAFT, 3), self._draft)
        outline = [scene_point(x, y) for x, y in points] + ([scene_point(*hover)] if hover else [])
        if points and len(outline) > 1:
            line = QGraphicsPathItem()
            path = QPainterPath()
            if kind == "box":
                path.addRect(QRectF(outline[0], outline[-1]))
            else:
                path.addPolygon(QPolygonF(outline))
            line.setPath(path)
            line.setPen(cosmetic_pen(DRAFT, 1))
            self._add(line, self._draft)

    def clear(self) -> None:
        self._remove(self._items)
        self._remove(self._draft)
        self.ids = []

    @property
    def item_count(self) -> int:
        return len(self._items)

    @property
    def draft_items(self) -> tuple[QGraphicsItem, ...]:
        """The items marking the shape being drawn."""
        return tuple(self._draft)

    def _add(self, item: QGraphicsItem, into: list[QGraphicsItem]) -> None:
        item.setZValue(Z_VALUE)
        self.viewer.scene().addItem(item)
        into.append(item)

    def _remove(self, items: list[QGraphicsItem]) -> None:
        scene = self.viewer.scene()
        for item in items:
            if item.scene() is scene:
                scene.removeItem(item)
        items.clear()

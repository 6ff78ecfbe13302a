"""Crosshair markers of clicked pixels, drawn over a viewer's picture.

Each marker is one QGraphicsItem on the viewer's scene (the viewer itself is not altered):
a crosshair with a gap at the centre, so the clicked pixel stays visible, and a label. It
ignores the view's zoom (``ItemIgnoresTransformations``), so it keeps its size on screen, and
sits at the pixel's centre: scene (x + 0.5, y + 0.5) for the pixel (x, y) (pixel centres at
integer coordinates, as in ``ImageViewer.pixel_clicked``).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSimpleTextItem

ARM_PX = 14  # crosshair arm length on screen
GAP_PX = 4  # empty centre, so the clicked pixel itself is not hidden
Z_VALUE = 10.0
LEFT_LABELS = ("reference", "near", "horizon")


class PixelMarker(QGraphicsItem):
    """A crosshair and a label at one image pixel."""

    def __init__(self, x_px: float, y_px: float, label: str, colour: QColor) -> None:
        super().__init__()
        self.pixel = (x_px, y_px)
        self.colour = QColor(colour)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(Z_VALUE)
        self.setPos(QPointF(x_px + 0.5, y_px + 0.5))
        self.label = QGraphicsSimpleTextItem(label, self)
        font = QFont()
        font.setBold(True)
        self.label.setFont(font)
        self.label.setBrush(self.colour)
        self.label.setPen(QPen(QColor(0, 0, 0, 200), 0.6))
        # Left-hand labels (reference, near, first horizon point) do not cover the label of
        # a second marker clicked just to the right, as a target often is.
        width = self.label.boundingRect().width()
        left = label.split(" ")[0] in LEFT_LABELS and label != "horizon 2"
        self.label.setPos(-ARM_PX + 2 - width if left else ARM_PX - 2, -ARM_PX - 8)

    def text(self) -> str:
        return self.label.text()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        r = ARM_PX + 2
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for colour, width in ((QColor(0, 0, 0, 180), 4.0), (self.colour, 2.0)):
            painter.setPen(QPen(colour, width))
            for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                painter.drawLine(
                    QPointF(sx * GAP_PX, sy * GAP_PX), QPointF(sx * ARM_PX, sy * ARM_PX)
                )
            painter.drawEllipse(QPointF(0, 0), ARM_PX * 0.6, ARM_PX * 0.6)


class MarkerSet:
    """Named markers (``reference``, ``target``, ``horizon 1`` ...) on whichever scene."""

    def __init__(self) -> None:
        self._items: dict[str, PixelMarker] = {}

    def place(
        self, scene: QGraphicsScene, key: str, pixel: tuple[float, float], label: str, colour
    ) -> PixelMarker:
        """Put (or move) the marker ``key`` at ``pixel`` on ``scene``."""
        self.remove(key)
        item = PixelMarker(pixel[0], pixel[1], label, QColor(colour))
        scene.addItem(item)
        self._items[key] = item
        return item

    def remove(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None and item.scene() is not None:
            item.scene().removeItem(item)

    def clear(self) -> None:
        for key in list(self._items):
            self.remove(key)

    def get(self, key: str) -> PixelMarker | None:
        return self._items.get(key)

    def keys(self) -> list[str]:
        return list(self._items)


MARKER_COLOURS = {
    "reference": Qt.GlobalColor.cyan,
    "reference2": Qt.GlobalColor.darkCyan,
    "target": Qt.GlobalColor.red,
    "horizon": Qt.GlobalColor.yellow,
    "top": Qt.GlobalColor.magenta,
    "bottom": Qt.GlobalColor.magenta,
    "near": Qt.GlobalColor.green,
    "far": Qt.GlobalColor.magenta,
    "seen": QColor("#ff8c00"),  # landmarks of a resection
}

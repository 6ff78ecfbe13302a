"""What the layers drawn over the frame (annotations, tracks) share.

Frame pixels have their centres at integer coordinates (``ui.video.image_viewer``), so the
pixel (x, y) is the scene point (x + 0.5, y + 0.5). Strokes are cosmetic: the same width on
screen at every zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPen


def scene_point(x: float, y: float) -> QPointF:
    """The scene point at the centre of the frame pixel (x, y)."""
    return QPointF(x + 0.5, y + 0.5)


def cosmetic_pen(colour: QColor, width: float) -> QPen:
    """A pen ``width`` pixels wide on screen at every zoom."""
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    return pen

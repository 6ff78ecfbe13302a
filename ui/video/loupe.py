"""Loupe: a magnifier that follows the cursor over an ImageViewer and shows pixel values.

It reads the QImage the viewer shows (display pixels, enhancements included), copies a small
square around the image pixel under the cursor and draws it enlarged without smoothing, with
the pixel's coordinates (image pixels, origin top-left, x right, y down) and its RGB value.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGraphicsView, QWidget

SIZE_PX = 180
RADIUS_PX = 10  # image pixels either side of the centre: a 21x21 patch


class Loupe(QWidget):
    """A small overlay on the viewer's viewport, shown while enabled and over the image."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view.viewport())
        self._view = view
        self._image = QImage()
        self._pixel: tuple[int, int] | None = None
        self._enabled = False
        self.setFixedSize(SIZE_PX, SIZE_PX + 18)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        view.viewport().installEventFilter(self)
        view.viewport().setMouseTracking(True)

    def set_image(self, image: QImage | None) -> None:
        self._image = image if image is not None else QImage()
        if self.isVisible():
            self.update()

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if not enabled:
            self.hide()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def pixel(self) -> tuple[int, int] | None:
        """The image pixel (x, y) under the cursor, when over the image."""
        return self._pixel

    def show_at(self, viewport_pos: QPoint) -> None:
        """Centre the loupe on the image pixel under ``viewport_pos`` (viewport coordinates)."""
        scene = self._view.mapToScene(viewport_pos)
        x, y = int(scene.x()), int(scene.y())
        if self._image.isNull() or not self._image.rect().contains(x, y) or not self._enabled:
            self._pixel = None
            self.hide()
            return
        self._pixel = (x, y)
        vp = self._view.viewport()
        left = viewport_pos.x() + 24
        if left + self.width() > vp.width():
            left = viewport_pos.x() - 24 - self.width()
        top = min(
            max(0, viewport_pos.y() - self.height() // 2), max(0, vp.height() - self.height())
        )
        self.move(left, top)
        self.show()
        self.raise_()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.MouseMove and self._enabled:
            self.show_at(event.position().toPoint())
        elif event.type() == QEvent.Type.Leave:
            self._pixel = None
            self.hide()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if self._pixel is None or self._image.isNull():
            return
        x, y = self._pixel
        side = 2 * RADIUS_PX + 1
        patch = self._image.copy(QRect(x - RADIUS_PX, y - RADIUS_PX, side, side))
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(20, 20, 20))
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(QRect(0, 0, SIZE_PX, SIZE_PX), patch)
        cell = SIZE_PX / side
        centre = QRect(int(RADIUS_PX * cell), int(RADIUS_PX * cell), int(cell) + 1, int(cell) + 1)
        p.setPen(QPen(QColor(255, 255, 0), 1))
        p.drawRect(centre)
        c = QColor(self._image.pixel(x, y))
        p.setPen(QColor(230, 230, 230))
        p.drawText(
            QRect(0, SIZE_PX, SIZE_PX, 18),
            Qt.AlignmentFlag.AlignCenter,
            f"x {x}  y {y}   RGB {c.red()},{c.green()},{c.blue()}",
        )
        p.setPen(QColor(120, 120, 120))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()

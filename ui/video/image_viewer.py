"""ImageViewer: a zoomable, pannable view of one picture. Loading happens off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPixmap,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

ZOOM_STEP = 1.25
MAX_ZOOM = 64.0


class ImageViewer(QGraphicsView):
    """Shows a QImage; wheel or +/- zooms about the cursor, drag pans, 0 fits, 1 is 100 %.

    While a tool is armed (``set_armed(True)``), a left click emits ``pixel_clicked`` with the
    image pixel under the cursor (OpenCV convention: pixel centres at integer coordinates, so
    the scene point (x, y) is the pixel (x - 0.5, y - 0.5)) instead of starting a pan.
    """

    zoom_changed = Signal(float)
    pixel_clicked = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.scene().addItem(self._item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self._fit = True
        self.armed = False
        for keys, slot in (
            ("+", self.zoom_in),
            ("=", self.zoom_in),
            ("-", self.zoom_out),
            ("0", self.fit),
            ("1", self.actual_size),
        ):
            QShortcut(
                QKeySequence(keys),
                self,
                slot,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

    def set_image(self, image: QImage | None) -> None:
        self._item.setPixmap(QPixmap.fromImage(image) if image is not None else QPixmap())
        rect = QRectF(self._item.pixmap().rect())
        self.scene().setSceneRect(rect)
        self.fit()

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull()

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self._fit = True
        if self.has_image():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def actual_size(self) -> None:
        self._fit = False
        self.resetTransform()
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def _zoom_by(self, factor: float) -> None:
        target = self.zoom * factor
        if target > MAX_ZOOM or target < 0.01:
            return
        self._fit = False
        self.scale(factor, factor)
        self.zoom_changed.emit(self.zoom)

    def set_armed(self, armed: bool) -> None:
        """Route left clicks to ``pixel_clicked`` (a tool waits for a pixel) or to panning."""
        self.armed = armed
        self.viewport().setCursor(
            Qt.CursorShape.CrossCursor if armed else Qt.CursorShape.OpenHandCursor
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.armed and self.has_image() and event.button() == Qt.MouseButton.LeftButton:
            # The centre of the viewport pixel under the cursor, mapped without rounding.
            inverse, _ok = self.viewportTransform().inverted()
            point = inverse.map(event.position() + QPointF(0.5, 0.5))
            event.accept()
            self.pixel_clicked.emit(point.x() - 0.5, point.y() - 0.5)
            return
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        self._zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._fit:
            self.fit()


class FrameView(ImageViewer):
    """The ImageViewer, keeping zoom and pan while stepping through same-sized frames."""

    def replace_image(self, image: QImage) -> None:
        if self.has_image() and self.sceneRect().size().toSize() == image.size():
            self._item.setPixmap(QPixmap.fromImage(image))
        else:
            self.set_image(image)

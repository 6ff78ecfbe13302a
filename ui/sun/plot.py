"""SunCanvas: shows the Sun panel's figure, rendered in a worker (``workbench.sun_figure``).

The GUI thread only turns the rendered pixels into a pixmap (a few milliseconds); drawing the
figure with matplotlib takes 150-400 ms, so it never runs here. When the canvas is resized, the
panel renders the figure again at the new size in a worker (``size_changed``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from workbench.sun_figure import SunFigure


class SunCanvas(QLabel):
    """The figure's pixels (module doc)."""

    size_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(280, 150)
        # The figure follows the dock: its size is no hint (the pixmap's would be its own).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.curve_count = 0
        self.bar_count = 0
        self.shown_size: tuple[int, int] | None = None

    def wanted_size(self) -> tuple[int, int, float]:
        """(width, height, device pixel ratio) to render the figure at."""
        return self.width(), self.height(), self.devicePixelRatioF()

    def show_figure(self, figure: SunFigure | None) -> None:
        if figure is None:
            self.clear()
            self.curve_count = self.bar_count = 0
            self.shown_size = None
            return
        h, w = figure.rgba.shape[:2]
        image = QImage(figure.rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.setPixmap(pixmap)
        self.curve_count, self.bar_count = figure.curve_count, figure.bar_count
        self.shown_size = (self.width(), self.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.shown_size is not None and self.shown_size != (self.width(), self.height()):
            self.size_changed.emit()

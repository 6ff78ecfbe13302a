"""The Descent panel's plot: ``workbench.descent_figure.draw_descent`` (the report's drawing)
rendered with matplotlib's Agg in a job, shown as a picture.

Laying out and drawing the figure takes 150-250 ms (measured on the two-core machine), too
long for the GUI thread, where matplotlib's Qt canvas would also redraw it on every paint; a
job renders it (``plot_rgba``) and ``DescentCanvas`` shows the picture, scaled down to the
dock's width.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel

from workbench.case import Case
from workbench.descent_figure import draw_descent
from workbench.descent_store import read_descent_view
from workbench.drawing import agg_figure

PLOT_SIZE_IN, PLOT_DPI = (4.6, 3.2), 90


def read_with_plot(case: Case, track_id: int, progress=None, cancel=None):
    """The track's view and the plot of its stored descent (a job)."""
    view = read_descent_view(case, track_id)
    return view, plot_rgba(view.descent, f"track {track_id}")


def plot_rgba(descent, title: str = "") -> np.ndarray | None:
    """The plot of ``descent`` as an RGBA array (run in a job: Agg, no Qt); None for none."""
    if descent is None:
        return None
    with agg_figure(figsize=PLOT_SIZE_IN, dpi=PLOT_DPI) as (fig, canvas):
        draw_descent(fig, descent, title=title, fontsize=7)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()


class DescentCanvas(QLabel):
    """The plot as rendered by ``plot_rgba`` (empty: none)."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(300, 220)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image: QImage | None = None

    def show_rgba(self, rgba: np.ndarray | None) -> None:
        if rgba is None:
            self.image = None
            self.clear()
            return
        h, w = rgba.shape[:2]
        self.image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self._fit()

    def _fit(self) -> None:
        """The picture scaled down to the label's width (a narrow dock), never up."""
        if self.image is None:
            return
        pixmap = QPixmap.fromImage(self.image)
        if pixmap.width() > self.width() > 0:
            pixmap = pixmap.scaledToWidth(self.width(), Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pixmap)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

"""The QWebChannel object the map page talks to (registered as ``bridge``).

The page calls the slots (camelCase: they are the JavaScript API); each re-emits a Qt signal
(snake_case, past tense) so that panels never depend on JavaScript. Only ids and numbers
cross: positions in WGS84 degrees, feature ids such as ``landmark:3``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from workbench.map_positions import mgrs_text

TOOLS = ("landmark", "camera", "target", "hypothesis")


class MapBridge(QObject):
    """Carries clicks, drags and measurements from the page to Python."""

    page_ready = Signal()
    # tool (landmark/camera/target/hypothesis), lat, lon, metres a screen pixel spans there
    point_picked = Signal(str, float, float, float)
    feature_moved = Signal(str, float, float)  # feature id, new lat, lon
    feature_clicked = Signal(str)
    measure_requested = Signal(float, float, float, float)  # lat1, lon1, lat2, lon2
    layer_toggled = Signal(str, bool)
    text_copied = Signal(str)  # a popup's Copy put this text on the clipboard

    @staticmethod
    def _ok(*values: float) -> bool:
        return all(isinstance(v, int | float) and math.isfinite(v) for v in values)

    @Slot()
    def pageReady(self) -> None:  # noqa: N802 (JavaScript API)
        self.page_ready.emit()

    @Slot(str, float, float, float)
    def pointPicked(self, tool: str, lat: float, lon: float, metres_per_px: float) -> None:  # noqa: N802
        if tool in TOOLS and self._ok(lat, lon, metres_per_px) and metres_per_px > 0:
            self.point_picked.emit(tool, lat, lon, metres_per_px)

    @Slot(str, float, float)
    def featureMoved(self, feature_id: str, lat: float, lon: float) -> None:  # noqa: N802
        if self._ok(lat, lon):
            self.feature_moved.emit(feature_id, lat, lon)

    @Slot(str)
    def featureClicked(self, feature_id: str) -> None:  # noqa: N802
        self.feature_clicked.emit(feature_id)

    @Slot(float, float, float, float)
    def measureRequested(self, lat1: float, lon1: float, lat2: float, lon2: float) -> None:  # noqa: N802
        if self._ok(lat1, lon1, lat2, lon2):
            self.measure_requested.emit(lat1, lon1, lat2, lon2)

    @Slot(str, bool)
    def layerToggled(self, layer_id: str, visible: bool) -> None:  # noqa: N802
        self.layer_toggled.emit(layer_id, visible)

    @Slot(str)
    def copyText(self, text: str) -> None:  # noqa: N802
        """A popup's Copy: the page may not write the clipboard itself, Qt does."""
        text = str(text)[:1000]  # a position, not a payload
        QGuiApplication.clipboard().setText(text)
        self.text_copied.emit(text)

    @Slot(float, float, result=str)
    def mgrs(self, lat: float, lon: float) -> str:
        """The MGRS reference of a position, for a popup (computed when one opens: 10,000
        features would cost 0.3 s up front)."""
        if not self._ok(lat, lon):
            return ""
        return mgrs_text(lat, lon)

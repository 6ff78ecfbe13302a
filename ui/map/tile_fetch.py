"""Fetching the tiles of the map's view into the case's tile cache, for work offline.

The basemap menu's "Fetch this view's tiles…" (an XYZ basemap with downloads turned on)
reads the view from the page, says how many tiles that is, from which provider and how long
it takes, and what it tells the provider (which area the analyst looks at), then runs
``workbench.imagery.fetch.fetch_tiles`` as a job with progress and Cancel: rate-limited,
tiles already cached not asked again. The same as ``geoworkbench imagery fetch``.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from analysis.errors import WorkbenchError
from analysis.imagery.mosaic import tile_range
from workbench.imagery.fetch import DEFAULT_INTERVAL_S, MAX_TILES, fetch_tiles
from workbench.tiles import CachedXyzSource


class TileFetch(QObject):
    """The fetch of the view's tiles for one map panel (module doc)."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.box: QMessageBox | None = None  # the question, while it is asked
        panel.basemap_button.fetch_requested.connect(self.ask)

    def ask(self) -> None:
        """Read the view from the page, then ask (the answer comes back on the GUI thread)."""
        self.panel.run_js("JSON.stringify(GW.viewBox())", self._on_view)  # arrays come back empty

    def _on_view(self, text: object) -> None:
        try:
            view = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            view = None
        source = self.panel.tiles.source if self.panel.view is not None else None
        if not isinstance(source, CachedXyzSource) or not source.remote_enabled:
            self.panel.show_error("Fetch tiles", "Turn on downloads for an XYZ basemap first.")
            return
        if not (isinstance(view, list) and len(view) == 5):
            self.panel.show_error("Fetch tiles", "The map has no view yet.")
            return
        south, west, north, east, zoom = (float(v) for v in view)
        bbox, z = (
            (max(south, -85.0), max(west, -180.0), min(north, 85.0), min(east, 180.0)),
            int(zoom),
        )
        try:
            x0, y0, x1, y1 = tile_range(*bbox, z)
        except WorkbenchError as exc:
            self.panel.show_error("Fetch tiles", exc)
            return
        count = (x1 - x0 + 1) * (y1 - y0 + 1)
        if count > MAX_TILES:
            self.panel.show_error("Fetch tiles", f"This view is {count} tiles at zoom {z}: over "
                                  f"{MAX_TILES}. Zoom in, or fetch a smaller area.")  # fmt: skip
            return
        host = urlsplit(source.url_template).hostname or source.url_template
        seconds = count * DEFAULT_INTERVAL_S
        takes = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
        box = QMessageBox(
            QMessageBox.Icon.Question, "Fetch tiles",
            f"Ask {host} for the {count} tiles of this view at zoom {z}? The provider learns "
            f"which area you are looking at. At most two tiles a second: up to "
            f"{takes}. Tiles already in the case's cache are not asked for again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.panel,
        )  # fmt: skip
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(functools.partial(self._fetch, source, bbox, z))
        box.finished.connect(lambda _r: setattr(self, "box", None))
        self.box = box
        box.open()

    def _fetch(self, source: CachedXyzSource, bbox: tuple, zoom: int) -> None:
        self.panel.jobs.run(
            f"Fetching map tiles (zoom {zoom})",
            functools.partial(fetch_tiles, source, bbox, zoom),
            on_result=lambda counts: self.panel.status.setText(
                f"{counts[0]} tiles fetched, {counts[1]} already cached (zoom {zoom})"
            ),
            on_error=lambda exc: self.panel.show_error("Fetch tiles", exc),
        )

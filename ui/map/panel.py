"""MapPanel: the case's map in a QWebEngineView (folium/Leaflet page, QWebChannel bridge).

The page (``workbench.mapdoc``) is written to derived/map.html once per case or basemap, with
no layers: they are built in a worker while it loads, then sent in chunks (``LayerPusher``,
ADR 0012); after that only the layers whose GeoJSON changed are pushed, so an edit updates one
layer, not the page. The layers are rebuilt when
the case's change feed (``ui.changes``) says that something the map shows changed, whoever
changed it. Clicks and drags come back through ``MapBridge``; ``MapEdits`` turns them into
undoable writes of the ``GeodataService`` (``ui.geodata``), which the frame tools share. The
web view has its own off-the-record profile with the ``gwtile:`` handler and a
``RequestGuard`` that blocks any other request.

Run alone: ``python -m ui.map.panel CASE``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMessageBox, QPushButton, QVBoxLayout, QWidget

from analysis.geometry.geodesy import LatLon
from ui.changes import CaseChanges
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.jobs import JobRunner
from ui.map import qt_messages
from ui.map.basemap import BasemapButton
from ui.map.bridge import MapBridge
from ui.map.edits import MapEdits
from ui.map.imagery import attach_imagery
from ui.map.layers import LayerState, MapLayers, layer_chunks, prepare
from ui.map.page import MapPage
from ui.map.push import LayerPusher
from ui.map.tile_fetch import TileFetch
from ui.map.tile_scheme import SCHEME, RequestGuard, TileSchemeHandler
from ui.narrow import FlowLayout
from workbench import geodata_records
from workbench.case import Case
from workbench.case.changes import Change
from workbench.geolayers import build_layers, collections, layer_bounds
from workbench.mapdoc import write_map_page
from workbench.tiles import BasemapConfig, http_fetch, load_basemap, open_tile_source, save_basemap

# The kinds of change the map shows (workbench.case.changes): evidence for its GPS positions.
MAP_KINDS = ("landmark", "observation", "hypothesis", "evidence")


def _built(case: Case) -> LayerState:
    """The case's layers, ready for the page (in a worker; its cyclic garbage is collected
    on the GUI thread, ui.gui_gc, so the ~10^6 objects of 10,000 features start no
    collection here)."""
    return prepare(build_layers(case.read()))


class MapPanel(QWidget):
    """The map of the open case: its layers, and the edits made on it (``MapEdits``)."""

    page_loaded = Signal(bool)
    layers_pushed = Signal(object)  # list of the layer ids that were replaced
    measured = Signal(object)  # geodata_records.Measurement
    edit_saved = Signal()  # a write of the geodata service was stored

    def __init__(
        self,
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
        *,
        service: GeodataService | None = None,
        changes: CaseChanges | None = None,
        picks: MapPicks | None = None,
    ) -> None:
        """Alone (``MapPanel()``) the panel makes its own job runner, geodata service (with
        an undo stack), change relay and picks, and follows the case given to ``set_case``;
        in the main window it shares the window's, which the window points at the case."""
        super().__init__(parent)
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self._alone = service is None
        self.service = service if service is not None else GeodataService(self.jobs, None, self)
        self.changes = changes if changes is not None else CaseChanges(self)
        self.picks = picks if picks is not None else MapPicks(self)
        self.case: Case | None = None
        self.view: QWebEngineView | None = None
        self.loaded = False
        self.layers = MapLayers()
        self._layers_running = self._layers_wanted = False
        self._page_wanted = self._page_ready = self._loading = False
        self._initial: tuple | None = None  # the first layers, built while the page loads
        self.pusher = LayerPusher(self.run_js, self)
        self.pusher.drained.connect(self._on_pusher_drained)
        self.fetch = http_fetch  # how remote tiles are downloaded (tests replace it)
        self.bridge = MapBridge(self)
        self.edits = MapEdits(self, self.service, self.layers, self.picks, self.show_error)
        self.edits.follow(self.bridge)
        self.service.edit_saved.connect(self.edit_saved)
        if self._alone:
            self.service.edit_failed.connect(self.show_error)
        self.changes.changed.connect(self._on_changes_changed)
        self._build_widgets()

    @property
    def undo_stack(self) -> QUndoStack:
        return self.service.undo_stack

    @property
    def selected(self) -> str | None:
        return self.edits.selected

    # -- construction -------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.fit_button = QPushButton("Fit all")
        self.rename_button, self.delete_button = self.edits.rename_button, self.edits.delete_button
        self.basemap_button = BasemapButton()
        self.status, self.add_button = self.edits.status, self.edits.add_button
        bar = FlowLayout()  # wraps in a narrow dock rather than scroll sideways
        for w in (self.fit_button, self.add_button, self.rename_button, self.delete_button,
                  self.basemap_button, self.status):  # fmt: skip
            bar.addWidget(w)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addLayout(bar)
        self.imagery = attach_imagery(self)  # overlays with opacity and swipe
        self.tile_fetch = TileFetch(self)  # the view's tiles into the cache, for offline use
        self.fit_button.clicked.connect(lambda: self.run_js("GW.fitAll();"))
        self.basemap_button.basemap_chosen.connect(self.set_basemap)
        self.basemap_button.choice_refused.connect(lambda m: self.show_error("Basemap", m))
        self.bridge.measure_requested.connect(self._on_bridge_measure_requested)

    def ensure_view(self) -> QWebEngineView:
        """Create the web view on first use (a hidden dock costs no Chromium process)."""
        if self.view is not None:
            return self.view
        qt_messages.install()  # floating the map: a known-harmless QRhi warning per repaint
        self.view = QWebEngineView(self)  # created before the profile: deleted before it
        self.profile = QWebEngineProfile(self)  # off the record: no disk cache, no cookies
        self.guard = RequestGuard(self.profile)
        self.tiles = TileSchemeHandler(self.profile)
        self.profile.setUrlRequestInterceptor(self.guard)
        self.profile.installUrlSchemeHandler(SCHEME, self.tiles)
        self.page = MapPage(self.profile, self.view)
        settings = self.page.settings()
        # Remote URLs are refused by Chromium itself; other local files by the RequestGuard
        # (LocalContentCanAccessFileUrls must stay on: gwtile: is a local scheme).
        settings.setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False
        )
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", self.bridge)
        self.page.setWebChannel(self.channel)
        self.view.setPage(self.page)
        self.page.loadFinished.connect(self._on_page_load_finished)
        self._layout.addWidget(self.view, 1)
        return self.view

    # -- case and page ------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        """Show ``case`` (None clears the map). The page is built when the panel is shown."""
        self.case = case
        if self._alone:
            self.service.set_case(case)
            self.changes.set_case(case)
        self.loaded = False
        self.layers.clear()
        self.edits.set_selection(None)
        if self.view is not None:
            self.tiles.set_source(None)
            if case is None:
                self.page.page_file = None
                self.view.load(QUrl("about:blank"))
        self._page_wanted = case is not None
        if case is not None and (self.view is not None or not self.visibleRegion().isEmpty()):
            self.reload_page()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # A dock behind another tab is "visible" but never painted: build the page (and start
        # Chromium) only once the panel is really on screen.
        super().paintEvent(event)
        if self._page_wanted and self.view is None:
            QTimer.singleShot(0, self.reload_page)
            self._page_wanted = False

    def reload_page(self) -> None:
        """Write derived/map.html (the basemap, no layers) and build the layers, each in a
        worker: the page loads while the layers are built, and they are pushed in chunks
        once both are done (``page_loaded`` then). 10,000 hypotheses: under 2 s, and the GUI
        thread never busy for more than a chunk (issue 12)."""
        case = self.case
        if case is None:
            return
        self.ensure_view()
        self._page_wanted = False
        self.loaded = self._page_ready = self._loading = False
        self._initial = None
        self.pusher.clear()
        fetch = self.fetch

        def shell(progress=None, cancel=None):
            path = write_map_page(case, collections([]))
            basemap = load_basemap(case.read())
            source = open_tile_source(basemap, case.path, fetch=fetch)
            return case, path, source, basemap

        def layers(progress=None, cancel=None):
            built = build_layers(case.read())  # MGRS: asked when a popup opens
            return case, prepare(built), layer_bounds(built)

        self.jobs.run(
            "Building the map",
            shell,
            on_result=self._on_page_built,
            on_error=lambda e: self.show_error("Cannot build the map", e),
            quiet=True,
        )
        self.jobs.run(
            "Map layers",
            layers,
            on_result=self._on_initial_layers_built,
            on_error=lambda e: self.show_error("Cannot read the map layers", e),
            quiet=True,
        )

    def _on_page_built(self, result: tuple) -> None:
        case, path, source, basemap = result
        if case is not self.case:
            return
        self.basemap_button.set_config(basemap)
        self.layers.clear()
        self.tiles.set_source(source)
        self.guard.allow_page(path)
        self.page.page_file = str(Path(path).resolve())
        self.view.load(QUrl.fromLocalFile(str(path)))

    def _on_initial_layers_built(self, result: tuple) -> None:
        case, state, bounds = result
        if case is self.case:
            self._initial = (state, bounds)
            self._push_initial()

    def _on_page_load_finished(self, ok: bool) -> None:
        self._page_ready = ok and self.page.page_file is not None
        if not self._page_ready:
            self.loaded = False
            self.page_loaded.emit(False)
        self._push_initial()

    def _push_initial(self) -> None:
        """Once the page has loaded and its layers are built: fit the view to them, then
        send them; ``page_loaded`` when the last chunk has gone."""
        if not (self._page_ready and self._initial is not None):
            return
        state, bounds = self._initial
        self._initial, self._page_ready = None, False
        if bounds is not None:
            self.run_js(f"GW.fitBounds({json.dumps([list(bounds[0]), list(bounds[1])])});")
        self._loading = True
        for layer_id, chunks in self.layers.changed(state):
            self.push_chunks(layer_id, chunks)

    def _on_pusher_drained(self) -> None:
        if self._loading:
            self._loading = False
            self.loaded = True
            self.edits.layers_changed()
            self.page_loaded.emit(True)
            if self._layers_wanted:
                self.refresh_layers()

    def run_js(self, code: str, callback: Callable[[Any], None] | None = None) -> None:
        if self.view is None:
            return
        self.page.runJavaScript(*((code,) if callback is None else (code, 0, callback)))

    # -- layers -------------------------------------------------------------------------
    def _on_changes_changed(self, change: Change) -> None:
        if change.touches(*MAP_KINDS):
            self._layers_wanted = not self.loaded  # loading: rebuild once it has loaded
            self.refresh_layers()

    def refresh_layers(self) -> None:
        """Rebuild the layers in a worker; push only those whose GeoJSON changed.

        One rebuild at a time: changes that arrive while one runs make one more after it."""
        case = self.case
        if case is None or not self.loaded:
            return
        if self._layers_running:
            self._layers_wanted = True
            return
        self._layers_running, self._layers_wanted = True, False
        self.jobs.run(
            "Map layers",
            lambda progress=None, cancel=None: (case, _built(case)),
            on_result=self._on_layers_built,
            quiet=True,
            on_error=self._on_layers_failed,
        )

    def _on_layers_built(self, result: tuple) -> None:
        self._layers_running = False
        case, state = result
        if case is self.case and self.loaded:
            pushed = []
            for layer_id, chunks in self.layers.changed(state):
                self.push_chunks(layer_id, chunks)
                pushed.append(layer_id)
            self.edits.layers_changed()
            self.layers_pushed.emit(pushed)
        if self._layers_wanted:
            self.refresh_layers()

    def _on_layers_failed(self, exc: BaseException) -> None:
        self._layers_running = False
        self.show_error("Cannot read the map layers", exc)
        if self._layers_wanted:
            self.refresh_layers()

    def push_layer(self, layer_id: str, collection: dict) -> None:
        """Replace one layer on the page with ``collection`` (a FeatureCollection)."""
        self.push_chunks(layer_id, layer_chunks(collection))

    def push_chunks(self, layer_id: str, chunks: tuple[str, ...]) -> None:
        """Replace one layer on the page with its features in chunks (``layer_chunks``); none
        while a page loads (no GW yet): a panel's own layer is sent again on ``page_loaded``."""
        if not (self.loaded or self._loading):
            return
        self.layers.pushed[layer_id] = chunks
        self.pusher.push(layer_id, chunks)

    def show_layer(self, layer_id: str, visible: bool) -> None:
        self.run_js(f"GW.showLayer({json.dumps(layer_id)}, {json.dumps(bool(visible))});")

    def _on_bridge_measure_requested(
        self, lat1: float, lon1: float, lat2: float, lon2: float
    ) -> None:
        m = geodata_records.measure(LatLon(lat1, lon1), LatLon(lat2, lon2))
        text = (
            f"Distance {m.distance_m:,.1f} m (WGS84 geodesic)\n"
            f"Azimuth {m.azimuth_deg:.2f}°, back {m.back_azimuth_deg:.2f}°"
        )
        self.run_js(f"GW.showMeasure({json.dumps(text)});")
        self.measured.emit(m)

    # -- basemap ------------------------------------------------------------------------
    def set_basemap(self, config: BasemapConfig) -> None:
        """Store the case's basemap (logged) and rebuild the page with it."""
        if self.case is not None:
            self.jobs.watch(
                save_basemap(self.case, config),
                on_result=lambda _c: self.reload_page(),
                on_error=lambda e: self.show_error("Could not save the basemap", e),
            )

    def show_error(self, title: str, exc: BaseException | str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()

    def shutdown(self) -> None:
        """Stop tile downloads (the view, and its page, are deleted before the profile)."""
        if self.view is not None:
            self.tiles.shutdown()


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.map.panel CASE``: the map panel alone on a case."""
    from ui.environment import prepare_environment

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ui.map.panel CASE", file=sys.stderr)
        return 2
    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case

    app = QApplication.instance() or QApplication(sys.argv[:1])
    case = open_case(args[0])
    panel = MapPanel()
    panel.setWindowTitle(f"Map — {case.title}")
    panel.resize(1100, 800)
    panel.show()
    panel.set_case(case)
    code = app.exec()
    panel.shutdown()
    case.close()
    return code


if __name__ == "__main__":
    sys.exit(main())

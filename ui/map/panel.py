"""MapPanel: the case's map in a QWebEngineView (folium/Leaflet page, QWebChannel bridge).

The page (``workbench.mapdoc``) is written to derived/map.html once per case or basemap;
after that Python replaces whole layers with ``GW.setLayer`` and only the layers whose GeoJSON
changed are pushed, so an edit updates one layer, not the page. Clicks and drags come back
through ``MapBridge``; every edit is a QUndoCommand on the (main window's) undo stack whose
redo/undo are logged writes (``workbench.geodata``). The web view has its own off-the-record
profile with the ``gwtile:`` handler and a ``RequestGuard`` that blocks any other request.

Run alone: ``python -m ui.map.panel CASE``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel
from ui.jobs import JobRunner
from ui.map.basemap import BasemapButton
from ui.map.bridge import MapBridge
from ui.map.commands import (
    EditPointCommand,
    add_observation_command,
    add_point_command,
    delete_point_command,
)
from ui.map.hypotheses import (
    EditHypothesisCommand,
    ask_edit_hypothesis,
    ask_new_hypothesis,
    delete_hypothesis_command,
    hypothesis_id,
)
from ui.map.tile_scheme import SCHEME, RequestGuard, TileSchemeHandler
from workbench import geodata, geodata_resection, hypotheses
from workbench.case import Case
from workbench.geodata_resection import Sighting
from workbench.geolayers import build_layers
from workbench.mapdoc import write_map_page
from workbench.tiles import BasemapConfig, http_fetch, load_basemap, open_tile_source, save_basemap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleMessage:
    level: int
    message: str
    line: int
    source: str


class MapPage(QWebEnginePage):
    """The map page: collects JavaScript console messages, refuses to navigate away."""

    console_logged = Signal(object)

    def __init__(self, profile: QWebEngineProfile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.console: list[ConsoleMessage] = []
        self.page_file: str | None = None

    def javaScriptConsoleMessage(self, level, message, line, source) -> None:  # noqa: N802
        entry = ConsoleMessage(int(level.value), message, line, source)
        self.console.append(entry)
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            log.warning("map page: %s (%s:%s)", message, source, line)
        self.console_logged.emit(entry)

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:  # noqa: N802
        if url.scheme() == "about":
            return True  # about:blank, when the case is closed
        return url.isLocalFile() and url.toLocalFile() == self.page_file

    def createWindow(self, window_type):  # noqa: N802 (no pop-ups)
        return None


def landmark_id(feature_id: str) -> int | None:
    """The landmark id of a feature id such as ``landmark:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "landmark" and rest.isdigit() else None


class MapPanel(QWidget):
    """The map of the open case: layers, tools, edits with undo."""

    page_loaded = Signal(bool)
    layers_pushed = Signal(object)  # list of the layer ids that were replaced
    measured = Signal(object)  # geodata.Measurement
    edit_saved = Signal()

    def __init__(
        self,
        undo_stack: QUndoStack | None = None,
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self.case: Case | None = None
        self.selected: str | None = None
        self.view: QWebEngineView | None = None
        self.loaded = False
        self._pushed: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._positions: dict[int, tuple[float, float]] = {}
        self._hypothesis_positions: dict[int, tuple[float, float]] = {}
        self._page_wanted = False
        self.fetch = http_fetch  # how remote tiles are downloaded (tests replace it)
        self.bridge = MapBridge(self)
        self._build_widgets()

    # -- construction -------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.fit_button = QPushButton("Fit all")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.basemap_button = BasemapButton()
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        bar = QHBoxLayout()
        for w in (self.fit_button, self.rename_button, self.delete_button, self.basemap_button):
            bar.addWidget(w)
        bar.addWidget(self.status, 1)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addLayout(bar)
        self.fit_button.clicked.connect(lambda: self.run_js("GW.fitAll();"))
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.basemap_button.basemap_chosen.connect(self.set_basemap)
        self.basemap_button.choice_refused.connect(lambda m: self.show_error("Basemap", m))
        self.bridge.point_picked.connect(self._on_bridge_point_picked)
        self.bridge.feature_moved.connect(self._on_bridge_feature_moved)
        self.bridge.feature_clicked.connect(self._on_bridge_feature_clicked)
        self.bridge.measure_requested.connect(self._on_bridge_measure_requested)
        self._set_selection(None)

    def ensure_view(self) -> QWebEngineView:
        """Create the web view on first use (a hidden dock costs no Chromium process)."""
        if self.view is not None:
            return self.view
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
        self.loaded = False
        self._pushed.clear()
        self._set_selection(None)
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
        """Rebuild derived/map.html (layers, basemap) in a worker and load it."""
        case = self.case
        if case is None:
            return
        self.ensure_view()
        self._page_wanted = False
        fetch = self.fetch

        def build(progress=None, cancel=None):
            layers = build_layers(case.read())
            path = write_map_page(case, layers)
            basemap = load_basemap(case.read())
            source = open_tile_source(basemap, case.path, fetch=fetch)
            return case, layers, path, source, basemap

        self.jobs.run(
            "Building the map",
            build,
            on_result=self._on_page_built,
            on_error=lambda e: self.show_error("Cannot build the map", e),
            quiet=True,
        )

    def _on_page_built(self, result: tuple) -> None:
        case, layers, path, source, basemap = result
        if case is not self.case:
            return
        self.basemap_button.set_config(basemap)
        self._remember(layers)
        self._pushed = {k: json.dumps(v, sort_keys=True) for k, v in layers.items()}
        self.tiles.set_source(source)
        self.guard.allow_page(path)
        self.page.page_file = str(Path(path).resolve())
        self.view.load(QUrl.fromLocalFile(str(path)))

    def _on_page_load_finished(self, ok: bool) -> None:
        self.loaded = ok and self.page.page_file is not None
        self.page_loaded.emit(self.loaded)
        if self.loaded:
            self.refresh_layers()

    def run_js(self, code: str, callback: Callable[[Any], None] | None = None) -> None:
        if self.view is None:
            return
        if callback is None:
            self.page.runJavaScript(code)
        else:
            self.page.runJavaScript(code, 0, callback)

    # -- layers -------------------------------------------------------------------------
    def refresh_layers(self) -> None:
        """Rebuild the layers in a worker; push only those whose GeoJSON changed."""
        case = self.case
        if case is None or not self.loaded:
            return
        self.jobs.run(
            "Map layers",
            lambda progress=None, cancel=None: (case, build_layers(case.read())),
            on_result=self._on_layers_built,
            quiet=True,
            on_error=lambda e: self.show_error("Cannot read the map layers", e),
        )

    def _on_layers_built(self, result: tuple) -> None:
        case, layers = result
        if case is not self.case or not self.loaded:
            return
        self._remember(layers)
        if self.selected is not None and self.selected not in self._names:
            self._set_selection(None)  # deleted, or undone: nothing left to edit
        pushed = []
        for layer_id, collection in layers.items():
            text = json.dumps(collection, sort_keys=True)
            if self._pushed.get(layer_id) != text:
                self.push_layer(layer_id, collection, text)
                pushed.append(layer_id)
        self.layers_pushed.emit(pushed)

    def push_layer(self, layer_id: str, collection: dict, text: str | None = None) -> None:
        text = json.dumps(collection, sort_keys=True) if text is None else text
        self._pushed[layer_id] = text
        self.run_js(f"GW.setLayer({json.dumps(layer_id)}, {text});")

    def show_layer(self, layer_id: str, visible: bool) -> None:
        self.run_js(f"GW.showLayer({json.dumps(layer_id)}, {json.dumps(bool(visible))});")

    def _remember(self, layers: dict[str, dict]) -> None:
        self._names.clear()
        self._positions.clear()
        self._hypothesis_positions.clear()
        for collection in layers.values():
            for f in collection["features"]:
                ident = f["properties"]["id"]
                self._names[ident] = f["properties"].get("name", "")
                point_id, claim_id = landmark_id(ident), hypothesis_id(ident)
                if point_id is not None or claim_id is not None:
                    lon, lat = f["geometry"]["coordinates"][:2]
                    if point_id is not None:
                        self._positions[point_id] = (lat, lon)
                    else:
                        self._hypothesis_positions[claim_id] = (lat, lon)

    # -- edits --------------------------------------------------------------------------
    def watch(self, future: Future, what: str) -> None:
        self.jobs.watch(
            future,
            on_result=lambda _r: self._after_write(),
            on_error=lambda e: self.show_error(f"Could not save {what}", e),
        )

    def _after_write(self) -> None:
        self.edit_saved.emit()
        self.refresh_layers()

    def _on_bridge_point_picked(self, tool: str, lat: float, lon: float) -> None:
        if self.case is None:
            return
        if tool == "hypothesis":
            ask_new_hypothesis(self, lat, lon)
            return
        count = sum(1 for ident in self._names if ident.startswith("landmark:")) + 1
        self.add_point(tool, f"{tool.capitalize()} {count}", lat, lon)

    def add_point(
        self,
        kind: str,
        name: str,
        lat: float,
        lon: float,
        *,
        evidence_id: int | None = None,
        notes: str = "",
    ) -> None:
        """An undoable landmark, camera position or target."""
        if self.case is not None:
            command = add_point_command(self, kind, name, lat, lon, evidence_id, notes)
            self.undo_stack.push(command)

    def _on_bridge_feature_moved(self, feature_id: str, lat: float, lon: float) -> None:
        claim_id = hypothesis_id(feature_id)
        if self.case is not None and claim_id in self._hypothesis_positions:
            old_lat, old_lon = self._hypothesis_positions[claim_id]
            old, new = {"lat_deg": old_lat, "lon_deg": old_lon}, {"lat_deg": lat, "lon_deg": lon}
            self.undo_stack.push(EditHypothesisCommand(self, claim_id, old, new))
            return
        point_id = landmark_id(feature_id)
        if self.case is None or point_id is None or point_id not in self._positions:
            return
        case = self.case
        old = self._positions[point_id]
        apply = lambda pos: geodata.move_landmark(case, point_id, *pos)  # noqa: E731
        self.undo_stack.push(
            EditPointCommand(self, f"move point {point_id}", apply, old, (lat, lon))
        )

    def _on_bridge_feature_clicked(self, feature_id: str) -> None:
        self._set_selection(feature_id)

    def _set_selection(self, feature_id: str | None) -> None:
        self.selected = feature_id
        claim = feature_id is not None and hypothesis_id(feature_id) is not None
        editable = claim or (feature_id is not None and landmark_id(feature_id) is not None)
        self.rename_button.setText("Edit…" if claim else "Rename…")
        self.rename_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        name = self._names.get(feature_id or "", "")
        self.status.setText(f"Selected: {name} ({feature_id})" if feature_id else "")

    def rename_point(self, point_id: int, name: str) -> None:
        case = self.case
        if case is None:
            return
        old = self._names.get(f"landmark:{point_id}", "")
        apply = lambda text: geodata.rename_landmark(case, point_id, text)  # noqa: E731
        self.undo_stack.push(EditPointCommand(self, f"rename point {point_id}", apply, old, name))

    def delete_point(self, point_id: int) -> None:
        if self.case is not None:
            self.undo_stack.push(delete_point_command(self, point_id))
            self._set_selection(None)

    def rename_selected(self) -> None:
        claim_id = hypothesis_id(self.selected or "")
        if claim_id is not None and self.case is not None:
            try:
                record = hypotheses.get_hypothesis(self.case.read(), claim_id)
            except GeometryError as exc:  # gone since it was selected
                self._set_selection(None)
                self.show_error("Edit hypothesis", exc)
                return
            ask_edit_hypothesis(self, record)
            return
        point_id = landmark_id(self.selected or "")
        if point_id is None:
            return
        old = self._names.get(self.selected or "", "")
        name, ok = QInputDialog.getText(self, "Rename", "Name:", text=old)
        if ok and name.strip() and name != old:
            self.rename_point(point_id, name.strip())

    def delete_selected(self) -> None:
        claim_id = hypothesis_id(self.selected or "")
        if claim_id is not None and self.case is not None:
            self.undo_stack.push(delete_hypothesis_command(self, claim_id))
            self._set_selection(None)
            return
        point_id = landmark_id(self.selected or "")
        if point_id is not None:
            self.delete_point(point_id)

    def _on_bridge_measure_requested(
        self, lat1: float, lon1: float, lat2: float, lon2: float
    ) -> None:
        m = geodata.measure(LatLon(lat1, lon1), LatLon(lat2, lon2))
        text = (
            f"Distance {m.distance_m:,.1f} m (WGS84 geodesic)\n"
            f"Azimuth {m.azimuth_deg:.2f}°, back {m.back_azimuth_deg:.2f}°"
        )
        self.run_js(f"GW.showMeasure({json.dumps(text)});")
        self.measured.emit(m)

    # -- basemap and observations (API for the other panels) -----------------------------
    def set_basemap(self, config: BasemapConfig) -> None:
        """Store the case's basemap (logged) and rebuild the page with it."""
        if self.case is not None:
            self.jobs.watch(
                save_basemap(self.case, config),
                on_result=lambda _c: self.reload_page(),
                on_error=lambda e: self.show_error("Could not save the basemap", e),
            )

    def add_bearing(self, camera_id: int, azimuth_deg: float, sigma_deg: float, **kw: Any) -> None:
        """An undoable bearing observation (see ``geodata.add_bearing`` for ``kw``)."""
        case = self.case
        if case is not None:
            add = lambda: geodata.add_bearing(case, camera_id, azimuth_deg, sigma_deg, **kw)  # noqa: E731
            self.undo_stack.push(add_observation_command(self, f"bearing from {camera_id}", add))

    def add_alignment(self, near_id: int, far_id: int, **kw: Any) -> None:
        """An undoable alignment: two landmarks that line up in a frame (``kw``: evidence_id,
        frame_index, position_sigma_m)."""
        case = self.case
        if case is not None:
            add = lambda: geodata.add_alignment(case, near_id, far_id, **kw)  # noqa: E731
            self.undo_stack.push(add_observation_command(self, "alignment", add))

    def triangulate(self, bearing_ids: list[int]) -> None:
        """Intersect bearings in a worker, then store the result as an undoable observation."""
        case = self.case
        if case is None:
            return

        def done(obs_id: int) -> None:
            stored: Future = Future()
            stored.set_result(obs_id)
            self.undo_stack.push(add_observation_command(self, "intersection", lambda: stored))

        self.jobs.run(
            "Triangulating",
            lambda progress=None, cancel=None: geodata.add_intersection(case, bearing_ids).result(),
            on_result=done,
            on_error=lambda e: self.show_error("Cannot triangulate", e),
        )

    def resect(
        self,
        frame: FrameModel,
        sightings: list[Sighting],
        *,
        on_result: Callable[[dict[str, Any]], None] | None = None,
        on_done: Callable[[], None] | None = None,
        **kw: Any,
    ) -> None:
        """Resect in a worker and store the result as an undoable observation; then
        ``on_result`` with the stored result, and ``on_done`` after success or failure
        (``kw``: see ``geodata_resection.add_resection``)."""
        case = self.case
        if case is None:
            return

        def work(progress=None, cancel=None) -> tuple[int, dict[str, Any]]:
            obs_id = geodata_resection.add_resection(case, frame, sightings, **kw).result()
            return obs_id, geodata.get_observation(case.read(), obs_id).result

        def done(stored_result: tuple[int, dict[str, Any]]) -> None:
            if on_done is not None:
                on_done()
            if case is not self.case:  # the case was closed or another opened meanwhile
                return
            obs_id, result = stored_result
            stored: Future = Future()
            stored.set_result(obs_id)
            self.undo_stack.push(add_observation_command(self, "resection", lambda: stored))
            if on_result is not None:
                on_result(result)

        def failed(exc: BaseException) -> None:
            if on_done is not None:
                on_done()
            self.show_error("Cannot resect", exc)

        self.jobs.run("Resecting", work, on_result=done, on_error=failed)

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
    from ui.app import prepare_environment

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

"""The map panel offscreen: page load without console errors, layers, bridge, escaping,
no network, tiles through gwtile:, edits with undo."""

from __future__ import annotations

import io
import json
import math

import pytest
import shiboken6
from PIL import Image

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import geodata, geodata_records
from workbench.case import audit, create_case
from workbench.geolayers import LAYER_IDS
from workbench.tiles import BasemapConfig, MBTilesSource, save_basemap

TIMEOUT = 20000
SCHOOL = LatLon(35.62, 36.55)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "map.gwcase", title="Hass map")
    yield c
    c.close()


@pytest.fixture
def panel(map_panel):
    map_panel.resize(900, 700)
    return map_panel


def js(qtbot, panel, code):
    """Run JavaScript and wait for its result."""
    box = []
    panel.run_js(code, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=TIMEOUT)
    return box[0]


def open_map(qtbot, panel, case):
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT) as blocker:
        panel.set_case(case)
    assert blocker.args == [True]
    qtbot.waitUntil(
        lambda: js(qtbot, panel, "window.GW && GW.ready === true") is True, timeout=TIMEOUT
    )


def errors(panel):
    from PySide6.QtWebEngineCore import QWebEnginePage

    level = QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel.value
    return [m for m in panel.page.console if m.level == level]


def test_page_loads_offline_with_no_console_errors_and_no_network(qtbot, panel, case):
    geodata.add_landmark(case, "water tower", 35.6205, 36.5507).result()
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.bridged === true") is True, timeout=TIMEOUT)
    assert js(qtbot, panel, "GW.featureCount('landmarks')") == 1
    assert errors(panel) == []
    seen = panel.guard.seen()
    assert seen, "the guard saw no request at all: it is not installed"
    assert [r.url for r in seen if r.scheme in ("http", "https")] == []
    assert not any(r.blocked for r in seen)  # the page needs nothing that the guard refuses
    assert js(qtbot, panel, "document.querySelectorAll('img.leaflet-tile').length") == 0


def test_set_layer_round_trip_counts_features_in_js(qtbot, panel, case):
    open_map(qtbot, panel, case)
    points = [geodesy.destination(SCHOOL, 7.0 * k, 50.0 * k) for k in range(1, 38)]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon_deg, p.lat_deg]},
                "properties": {"id": f"test:{k}", "name": f"p{k}", "colour": "#123456"},
            }
            for k, p in enumerate(points)
        ],
    }
    panel.push_layer("targets", fc)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('targets')") == 37, timeout=TIMEOUT)
    panel.show_layer("targets", False)
    assert js(qtbot, panel, "GW.isLayerVisible('targets')") is False
    box = js(qtbot, panel, "document.querySelector('input[data-layer=targets]').checked")
    assert box is False
    panel.show_layer("targets", True)
    assert js(qtbot, panel, "GW.isLayerVisible('targets')") is True
    boxes = "Array.from(document.querySelectorAll('input[data-layer]')).map(e => e.dataset.layer)"
    assert json.loads(js(qtbot, panel, f"JSON.stringify({boxes})")) == list(LAYER_IDS)


def test_click_in_js_reaches_python_and_adds_an_undoable_landmark(qtbot, panel, case):
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.bridged === true") is True, timeout=TIMEOUT)
    js(qtbot, panel, "GW.setTool('camera')")
    zoom = js(qtbot, panel, "GW.setView(35.62, 36.52, 16)")
    with qtbot.waitSignal(panel.bridge.point_picked, timeout=TIMEOUT) as picked:
        js(qtbot, panel, "GW.fireClick(35.6201, 36.5203); true")
    tool, lat, lon, metres_per_px = picked.args
    assert tool == "camera" and lat == pytest.approx(35.6201) and lon == pytest.approx(36.5203)
    # Web Mercator: the equator's length over 2^(zoom + 8) pixels, times cos(latitude)
    mercator = 40_075_016.686 * math.cos(math.radians(lat)) / 2 ** (zoom + 8)
    assert metres_per_px == pytest.approx(mercator, rel=3e-3)  # Leaflet's R: 6371 km
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('cameras')") == 1, timeout=TIMEOUT)
    [cam] = geodata_records.list_landmarks(case.read(), "camera")
    assert (cam.lat_deg, cam.lon_deg) == pytest.approx((35.6201, 36.5203))
    # at zoom 16 three screen pixels (5.8 m) are coarser than a camera's 5 m default
    assert cam.position_sigma_m == pytest.approx(geodata_records.pixel_click_sigma_m(metres_per_px))
    assert cam.position_sigma_m > geodata_records.DEFAULT_POSITION_SIGMA_M["camera"]
    assert audit.entries(case.read())[-1].action == "camera.add"
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('cameras')") == 0, timeout=TIMEOUT)
    assert geodata_records.list_landmarks(case.read()) == []
    panel.undo_stack.redo()
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('cameras')") == 1, timeout=TIMEOUT)
    assert geodata_records.list_landmarks(case.read(), "camera")[0].id == cam.id


def test_drag_moves_the_point_in_the_case_and_undo_moves_it_back(qtbot, panel, case):
    point_id = geodata.add_landmark(case, "minaret", 35.6190, 36.5480).result()
    open_map(qtbot, panel, case)
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.bridge.featureMoved(f"landmark:{point_id}", 35.6250, 36.5550)
    moved = geodata_records.get_landmark(case.read(), point_id)
    assert (moved.lat_deg, moved.lon_deg) == (35.6250, 36.5550)
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.undo_stack.undo()
    back = geodata_records.get_landmark(case.read(), point_id)
    assert (back.lat_deg, back.lon_deg) == (35.6190, 36.5480)
    assert [e.action for e in audit.entries(case.read())][-2:] == ["landmark.move"] * 2


def test_xss_name_shows_as_text(qtbot, panel, case):
    geodata.add_landmark(case, XSS, 35.6205, 36.5507).result()
    open_map(qtbot, panel, case)
    label = js(qtbot, panel, "document.querySelector('.gw-label').textContent")
    assert label == XSS
    assert js(qtbot, panel, "document.querySelectorAll('.leaflet-tooltip img').length") == 0
    js(qtbot, panel, "GW.openPopup('landmark:1')")
    popup = js(qtbot, panel, "document.querySelector('.leaflet-popup-content').textContent")
    assert XSS in popup
    assert js(qtbot, panel, "document.querySelectorAll('img[src=x]').length") == 0
    assert errors(panel) == []


def test_measure_uses_the_ellipsoid_and_shows_text(qtbot, panel, case):
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.bridged === true") is True, timeout=TIMEOUT)
    far = geodesy.destination(SCHOOL, 270.0, 2800.0)
    js(qtbot, panel, "GW.setTool('measure')")
    with qtbot.waitSignal(panel.measured, timeout=TIMEOUT) as done:
        js(
            qtbot,
            panel,
            f"GW.fireClick({far.lat_deg}, {far.lon_deg}); "
            f"GW.fireClick({SCHOOL.lat_deg}, {SCHOOL.lon_deg}); true",
        )
    m = done.args[0]
    assert m.distance_m == pytest.approx(2800.0, abs=1e-3)
    assert m.azimuth_deg == pytest.approx(geodesy.azimuth_deg(far, SCHOOL), abs=1e-9)
    qtbot.waitUntil(
        lambda: "2,800.0 m" in js(qtbot, panel, "document.querySelector('.gw-info').textContent"),
        timeout=TIMEOUT,
    )


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG")
    return out.getvalue()


def test_mbtiles_basemap_reaches_the_page_through_gwtile(qtbot, panel, case, tmp_path):
    store = MBTilesSource(tmp_path / "local.mbtiles", writable=True)
    for z in range(0, 3):
        for x in range(1 << z):
            for y in range(1 << z):
                store.put_tile(z, x, y, _png((40 * z, 10 * x, 10 * y)))
    store.close()
    save_basemap(
        case, BasemapConfig(kind="mbtiles", path=str(tmp_path / "local.mbtiles"), max_zoom=2)
    ).result()
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: panel.tiles.served >= 1, timeout=TIMEOUT)
    seen = panel.guard.seen()
    assert any(r.scheme == "gwtile" and not r.blocked for r in seen)
    assert [r.url for r in seen if r.scheme in ("http", "https")] == []


def test_guard_blocks_other_schemes_and_hosts(qtbot, panel, case):
    open_map(qtbot, panel, case)
    panel.guard.clear()
    js(
        qtbot,
        panel,
        """
        window.outcome = {};
        ['https://tile.example.org/1/0/0.png', 'gwtile://elsewhere/1/0/0.png',
         'gwtile://basemap/1/0/0.png'].forEach(function (u) {
          var i = new Image();
          i.onload = function () { window.outcome[u] = 'loaded'; };
          i.onerror = function () { window.outcome[u] = 'failed'; };
          i.src = u;
        }); true""",
    )
    qtbot.waitUntil(
        lambda: js(qtbot, panel, "Object.keys(window.outcome).length") == 3, timeout=TIMEOUT
    )
    outcome = json.loads(js(qtbot, panel, "JSON.stringify(window.outcome)"))
    assert set(outcome.values()) == {"failed"}  # no basemap: even our own tiles 404
    seen = {r.url: r.blocked for r in panel.guard.seen()}
    assert seen.get("gwtile://elsewhere/1/0/0.png") is True
    assert seen.get("gwtile://basemap/1/0/0.png") is False
    assert all(blocked for url, blocked in seen.items() if url.startswith("http"))


@pytest.mark.parametrize("remote", [False, True])
def test_remote_tiles_are_fetched_only_when_turned_on(qtbot, panel, case, remote):
    calls: list[str] = []

    def fake_fetch(url: str) -> bytes:  # stands in for the network, records every download
        calls.append(url)
        return _png((0, 120, 0))

    panel.fetch = fake_fetch
    config = BasemapConfig(
        kind="xyz", url_template="https://tiles.example.org/{z}/{x}/{y}.png", remote_enabled=remote
    )
    save_basemap(case, config).result()
    geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg).result()
    open_map(qtbot, panel, case)
    if remote:
        qtbot.waitUntil(lambda: panel.tiles.served >= 4, timeout=TIMEOUT)
        assert calls and all(u.startswith("https://tiles.example.org/") for u in calls)
        cache = MBTilesSource(case.derived_dir / "tile_cache.mbtiles")
        z, x, y = (int(v) for v in calls[0].rsplit("/", 3)[1:3] + [calls[0].rsplit("/", 1)[1][:-4]])
        assert cache.get_tile(z, x, y) == _png((0, 120, 0))
        cache.close()
    else:
        asked = lambda: [r for r in panel.guard.seen() if r.url.startswith("gwtile://basemap/")]  # noqa: E731
        qtbot.waitUntil(lambda: len(asked()) >= 4, timeout=TIMEOUT)  # the page did want tiles
        assert calls == []
        assert panel.tiles.served == 0
    assert [r.url for r in panel.guard.seen() if r.scheme in ("http", "https")] == []


def test_map_dock_in_the_main_window_shows_the_open_case(qtbot, tmp_path):
    from ui.case.main_window import MainWindow

    path = tmp_path / "w.gwcase"
    with create_case(path) as c:
        geodata.add_landmark(c, "water tower", 35.6205, 36.5507).result()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.open_case_path(path)
    assert window.map_panel.view is None  # a hidden dock starts no web view
    with qtbot.waitSignal(window.map_panel.page_loaded, timeout=TIMEOUT):
        window.map_dock.raise_()
    qtbot.waitUntil(
        lambda: js(qtbot, window.map_panel, "GW.featureCount('landmarks')") == 1, timeout=TIMEOUT
    )
    assert window.map_panel.undo_stack is window.undo_stack
    window.close_case()
    window.map_panel.shutdown()
    shiboken6.delete(window)


def test_bearings_and_their_intersection_appear_and_undo(qtbot, panel, case):
    cams = [
        geodesy.destination(SCHOOL, back, rng) for back, rng in ((270.0, 2800.0), (190.0, 1500.0))
    ]
    cam_ids = [
        geodata.add_landmark(case, f"c{k}", c.lat_deg, c.lon_deg, kind="camera").result()
        for k, c in enumerate(cams)
    ]
    open_map(qtbot, panel, case)
    for cam_id, cam in zip(cam_ids, cams, strict=True):
        with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
            panel.service.add_bearing(cam_id, geodesy.azimuth_deg(cam, SCHOOL), 0.5, hfov_deg=45.0)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('wedges')") == 2, timeout=TIMEOUT)
    bearing_ids = [o.id for o in geodata_records.list_observations(case.read(), "bearing")]
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.service.triangulate(bearing_ids)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('ellipses')") == 2, timeout=TIMEOUT)
    [fix] = geodata_records.list_observations(case.read(), "intersection")
    assert geodesy.distance_m(LatLon(fix.result["lat_deg"], fix.result["lon_deg"]), SCHOOL) < 0.01
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.service.add_alignment(cam_ids[0], cam_ids[1])
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('sightlines')") == 1, timeout=TIMEOUT)
    panel.undo_stack.undo()  # the alignment
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('sightlines')") == 0, timeout=TIMEOUT)
    panel.undo_stack.undo()  # the intersection
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('ellipses')") == 0, timeout=TIMEOUT)
    panel.undo_stack.undo()  # the second bearing
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('rays')") == 1, timeout=TIMEOUT)
    assert len(geodata_records.list_observations(case.read())) == 1


def test_switching_the_basemap_rebuilds_the_page_with_tiles(qtbot, panel, case, tmp_path):
    folder = tmp_path / "tiles"
    for z in range(3):
        for x in range(1 << z):
            (folder / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
            for y in range(1 << z):
                (folder / str(z) / str(x) / f"{y}.png").write_bytes(_png((0, 0, 50 * z)))
    open_map(qtbot, panel, case)
    assert panel.basemap_button.text() == "Basemap: grid"
    assert panel.tiles.served == 0
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT):
        panel.set_basemap(BasemapConfig(kind="folder", path=str(folder), max_zoom=2))
    qtbot.waitUntil(lambda: panel.tiles.served >= 1, timeout=TIMEOUT)
    assert panel.basemap_button.text() == "Basemap: folder"
    assert audit.entries(case.read())[-1].action == "map.basemap"


def _mouse(widget, kind, x, y, buttons):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    local = QPointF(x, y)
    event = QMouseEvent(
        kind,
        local,
        widget.mapToGlobal(local),
        Qt.MouseButton.LeftButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def test_real_mouse_drag_moves_a_landmark(qtbot, panel, case):
    from PySide6.QtCore import QEvent, Qt

    point_id = geodata.add_landmark(case, "minaret", 35.6190, 36.5480).result()
    geodata.add_landmark(case, "far corner", 35.6300, 36.5700).result()  # so the map zooms in
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.renderedAtMs > 0") is True, timeout=TIMEOUT)
    x, y = json.loads(js(qtbot, panel, "JSON.stringify(GW.containerPoint(35.6190, 36.5480))"))
    target = (x + 80, y - 50)
    expected = json.loads(
        js(qtbot, panel, f"JSON.stringify(GW.latLngAt({target[0]}, {target[1]}))")
    )
    widget = panel.view.focusProxy()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        _mouse(widget, QEvent.Type.MouseMove, x, y, none)
        _mouse(widget, QEvent.Type.MouseButtonPress, x, y, left)
        for k in range(1, 11):
            qtbot.wait(20)
            _mouse(widget, QEvent.Type.MouseMove, x + 8 * k, y - 5 * k, left)
        _mouse(widget, QEvent.Type.MouseButtonRelease, *target, none)
    moved = geodata_records.get_landmark(case.read(), point_id)
    assert (moved.lat_deg, moved.lon_deg) == pytest.approx(tuple(expected), abs=1e-6)
    assert audit.entries(case.read())[-1].action == "landmark.move"


def test_closing_the_case_blanks_the_map(qtbot, panel, case):
    geodata.add_landmark(case, "water tower", 35.6205, 36.5507).result()
    open_map(qtbot, panel, case)
    panel.set_case(None)
    qtbot.waitUntil(lambda: panel.view.url().toString() == "about:blank", timeout=TIMEOUT)
    assert js(qtbot, panel, "typeof window.GW") == "undefined"
    assert panel.tiles._source is None and not panel.loaded


def test_standalone_export_renders_offline_without_errors(qtbot, panel, case, tmp_path):
    from PySide6.QtCore import QUrl

    from workbench.mapdoc import export_interactive_map

    geodata.add_landmark(case, XSS, 35.6205, 36.5507).result()
    out = export_interactive_map(case, tmp_path / "report_map.html")
    panel.ensure_view()
    panel.guard.allow_page(out)
    panel.page.page_file = str(out.resolve())
    with qtbot.waitSignal(panel.page.loadFinished, timeout=TIMEOUT) as loaded:
        panel.view.load(QUrl.fromLocalFile(str(out)))
    assert loaded.args == [True]
    assert js(qtbot, panel, "GW.featureCount('landmarks')") == 1
    assert js(qtbot, panel, "document.querySelectorAll('.gw-tools').length") == 0
    assert js(qtbot, panel, "document.querySelector('.gw-label').textContent") == XSS
    assert "audit head" in js(qtbot, panel, "document.querySelector('.gw-provenance').textContent")
    assert errors(panel) == []
    assert not any(r.blocked for r in panel.guard.seen())


def test_a_layer_pushed_while_the_page_loads_waits_for_the_page(qtbot, panel, case):
    """A panel with a layer of its own (the sun's) may push it before the page has loaded:
    nothing is sent to a page without GW (that was an "is not defined" error), and the layer
    sent again on ``page_loaded`` is drawn."""
    sun = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [36.55, 35.62]},
        "properties": {"id": "sun:1", "name": "shadow line"}}]}  # fmt: skip
    panel.page_loaded.connect(lambda _ok: panel.push_layer("sun", sun))  # as the sun panel
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT):
        panel.set_case(case)
        panel.push_layer("sun", sun)  # the page is still loading
        assert not panel.pusher.busy and "sun" not in panel.layers.pushed
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('sun')") == 1, timeout=TIMEOUT)
    assert errors(panel) == []

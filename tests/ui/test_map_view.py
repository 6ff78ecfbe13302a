"""What the analyst sees on the map (issue 13): fitted to the case, labels that never overlap,
ellipses labelled with their size, popups with decimal degrees and MGRS that copy, and the
click going to the smaller of two overlapping features. JavaScript runs in the real page."""

from __future__ import annotations

import json

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.mgrs import to_mgrs
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.hypotheses import add_hypothesis

TIMEOUT = 20000
SCHOOL = LatLon(35.6205, 36.5533)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "view.gwcase", title="Map view")
    yield c
    c.close()


def js(qtbot, panel, code):
    box = []
    panel.run_js(code, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=TIMEOUT)
    return box[0]


def jsj(qtbot, panel, code):
    return json.loads(js(qtbot, panel, f"JSON.stringify({code})"))


def open_map(qtbot, panel, case):
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT) as blocker:
        panel.set_case(case)
    assert blocker.args == [True]
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.drawnAtMs > 0") is True, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.bridged === true") is True, timeout=TIMEOUT)


def on_screen(qtbot, panel, lat, lon):
    x, y = jsj(qtbot, panel, f"GW.containerPoint({lat}, {lon})")
    w, h = jsj(qtbot, panel, "[document.body.clientWidth, document.body.clientHeight]")
    return 0 <= x <= w and 0 <= y <= h


def overlaps(boxes):
    return [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def test_the_map_opens_fitted_to_the_case_and_refits_when_resized(qtbot, map_panel, case):
    far = geodesy.destination(SCHOOL, 60.0, 900.0)
    geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg).result()
    geodata.add_landmark(case, "tower", far.lat_deg, far.lon_deg).result()
    add_hypothesis(case, "claim", SCHOOL.lat_deg, SCHOOL.lon_deg, radius_m=400.0).result()
    map_panel.resize(700, 180)  # a short docked strip
    open_map(qtbot, map_panel, case)
    south = geodesy.destination(SCHOOL, 180.0, 400.0)  # the circle's edge counts too
    for p in (SCHOOL, far, south):
        assert on_screen(qtbot, map_panel, p.lat_deg, p.lon_deg)
    small_zoom = js(qtbot, map_panel, "GW.zoom()")
    map_panel.resize(900, 700)
    qtbot.waitUntil(lambda: js(qtbot, map_panel, "GW.zoom()") > small_zoom, timeout=TIMEOUT)
    for p in (SCHOOL, far, south):
        assert on_screen(qtbot, map_panel, p.lat_deg, p.lon_deg)
    assert js(qtbot, map_panel, "GW.userMoved()") is False


def test_one_point_opens_at_street_level_and_none_at_the_world(qtbot, map_panel, case, tmp_path):
    open_map(qtbot, map_panel, case)
    assert js(qtbot, map_panel, "GW.zoom()") <= 3  # nothing to show: the world
    with create_case(tmp_path / "one.gwcase") as one:
        geodata.add_landmark(one, "school", SCHOOL.lat_deg, SCHOOL.lon_deg).result()
        open_map(qtbot, map_panel, one)
        assert js(qtbot, map_panel, "GW.zoom()") == 17
        assert on_screen(qtbot, map_panel, SCHOOL.lat_deg, SCHOOL.lon_deg)
        map_panel.set_case(None)


def test_labels_never_overlap_and_come_back_when_zoomed_in(qtbot, map_panel, case):
    for k in range(40):  # a cluster: 40 names within 30 m
        p = geodesy.destination(SCHOOL, 9.0 * k, 3.0 + 0.7 * k)
        geodata.add_landmark(case, f"rubble {k}", p.lat_deg, p.lon_deg).result()
    far = geodesy.destination(SCHOOL, 90.0, 3000.0)
    geodata.add_landmark(case, "far mast", far.lat_deg, far.lon_deg).result()
    map_panel.resize(800, 600)
    open_map(qtbot, map_panel, case)
    boxes = jsj(qtbot, map_panel, "GW.shownLabelBoxes()")
    assert overlaps(boxes) == []
    assert "far mast" in [b[4] for b in boxes]
    assert js(qtbot, map_panel, "GW.labelsHidden") > 20
    shown_before = len(boxes)
    js(qtbot, map_panel, f"GW.setView({SCHOOL.lat_deg}, {SCHOOL.lon_deg}, 21); true")
    qtbot.waitUntil(
        lambda: len(jsj(qtbot, map_panel, "GW.shownLabelBoxes()")) > shown_before, timeout=TIMEOUT
    )
    assert overlaps(jsj(qtbot, map_panel, "GW.shownLabelBoxes()")) == []


def _fix(case, sigma_deg=1.5):
    cams = [geodesy.destination(SCHOOL, b, r) for b, r in ((270.0, 900.0), (200.0, 700.0))]
    ids = []
    for k, c in enumerate(cams):
        cam = geodata.add_landmark(case, f"cam {k}", c.lat_deg, c.lon_deg, kind="camera").result()
        az = geodesy.azimuth_deg(c, SCHOOL)
        ids.append(geodata.add_bearing(case, cam, az, sigma_deg).result())
    fix_id = geodata.add_intersection(case, ids).result()
    return geodata_records.get_observation(case.read(), fix_id)


def test_an_ellipse_is_labelled_with_its_size_and_its_popup_gives_degrees_and_mgrs(
    qtbot, map_panel, case
):
    from PySide6.QtGui import QGuiApplication

    fix = _fix(case)
    e = fix.result["ellipse"]
    map_panel.resize(900, 700)
    open_map(qtbot, map_panel, case)
    label = js(qtbot, map_panel, "document.querySelector('.gw-size').textContent")
    major, minor = 2 * e["semi_major_m"], 2 * e["semi_minor_m"]
    assert label == f"95%: {major:,.0f} x {minor:,.0f} m"
    js(qtbot, map_panel, f"GW.openPopup('observation:{fix.id}:ellipse')")
    popup = "document.querySelector('.leaflet-popup-content').textContent"
    centre = LatLon(fix.result["lat_deg"], fix.result["lon_deg"])
    grid = to_mgrs(centre)
    qtbot.waitUntil(lambda: grid in js(qtbot, map_panel, popup), timeout=TIMEOUT)
    text = js(qtbot, map_panel, popup)
    assert f"{centre.lat_deg:.6f}, {centre.lon_deg:.6f}" in text and "Centre" in text
    with qtbot.waitSignal(map_panel.bridge.text_copied, timeout=TIMEOUT) as copied:
        js(qtbot, map_panel, f"document.querySelector('button[data-copy=\"{grid}\"]').click()")
    assert copied.args == [grid]
    assert QGuiApplication.clipboard().text() == grid


def _click(qtbot, panel, x, y):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    widget = panel.view.focusProxy()
    for kind, buttons in (
        (QEvent.Type.MouseMove, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
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
        qtbot.wait(30)


def test_the_smaller_feature_gets_the_click(qtbot, map_panel, case):
    fix = _fix(case)
    e = fix.result["ellipse"]
    centre = LatLon(fix.result["lat_deg"], fix.result["lon_deg"])
    claim = add_hypothesis(case, "claim", centre.lat_deg, centre.lon_deg, radius_m=300.0).result()
    map_panel.resize(900, 700)
    open_map(qtbot, map_panel, case)
    js(qtbot, map_panel, f"GW.setView({centre.lat_deg}, {centre.lon_deg}, 17); true")
    inside = geodesy.destination(centre, e["azimuth_deg"], 0.6 * e["semi_major_m"])
    x0, y0 = jsj(qtbot, map_panel, f"GW.containerPoint({centre.lat_deg}, {centre.lon_deg})")
    x, y = jsj(qtbot, map_panel, f"GW.containerPoint({inside.lat_deg}, {inside.lon_deg})")
    assert abs(x - x0) + abs(y - y0) > 15  # clear of the fix's own point
    with qtbot.waitSignal(map_panel.bridge.feature_clicked, timeout=TIMEOUT) as clicked:
        _click(qtbot, map_panel, x, y)
    assert clicked.args == [f"observation:{fix.id}:ellipse"]  # not the circle drawn over it
    js(qtbot, map_panel, "GW.closePopup()")  # the ellipse's popup would catch the next click
    outside = geodesy.destination(centre, e["azimuth_deg"] + 90.0, 200.0)
    x, y = jsj(qtbot, map_panel, f"GW.containerPoint({outside.lat_deg}, {outside.lon_deg})")
    with qtbot.waitSignal(map_panel.bridge.feature_clicked, timeout=TIMEOUT) as clicked:
        _click(qtbot, map_panel, x, y)
    assert clicked.args == [f"hypothesis:{claim}:radius"]
    js(qtbot, map_panel, "GW.closePopup()")
    with qtbot.waitSignal(map_panel.bridge.feature_clicked, timeout=TIMEOUT) as clicked:
        _click(qtbot, map_panel, x0, y0)
    assert clicked.args[0] in (f"observation:{fix.id}", f"hypothesis:{claim}")  # points first


def test_the_exported_page_carries_mgrs_without_the_bridge(qtbot, map_panel, case, tmp_path):
    from PySide6.QtCore import QUrl

    from workbench.mapdoc import export_interactive_map

    point_id = geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg).result()
    out = export_interactive_map(case, tmp_path / "report_map.html")
    map_panel.ensure_view()
    map_panel.guard.allow_page(out)
    map_panel.page.page_file = str(out.resolve())
    with qtbot.waitSignal(map_panel.page.loadFinished, timeout=TIMEOUT):
        map_panel.view.load(QUrl.fromLocalFile(str(out)))
    assert js(qtbot, map_panel, f"GW.openPopup('landmark:{point_id}')") is True
    text = js(qtbot, map_panel, "document.querySelector('.leaflet-popup-content').textContent")
    assert "35.620500, 36.553300" in text and "37S BV 78411 44614" in text

"""The Sun panel offscreen, against SPA truth: a shadow measured at a known instant is listed
with the interval that holds it (morning, carried by its azimuth), the curves and the bars are
drawn, nothing shows NaN; polar night and a time with the sun below the horizon are said in
words; the shadow line and the place band reach the map page as features."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import QDate, QTime

from analysis.sun.spa import sun_at
from tests.ui.test_map_panel import TIMEOUT, js, open_map
from ui.jobs import JobRunner
from ui.sun.panel import SunPanel, connect_map
from workbench import geodata
from workbench.case import create_case
from workbench.shadow_record import add_shadow

PLACE = (35.62, 36.55)
WHEN = datetime(2016, 10, 26, 7, 32, tzinfo=UTC)  # 10:32 in Damascus (UTC+3 that day)


def _shadow_inputs() -> dict:
    sun = sun_at(WHEN, *PLACE)
    az, el = float(sun.azimuth_deg), float(sun.apparent_elevation_deg)
    return {
        "object_id": None,
        "position": list(PLACE),
        "shadow_azimuth_deg": (az + 180.0) % 360.0,
        "azimuth_sigma_deg": 0.5,
        "length_ratio": 1.0 / math.tan(math.radians(el)),
        "ratio_sigma": 0.02,
        "date": "2016-10-26",
        "captured_at_utc": None,
        "object_name": "Minaret <b>",
    }


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "sun.gwcase", analyst="tester")
    geodata.add_landmark(c, "School", *PLACE).result()
    add_shadow(c, _shadow_inputs()).result()
    yield c
    c.close()


def _panel(qtbot, case) -> SunPanel:
    panel = SunPanel(JobRunner())
    qtbot.addWidget(panel)
    panel.resize(420, 640)
    panel.show()
    panel.date_edit.setDate(QDate(2016, 10, 26))
    panel.zone_combo.setCurrentText("Asia/Damascus")
    panel.time_edit.setTime(QTime(10, 32))
    with qtbot.waitSignal(panel.view_shown, timeout=TIMEOUT):
        panel.set_case(case)
    return panel


def _texts(panel: SunPanel) -> str:
    items = [panel.interval_list.item(k).text() for k in range(panel.interval_list.count())]
    labels = (panel.summary_label, panel.message_label, panel.band_label)
    return "\n".join(items + [w.text() for w in labels])


def _wait_view(qtbot, panel: SunPanel, check) -> None:
    qtbot.waitUntil(lambda: panel.view is not None and bool(check(panel.view)), timeout=TIMEOUT)


def test_curves_intervals_and_the_shadow_line(qtbot, case) -> None:
    panel = _panel(qtbot, case)
    _wait_view(qtbot, panel, lambda v: v.query.zone_name == "Asia/Damascus" and v.fits)
    view = panel.view
    assert view.query.lat_deg == pytest.approx(PLACE[0]) and panel.canvas.curve_count == 2
    assert panel.canvas.bar_count == 1
    [fit] = view.fits
    [iv] = fit.intervals
    assert iv["start_utc"] <= WHEN <= iv["end_utc"] and iv["branch"] == "morning"
    text = _texts(panel)
    assert "nan" not in text.lower() and "10:2" in text and "carried by" in text
    assert "Minaret <b>" in text  # plain text, as typed
    assert "sunrise 06:50 (03:50 UTC)" in text  # SPA; 3:50:15 UTC, checked in test_sun_*
    line = view.layers["sun"]["features"][0]
    assert line["properties"]["colour"] and line["geometry"]["type"] == "LineString"
    assert view.layers["sun_band"]["features"], "the measured length gives a band"
    assert "Place band (95%)" in panel.band_label.text()


def test_polar_night_and_a_sun_below_the_horizon_are_said(qtbot, case) -> None:
    panel = _panel(qtbot, case)
    panel.set_place(80.0, 10.0)
    panel.date_edit.setDate(QDate(2016, 12, 21))
    _wait_view(qtbot, panel, lambda v: v.query.lat_deg == 80.0 and v.query.day.month == 12)
    text = _texts(panel)
    assert "Polar night" in panel.message_label.text()
    assert "no time of this day fits" in text and "polar night" in text
    assert panel.view.layers["sun"]["features"] == [] and "nan" not in text.lower()
    panel.set_place(*PLACE)
    panel.date_edit.setDate(QDate(2016, 10, 26))
    panel.time_edit.setTime(QTime(2, 0))
    _wait_view(qtbot, panel, lambda v: v.query.at_local.hour == 2 and v.query.lat_deg < 40)
    assert "below the horizon: there is no shadow" in panel.message_label.text()
    assert panel.view.layers["sun"]["features"] == []


def test_layers_reach_the_map_page(qtbot, map_panel, case) -> None:
    open_map(qtbot, map_panel, case)
    panel = SunPanel(JobRunner())
    qtbot.addWidget(panel)
    connect_map(panel, map_panel)
    panel.date_edit.setDate(QDate(2016, 10, 26))
    panel.time_edit.setTime(QTime(7, 32))
    panel.set_case(case)
    qtbot.waitUntil(lambda: js(qtbot, map_panel, "GW.featureCount('sun')") == 1, timeout=TIMEOUT)
    assert js(qtbot, map_panel, "GW.featureCount('sun_band')") >= 1


def test_an_untouched_panel_takes_the_cases_zone_and_its_shadows_day(qtbot, case) -> None:
    import json

    def zone(conn) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO case_setting (key, value_json) VALUES ('time_zone', ?)",
            (json.dumps("Asia/Damascus"),),
        )
        case.log(conn, "case.setting", "case_setting:time_zone", {"value": "Asia/Damascus"})

    case.write(zone).result()
    panel = SunPanel(JobRunner())
    qtbot.addWidget(panel)
    panel.set_case(case)
    _wait_view(qtbot, panel, lambda v: v.query.day.isoformat() == "2016-10-26")
    assert panel.view.query.zone_name == "Asia/Damascus"
    assert panel.view.query.lat_deg == pytest.approx(PLACE[0])


def test_the_band_is_the_chosen_shadows_and_holds_the_place_at_its_time(qtbot, case) -> None:
    """Two shadows with lengths, taken at 07:32 and 11:00 UTC: at 10:32 Damascus time only
    the first one's band holds Hass; the newest is drawn until the first is chosen."""
    later = datetime(2016, 10, 26, 11, 0, tzinfo=UTC)
    sun = sun_at(later, *PLACE)
    inputs = _shadow_inputs() | {
        "shadow_azimuth_deg": (float(sun.azimuth_deg) + 180.0) % 360.0,
        "length_ratio": 1.0 / math.tan(math.radians(float(sun.apparent_elevation_deg))),
    }
    newest = add_shadow(case, inputs).result()
    panel = _panel(qtbot, case)
    _wait_view(qtbot, panel, lambda v: len(v.fits) == 2 and v.query.zone_name == "Asia/Damascus")
    assert f"of shadow {newest} " in panel.band_label.text()
    assert not _band_holds(panel, PLACE)  # Hass at 07:32 UTC has not the 11:00 shadow
    first = panel.view.fits[0].observation_id
    panel.choose_band_shadow(first)
    _wait_view(qtbot, panel, lambda v: v.query.band_shadow_id == first)
    assert f"of shadow {first} " in panel.band_label.text()
    assert _band_holds(panel, PLACE)


def _band_holds(panel: SunPanel, place: tuple[float, float]) -> bool:
    """Whether the drawn band (GeoJSON MultiPolygon, lon/lat) holds the place."""
    from matplotlib.path import Path as Outline

    return any(
        Outline(np.asarray(poly[0])).contains_point((place[1], place[0]))
        for f in panel.view.layers["sun_band"]["features"]
        for poly in f["geometry"]["coordinates"]
    )

"""What the Bearing tool stores is typed inputs the registry recomputes to the stored result.

The frame is the synthetic one of ``tests.ui.test_bearing_tool`` (a camera of known position,
field of view, yaw, pitch and 10 degrees of roll): the tool's clicks, field of view from two
references and range from a known height are stored, and ``workbench.observations`` must
give back the stored azimuth, sigma (the spin box's, to its 3 decimals) and range fix exactly.
"""

from __future__ import annotations

import math

import pytest

from analysis.geometry import geodesy
from analysis.geometry.camera import enu_direction
from tests.ui.test_bearing_tool import (
    CAMERA,
    TIMEOUT,
    case,  # noqa: F401 - a fixture
    make_scene,
    make_tool,
    open_map,
    setup_case,
)
from workbench import geodata, geodata_records, observations
from workbench.observations.bearing_model import BEARING_SCHEMA


def _pixel(scene, azimuth_deg: float, elevation_deg: float) -> tuple[float, float]:
    x, y = scene.camera.project(enu_direction(azimuth_deg, elevation_deg))[0]
    return float(x), float(y)


@pytest.mark.parametrize("typed_sigma", [None, 0.25], ids=["sigma from clicks", "typed sigma"])
def test_the_stored_bearing_recomputes_exactly_from_its_inputs(
    qtbot,
    map_panel,
    case,  # noqa: F811
    tmp_path,
    typed_sigma,
):
    scene = make_scene(10.0)
    ids = setup_case(case, tmp_path, scene)
    second = geodesy.destination(CAMERA, 95.0, 1500.0)
    ids["second"] = geodata.add_landmark(case, "Mast", second.lat_deg, second.lon_deg).result()
    distance = geodesy.inverse(CAMERA, scene.target).distance_m
    top, bottom = (
        _pixel(scene, scene.target_azimuth_deg, math.degrees(math.atan2(dz, distance)))
        for dz in (8.0, -20.0)
    )
    open_map(qtbot, map_panel, case)
    tool, _viewer = make_tool(qtbot, map_panel, case, ids)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    tool.reference2_combo.setCurrentIndex(tool.reference2_combo.findData(ids["second"]))
    for key, px in (("horizon 1", scene.horizon_px[0]), ("horizon 2", scene.horizon_px[1])):
        tool.set_pixel(key, px)
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("reference2", _pixel(scene, geodesy.azimuth_deg(CAMERA, second), 1.0))
    tool.set_pixel("target", bottom)
    tool.set_pixel("top", top)
    tool.set_pixel("bottom", bottom)
    tool.fov_button.click()
    tool.height_spin.setValue(28.0)
    tool.set_sigma(typed_sigma)
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [row] = geodata_records.list_observations(case.read(), "bearing")
    obs = observations.read(row)
    m = obs.inputs.measurement
    assert obs.stored_schema == BEARING_SCHEMA and m is not None
    assert (m.click_sigma_px is None) == (typed_sigma is not None)
    assert m.second_reference.landmark_id == ids["second"]
    assert observations.recompute(row) == obs.result  # azimuth, sigma, check, range fix
    assert obs.result.azimuth_deg == pytest.approx(scene.target_azimuth_deg, abs=1e-3)
    assert obs.result.sigma_deg == tool.sigma_spin.value()  # what the analyst saw
    if typed_sigma is not None:
        assert obs.result.sigma_deg == typed_sigma
    assert obs.result.hfov_from_references_deg == pytest.approx(m.hfov_deg, abs=5e-4)
    assert geodesy.distance_m(obs.result.range_fix.position, scene.target) < 1.0
    assert row.inputs["roll_deg"] == pytest.approx(10.0, abs=1e-3)  # recorded as before

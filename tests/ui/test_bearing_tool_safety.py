"""The Bearing tool refuses a camera that did not film the picture on screen, keeps each
camera's field of view to itself, and does not default its reference to a target.

Two pictures of one scene, each linked to its own camera position (as the sample case's two
videos are): the tool's camera follows the picture; choosing the other picture's camera is
refused with the reason, Add disabled, and no azimuth given. A screenshot of the refusal
with the opened uncertainty is written when ``GW_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.geometry import geodesy
from tests.ui.test_bearing_tool import CAMERA, make_scene, make_tool, render
from tests.ui.test_map_panel import TIMEOUT, open_map
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.case.intake import import_file


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "safety.gwcase", title="Two videos")
    yield c
    c.close()


def _two_pictures(case, tmp_path) -> dict:
    first, second = make_scene(10.0), make_scene(4.0, yaw_deg=92.0)
    ev1 = import_file(case, render(first, tmp_path / "rooftop.jpg")).id
    ev2 = import_file(case, render(second, tmp_path / "second.jpg")).id
    other = geodesy.destination(CAMERA, 200.0, 900.0)
    ids = {"ev1": ev1, "ev2": ev2, "scene1": first, "scene2": second}
    ids["school"] = geodata.add_landmark(
        case, "School compound", first.target.lat_deg, first.target.lon_deg, kind="target"
    ).result()
    ids["tower"] = geodata.add_landmark(
        case, "Water tower", first.reference.lat_deg, first.reference.lon_deg
    ).result()
    ids["cam1"] = geodata.add_landmark(
        case, "Rooftop camera", CAMERA.lat_deg, CAMERA.lon_deg, kind="camera", evidence_id=ev1
    ).result()
    ids["cam2"] = geodata.add_landmark(
        case, "Second camera", other.lat_deg, other.lon_deg, kind="camera", evidence_id=ev2
    ).result()
    return ids


def test_the_camera_follows_the_picture_and_a_mismatch_is_refused(qtbot, map_panel, case, tmp_path):
    ids = _two_pictures(case, tmp_path)
    open_map(qtbot, map_panel, case)
    tool, viewer = make_tool(qtbot, map_panel, case, {"evidence": ids["ev1"]})
    assert tool.camera_combo.currentData() == ids["cam1"]  # the picture's own camera
    assert tool.reference_combo.currentData() == ids["tower"]  # not the target
    tool.set_hfov(40.0)  # typed for the rooftop camera
    scene = ids["scene1"]
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", scene.target_px)
    assert tool.solution is not None and tool.add_button.isEnabled()
    assert not tool.refusal_label.isVisibleTo(tool)

    # the second picture: its camera comes with it, and not the rooftop's field of view
    from tests.ui.test_bearing_tool import frame_of

    tool.set_frame(frame_of(case, ids["ev2"]))
    assert tool.camera_combo.currentData() == ids["cam2"]
    assert tool.fov.source.startswith("exif:") and tool.fov.value() != 40.0
    # the analyst puts the Camera box back on the rooftop: refused, with the reason
    assert tool.select_camera(ids["cam1"])
    tool.set_pixel("reference", ids["scene2"].reference_px)
    tool.set_pixel("target", ids["scene2"].target_px)
    assert tool.solution is None and not tool.add_button.isEnabled()
    assert tool.refusal_label.isVisibleTo(tool)
    text = tool.refusal_label.text()
    assert "Rooftop camera" in text and "Second camera" in text and "second.jpg" in text
    tool.add_bearing()  # refused even through the API
    assert geodata_records.list_observations(case.read(), "bearing") == []
    shots = os.environ.get("GW_SCREENSHOTS")
    if shots:
        tool.sigma_panel.toggle.setChecked(True)
        tool.resize(560, 900)
        tool.grab().save(str(Path(shots) / "bearing_tool_refused_camera.png"))

    # back on the rooftop's picture: its camera, and the field of view typed for it
    tool.set_frame(frame_of(case, ids["ev1"]))
    assert tool.camera_combo.currentData() == ids["cam1"]
    assert tool.fov.value() == pytest.approx(40.0) and tool.fov.source == "typed"


def test_the_uncertainty_opens_into_its_parts_and_is_stored_with_them(
    qtbot, map_panel, case, tmp_path
):
    ids = _two_pictures(case, tmp_path)
    geodata.set_position_sigma(case, ids["tower"], 3.0).result()
    open_map(qtbot, map_panel, case)
    tool, viewer = make_tool(qtbot, map_panel, case, {"evidence": ids["ev1"]})
    scene = ids["scene1"]
    for key, px in (("reference", scene.reference_px), ("target", scene.target_px)):
        tool.set_pixel(key, px)
    tool.set_pixel("horizon 1", scene.horizon_px[0])
    tool.set_pixel("horizon 2", scene.horizon_px[1])
    assert tool.sigma_panel.reference_spin.value() == 3.0  # the landmark's stated one
    tool.sigma_panel.toggle.setChecked(True)
    text = tool.sigma_panel.breakdown.text()
    assert "clicks" in text and "reference position" in text and "± 3 m" in text
    assert tool.sigma_spin.value() == pytest.approx(tool.sigma_parts.sigma_deg, abs=5e-4)
    shots = os.environ.get("GW_SCREENSHOTS")
    if shots:
        tool.resize(560, 900)
        tool.grab().save(str(Path(shots) / "bearing_tool_sigma_breakdown.png"))
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [row] = geodata_records.list_observations(case.read(), "bearing")
    assert row.inputs["sigma_sources"]["reference_sigma_m"] == 3.0
    assert row.result["sigma_deg"] == tool.sigma_spin.value()
    assert [p[0] for p in row.result["sigma_parts"]][:2] == ["clicks", "levelling"]


def test_a_resected_camera_states_its_uncertainty_from_its_ellipse():
    from ui.geometry.resection_tool import resected_sigma_m

    ellipse = {"semi_major_m": 24.477, "semi_minor_m": 5.0, "confidence": 0.95}
    assert resected_sigma_m(ellipse) == pytest.approx(10.0, abs=1e-3)
    assert resected_sigma_m(None) is None

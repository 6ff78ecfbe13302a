"""The resection tool on a frame rendered with a known camera: clicks in, camera position out.

A camera of known position, field of view (EXIF 35 mm focal length), yaw, pitch and 6 degrees
of roll sees four landmarks of known position at different heights; ``PinholeCamera.project``
gives their exact pixels and two horizon pixels, so the truth of the fix is the camera itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from analysis.geometry import geodesy
from analysis.geometry.camera import PinholeCamera, enu_direction, hfov_from_focal_35mm
from analysis.geometry.geodesy import LatLon
from tests.ui.test_bearing_tool import CAMERA, FOCAL_35MM, SIZE, click_pixel, frame_of
from tests.ui.test_map_panel import TIMEOUT, js, open_map
from ui.geometry.resection_tool import ResectionTool
from ui.video.image_viewer import ImageViewer
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file

YAW, PITCH, ROLL = 95.0, -2.0, 6.0
# (name, azimuth from the camera, distance, elevation of the clicked point)
LANDMARKS = (
    ("Minaret", 76.0, 900.0, 3.0),
    ("Water tower", 88.0, 1400.0, 1.5),
    ("School", 104.0, 700.0, -2.5),
    ("Grain silo", 117.0, 1100.0, 0.5),
)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "resection.gwcase", title="Resection tool")
    yield c
    c.close()


def scene_pixels() -> tuple[dict[str, tuple[float, float]], tuple[tuple[float, float], ...]]:
    cam = PinholeCamera(SIZE[0], SIZE[1], hfov_from_focal_35mm(FOCAL_35MM), YAW, PITCH, ROLL)

    def px(az: float, el: float) -> tuple[float, float]:
        x, y = cam.project(enu_direction(az, el))[0]
        return float(x), float(y)

    pixels = {}
    for name, az, dist, el in LANDMARKS:
        mark = geodesy.destination(CAMERA, az, dist)
        pixels[name] = px(geodesy.azimuth_deg(CAMERA, mark), el)
    return pixels, (px(YAW - 25.0, 0.0), px(YAW + 25.0, 0.0))


def render_frame(path, pixels, horizon) -> None:
    w, h = SIZE
    (x1, y1), (x2, y2) = horizon
    yy, xx = np.mgrid[0:h, 0:w]
    below = (yy - y1) * (x2 - x1) - (xx - x1) * (y2 - y1) > 0
    rgb = np.repeat(np.where(below, 70, 170).astype(np.uint8)[..., None], 3, axis=2)
    for x, y in pixels.values():
        rgb[int(round(y)) - 1 : int(round(y)) + 2, int(round(x)) - 1 : int(round(x)) + 2] = 255
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = FOCAL_35MM
    Image.fromarray(rgb).save(path, exif=exif, quality=95)


def test_four_clicked_landmarks_put_the_camera_where_it_stood_and_undo(
    qtbot, map_panel, case, tmp_path
):
    pixels, horizon = scene_pixels()
    render_frame(tmp_path / "frame.jpg", pixels, horizon)
    evidence = import_file(case, tmp_path / "frame.jpg").id
    ids = {}
    for name, az, dist, _el in LANDMARKS:
        p = geodesy.destination(CAMERA, az, dist)
        ids[name] = geodata.add_landmark(case, name, p.lat_deg, p.lon_deg).result()
    open_map(qtbot, map_panel, case)
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(500, 400)
    viewer.show()
    viewer.set_image(
        QImage(str(case.evidence_dir / get_evidence(case.read(), evidence).stored_name))
    )
    tool = ResectionTool(map_panel.service, map_panel.jobs, picks=map_panel.picks)
    qtbot.addWidget(tool)
    viewer.pixel_clicked.connect(tool.on_pixel_clicked)
    tool.set_viewer(viewer)
    tool.set_frame(frame_of(case, evidence))
    tool.refresh()
    qtbot.waitUntil(lambda: tool.landmark_combo.count() == len(LANDMARKS), timeout=TIMEOUT)
    assert tool.fov.source == "exif:focal_length_35mm=31 mm"
    assert not tool.resect_button.isEnabled()

    # One landmark by a real mouse click on the zoomed viewer, the rest through the API.
    viewer.actual_size()
    viewer.zoom_in(), viewer.zoom_in(), viewer.zoom_in()
    assert tool.select_landmark(ids["Minaret"])
    tool.click_button.click()
    assert viewer.armed and tool.armed_key == f"seen {ids['Minaret']}"
    viewer.centerOn(*pixels["Minaret"])
    click_pixel(qtbot, viewer, pixels["Minaret"])
    assert not viewer.armed
    assert tool.seen_pixels()[ids["Minaret"]] == pytest.approx(pixels["Minaret"], abs=0.5)
    tool.set_pixel(f"seen {ids['Minaret']}", pixels["Minaret"])  # exact, for the comparison
    for name in ("Water tower", "School", "Grain silo"):
        tool.set_pixel(f"seen {ids[name]}", pixels[name])
    tool.set_pixel("horizon 1", horizon[0])
    tool.set_pixel("horizon 2", horizon[1])
    assert tool.seen_list.count() == 4 and tool.resect_button.isEnabled()
    assert sorted(m.text() for m in tool.markers._items.values()) == sorted(
        [name for name, *_ in LANDMARKS] + ["horizon 1", "horizon 2"]
    )

    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.resect_button.click()
    qtbot.waitUntil(lambda: tool.last_result is not None, timeout=TIMEOUT)
    [obs] = geodata_records.list_observations(case.read(), "resection")
    fix = LatLon(obs.result["lat_deg"], obs.result["lon_deg"])
    assert geodesy.distance_m(fix, CAMERA) < 0.01
    assert obs.result["orientation_deg"] == pytest.approx(YAW, abs=1e-4)
    assert obs.result["well_conditioned"]
    assert obs.result["roll_deg"] == pytest.approx(ROLL, abs=1e-6)
    assert obs.inputs["hfov_source"] == "exif:focal_length_35mm=31 mm"
    assert obs.evidence_id == evidence and obs.frame_index is None
    assert "Camera at" in tool.result_label.text()
    qtbot.waitUntil(
        lambda: js(qtbot, map_panel, "GW.featureCount('sightlines')") == len(LANDMARKS),
        timeout=TIMEOUT,
    )
    assert js(qtbot, map_panel, "GW.featureCount('ellipses')") == 2  # the fix and its ellipse

    # The field of view estimated from the four landmarks instead of read from EXIF.
    tool.estimate_check.setChecked(True)
    assert tool.last_result is None and tool.resect_button.isEnabled()
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.resect_button.click()
    qtbot.waitUntil(lambda: tool.last_result is not None, timeout=TIMEOUT)
    assert tool.last_result["hfov_deg"] == pytest.approx(hfov_from_focal_35mm(FOCAL_35MM), abs=1e-3)
    assert "Field of view estimated" in tool.result_label.text()
    [_, estimated] = geodata_records.list_observations(case.read(), "resection")
    assert estimated.inputs["estimate_hfov"] and estimated.inputs["hfov_source"] == "estimated"
    assert (
        geodesy.distance_m(LatLon(estimated.result["lat_deg"], estimated.result["lon_deg"]), CAMERA)
        < 0.05
    )
    map_panel.undo_stack.undo()
    qtbot.waitUntil(
        lambda: len(geodata_records.list_observations(case.read(), "resection")) == 1,
        timeout=TIMEOUT,
    )
    tool.show_result(obs.result)

    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.place_button.click()
    tool.refresh()  # as the main window does after a write: the fix stays shown
    qtbot.waitUntil(lambda: tool.landmark_combo.count() == len(LANDMARKS) + 1, timeout=TIMEOUT)
    assert tool.last_result is not None and tool.place_button.isEnabled()
    [camera] = geodata_records.list_landmarks(case.read(), "camera")
    assert geodesy.distance_m(camera.position, CAMERA) < 0.01
    assert camera.evidence_id == evidence and camera.name == "Camera of frame.jpg (resected)"

    map_panel.undo_stack.undo()  # the camera
    map_panel.undo_stack.undo()  # the resection
    qtbot.waitUntil(
        lambda: js(qtbot, map_panel, "GW.featureCount('sightlines')") == 0, timeout=TIMEOUT
    )
    assert geodata_records.list_observations(case.read(), "resection") == []
    assert geodata_records.list_landmarks(case.read(), "camera") == []


def test_remove_and_change_of_picture_forget_the_clicks(qtbot, map_panel, case, tmp_path):
    pixels, horizon = scene_pixels()
    render_frame(tmp_path / "frame.jpg", pixels, horizon)
    evidence = import_file(case, tmp_path / "frame.jpg").id
    ids = {}
    for name, az, dist, _el in LANDMARKS[:3]:
        p = geodesy.destination(CAMERA, az, dist)
        ids[name] = geodata.add_landmark(case, name, p.lat_deg, p.lon_deg).result()
    open_map(qtbot, map_panel, case)
    tool = ResectionTool(map_panel.service, map_panel.jobs, picks=map_panel.picks)
    qtbot.addWidget(tool)
    tool.set_frame(frame_of(case, evidence))
    tool.refresh()
    qtbot.waitUntil(lambda: tool.landmark_combo.count() == 3, timeout=TIMEOUT)
    for name in ids:
        tool.set_pixel(f"seen {ids[name]}", pixels[name])
    assert tool.resect_button.isEnabled()
    tool.seen_list.item(0).setSelected(True)
    tool.remove_button.click()
    assert list(tool.seen_pixels()) == [ids["Water tower"], ids["School"]]
    assert not tool.resect_button.isEnabled()
    assert "Click 1 more" in tool.result_label.text()
    tool.estimate_check.setChecked(True)  # four are needed to estimate the field of view
    assert "Click 2 more" in tool.result_label.text()
    tool.estimate_check.setChecked(False)
    tool.set_pixel(f"seen {ids['Minaret']}", pixels["Minaret"])
    # A result that arrives after the clicks changed is not shown (the press still stored it).
    tool.resect_button.click()
    assert not tool.resect_button.isEnabled()  # one resection per press
    tool.set_pixel(f"seen {ids['Minaret']}", (pixels["Minaret"][0] + 5.0, pixels["Minaret"][1]))
    qtbot.waitUntil(
        lambda: len(geodata_records.list_observations(case.read(), "resection")) == 1,
        timeout=TIMEOUT,
    )
    qtbot.waitUntil(lambda: tool.resect_button.isEnabled(), timeout=TIMEOUT)
    assert tool.last_result is None and not tool.place_button.isEnabled()
    tool.show_result(
        {
            "lat_deg": 1.0, "lon_deg": 2.0, "orientation_deg": 3.0, "orientation_sigma_deg": 0.1,
            "pitch_deg": 0.0, "roll_deg": 0.0, "hfov_sigma_deg": None,
            "ellipse": {"semi_major_m": 5, "semi_minor_m": 4, "azimuth_deg": 0, "confidence": 0.95},
            "residuals": [], "well_conditioned": True, "message": "",
        }
    )  # fmt: skip
    assert tool.place_button.isEnabled()
    tool.fov.spin.setValue(40.0)  # the fix shown no longer follows from the inputs
    assert tool.last_result is None and not tool.place_button.isEnabled()
    # Clicks belong to one frame: another frame of the same video clears them.
    still = frame_of(case, evidence)
    tool.set_frame(replace(still, frame_index=10))
    tool.set_pixel(f"seen {ids['School']}", pixels["School"])
    tool.set_frame(replace(still, frame_index=10))  # the same frame again (a zoom): kept
    assert list(tool.seen_pixels()) == [ids["School"]]
    tool.set_frame(replace(still, frame_index=11))
    assert tool.seen_pixels() == {}
    tool.set_pixel(f"seen {ids['School']}", pixels["School"])
    tool.set_frame(None)
    assert tool.seen_pixels() == {} and tool.seen_list.count() == 0

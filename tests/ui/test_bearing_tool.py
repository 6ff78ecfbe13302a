"""The bearing and alignment tools against a synthetic frame rendered with a known camera.

The frame is a picture made here: a camera of known position, field of view (from the
JPEG's EXIF 35 mm focal length), yaw, pitch and 10 degrees of roll looks at a reference
landmark and a target of known positions; ``PinholeCamera.project`` places their markers,
so the true pixel of each is known exactly and the true azimuth is the geodesic one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.bearing import (
    BearingSetup,
    default_sigma_deg,
    fov_from_metadata,
    hfov_from_references,
    pixel_aspect_of,
    range_from_height,
    solve_bearing,
)
from analysis.geometry.bearing_sigma import describe
from analysis.geometry.camera import PinholeCamera, enu_direction, hfov_from_focal_35mm
from analysis.geometry.geodesy import LatLon
from tests.ui.test_map_panel import TIMEOUT, js, open_map
from ui.geometry.bearing_tool import BearingTool
from ui.geometry.pixel_tool import FrameRef
from ui.video.image_viewer import ImageViewer
from workbench import geodata, geodata_records
from workbench.case import audit, create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file
from workbench.geolayers import build_layers

CAMERA = LatLon(35.6205, 36.5200)
FOCAL_35MM = 31  # EXIF: hfov = 2 atan(18 / 31) = 60.28 deg
SIZE = (640, 480)


@dataclass(frozen=True)
class Scene:
    """A rendered frame's truth: the camera and the pixels of what it sees."""

    camera: PinholeCamera
    reference: LatLon
    target: LatLon
    target_azimuth_deg: float  # geodesic, from the camera: the truth
    reference_px: tuple[float, float]
    target_px: tuple[float, float]
    horizon_px: tuple[tuple[float, float], tuple[float, float]]


def make_scene(roll_deg: float, *, yaw_deg: float = 88.0, pitch_deg: float = 1.5) -> Scene:
    hfov = hfov_from_focal_35mm(FOCAL_35MM)
    cam = PinholeCamera(SIZE[0], SIZE[1], hfov, yaw_deg, pitch_deg, roll_deg)
    reference = geodesy.destination(CAMERA, 79.0, 2000.0)
    target = geodesy.destination(CAMERA, 101.5, 2800.0)
    ref_az, tgt_az = geodesy.azimuth_deg(CAMERA, reference), geodesy.azimuth_deg(CAMERA, target)

    def px(az: float, el: float) -> tuple[float, float]:
        x, y = cam.project(enu_direction(az, el))[0]
        return float(x), float(y)

    return Scene(
        cam,
        reference,
        target,
        tgt_az,
        px(ref_az, 2.0),  # a water tower's tank, above the horizon
        px(tgt_az, -4.0),  # a flash on the ground, below it
        (px(yaw_deg - 22.0, 0.0), px(yaw_deg + 22.0, 0.0)),
    )


def render(scene: Scene, path: Path) -> Path:
    """A grey frame with a dark ground below the horizon and bright dots at the two pixels."""
    w, h = SIZE
    (x1, y1), (x2, y2) = scene.horizon_px
    yy, xx = np.mgrid[0:h, 0:w]
    below = (yy - y1) * (x2 - x1) - (xx - x1) * (y2 - y1) > 0
    rgb = np.where(below[..., None], np.uint8(70), np.uint8(170)).astype(np.uint8)
    rgb = np.repeat(rgb, 3, axis=2) if rgb.shape[2] == 1 else rgb
    for (x, y), colour in ((scene.reference_px, (0, 255, 255)), (scene.target_px, (255, 40, 0))):
        rgb[int(round(y)) - 1 : int(round(y)) + 2, int(round(x)) - 1 : int(round(x)) + 2] = colour
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = FOCAL_35MM  # FocalLengthIn35mmFilm
    Image.fromarray(rgb).save(path, exif=exif, quality=95)
    return path


def test_roll_of_10_degrees_levelled_on_the_horizon_gives_the_true_azimuth():
    scene = make_scene(10.0)
    setup = BearingSetup(
        *SIZE,
        scene.camera.hfov_deg,
        CAMERA,
        scene.reference,
        scene.reference_px,
        scene.target_px,
        scene.horizon_px,
    )
    s = solve_bearing(setup)
    assert s.azimuth_deg == pytest.approx(scene.target_azimuth_deg, abs=1e-6)
    assert (s.pitch_deg, s.roll_deg) == pytest.approx((1.5, 10.0), abs=1e-6)
    assert s.view_azimuth_deg == pytest.approx(88.0, abs=1e-6)
    unlevelled = solve_bearing(replace(setup, horizon_px=None))
    assert (
        abs(unlevelled.azimuth_deg - scene.target_azimuth_deg) > 0.5
    )  # roll matters: far beyond the 0.05 deg asked


def test_field_of_view_sigma_and_pixel_aspect_helpers():
    fov = fov_from_metadata({"camera": {"focal_length_35mm": 26.0}})
    assert fov.hfov_deg == pytest.approx(math.degrees(2 * math.atan(18 / 26)))
    assert fov.source == "exif:focal_length_35mm=26 mm"
    assert fov_from_metadata({"camera": {"focal_length_35mm": None}}) is None
    # An upright portrait photo: the 36 mm side is vertical, the width sees 24 mm of it.
    portrait = fov_from_metadata({"camera": {"focal_length_35mm": 26.0}}, 3000, 4500)
    assert portrait.hfov_deg == pytest.approx(math.degrees(2 * math.atan(12 / 26)))
    assert "portrait" in portrait.source
    assert default_sigma_deg(1000, 50.0, 0.5) == pytest.approx(math.sqrt(2) * 0.025)
    assert pixel_aspect_of((4, 3), 0) == pytest.approx(4 / 3)
    assert pixel_aspect_of((4, 3), 90) == pytest.approx(3 / 4)
    assert pixel_aspect_of((0, 1), 0) == 1.0
    with pytest.raises(GeometryError, match="coincide"):
        scene = make_scene(0.0)
        p = scene.horizon_px[0]
        solve_bearing(BearingSetup(*SIZE, 60.0, CAMERA, scene.reference, p, p, (p, p)))


# -- the tool on a case, with the map ------------------------------------------------------
@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "bearing.gwcase", title="Bearing tool")
    yield c
    c.close()


def setup_case(case, tmp_path, scene: Scene) -> dict:
    imported = import_file(case, render(scene, tmp_path / "frame.jpg"))
    ids = {
        "evidence": imported.id,
        "camera": geodata.add_landmark(
            case, "Rooftop", CAMERA.lat_deg, CAMERA.lon_deg, kind="camera"
        ).result(),
        "reference": geodata.add_landmark(
            case, "Water tower", scene.reference.lat_deg, scene.reference.lon_deg
        ).result(),
    }
    return ids


def frame_of(case, evidence_id: int) -> FrameRef:
    e = get_evidence(case.read(), evidence_id)
    return FrameRef(e.id, e.sha256, e.original_name, *SIZE, None, 1.0, e.metadata)


def click_pixel(qtbot, viewer: ImageViewer, px: tuple[float, float]) -> None:
    """A real mouse click on the viewer at the viewport pixel showing image pixel ``px``."""
    at = viewer.viewportTransform().map(QPointF(px[0] + 0.5, px[1] + 0.5))
    QTest.mouseClick(
        viewer.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(int(math.floor(at.x())), int(math.floor(at.y()))),
    )


def make_tool(qtbot, map_panel, case, ids) -> tuple[BearingTool, ImageViewer]:
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(500, 400)
    viewer.show()
    viewer.set_image(
        QImage(str(case.evidence_dir / get_evidence(case.read(), ids["evidence"]).stored_name))
    )
    tool = BearingTool(map_panel.service, map_panel.jobs, picks=map_panel.picks)
    qtbot.addWidget(tool)
    viewer.pixel_clicked.connect(tool.on_pixel_clicked)
    tool.set_viewer(viewer)
    tool.set_frame(frame_of(case, ids["evidence"]))
    tool.refresh()
    cameras = len(geodata_records.list_landmarks(case.read(), "camera"))
    qtbot.waitUntil(lambda: tool.camera_combo.count() == cameras, timeout=TIMEOUT)
    return tool, viewer


def test_clicks_give_the_true_azimuth_and_the_bearing_reaches_the_map_and_undoes(
    qtbot, map_panel, case, tmp_path
):
    scene = make_scene(10.0)
    ids = setup_case(case, tmp_path, scene)
    open_map(qtbot, map_panel, case)
    tool, viewer = make_tool(qtbot, map_panel, case, ids)
    assert tool.fov.source == "exif:focal_length_35mm=31 mm"
    assert tool.fov.spin.value() == pytest.approx(scene.camera.hfov_deg, abs=1e-3)
    assert tool.select_camera(ids["camera"]) and tool.select_reference(ids["reference"])
    # Horizon: two real clicks on the zoomed viewer (armed: a click is a pixel, not a pan).
    viewer.actual_size()
    viewer.zoom_in(), viewer.zoom_in(), viewer.zoom_in()  # 1.95x: a viewport pixel < 0.6 px
    tool.horizon_button.click()
    assert viewer.armed and tool.armed_key == "horizon 1"
    for key, px in zip(("horizon 1", "horizon 2"), scene.horizon_px, strict=True):
        viewer.centerOn(px[0], px[1])
        click_pixel(qtbot, viewer, px)
        assert tool.pixels[key] == pytest.approx(px, abs=0.5 / viewer.zoom + 1e-9)
    assert not viewer.armed  # disarmed after the second horizon click: drag pans again
    tool.set_pixel("reference", scene.reference_px)  # the API
    tool.target_button.click()
    viewer.centerOn(*scene.target_px)
    click_pixel(qtbot, viewer, scene.target_px)
    assert tool.pixels["target"] == pytest.approx(scene.target_px, abs=0.5 / viewer.zoom + 1e-9)
    assert tool.solution.azimuth_deg == pytest.approx(scene.target_azimuth_deg, abs=0.05)
    assert tool.solution.roll_deg == pytest.approx(10.0, abs=0.2)
    labels = sorted(m.text() for m in tool.markers._items.values())
    assert labels == ["horizon 1", "horizon 2", "reference", "target"]
    assert all(m.scene() is viewer.scene() for m in tool.markers._items.values())
    # the uncertainty is built from its parts (clicks at the zoom used, the landmark's and
    # camera's stated position, the field of view, levelling), not from a 0.5 px click alone
    sigma = tool.sigma_spin.value()
    parts = tool.sigma_parts
    assert sigma == pytest.approx(parts.sigma_deg, abs=5e-4)
    assert sigma > default_sigma_deg(SIZE[0], scene.camera.hfov_deg)
    names = [p.name for p in parts.parts]
    assert names[:3] == ["clicks", "levelling", "reference position"]
    assert tool.sigma_panel.click_spin.value() == 1.0  # 1.5 screen px at 1.95x, floor 1 px
    print(describe(parts))

    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    qtbot.waitUntil(lambda: js(qtbot, map_panel, "GW.featureCount('rays')") == 1, timeout=TIMEOUT)
    assert js(qtbot, map_panel, "GW.featureCount('wedges')") == 1
    [obs] = geodata_records.list_observations(case.read(), "bearing")
    i = obs.inputs
    assert obs.evidence_id == ids["evidence"] and obs.frame_index is None
    assert obs.result["azimuth_deg"] == pytest.approx(scene.target_azimuth_deg, abs=0.05)
    assert i["reference_id"] == ids["reference"] and i["camera_id"] == ids["camera"]
    assert i["target_px"] == pytest.approx(list(tool.pixels["target"]))
    assert i["reference_px"] == pytest.approx(list(scene.reference_px))
    assert i["hfov_source"] == "exif:focal_length_35mm=31 mm"
    assert i["hfov_deg"] == pytest.approx(scene.camera.hfov_deg, abs=1e-3)
    assert i["view_azimuth_deg"] == pytest.approx(88.0, abs=0.1)
    assert i["evidence_sha256"] == get_evidence(case.read(), ids["evidence"]).sha256
    assert i["roll_deg"] == pytest.approx(10.0, abs=0.2) and len(i["horizon_px"]) == 2
    entry = audit.entries(case.read())[-1]
    assert entry.action == "observation.bearing" and entry.target == f"observation:{obs.id}"
    assert entry.details["inputs"]["target_px"] == i["target_px"]

    map_panel.undo_stack.undo()
    qtbot.waitUntil(lambda: js(qtbot, map_panel, "GW.featureCount('rays')") == 0, timeout=TIMEOUT)
    assert geodata_records.list_observations(case.read(), "bearing") == []


def test_intersect_selected_bearings_stores_the_fix_and_draws_the_ellipse(
    qtbot, map_panel, case, tmp_path
):
    scene = make_scene(0.0)
    ids = setup_case(case, tmp_path, scene)
    second = geodesy.destination(scene.target, 200.0, 1500.0)
    cam2 = geodata.add_landmark(case, "Street", second.lat_deg, second.lon_deg, kind="camera")
    cam2 = cam2.result()
    back = geodesy.azimuth_deg(second, scene.target)
    geodata.add_bearing(case, cam2, back, 0.05).result()
    open_map(qtbot, map_panel, case)
    tool, _viewer = make_tool(qtbot, map_panel, case, ids)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", scene.target_px)
    assert tool.solution.azimuth_deg == pytest.approx(scene.target_azimuth_deg, abs=0.05)
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_bearing()
    tool.refresh()
    qtbot.waitUntil(lambda: tool.bearing_list.count() == 2, timeout=TIMEOUT)
    assert not tool.intersect_button.isEnabled()
    for obs in tool.bearings:
        tool.set_bearing_checked(obs.id)
    assert tool.intersect_button.isEnabled()
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.intersect_button.click()
    qtbot.waitUntil(
        lambda: js(qtbot, map_panel, "GW.featureCount('ellipses')") >= 1, timeout=TIMEOUT
    )
    [fix] = geodata_records.list_observations(case.read(), "intersection")
    found = LatLon(fix.result["lat_deg"], fix.result["lon_deg"])
    assert geodesy.distance_m(found, scene.target) < 5.0  # 0.05 deg at 2.8 km is 2.4 m
    assert sorted(fix.inputs["bearing_ids"]) == sorted(o.id for o in tool.bearings)


def test_map_clicks_pick_the_camera_and_reference_and_an_unarmed_viewer_only_pans(
    qtbot, map_panel, case, tmp_path
):
    scene = make_scene(0.0)
    ids = setup_case(case, tmp_path, scene)
    open_map(qtbot, map_panel, case)
    tool, viewer = make_tool(qtbot, map_panel, case, ids)
    with qtbot.assertNotEmitted(viewer.pixel_clicked):
        click_pixel(qtbot, viewer, scene.target_px)
    assert tool.pixels == {}
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):  # the map's camera tool
        map_panel.bridge.point_picked.emit("camera", 35.6301, 36.5102, 0.6)
    tool.refresh()
    qtbot.waitUntil(lambda: tool.camera_combo.count() == 2, timeout=TIMEOUT)
    new = tool.landmark(tool.camera_combo.currentData())
    assert (new.lat_deg, new.lon_deg) == (35.6301, 36.5102) and new.id != ids["camera"]
    map_panel.bridge.feature_clicked.emit(f"landmark:{ids['camera']}")
    assert tool.camera_combo.currentData() == ids["camera"]
    other = geodata.add_landmark(case, "Mosque", 35.63, 36.56).result()
    tool.refresh()
    qtbot.waitUntil(lambda: tool.reference_combo.count() == 2, timeout=TIMEOUT)
    map_panel.bridge.feature_clicked.emit(f"landmark:{other}")
    assert tool.reference_combo.currentData() == other
    tool.set_frame(replace(frame_of(case, ids["evidence"]), evidence_id=99, metadata={}))
    assert tool.fov.source.startswith("unchecked")  # no EXIF: the old value is not a source


# -- the main window -----------------------------------------------------------------------
def test_main_window_routes_viewer_clicks_to_the_tools_and_adds_an_undoable_alignment(
    qtbot, tmp_path
):
    from tests.synth.media_factory import make_video
    from ui.case.main_window import MainWindow

    scene = make_scene(10.0)
    path = tmp_path / "window.gwcase"
    with create_case(path, title="Geometry") as c:
        ids = setup_case(c, tmp_path, scene)
        near = geodata.add_landmark(c, "Minaret", 35.6210, 36.5400).result()
        far = geodata.add_landmark(c, "Mast", 35.6220, 36.5600).result()
        video_id = import_file(c, make_video(tmp_path / "clip.mp4", size=(96, 64))).id
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
            window.open_case_path(path)
        tools = window.geometry_tools
        menu = [a for a in window.menuBar().actions() if a.text() == "&Geometry"][0]
        [action] = [a for a in menu.menu().actions() if a.shortcut().toString() == "Ctrl+B"]
        action.trigger()
        assert window.geometry_dock.isVisible() and tools.currentWidget() is tools.bearing
        window.evidence_panel.select(ids["evidence"])
        qtbot.waitUntil(lambda: tools.bearing.frame is not None, timeout=TIMEOUT)
        assert (tools.bearing.frame.width_px, tools.bearing.frame.height_px) == SIZE
        assert tools.bearing.fov.source.startswith("exif:")
        qtbot.waitUntil(lambda: tools.bearing.camera_combo.count() == 1, timeout=TIMEOUT)
        viewer = window.viewer
        viewer.actual_size()
        viewer.zoom_in(), viewer.zoom_in(), viewer.zoom_in()
        tools.bearing.reference_button.click()
        viewer.centerOn(*scene.reference_px)
        click_pixel(qtbot, viewer, scene.reference_px)
        got = tools.bearing.pixels["reference"]
        assert got == pytest.approx(scene.reference_px, abs=0.5 / viewer.zoom + 1e-9)

        tools.show_alignment_tool()
        for picked in (near, far):  # picked on the map: the near object, then the far one
            window.map_panel.bridge.feature_clicked.emit(f"landmark:{picked}")
        assert tools.alignment.ids() == (near, far)
        tools.alignment.near_button.click()
        assert tools.bearing.armed_key == "" and viewer.armed  # one tool waits at a time
        click_pixel(qtbot, viewer, scene.target_px)
        tools.alignment.set_pixel("far", (scene.target_px[0] + 1.0, scene.target_px[1] - 40.0))
        assert "do not line up" not in tools.alignment.result_label.text()
        assert "reference" in tools.bearing.pixels  # the bearing tool kept its click
        tools.alignment.add_button.click()
        qtbot.waitUntil(
            lambda: len(geodata_records.list_observations(window.case.read(), "alignment")) == 1,
            timeout=TIMEOUT,
        )
        [obs] = geodata_records.list_observations(window.case.read(), "alignment")
        assert obs.inputs["near_id"] == near and obs.inputs["far_id"] == far
        assert obs.inputs["near_px"] == pytest.approx(list(tools.alignment.pixels["near"]))
        assert obs.evidence_id == ids["evidence"]
        expected = geodesy.azimuth_deg(LatLon(35.6220, 36.5600), LatLon(35.6210, 36.5400))
        assert obs.result["azimuth_deg"] == pytest.approx(expected)
        window.undo_stack.undo()
        qtbot.waitUntil(
            lambda: geodata_records.list_observations(window.case.read(), "alignment") == [],
            timeout=TIMEOUT,
        )

        window.evidence_panel.select(video_id)  # a video: the frame on screen, its index
        qtbot.waitUntil(
            lambda: tools.alignment.frame is not None and tools.alignment.frame.frame_index == 0,
            timeout=TIMEOUT,
        )
        assert (tools.alignment.frame.width_px, tools.alignment.frame.height_px) == (96, 64)
        assert tools.alignment.pixels == {} and tools.alignment.viewer is window.video_panel.viewer
    finally:
        window.close_case()


def test_clicks_on_different_frames_are_flagged_and_recorded(qtbot, map_panel, case, tmp_path):
    scene = make_scene(0.0)
    ids = setup_case(case, tmp_path, scene)
    open_map(qtbot, map_panel, case)
    tool, _viewer = make_tool(qtbot, map_panel, case, ids)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    still = frame_of(case, ids["evidence"])
    tool.set_frame(replace(still, frame_index=10))
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", scene.target_px)
    assert "different frames" not in tool.result_label.text()
    tool.set_frame(replace(still, frame_index=25))  # the flash, 15 frames later
    tool.set_pixel("target", scene.target_px)
    assert "different frames (reference on frame 10, target on frame 25)" in (
        tool.result_label.text()
    )
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [obs] = geodata_records.list_observations(case.read(), "bearing")
    assert obs.inputs["click_frames"] == {"reference": 10, "target": 25}


def test_field_of_view_from_two_references_recovers_the_camera_and_the_azimuth(
    qtbot, map_panel, case, tmp_path
):
    # No trusted focal length: a typed 45 deg is wrong; a second landmark of known position
    # fixes the field of view, and the target's azimuth comes out right.
    scene = make_scene(10.0)
    ids = setup_case(case, tmp_path, scene)
    second = geodesy.destination(CAMERA, 95.0, 1500.0)
    ids["second"] = geodata.add_landmark(case, "Mast", second.lat_deg, second.lon_deg).result()
    az2 = geodesy.azimuth_deg(CAMERA, second)
    second_px = tuple(float(v) for v in scene.camera.project(enu_direction(az2, 1.0))[0])
    open_map(qtbot, map_panel, case)
    tool, _viewer = make_tool(qtbot, map_panel, case, ids)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    tool.reference2_combo.setCurrentIndex(tool.reference2_combo.findData(ids["second"]))
    tool.set_hfov(45.0)
    for key, px in (("horizon 1", scene.horizon_px[0]), ("horizon 2", scene.horizon_px[1])):
        tool.set_pixel(key, px)
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", scene.target_px)
    wrong = tool.solution.azimuth_deg
    assert abs(wrong - scene.target_azimuth_deg) > 0.5
    assert not tool.fov_button.isEnabled()  # the second reference is not clicked yet
    tool.set_pixel("reference2", second_px)
    assert tool.fov_button.isEnabled()
    tool.fov_button.click()
    assert tool.fov.value() == pytest.approx(scene.camera.hfov_deg, abs=1e-3)  # the spin's 3 dp
    assert tool.fov.source == "from references Water tower and Mast"
    assert tool.solution.azimuth_deg == pytest.approx(scene.target_azimuth_deg, abs=1e-3)
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [obs] = geodata_records.list_observations(case.read(), "bearing")
    assert obs.inputs["hfov_source"] == "from references Water tower and Mast"
    assert obs.inputs["fov_reference2"]["id"] == ids["second"]
    assert obs.inputs["fov_reference2"]["px"] == pytest.approx(list(second_px))
    # Re-clicking a reference afterwards leaves the value but says it no longer follows.
    tool.set_pixel("reference2", (second_px[0] + 3.0, second_px[1]))
    assert tool.fov.source.endswith("(the references changed since)")
    assert tool.fov.value() == pytest.approx(scene.camera.hfov_deg, abs=1e-3)


def test_field_of_view_from_references_refuses_what_cannot_fix_it():
    scene = make_scene(0.0)
    far = geodesy.destination(CAMERA, 95.0, 1500.0)
    far_px = tuple(float(v) for v in scene.camera.project(
        enu_direction(geodesy.azimuth_deg(CAMERA, far), 0.0))[0])  # fmt: skip
    refs = ((scene.reference, scene.reference_px), (far, far_px))
    got = hfov_from_references(*SIZE, CAMERA, refs, horizon_px=scene.horizon_px)
    assert got.hfov_deg == pytest.approx(scene.camera.hfov_deg, abs=1e-6)
    assert got.rival_deg is None  # the pixels straddle the centre: one field of view fits
    # Both references right of the centre: the angle between them rises and falls with the
    # field of view, so a narrow and a wide lens can both fit; the one nearest the analyst's
    # value is taken and the other is named.
    right = [geodesy.destination(CAMERA, az, 1800.0) for az in (100.0, 114.0)]
    right_px = [
        tuple(float(v) for v in scene.camera.project(
            enu_direction(geodesy.azimuth_deg(CAMERA, m), 0.5))[0])
        for m in right
    ]  # fmt: skip
    assert all(x > SIZE[0] / 2 for x, _ in right_px)
    pair = ((right[0], right_px[0]), (right[1], right_px[1]))
    fit = hfov_from_references(*SIZE, CAMERA, pair, horizon_px=scene.horizon_px, near_deg=55.0)
    assert fit.hfov_deg == pytest.approx(scene.camera.hfov_deg, abs=1e-6)
    assert fit.rival_deg is not None and fit.rival_deg > 90.0
    wide = hfov_from_references(*SIZE, CAMERA, pair, horizon_px=scene.horizon_px, near_deg=120.0)
    assert wide.hfov_deg == pytest.approx(fit.rival_deg)
    with pytest.raises(GeometryError, match="opposite order"):
        hfov_from_references(*SIZE, CAMERA, ((scene.reference, far_px), (far, scene.reference_px)))
    near = geodesy.destination(CAMERA, geodesy.azimuth_deg(CAMERA, scene.reference) + 0.2, 900.0)
    with pytest.raises(GeometryError, match="apart"):
        hfov_from_references(*SIZE, CAMERA, ((scene.reference, scene.reference_px), (near, far_px)))


def test_range_from_the_targets_height_makes_the_bearing_a_fix(qtbot, map_panel, case, tmp_path):
    # The target is 28 m tall (a water tower's tank top) and stands 2800 m away; the camera is
    # 20 m above its foot. Its top and bottom pixels give the range; bearing and range
    # together put it on the map from one camera.
    scene = make_scene(10.0)
    distance = geodesy.inverse(CAMERA, scene.target).distance_m
    top_el, bottom_el = (math.degrees(math.atan2(dz, distance)) for dz in (8.0, -20.0))
    top, bottom = (
        tuple(
            float(v) for v in scene.camera.project(enu_direction(scene.target_azimuth_deg, el))[0]
        )
        for el in (top_el, bottom_el)
    )
    ids = setup_case(case, tmp_path, scene)
    open_map(qtbot, map_panel, case)
    tool, _viewer = make_tool(qtbot, map_panel, case, ids)
    tool.select_camera(ids["camera"]), tool.select_reference(ids["reference"])
    for key, px in (("horizon 1", scene.horizon_px[0]), ("horizon 2", scene.horizon_px[1])):
        tool.set_pixel(key, px)
    tool.set_pixel("reference", scene.reference_px)
    tool.set_pixel("target", bottom)
    tool.set_pixel("top", top)
    tool.set_pixel("bottom", bottom)
    assert tool.range is None  # no height given yet
    tool.height_spin.setValue(28.0)
    r = tool.range
    assert r.distance_m == pytest.approx(distance, rel=1e-5)  # 3 cm at 2.8 km
    # the sigma against a numerical derivative (central: D is 1/span, far from linear at 6 px)
    up, down = (
        range_from_height(tool.setup(), (top[0], top[1] + dy), bottom, 28.0).distance_m
        for dy in (-0.25, 0.25)
    )
    slope = abs(down - up) / 0.5  # metres per pixel of the top
    assert r.sigma_m == pytest.approx(math.sqrt(2) * 0.5 * slope, rel=0.03)  # two 0.5 px clicks
    assert "Range 2,800 m" in tool.result_label.text()
    clicks_only = r.sigma_m
    tool.height_sigma_spin.setValue(2.0)  # the tank's height known to 2 m
    assert tool.range.sigma_m == pytest.approx(math.hypot(clicks_only, r.distance_m * 2.0 / 28.0))
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [obs] = geodata_records.list_observations(case.read(), "bearing")
    assert obs.inputs["range_estimate"]["distance_m"] == pytest.approx(r.distance_m)
    features = build_layers(case.read())["ellipses"]["features"]
    [fix] = [f for f in features if f["properties"]["id"] == f"observation:{obs.id}:range"]
    lon, lat = fix["geometry"]["coordinates"]
    assert geodesy.distance_m(LatLon(lat, lon), scene.target) < 0.5
    assert any(f["properties"]["id"] == f"observation:{obs.id}:range:ellipse" for f in features)
    tool.set_pixel("bottom", top)  # a bottom above the top is refused, not a negative range
    assert tool.range is None and "top does not appear above" in tool.result_label.text()

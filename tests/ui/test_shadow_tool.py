"""The Shadow tool against pictures made here with exact truth: a north-up nadir image whose
shadow points where SPA puts it at a known instant, and an oblique pinhole frame whose pixels
come from projecting known ground points. A click becomes an undoable "shadow" observation
whose 95% interval holds the true time."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QDate
from PySide6.QtGui import QImage, QUndoStack

from analysis.geometry import geodesy
from analysis.geometry.camera import PinholeCamera, enu_direction
from analysis.geometry.geodesy import LatLon
from analysis.sun.spa import sun_at
from tests.ui.test_bearing_tool import click_pixel
from ui.geodata.service import GeodataService
from ui.geometry.bearing_tool import BearingTool
from ui.geometry.pixel_tool import FrameRef
from ui.geometry.shadow_form import NADIR, OBLIQUE
from ui.geometry.shadow_tool import ShadowTool
from ui.jobs import JobRunner
from ui.video.image_viewer import ImageViewer
from workbench import geodata, geodata_records
from workbench.case import audit, create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file

PLACE = LatLon(35.62, 36.55)
WHEN = datetime(2016, 10, 26, 7, 32, tzinfo=UTC)
SIZE = (320, 240)
TIMEOUT = 10_000


@pytest.fixture
def setup(qtbot, tmp_path):
    case = create_case(tmp_path / "s.gwcase", analyst="tester")
    path = tmp_path / "nadir.png"
    Image.fromarray(np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)).save(path)
    evidence = import_file(case, path).id
    jobs = JobRunner()
    service = GeodataService(jobs, QUndoStack())
    service.set_case(case)
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(400, 320)
    viewer.show()
    viewer.set_image(QImage(str(path)))
    yield case, evidence, service, jobs, viewer
    case.close()


def _frame(case, evidence_id: int) -> FrameRef:
    e = get_evidence(case.read(), evidence_id)
    return FrameRef(e.id, e.sha256, e.original_name, *SIZE, None, 1.0, e.metadata)


def _tool(qtbot, case, evidence, service, jobs, viewer, bearing=None) -> ShadowTool:
    tool = ShadowTool(service, jobs, bearing=bearing)
    qtbot.addWidget(tool)
    viewer.pixel_clicked.connect(tool.on_pixel_clicked)
    tool.set_viewer(viewer)
    tool.set_frame(_frame(case, evidence))
    tool.date_edit.setDate(QDate(2016, 10, 26))
    marks = len(geodata_records.list_landmarks(case.read()))
    tool.refresh()
    qtbot.waitUntil(lambda: len(tool.landmarks) == marks, timeout=TIMEOUT)
    return tool


def test_nadir_clicks_become_an_undoable_shadow_holding_the_true_time(qtbot, setup) -> None:
    case, evidence, service, jobs, viewer = setup
    mark = geodata.add_landmark(case, "Minaret", PLACE.lat_deg, PLACE.lon_deg).result()
    tool = _tool(qtbot, case, evidence, service, jobs, viewer)
    tool.set_mode(NADIR)
    assert "the object's landmark" in tool.missing_label.text()
    tool.object_combo.setCurrentIndex(tool.object_combo.findData(mark))
    sun = sun_at(WHEN, PLACE.lat_deg, PLACE.lon_deg)
    shadow_az = math.radians((float(sun.azimuth_deg) + 180.0) % 360.0)
    base = (160.0, 120.0)
    tip = (base[0] + 90 * math.sin(shadow_az), base[1] - 90 * math.cos(shadow_az))
    tool.base_button.click()
    assert viewer.armed
    click_pixel(qtbot, viewer, base)  # a real click; the tool then waits for the tip
    assert tool.armed_key == "tip" and tool.pixels["base"] == pytest.approx(base, abs=1.0)
    tool.set_pixel("tip", tip)  # the API
    tool.set_pixel("base", base)
    r = tool.reading
    assert r.shadow_azimuth_deg == pytest.approx(math.degrees(shadow_az), abs=1e-6)
    assert r.azimuth_sigma_deg == pytest.approx(math.degrees(math.sqrt(2) / 90), rel=1e-6)
    assert "nan" not in tool.result_label.text().lower() and tool.add_button.isEnabled()
    with qtbot.waitSignal(service.edit_saved, timeout=TIMEOUT):
        tool.add_button.click()
    [obs] = geodata_records.list_observations(case.read(), "shadow")
    assert obs.evidence_id == evidence and obs.inputs["mode"] == NADIR
    assert obs.inputs["object_id"] == mark and obs.inputs["tip_px"] == pytest.approx(list(tip))
    [iv] = obs.result["intervals"]
    assert iv["start_utc"] <= WHEN.isoformat() <= iv["end_utc"] and iv["branch"] == "morning"
    assert audit.entries(case.read())[-1].action == "observation.shadow"
    service.undo_stack.undo()
    qtbot.waitUntil(
        lambda: geodata_records.list_observations(case.read(), "shadow") == [], timeout=TIMEOUT
    )
    service.undo_stack.redo()
    qtbot.waitUntil(
        lambda: len(geodata_records.list_observations(case.read(), "shadow")) == 1,
        timeout=TIMEOUT,
    )


CAMERA = LatLon(35.6205, 36.52)


def test_oblique_frame_through_the_bearing_geometry(qtbot, setup) -> None:
    case, evidence, service, jobs, viewer = setup
    cam = PinholeCamera(SIZE[0], SIZE[1], 60.0, yaw_deg=75.0, pitch_deg=-6.0, roll_deg=2.0)
    reference = geodesy.destination(CAMERA, 79.0, 2000.0)
    ref_az = geodesy.azimuth_deg(CAMERA, reference)
    ref_px = tuple(float(v) for v in cam.project(enu_direction(ref_az, 1.0))[0])
    horizon = [tuple(float(v) for v in cam.project(enu_direction(a, 0.0))[0]) for a in (60, 90)]
    camera_id = geodata.add_landmark(
        case, "Rooftop", CAMERA.lat_deg, CAMERA.lon_deg, kind="camera", height_m=20.0
    ).result()
    ref_id = geodata.add_landmark(case, "Tower", reference.lat_deg, reference.lon_deg).result()
    bearing = BearingTool(service, jobs)
    qtbot.addWidget(bearing)
    bearing.set_frame(_frame(case, evidence))
    tool = _tool(qtbot, case, evidence, service, jobs, viewer, bearing=bearing)
    bearing.refresh()
    qtbot.waitUntil(lambda: bearing.camera_combo.count() == 1, timeout=TIMEOUT)
    bearing.select_camera(camera_id), bearing.select_reference(ref_id)
    bearing.set_hfov(60.0)
    tool.set_mode(OBLIQUE)
    base_en = np.array([120 * math.sin(math.radians(77)), 120 * math.cos(math.radians(77))])
    shadow_az, height, ratio = 320.0, 10.0, 1.5
    tip_en = base_en + ratio * height * np.array(
        [math.sin(math.radians(shadow_az)), math.cos(math.radians(shadow_az))]
    )

    def px(en, up):
        return tuple(float(v) for v in cam.project(np.array([[en[0], en[1], up - 20.0]]))[0])

    tool.set_pixel("base", px(base_en, 0.0))
    tool.set_pixel("tip", px(tip_en, 0.0))
    tool.set_pixel("top", px(base_en, height))
    missing = tool.missing_label.text()
    assert "reference landmark clicked" in missing and "horizon" in missing
    assert tool.reading is None and not tool.add_button.isEnabled()
    bearing.set_pixel("reference", ref_px)
    bearing.set_pixel("horizon 1", horizon[0])
    bearing.set_pixel("horizon 2", horizon[1])
    assert tool.missing_label.text() == ""
    r = tool.reading
    assert r.shadow_azimuth_deg == pytest.approx(shadow_az, abs=0.01)
    assert r.length_ratio == pytest.approx(ratio, rel=1e-3)
    assert r.base_distance_m == pytest.approx(120.0, rel=1e-3)
    where = LatLon(*tool.position)
    assert geodesy.distance_m(where, geodesy.destination(CAMERA, 77.0, 120.0)) < 0.5
    inputs = tool.shadow_inputs()
    assert inputs["camera_id"] == camera_id and inputs["length_ratio"] == pytest.approx(ratio, 1e-3)


def test_the_window_opens_the_shadow_tool_by_key_and_has_the_sun_dock(qtbot, tmp_path) -> None:
    import shiboken6

    from ui.case.main_window import MainWindow

    path = tmp_path / "w.gwcase"
    create_case(path, title="Window").close()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
            window.open_case_path(path)
        menu = [a for a in window.menuBar().actions() if a.text() == "&Geometry"][0]
        [action] = [a for a in menu.menu().actions() if a.shortcut().toString() == "Ctrl+Shift+H"]
        action.trigger()
        tools = window.geometry_tools
        assert window.geometry_dock.isVisible() and tools.currentWidget() is tools.shadow
        qtbot.wait(300)
        window.parts.workspaces.switch("Map")
        qtbot.wait(300)  # the docks' sizes are shared out once laid out
        assert window.parts.workspaces.docks["sun"].isVisible()
        assert "Sun" in [a.text() for a in window.view_menu.actions()]
        qtbot.waitUntil(lambda: window.sun_panel.case is window.case, timeout=TIMEOUT)
    finally:
        window.close_case()
        window.map_panel.shutdown()  # its web view started in Map
        shiboken6.delete(window)

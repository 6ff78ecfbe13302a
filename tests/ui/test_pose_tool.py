"""The Pose tool on the scenario's second camera: landmarks of the truth clicked where the truth
projects them (an independent numpy pinhole), the target too; "Pose" stores an undoable pose
whose camera is where the truth stood and whose target lands on the strike point."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QUndoStack

from analysis.geometry.geodesy import LatLon, distance_m
from tests.analysis.test_pose import SIZE, cameras, control_points, pixels
from tests.analysis.test_pose import truth as truth  # noqa: F401 (the module fixture)
from ui.geodata.service import GeodataService
from ui.geometry.pixel_tool import FrameRef
from ui.geometry.pose_tool import PoseTool
from ui.jobs import JobRunner
from ui.video.image_viewer import ImageViewer
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file

TIMEOUT = 20_000


@pytest.fixture
def setup(qtbot, tmp_path, truth):
    case = create_case(tmp_path / "p.gwcase", analyst="tester")
    path = tmp_path / "frame.png"
    Image.new("RGB", SIZE, (120, 120, 120)).save(path)
    evidence = get_evidence(case.read(), import_file(case, path).id)
    jobs, stack = JobRunner(), QUndoStack()
    service = GeodataService(jobs, stack)
    service.set_case(case)
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.set_image(QImage(str(path)))
    tool = PoseTool(service, jobs)
    qtbot.addWidget(tool)
    tool.set_viewer(viewer)
    tool.set_frame(FrameRef(evidence.id, evidence.sha256, evidence.original_name, *SIZE))
    yield case, tool, stack
    case.close()


def test_clicked_landmarks_give_an_undoable_pose_where_the_camera_stood(qtbot, setup, truth):
    case, tool, stack = setup
    camera = cameras(truth)["second"]
    ids = {}
    for p in control_points(truth, camera)[:8]:
        ids[p.name] = geodata.add_landmark(
            case, p.name, p.lat_deg, p.lon_deg, height_m=p.height_m
        ).result()
    tool.refresh()
    qtbot.waitUntil(lambda: len(tool.landmarks) == 8, timeout=TIMEOUT)
    for p in control_points(truth, camera)[:8]:
        tool.set_pixel(f"point {ids[p.name]}", (p.x_px, p.y_px))
    strike = truth["landmarks"]["strike_point"]
    tool.set_pixel("target", tuple(pixels(camera, truth, np.array([strike["enu_m"]]))[0]))
    assert tool.point_list.count() == 9
    tool.ground_spin.setValue(strike["height_m"])
    qtbot.mouseClick(tool.pose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: geodata_records.list_observations(case.read(), "pose") != [], timeout=TIMEOUT
    )
    [row] = geodata_records.list_observations(case.read(), "pose")
    r = row.result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.05
    [t] = r["targets"]
    hit = LatLon(t["lat_deg"], t["lon_deg"])
    assert distance_m(hit, LatLon(strike["lat_deg"], strike["lon_deg"])) < 0.5
    assert "camera" in tool.result_label.text() and "target" in tool.result_label.text()
    assert row.inputs["tool"] == "pose" and len(row.inputs["points"]) == 8
    stack.undo()
    qtbot.waitUntil(
        lambda: geodata_records.list_observations(case.read(), "pose") == [], timeout=TIMEOUT
    )


def test_too_few_landmarks_say_so_and_store_nothing(qtbot, setup, truth):
    case, tool, _ = setup
    camera = cameras(truth)["second"]
    p = control_points(truth, camera)[0]
    mark = geodata.add_landmark(case, p.name, p.lat_deg, p.lon_deg, height_m=p.height_m).result()
    tool.refresh()
    qtbot.waitUntil(lambda: len(tool.landmarks) == 1, timeout=TIMEOUT)
    tool.set_pixel(f"point {mark}", (p.x_px, p.y_px))
    tool.pose()
    qtbot.waitUntil(lambda: "no pose" in tool.result_label.text(), timeout=TIMEOUT)
    assert "at least 4" in tool.result_label.text()
    assert geodata_records.list_observations(case.read(), "pose") == []

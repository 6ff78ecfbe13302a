"""The worked example, walked through the window with real keys and clicks (issue 13).

On the sample case (the scenario generator's demo, with its exact truth): open it, step to the
cut, compare the segments either side of it and save the note, see it in Records, take a
bearing to the strike in each video from the water tower's pixel, intersect them, see the fix
in the Geometry view, export KML. Every result is checked against truth.json. Where a user
presses a key or clicks, QTest presses the key or clicks the widget; only the file dialogs
are answered by monkeypatching (they are the platform's, not the workbench's).
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from ui.case.main_window import MainWindow
from workbench import geodata_records
from workbench.demo import build_demo_case
from workbench.demo_analysis import LANDMARK_NAMES, clicked_pixel

TIMEOUT = 60000  # the machine is shared: generous waits, never sleeps
ZOOM_TOLERANCE = 0.03  # the zoom ratio of the segments against the truth's focal ratio
FIX_TOLERANCE_M = 30.0  # the intersection against the true strike point, ellipse or not

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The sample case, built once for the session, and its truth."""
    built = build_demo_case(tmp_path_factory.mktemp("walkthrough"))
    truth = json.loads(built.truth_path.read_text(encoding="utf-8"))
    return built.case_path, truth


# -- real input -----------------------------------------------------------------------------
def keys_target(window: MainWindow) -> QWidget:
    """Where a key press goes: the widget with the focus, as for a user."""
    return QApplication.focusWidget() or window


def activate(qtbot, window: MainWindow) -> None:
    """The window active again: the offscreen platform may leave a closed menu the active
    window, which no desktop does."""

    def active() -> bool:
        if QApplication.activeWindow() is window:
            return True
        window.activateWindow()
        return False

    qtbot.waitUntil(active, timeout=TIMEOUT)


def press(qtbot, window: MainWindow, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    activate(qtbot, window)
    QTest.keyClick(keys_target(window), key, mods)


def click(widget: QWidget, pos: QPoint | None = None) -> None:
    if pos is None:
        pos = widget.rect().center()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def choose_menu(qtbot, window: MainWindow, *path: str) -> None:
    """Click through the menu bar: the menu's title, then each item (submenus open on click)."""
    bar = window.menuBar()
    [top] = [a for a in bar.actions() if a.text().replace("&", "") == path[0]]
    click(bar, bar.actionGeometry(top).center())
    menu: QMenu = top.menu()
    qtbot.waitUntil(menu.isVisible, timeout=TIMEOUT)
    for text in path[1:]:
        [item] = [a for a in menu.actions() if a.text().replace("&", "") == text]
        click(menu, menu.actionGeometry(item).center())
        if item.menu() is not None:
            menu = item.menu()
            qtbot.waitUntil(menu.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=TIMEOUT)


def click_pixel(viewer, px: tuple[float, float]) -> None:
    """A real click on the viewer at the viewport pixel showing image pixel ``px``."""
    at = viewer.viewportTransform().map(QPointF(px[0] + 0.5, px[1] + 0.5))
    click(viewer.viewport(), QPoint(int(math.floor(at.x())), int(math.floor(at.y()))))


def type_into(widget: QWidget, text: str) -> None:
    """Click a field, select what it holds, type ``text`` and press Enter."""
    click(widget)
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def shot(window: MainWindow, path: Path) -> Path:
    window.grab().save(str(path))
    return path


# -- what the window shows ------------------------------------------------------------------
FRAME_RE = re.compile(r"frame (\d+) / \d+")
SEGMENT_RE = re.compile(r"segment (\d+)/(\d+)")
FIX_RE = re.compile(r"Intersection #(\d+): (-?\d+\.\d+), (-?\d+\.\d+)")


def frame_shown(window: MainWindow) -> int | None:
    m = FRAME_RE.search(window.video_panel.info.text())
    return int(m.group(1)) if m else None


def segment_shown(window: MainWindow) -> str:
    m = SEGMENT_RE.search(window.video_panel.info.text())
    return m.group(0) if m else ""


def wait_frame(qtbot, window: MainWindow, index: int) -> None:
    qtbot.waitUntil(lambda: frame_shown(window) == index, timeout=TIMEOUT)


def go_to_frame(qtbot, window: MainWindow, index: int) -> None:
    """Ctrl+G, the frame number, Enter: as the analyst would."""
    press(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    edit = window.video_panel.goto_edit
    qtbot.waitUntil(edit.hasFocus, timeout=TIMEOUT)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, str(index))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    wait_frame(qtbot, window, index)


def select_evidence(qtbot, window: MainWindow, name: str) -> None:
    """Click the evidence's row in the list (the Video workspace, where the list is)."""
    view = window.evidence_panel.view
    model = view.model()
    [row] = [r for r in range(model.rowCount()) if model.index(r, 0).data() == name]
    rect = view.visualRect(model.index(row, 0))
    click(view.viewport(), rect.center())


def truth_pixels(truth: dict, role: str) -> dict[str, tuple[float, float]]:
    camera = truth["videos"][role]["segments"][0]["camera"]
    marks = truth["landmarks"]
    return {
        "tower": clicked_pixel(camera, marks["water_tower_tank_centre"]["enu_m"]),
        "strike": clicked_pixel(camera, marks["strike_point"]["enu_m"]),
    }


def take_bearing(qtbot, window: MainWindow, truth: dict, role: str) -> int:
    """In the Geometry workspace, on the flash's frame of ``role``: the field of view typed,
    the tower and the strike clicked, Add bearing. Returns the new bearing's id."""
    video = truth["videos"][role]
    camera = video["segments"][0]["camera"]
    tool = window.geometry_tools.bearing
    go_to_frame(qtbot, window, video["flash"]["frames"][0])
    qtbot.waitUntil(lambda: tool.frame is not None and tool.frame.frame_index is not None,
                    timeout=TIMEOUT)  # fmt: skip
    assert tool.frame.evidence_name == video["file"]
    # The camera follows the video on screen: the one linked to this evidence.
    qtbot.waitUntil(lambda: tool.camera_combo.currentText().startswith(
        f"Camera of {video['file']}"), timeout=TIMEOUT)  # fmt: skip
    assert tool.reference_combo.currentText().startswith("Water tower (tank)")
    type_into(tool.fov.spin.lineEdit(), f"{camera['hfov_deg']:.3f}")
    qtbot.waitUntil(lambda: abs(tool.fov.value() - camera["hfov_deg"]) < 1e-6, timeout=TIMEOUT)
    assert tool.fov.source == "typed"
    viewer = window.video_panel.viewer
    pixels = truth_pixels(truth, role)
    for button, key, px in (
        (tool.reference_button, "reference", pixels["tower"]),
        (tool.target_button, "target", pixels["strike"]),
    ):
        click(button)
        assert viewer.armed and tool.armed_key == key
        click_pixel(viewer, px)
        assert tool.pixels[key] == pytest.approx(px, abs=0.5 / viewer.zoom + 0.01)
    assert tool.solution is not None and not tool.refusal
    true_azimuth = geodesy.azimuth_deg(
        LatLon(camera["lat_deg"], camera["lon_deg"]),
        LatLon(truth["landmarks"]["strike_point"]["lat_deg"],
               truth["landmarks"]["strike_point"]["lon_deg"]),
    )  # fmt: skip
    assert tool.solution.azimuth_deg == pytest.approx(true_azimuth, abs=0.1)
    before = {o.id for o in tool.bearings}
    assert tool.add_button.isEnabled()
    click(tool.add_button)
    qtbot.waitUntil(lambda: len({o.id for o in tool.bearings} - before) == 1, timeout=TIMEOUT)
    [new_id] = {o.id for o in tool.bearings} - before
    [obs] = [o for o in tool.bearings if o.id == new_id]
    assert obs.result["azimuth_deg"] == pytest.approx(true_azimuth, abs=0.1)
    assert obs.evidence_id is not None and obs.frame_index == video["flash"]["frames"][0]
    return new_id


def inside_ellipse(truth: LatLon, fix: LatLon, ellipse: dict) -> bool:
    """Whether ``truth`` lies in the fix's 95% ellipse (semi-axes in metres, the major one
    along ``azimuth_deg``)."""
    d = geodesy.distance_m(fix, truth)
    off = math.radians(geodesy.azimuth_deg(fix, truth) - ellipse["azimuth_deg"])
    along, across = d * math.cos(off), d * math.sin(off)
    return (along / ellipse["semi_major_m"]) ** 2 + (across / ellipse["semi_minor_m"]) ** 2 <= 1


def tick_bearing(qtbot, tool, observation_id: int) -> None:
    """Click the check box of a bearing in the tool's list."""
    lst = tool.bearing_list
    [item] = [lst.item(k) for k in range(lst.count())
              if lst.item(k).data(Qt.ItemDataRole.UserRole) == observation_id]  # fmt: skip
    lst.scrollToItem(item)
    rect = lst.visualItemRect(item)
    click(lst.viewport(), QPoint(rect.left() + 10, rect.center().y()))
    qtbot.waitUntil(lambda: item.checkState() == Qt.CheckState.Checked, timeout=TIMEOUT)


# -- the walkthrough --------------------------------------------------------------------------
def test_worked_example_through_the_window(qtbot, demo, tmp_path, monkeypatch):
    case_path, truth = demo
    rooftop, second = truth["videos"]["video_rooftop"], truth["videos"]["video_second"]
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitActive(window, timeout=TIMEOUT):  # window-wide keys need an active window
        window.show()
        window.activateWindow()
    try:
        # 1. Open the sample case: Ctrl+O, the folder chosen in the (platform's) dialog.
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(case_path))
        with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
            press(qtbot, window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
        assert window.case is not None and window.case.path == case_path
        bar = window.parts.analyst_bar
        if bar.toolbar.isVisible():  # asked once: the name the log records
            click(bar.edit)
            QTest.keyClicks(bar.edit, "Walkthrough")
            QTest.keyClick(bar.edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: not bar.toolbar.isVisible(), timeout=TIMEOUT)
        # the Video workspace, the rooftop video clicked in the evidence list
        press(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        select_evidence(qtbot, window, rooftop["file"])
        vp = window.video_panel
        qtbot.waitUntil(lambda: vp.evidence is not None and vp.table is not None,
                        timeout=TIMEOUT)  # fmt: skip
        assert vp.evidence.original_name == rooftop["file"]
        qtbot.waitUntil(lambda: len(vp.timeline.segments) == 2, timeout=TIMEOUT)

        # 2. Step to the cut: End, Home, then Ctrl+G a little before it and Right until the
        # segment label changes.
        click(vp.viewer.viewport())  # the keys now go to the video (they work window-wide too)
        press(qtbot, window, Qt.Key.Key_End)
        wait_frame(qtbot, window, rooftop["frame_count"] - 1)
        assert segment_shown(window) == "segment 2/2"
        press(qtbot, window, Qt.Key.Key_Home)
        wait_frame(qtbot, window, 0)
        assert segment_shown(window) == "segment 1/2"
        true_cut = rooftop["cut"]["frame"]
        go_to_frame(qtbot, window, true_cut - 5)
        click(vp.viewer.viewport())  # back from the go-to field
        while segment_shown(window) == "segment 1/2":
            index = frame_shown(window)
            assert index < true_cut + 5, "no segment change near the true cut"
            press(qtbot, window, Qt.Key.Key_Right)
            wait_frame(qtbot, window, index + 1)
        cut_found = frame_shown(window)
        assert segment_shown(window) == "segment 2/2"
        assert abs(cut_found - true_cut) <= 1, (cut_found, true_cut)
        press(qtbot, window, Qt.Key.Key_Left)  # the last frame of the first segment
        wait_frame(qtbot, window, cut_found - 1)
        assert segment_shown(window) == "segment 1/2"

        # 3. Compare the segments either side of the cut (Case menu), save the note, see it in
        # Records.
        cp = window.compare_panel
        with qtbot.waitSignal(cp.compared, timeout=TIMEOUT * 2) as compared:
            choose_menu(qtbot, window, "Case", "Compare consecutive segments")
        assert window.parts.workspaces.current == "Compare"
        result = compared.args[0].result
        assert result.verdict == "same position"
        assert "same position" in cp.figures.verdict_label.text()
        true_zoom = rooftop["cut"]["zoom_ratio"]
        assert result.zoom_ratio == pytest.approx(true_zoom, rel=ZOOM_TOLERANCE)
        shown_zoom = float(cp.figures.zoom_text().rstrip("×"))
        assert shown_zoom == pytest.approx(true_zoom, rel=ZOOM_TOLERANCE)
        note = f"Walkthrough: the rooftop zoomed in {shown_zoom:.2f}x across the cut."
        click(cp.figures.note_edit)
        QTest.keyClicks(cp.figures.note_edit, note)
        with qtbot.waitSignal(cp.note_saved, timeout=TIMEOUT):
            click(cp.figures.save_button)
        assert "Saved as continuity note" in cp.figures.saved_label.text()
        shot(window, tmp_path / "step3_compare.png")
        press(qtbot, window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
        records = window.parts.records_panel
        assert window.central.currentWidget() is records
        qtbot.waitUntil(lambda: any(note in records.model.record(r).detail
                                    for r in range(records.model.rowCount())),
                        timeout=TIMEOUT)  # fmt: skip
        [saved] = [records.model.record(r) for r in range(records.model.rowCount())
                   if note in records.model.record(r).detail]  # fmt: skip
        assert saved.kind == "continuity note" and "same position" in saved.title
        type_into(records.search, "walkthrough")
        assert records.proxy.rowCount() == 1
        shot(window, tmp_path / "step3_records.png")

        # 4. Two bearings, one from each video: the Geometry workspace, the bearing tool.
        press(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.central.currentWidget() is vp, timeout=TIMEOUT)
        click(vp.viewer.viewport())
        press(qtbot, window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        tools = window.geometry_tools
        assert window.parts.workspaces.current == "Geometry"
        qtbot.waitUntil(lambda: tools.bearing.isVisible(), timeout=TIMEOUT)
        first = take_bearing(qtbot, window, truth, "video_rooftop")
        press(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        select_evidence(qtbot, window, second["file"])
        qtbot.waitUntil(lambda: vp.evidence is not None and vp.table is not None
                        and vp.evidence.original_name == second["file"],
                        timeout=TIMEOUT)  # fmt: skip
        press(qtbot, window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: tools.bearing.isVisible(), timeout=TIMEOUT)
        other = take_bearing(qtbot, window, truth, "video_second")

        # 5. Intersect the two, and see the fix in the Geometry view.
        tool = tools.bearing
        for obs_id in (first, other):
            tick_bearing(qtbot, tool, obs_id)
        assert sorted(tool.selected_bearing_ids()) == sorted((first, other))
        conn = lambda: window.case.read()  # noqa: E731
        before = {o.id for o in geodata_records.list_observations(conn(), "intersection")}
        click(tool.intersect_button)
        qtbot.waitUntil(
            lambda: (
                {o.id for o in geodata_records.list_observations(conn(), "intersection")} - before
                != set()
            ),
            timeout=TIMEOUT,
        )
        [fix] = [o for o in geodata_records.list_observations(conn(), "intersection")
                 if o.id not in before]  # fmt: skip
        assert sorted(fix.inputs["bearing_ids"]) == sorted((first, other))
        strike = LatLon(truth["landmarks"]["strike_point"]["lat_deg"],
                        truth["landmarks"]["strike_point"]["lon_deg"])  # fmt: skip
        found = LatLon(fix.result["lat_deg"], fix.result["lon_deg"])
        miss_m = geodesy.distance_m(found, strike)
        assert miss_m < FIX_TOLERANCE_M, miss_m
        assert inside_ellipse(strike, found, fix.result["ellipse"]), (miss_m, fix.result)
        qtbot.waitUntil(lambda: FIX_RE.search(tool.fix_label.text()) is not None, timeout=TIMEOUT)
        label = tool.fix_label  # in the Geometry view, under the button clicked, on screen
        qtbot.waitUntil(lambda: label.visibleRegion().boundingRect().height()
                        >= label.height() - 1, timeout=TIMEOUT)  # fmt: skip
        assert window.rect().contains(QRect(label.mapTo(window, QPoint(0, 0)), label.size()))
        m = FIX_RE.search(tool.fix_label.text())
        assert int(m.group(1)) == fix.id
        shown = LatLon(float(m.group(2)), float(m.group(3)))
        assert geodesy.distance_m(shown, found) < 0.5  # six decimals: 0.1 m
        assert "95% ellipse" in tool.fix_label.text()
        shot(window, tmp_path / "step5_geometry.png")

        # 6. File > Export > KML: the file parses and holds the fix and the landmarks.
        out = tmp_path / "walkthrough.kml"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "KML"))
        with qtbot.waitSignal(window.parts.exports.announced, timeout=TIMEOUT) as announced:
            choose_menu(qtbot, window, "File", "Export", "Geodata as KML (Google Earth)…")
        assert announced.args[1] == str(out)
        check_kml(out, truth, fix, (first, other))
    finally:
        window.close()


def check_kml(path: Path, truth: dict, fix, bearing_ids: tuple[int, ...]) -> None:
    """The KML parses; the landmarks sit at the truth's positions, the fix at the stored one
    (and near the strike), and the two new bearings are drawn."""
    root = ET.parse(path).getroot()
    points: dict[str, list[LatLon]] = {}
    names: set[str] = set()
    for pm in (e for e in root.iter() if e.tag.endswith("Placemark")):
        name = next((e.text or "" for e in pm if e.tag.endswith("name")), "")
        names.add(name)
        for point in (e for e in pm.iter() if e.tag.endswith("Point")):
            [coords] = [e.text for e in point.iter() if e.tag.endswith("coordinates")]
            lon, lat = (float(v) for v in coords.strip().split(",")[:2])
            points.setdefault(name, []).append(LatLon(lat, lon))
    marks = truth["landmarks"]
    for key, name in LANDMARK_NAMES:
        [at] = points[name]
        true = LatLon(marks[key]["lat_deg"], marks[key]["lon_deg"])
        assert geodesy.distance_m(at, true) < 0.5, name
    [at] = points[f"fix {fix.id}"]
    assert geodesy.distance_m(at, LatLon(fix.result["lat_deg"], fix.result["lon_deg"])) < 0.5
    strike = LatLon(marks["strike_point"]["lat_deg"], marks["strike_point"]["lon_deg"])
    assert geodesy.distance_m(at, strike) < FIX_TOLERANCE_M
    assert {f"bearing {i}" for i in bearing_ids} <= names, sorted(names)

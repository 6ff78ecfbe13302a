"""The analyst's window (issue 13): it fits 1366 x 768 and 1920 x 1080 in every workspace,
never grows itself, switches workspaces by keys, shows records and a readable log, asks the
analyst's name once, remembers each video's frame, goes back and forward, exports from
the File menu."""

from __future__ import annotations

import json

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QTreeView

from tests.synth.media_factory import make_jpeg, make_video
from ui.case.main_window import MainWindow
from ui.case.workspaces import WORKSPACES, visible_controls
from workbench import geodata
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.settings import load_settings

TIMEOUT = 20000


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "w.gwcase"
    with create_case(path, title="Window") as case:
        import_file(case, make_video(tmp_path / "clip.mp4", fmt="mp4"))
        import_file(case, make_jpeg(tmp_path / "a_rather_long_photo_name.jpg", size=(64, 48)))
        geodata.add_landmark(case, "Water tower", 35.6205, 36.5533).result()
    return path


def _reached_through(c):
    """The panel's scroll area that ``c`` is reached through (None: it stands in the window):
    inside one, the control is reachable when the scroll area is on screen."""
    from PySide6.QtWidgets import QScrollArea

    p = c.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea) and p.objectName() == "panel_scroll":
            return p
        p = p.parentWidget()
    return None


def _window(qtbot, size):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def _open(qtbot, w, path):
    with qtbot.waitSignal(w.case_refreshed, timeout=TIMEOUT):
        w.open_case_path(path)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_workspace_fits_the_screen_and_nothing_grows(qtbot, case_path, size):
    w = _window(qtbot, size)
    try:
        assert w.minimumSizeHint().width() <= 1280 and w.minimumSizeHint().height() <= 720
        _open(qtbot, w, case_path)
        qtbot.waitUntil(lambda: w.video_panel.table is not None, timeout=TIMEOUT)
        for ws in WORKSPACES * 2:  # the second time round, each is restored as it was saved
            w.parts.workspaces.switch(ws.name)
            qtbot.wait(400)  # the docks' widths are shared out once laid out
            assert w.size().toTuple() == size, ws.name
            for control in visible_controls(w):
                c = _reached_through(control) or control
                top_left = c.mapTo(w, c.rect().topLeft())
                bottom_right = c.mapTo(w, c.rect().bottomRight())
                inside = top_left.x() >= 0 and top_left.y() >= 0
                inside = inside and bottom_right.x() < size[0] and bottom_right.y() < size[1]
                assert inside, (ws.name, type(control).__name__, control.objectName())
                assert control.width() >= 12 and control.height() >= 12, (ws.name, control)
            for area in w.findChildren(QScrollArea):  # a dock's tools fit its width
                if area.isVisible() and not area.visibleRegion().isEmpty():
                    sideways = area.horizontalScrollBar().maximum()
                    assert sideways == 0, (ws.name, type(area.widget()).__name__, sideways)
        w.parts.workspaces.switch("Video")
        tree: QTreeView = w.evidence_panel.view
        name = w.evidence_panel.model.evidence_at(1).original_name
        text_width = tree.fontMetrics().horizontalAdvance(name) + tree.iconSize().width()
        assert tree.columnWidth(0) >= text_width  # names are not collapsed to "Ev..."
    finally:
        w.close_case()
        w.map_panel.shutdown()  # its web view started in Map
        shiboken6.delete(w)


def test_workspaces_switch_by_keys_and_are_saved_per_user(qtbot, case_path):
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
        assert w.parts.workspaces.current == "Records"
        assert w.central.currentWidget() is w.parts.records_panel
        qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert w.central.currentWidget() is w.compare_panel
        w.evidence_dock.hide()  # the analyst rearranges Compare
        qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert w.evidence_dock.isVisible()
        w.parts.workspaces.switch("Compare")
        assert not w.evidence_dock.isVisible()  # as it was left
        w.parts.workspaces.reset()
        assert w.evidence_dock.isVisible()
    finally:
        w.close_case()


def test_clicking_the_selected_evidence_leaves_compare(qtbot, case_path):
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        w.show_compare()
        assert w.central.currentWidget() is w.compare_panel
        view = w.evidence_panel.view
        rect = view.visualRect(view.currentIndex())
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert w.parts.workspaces.current == "Video"
        assert w.central.currentWidget() in (w.video_panel, w.viewer)
    finally:
        w.close_case()


def test_keys_work_window_wide_a_video_keeps_its_frame_and_back_returns(qtbot, case_path):
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        vp = w.video_panel
        qtbot.waitUntil(lambda: vp.shown is not None, timeout=TIMEOUT)
        with qtbot.waitSignal(vp.frame_shown, timeout=TIMEOUT):
            # the focus is on the evidence list, not the video
            qtbot.keyClick(
                w.evidence_panel.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier
            )
        qtbot.waitUntil(lambda: vp.current_index == 10, timeout=TIMEOUT)
        vp.viewer.actual_size()
        vp.viewer.zoom_in()
        zoom = vp.viewer.zoom
        video_id = vp.evidence.id
        photo_id = w.evidence_panel.model.evidence_at(1).id
        w.evidence_panel.select(photo_id)
        qtbot.waitUntil(lambda: w.central.currentWidget() is w.viewer, timeout=TIMEOUT)
        assert w.parts.back_action.isEnabled()
        qtbot.keyClick(w.viewer, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: vp.evidence is not None and vp.evidence.id == video_id,
                        timeout=TIMEOUT)  # fmt: skip
        qtbot.waitUntil(lambda: vp.current_index == 10, timeout=TIMEOUT)  # not frame 0
        qtbot.waitUntil(lambda: vp.viewer.zoom == pytest.approx(zoom), timeout=TIMEOUT)
        assert w.parts.forward_action.isEnabled()
    finally:
        w.close_case()


def test_the_map_keeps_the_arrows_and_the_video_keeps_its_frame(qtbot, case_path):
    """With the focus on the map, the arrows, Space, Home and End pan the map rather than
    step the video (they are window shortcuts everywhere else); Ctrl and Alt keys still act."""
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        vp = w.video_panel
        qtbot.waitUntil(lambda: vp.shown is not None, timeout=TIMEOUT)
        w.parts.workspaces.switch("Map")
        assert w.central.currentWidget() is vp and w.map_dock.isVisible()
        view = w.map_panel.ensure_view()
        w.activateWindow()
        view.setFocus()
        qtbot.waitUntil(lambda: _focus_within(view), timeout=TIMEOUT)
        for key in (Qt.Key.Key_Right, Qt.Key.Key_End, Qt.Key.Key_Space):
            qtbot.keyClick(QApplication.focusWidget(), key)
        qtbot.wait(300)
        assert vp.current_index == 0 and not vp._timer.isActive()
        w.evidence_panel.view.setFocus()  # the evidence list: the video steps
        qtbot.waitUntil(lambda: _focus_within(w.evidence_panel.view), timeout=TIMEOUT)
        qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_Right)
        qtbot.waitUntil(lambda: vp.current_index == 1, timeout=TIMEOUT)
    finally:
        w.close_case()


def _focus_within(outer) -> bool:
    widget = QApplication.focusWidget()
    while widget is not None and widget is not outer:
        widget = widget.parentWidget()
    return widget is outer


def test_records_list_the_case_and_open_the_place_and_the_log_reads(qtbot, case_path):
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        w.parts.workspaces.switch("Records")
        records = w.parts.records_panel
        with qtbot.waitSignal(w.parts.exports.announced, timeout=TIMEOUT) as exported:
            w.parts.workspaces.switch("Video")
            qtbot.waitUntil(lambda: w.video_panel.shown is not None, timeout=TIMEOUT)
            qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        assert exported.args[1].endswith(".png")
        assert w.parts.exports.last_box is not None  # says where, with "Open folder"
        w.parts.workspaces.switch("Records")  # read when shown
        qtbot.waitUntil(lambda: records.model.rowCount() == 1, timeout=TIMEOUT)
        records.set_filter("export")
        assert records.proxy.rowCount() == 1
        record = records.model.record(0)
        assert record.frame_index == 0 and record.evidence_id == w.video_panel.evidence.id
        model = w.log_panel.model
        texts = [model.data(model.index(r, 3)) for r in range(model.rowCount())]
        assert "Added landmark 'Water tower' at 35.62050, 36.55330" in texts
        assert any(t.startswith("Exported frame 0") for t in texts)  # live: appended
    finally:
        w.close_case()


def test_the_analyst_name_is_asked_once_and_used_in_the_log(qtbot, case_path):
    w = _window(qtbot, (1366, 768))
    try:
        bar = w.parts.analyst_bar
        assert bar.toolbar.isVisible()
        _open(qtbot, w, case_path)
        qtbot.keyClicks(bar.edit, "Jane Doe")
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
        assert not bar.toolbar.isVisible()
        assert load_settings().analyst_name == "Jane Doe"
        assert w.case.analyst.startswith("Jane Doe (OS user ")
    finally:
        w.close_case()
    again = _window(qtbot, (1366, 768))
    assert not again.parts.analyst_bar.toolbar.isVisible()


def test_geojson_export_from_the_file_menu(qtbot, case_path, tmp_path):
    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        titles = [a.text() for a in w.parts.exports.menu.actions() if a.text()]
        assert any("KML" in t for t in titles) and any("GeoJSON" in t for t in titles)
        out = tmp_path / "out.geojson"
        with qtbot.waitSignal(w.parts.exports.announced, timeout=TIMEOUT):
            w.parts.exports.export_geodata(out, "geojson")
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["features"][0]["properties"]["name"] == "Water tower"
        assert "audit_head" in json.dumps(doc["geoworkbench"])
    finally:
        w.close_case()


def test_a_record_with_a_place_opens_the_map_there(qtbot, case_path):
    from workbench.records import Record

    w = _window(qtbot, (1366, 768))
    try:
        _open(qtbot, w, case_path)
        place = Record("hypothesis", "Strike site", "", "", lat_deg=35.6198, lon_deg=36.5501)
        with qtbot.waitSignal(w.map_panel.page_loaded, timeout=TIMEOUT):
            w.parts.open_record(place)
        assert w.parts.workspaces.current == "Map" and w.map_dock.isVisible()
        assert w.parts.map_target == (35.6198, 36.5501)
        answers = []
        qtbot.waitUntil(lambda: w.map_panel.loaded, timeout=TIMEOUT)
        w.map_panel.run_js("typeof GW.setView", answers.append)  # the page answers
        qtbot.waitUntil(lambda: bool(answers), timeout=TIMEOUT)
        assert answers == ["function"]
    finally:
        w.close_case()
        w.map_panel.shutdown()
        shiboken6.delete(w)

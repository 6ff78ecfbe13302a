"""New landmarks: a name, a typed or pasted position (decimal, DMS, MGRS, a map link) and a
height; bad input says what is wrong and OK stays off; the map's "+ Landmark" click and the
"Add landmark…" button both add an undoable, logged landmark."""

from __future__ import annotations

import pytest

from analysis.geometry.geodesy import LatLon
from ui.map.landmark_dialog import LandmarkDialog
from workbench import geodata_records
from workbench.case import audit, create_case

TIMEOUT = 20000


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "marks.gwcase")
    yield c
    c.close()


def ok_enabled(dialog):
    from PySide6.QtWidgets import QDialogButtonBox

    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("35.6205, 36.5533", 35.6205, 36.5533),
        ("35°37'13.8\"N 36°33'11.9\"E", 35.6205, 36.5533058),
        ("37S BV 78411 44614", 35.6205, 36.5533),
        ("https://www.google.com/maps/@35.6205,36.5533,17z", 35.6205, 36.5533),
        ("https://www.openstreetmap.org/#map=18/35.6205/36.5533", 35.6205, 36.5533),
    ],
)
def test_each_pasted_form_is_read_and_shown(qtbot, text, lat, lon):
    dialog = LandmarkDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Water tower")
    dialog.position_edit.setText(text)
    assert ok_enabled(dialog)
    v = dialog.values()
    assert (v["lat"], v["lon"]) == pytest.approx((lat, lon), abs=2e-5)
    assert "MGRS 37S BV" in dialog.position_note.text()


def test_bad_input_says_what_is_wrong_and_ok_stays_off(qtbot):
    dialog = LandmarkDialog(LatLon(35.6205, 36.5533))
    qtbot.addWidget(dialog)
    assert dialog.position_edit.text() == "35.620500, 36.553300"  # the clicked place
    assert not ok_enabled(dialog)  # no name yet
    dialog.name_edit.setText("Water tower")
    assert ok_enabled(dialog)
    dialog.position_edit.setText("95.2, 36.5")
    assert not ok_enabled(dialog)
    assert "latitude 95.2 is not in -90 to 90" in dialog.position_note.text()
    dialog.position_edit.setText("https://example.org/somewhere")
    assert "no coordinates in the link" in dialog.position_note.text()
    dialog.position_edit.setText("  ")
    assert "type or paste a position" in dialog.position_note.text()
    assert not ok_enabled(dialog)


def open_map(qtbot, panel, case):
    with qtbot.waitSignal(panel.page_loaded, timeout=TIMEOUT):
        panel.set_case(case)
    box = []

    def bridged():
        panel.run_js("GW.bridged === true", box.append)
        qtbot.wait(20)
        return bool(box) and box[-1] is True

    qtbot.waitUntil(bridged, timeout=TIMEOUT)


def the_dialog(qtbot, panel):
    found = []
    qtbot.waitUntil(lambda: bool(found.extend(panel.findChildren(LandmarkDialog)) or found))
    return found[0]


def test_a_landmark_click_asks_for_a_name_and_height_and_undo_removes_it(qtbot, map_panel, case):
    open_map(qtbot, map_panel, case)
    map_panel.run_js("GW.setTool('landmark'); GW.fireClick(35.6201, 36.5203);")
    dialog = the_dialog(qtbot, map_panel)
    assert dialog.position_edit.text() == "35.620100, 36.520300"
    dialog.name_edit.setText("Water tower")
    dialog.height_spin.setValue(28.0)
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        dialog.accept()
    [mark] = geodata_records.list_landmarks(case.read())
    assert (mark.name, mark.height_m, mark.kind) == ("Water tower", 28.0, "landmark")
    assert (mark.lat_deg, mark.lon_deg) == pytest.approx((35.6201, 36.5203))
    assert audit.entries(case.read())[-1].action == "landmark.add"
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        map_panel.undo_stack.undo()
    assert geodata_records.list_landmarks(case.read()) == []


def test_add_landmark_takes_a_pasted_map_link(qtbot, map_panel, case):
    open_map(qtbot, map_panel, case)
    map_panel.add_button.click()
    dialog = the_dialog(qtbot, map_panel)
    assert dialog.position_edit.text() == ""
    dialog.name_edit.setText("Minaret")
    dialog.position_edit.setText("https://www.google.com/maps/place/x/@35.6190,36.5480,19z")
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        dialog.accept()
    [mark] = geodata_records.list_landmarks(case.read())
    assert (mark.name, mark.lat_deg, mark.lon_deg, mark.height_m) == (
        "Minaret",
        35.6190,
        36.5480,
        None,
    )

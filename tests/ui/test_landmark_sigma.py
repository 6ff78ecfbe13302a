"""A new landmark's position uncertainty: stated in the dialog, stored with the landmark."""

from __future__ import annotations

import pytest

from analysis.geometry.geodesy import LatLon
from tests.ui.test_landmark_dialog import the_dialog
from tests.ui.test_map_panel import TIMEOUT, open_map
from ui.map.landmark_dialog import LandmarkDialog
from workbench import geodata_records
from workbench.case import create_case


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "sigma.gwcase", title="Sigma")
    yield c
    c.close()


def test_the_dialog_leaves_the_uncertainty_unstated_unless_given(qtbot):
    dialog = LandmarkDialog(LatLon(35.6205, 36.5533))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Water tower")
    assert dialog.values()["position_sigma_m"] is None
    assert "not stated" in dialog.sigma_spin.text()
    dialog.sigma_spin.setValue(2.5)
    assert dialog.values()["position_sigma_m"] == 2.5


def test_a_stated_uncertainty_is_stored_with_the_landmark(qtbot, map_panel, case):
    open_map(qtbot, map_panel, case)
    map_panel.run_js("GW.setTool('landmark'); GW.fireClick(35.6201, 36.5203);")
    dialog = the_dialog(qtbot, map_panel)
    dialog.name_edit.setText("Water tower")
    dialog.sigma_spin.setValue(3.0)
    with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
        dialog.accept()
    [mark] = geodata_records.list_landmarks(case.read())
    assert mark.position_sigma_m == 3.0 and mark.sigma_or_default_m() == 3.0


def test_a_click_states_the_zoom_s_uncertainty_and_a_typed_position_does_not(qtbot):
    clicked = LatLon(35.6205, 36.5533)
    dialog = LandmarkDialog(clicked, click_sigma_m=4.8)  # 2.4 m of ground a screen pixel
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Water tower")
    assert dialog.values()["position_sigma_m"] == 4.8
    assert "zoom" in dialog.sigma_spin.toolTip()
    dialog.position_edit.setText("35.620612, 36.553301")  # pasted from a survey
    assert dialog.values()["position_sigma_m"] is None  # not the click's any more


def test_a_landmark_clicked_on_a_zoomed_out_map_is_less_certain(qtbot, map_panel, case):
    open_map(qtbot, map_panel, case)
    sigmas = []
    for zoom in (17, 13):
        map_panel.run_js(f"GW.setView(35.6201, 36.5203, {zoom}); GW.setTool('landmark'); "
                         "GW.fireClick(35.6201, 36.5203);")  # fmt: skip
        dialog = the_dialog(qtbot, map_panel)
        sigmas.append(dialog.values()["position_sigma_m"])
        dialog.reject()  # deleted on close: the next click's dialog is the only one
        qtbot.waitUntil(lambda: not map_panel.findChildren(LandmarkDialog), timeout=TIMEOUT)
    near, far = sigmas
    assert near == pytest.approx(2.9, abs=0.1)  # 3 pixels of 0.97 m at zoom 17 (35.6 N)
    assert far == pytest.approx(near * 16, rel=0.05)  # four zoom levels out: 16 times


def test_a_camera_clicked_close_keeps_its_kind_s_default(qtbot, map_panel, case):
    """A camera placed by eye is the analyst's estimate: a click at zoom 18 (under 2 m) does
    not make it more certain than a camera's default; only a coarser click is stated."""
    open_map(qtbot, map_panel, case)
    for zoom in (18, 12):
        with qtbot.waitSignal(map_panel.edit_saved, timeout=TIMEOUT):
            map_panel.run_js(f"GW.setView(35.6201, 36.5203, {zoom}); GW.setTool('camera'); "
                             "GW.fireClick(35.6201, 36.5203);")  # fmt: skip
    close, far = sorted(geodata_records.list_landmarks(case.read(), "camera"), key=lambda c: c.id)
    assert close.position_sigma_m is None and close.sigma_or_default_m() == 5.0
    assert far.position_sigma_m == pytest.approx(3 * 31.07, rel=0.02)  # 31.07 m a pixel

"""Hypotheses on the map: placed with the tool and the dialog, edited, dragged, deleted, undone."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.test_map_panel import TIMEOUT, js, open_map
from ui.map.hypotheses import HypothesisDialog
from workbench.case import create_case
from workbench.hypotheses import get_hypothesis, list_hypotheses


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "claims.gwcase", title="Claims")
    yield c
    c.close()


def open_dialog(qtbot, panel) -> HypothesisDialog:
    qtbot.waitUntil(lambda: bool(panel.findChildren(HypothesisDialog)), timeout=TIMEOUT)
    [dialog] = panel.findChildren(HypothesisDialog)
    return dialog


def press_ok(qtbot, panel, dialog: HypothesisDialog) -> None:
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not panel.findChildren(HypothesisDialog), timeout=TIMEOUT)


def test_place_edit_drag_delete_and_undo_a_hypothesis(qtbot, map_panel, case):
    panel = map_panel
    open_map(qtbot, panel, case)
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.bridged === true") is True, timeout=TIMEOUT)
    js(qtbot, panel, "GW.setTool('hypothesis')")
    js(qtbot, panel, "GW.fireClick(35.6200, 36.5500); true")
    dialog = open_dialog(qtbot, panel)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a hypothesis needs a title
    dialog.title_edit.setText("Strike site: the school")
    dialog.radius_spin.setValue(150)
    dialog.confidence_combo.setCurrentIndex(dialog.confidence_combo.findData("medium"))
    dialog.rationale_edit.setPlainText("Two flash bearings cross here")
    press_ok(qtbot, panel, dialog)
    [h] = list_hypotheses(case.read())
    assert (h.title, h.radius_m, h.confidence) == ("Strike site: the school", 150.0, "medium")
    assert (h.lat_deg, h.lon_deg) == pytest.approx((35.62, 36.55))
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('hypotheses')") == 2, timeout=TIMEOUT)

    panel.bridge.feature_clicked.emit(f"hypothesis:{h.id}")
    assert panel.rename_button.text() == "Edit…" and panel.delete_button.isEnabled()
    steps = panel.undo_stack.count()
    panel.rename_button.click()
    dialog = open_dialog(qtbot, panel)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # saved unchanged
    qtbot.waitUntil(lambda: not panel.findChildren(HypothesisDialog), timeout=TIMEOUT)
    assert panel.undo_stack.count() == steps  # no edit to undo
    panel.rename_button.click()
    dialog = open_dialog(qtbot, panel)
    assert dialog.title_edit.text() == "Strike site: the school"
    dialog.confidence_combo.setCurrentIndex(dialog.confidence_combo.findData("high"))
    press_ok(qtbot, panel, dialog)
    assert get_hypothesis(case.read(), h.id).confidence == "high"

    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.bridge.featureMoved(f"hypothesis:{h.id}", 35.6210, 36.5520)
    moved = get_hypothesis(case.read(), h.id)
    assert (moved.lat_deg, moved.lon_deg) == (35.6210, 36.5520)
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.undo_stack.undo()  # the move
    back = get_hypothesis(case.read(), h.id)
    assert (back.lat_deg, back.lon_deg) == pytest.approx((35.62, 36.55))
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.undo_stack.undo()  # the edit
    assert get_hypothesis(case.read(), h.id).confidence == "medium"

    panel.bridge.feature_clicked.emit(f"hypothesis:{h.id}")
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.delete_button.click()
    assert list_hypotheses(case.read()) == []
    qtbot.waitUntil(lambda: js(qtbot, panel, "GW.featureCount('hypotheses')") == 0, timeout=TIMEOUT)
    with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
        panel.undo_stack.undo()
    assert get_hypothesis(case.read(), h.id).title == "Strike site: the school"
    # Selected, then gone by undoing its addition: the selection goes with it.
    panel.bridge.feature_clicked.emit(f"hypothesis:{h.id}")
    assert panel.delete_button.isEnabled()
    while panel.undo_stack.canUndo():
        with qtbot.waitSignal(panel.edit_saved, timeout=TIMEOUT):
            panel.undo_stack.undo()
    assert list_hypotheses(case.read()) == []
    qtbot.waitUntil(lambda: not panel.delete_button.isEnabled(), timeout=TIMEOUT)
    assert panel.selected is None


def test_cancel_adds_nothing(qtbot, map_panel, case):
    panel = map_panel
    open_map(qtbot, panel, case)
    panel.bridge.pointPicked("hypothesis", 35.62, 36.55, 1.2)
    dialog = open_dialog(qtbot, panel)
    dialog.title_edit.setText("A claim")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not panel.findChildren(HypothesisDialog), timeout=TIMEOUT)
    qtbot.wait(200)
    assert list_hypotheses(case.read()) == [] and panel.undo_stack.count() == 0

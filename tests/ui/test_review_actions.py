"""Sign-off from the Records view: the context menu of a hypothesis marks it reviewed or
disputed under the analyst of the open case; the list then shows where it stands."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.case.records_panel import RecordsPanel
from ui.case.review_actions import MARK_DISPUTED, MARK_REVIEWED
from ui.jobs import JobRunner
from workbench.case import create_case, open_case
from workbench.hypotheses import add_hypothesis
from workbench.records import list_records
from workbench.review import list_reviews


@pytest.fixture
def case_path(tmp_path):
    with create_case(tmp_path / "hass", title="Hass", analyst="Ana") as case:
        add_hypothesis(case, "Strike site", 35.62, 36.55, radius_m=120).result()
    return tmp_path / "hass.gwcase"


def _panel(qtbot, case):
    jobs = JobRunner()
    panel = RecordsPanel(jobs)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_case(case)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    panel.table.selectRow(0)
    return panel, jobs


def _texts(menu):
    return {a.text(): a.isEnabled() for a in menu.actions() if a.text()}


def test_a_dispute_is_stored_under_the_analyst_and_shown(qtbot, case_path):
    with open_case(case_path, analyst="Bob") as case:
        panel, _jobs = _panel(qtbot, case)
        record = panel.selected()
        assert record.target == "hypothesis:1"
        assert _texts(panel.reviews.menu_for(record)) == {MARK_REVIEWED: True, MARK_DISPUTED: True}
        with qtbot.waitSignal(panel.reviews.reviewed, timeout=5000) as got:
            panel.reviews.sign(record, "disputed", "the crater is 300 m east")
        assert got.args == ["hypothesis:1", "disputed"]
        [review] = list_reviews(case.read())
        assert (review.reviewer, review.status) == ("Bob", "disputed")
        panel.refresh()
        qtbot.waitUntil(lambda: panel.model.record(0).review != "", timeout=5000)
        shown = panel.model.index(0, 2).data()
        assert shown.startswith("[disputed by Bob: the crater is 300 m east]")
        menu = _texts(panel.reviews.menu_for(panel.model.record(0)))
        assert menu["Now: disputed by Bob: the crater is 300 m east"] is False


def test_the_maker_cannot_sign_off_and_is_told(qtbot, case_path):
    with open_case(case_path, analyst="Ana") as case:
        panel, _jobs = _panel(qtbot, case)
        with qtbot.waitSignal(panel.reviews.refused, timeout=5000) as got:
            panel.reviews.sign(panel.selected(), "reviewed", "")
        assert "a review is signed by a second analyst" in got.args[0]
        assert panel.reviews.last_box is not None and panel.reviews.last_box.isVisible()
        assert list_reviews(case.read()) == []


def test_ctrl_d_on_the_table_asks_for_the_dispute_note(qtbot, case_path, monkeypatch):
    asked = []
    monkeypatch.setattr(
        "ui.case.review_actions.QInputDialog.getMultiLineText",
        lambda parent, title, label: (asked.append((title, label)), ("the crater moved", True))[1],
    )
    with open_case(case_path, analyst="Bob") as case:
        panel, _jobs = _panel(qtbot, case)
        panel.table.setFocus()
        with qtbot.waitSignal(panel.reviews.reviewed, timeout=5000):
            qtbot.keyClick(panel.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert asked == [("Disputed: Strike site", "What is wrong (required):")]
        assert list_reviews(case.read())[0].note == "the crater moved"


def test_records_without_a_target_offer_no_review(qtbot, case_path):
    with open_case(case_path, analyst="Bob") as case:
        panel, _jobs = _panel(qtbot, case)
        export = [r for r in list_records(case.read()) if r.kind == "hypothesis"][0]
        export = type(export)("export", "KML export", "x.kml", export.at_utc, path="x.kml")
        assert _texts(panel.reviews.menu_for(export)) == {
            MARK_REVIEWED: False,
            MARK_DISPUTED: False,
        }

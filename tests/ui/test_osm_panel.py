"""The OSM search dock on the Vaduz clip: a search run as a job, stored in the case, its
candidates listed as checked by hand, one made an undoable hypothesis linked to the search."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from ui.geodata.service import GeodataService
from ui.jobs import JobRunner
from ui.osm.panel import OsmSearchPanel
from workbench import geodata_records
from workbench.case import create_case
from workbench.hypotheses import list_hypotheses

CLIP = Path(__file__).resolve().parents[1] / "data" / "osm" / "vaduz.osm.pbf"
TIMEOUT = 20_000


@pytest.fixture
def panel(qtbot, tmp_path):
    case = create_case(tmp_path / "o.gwcase", analyst="tester")
    jobs, stack = JobRunner(), QUndoStack()
    service = GeodataService(jobs, stack)
    service.set_case(case)
    p = OsmSearchPanel(jobs, service)
    qtbot.addWidget(p)
    p.set_case(case)
    yield p, case, stack
    case.close()


def test_search_lists_the_schools_and_a_click_makes_an_undoable_hypothesis(qtbot, panel):
    p, case, stack = panel
    p.extract_edit.setText(str(CLIP))
    p.find_edit.setText("amenity=school")
    p.near_edit.setPlainText("amenity=place_of_worship:300\nman_made=mast:500")
    with qtbot.waitSignal(p.search_stored, timeout=TIMEOUT) as stored:
        qtbot.mouseClick(p.search_button, Qt.MouseButton.LeftButton)
    assert p.table.rowCount() == 2
    assert p.table.item(0, 1).text() == "Liechtensteinische Musikschule"
    assert p.table.item(0, 3).text() == "2/2" and p.table.item(1, 3).text() == "1/2"
    assert "Kathedrale St. Florin 61 m" in p.table.item(0, 4).text()
    [row] = geodata_records.list_observations(case.read(), "osm_search")
    assert row.id == stored.args[0]
    assert "index built" in p.status.text()
    p.table.selectRow(0)
    qtbot.mouseClick(p.hypothesis_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(list_hypotheses(case.read())) == 1, timeout=TIMEOUT)
    [h] = list_hypotheses(case.read())
    assert h.observation_ids == (row.id,) and "Musikschule" in h.title
    stack.undo()
    qtbot.waitUntil(lambda: list_hypotheses(case.read()) == [], timeout=TIMEOUT)


def test_a_bad_query_or_extract_says_so_and_stores_nothing(qtbot, panel, tmp_path):
    p, case, _ = panel
    p.extract_edit.setText(str(CLIP))
    p.near_edit.setPlainText("amenity=school")  # no radius
    p.search()
    assert "METRES" in p.status.text()
    p.near_edit.setPlainText("amenity=school:300")
    p.extract_edit.setText(str(tmp_path / "missing.osm.pbf"))
    with qtbot.waitSignal(p.failed, timeout=TIMEOUT) as failed:
        p.search()
    assert "missing.osm.pbf" in str(failed.args[1]) and "no search" in p.status.text()
    assert geodata_records.list_observations(case.read(), "osm_search") == []
    assert not p.hypothesis_button.isEnabled()

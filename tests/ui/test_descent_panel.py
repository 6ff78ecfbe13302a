"""The Descent panel on a stored track of a known descent: measure with a stated scale (the
verdict and the rate with its interval shown, never NaN), save to the case with a note, edit
the note with undo, no scale gives px/s and says why, bad scale input is refused in words
and nothing is written."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from analysis.tracking.video_track import Mark
from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from ui.descent.panel import DescentPanel
from ui.jobs import JobRunner
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.descent_store import descents
from workbench.observations.descent import CAMERA, STATED
from workbench.track_runs import track_evidence
from workbench.tracks import store_track

TIMEOUT = 30000
pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


@pytest.fixture
def panel_on_track(qtbot, tmp_path):
    r = write_descent_video(tmp_path / "canopy.mp4", seed=21)
    case = create_case(tmp_path / "d.gwcase", analyst="tester")
    eid = import_file(case, tmp_path / "canopy.mp4").id
    run = track_evidence(case, eid, Mark(0, *r.truth_xy[0]))
    tid = store_track(case, eid, run.track, label="<canopy>", params=run.params).result()
    jobs = JobRunner()
    panel = DescentPanel(jobs, QUndoStack())
    qtbot.addWidget(panel)
    panel.resize(520, 900)
    panel.show()
    panel.show_track(case, tid)
    qtbot.waitUntil(lambda: panel.view is not None, timeout=TIMEOUT)
    yield panel, case, tid, r
    jobs.wait_for_done()
    case.close()


def _use(panel: DescentPanel, source: str, **values: float) -> None:
    panel.source.setCurrentIndex(panel.source.findData(source))
    for key, v in values.items():
        panel.inputs[key].setValue(v)


def test_measure_save_and_note(qtbot, panel_on_track) -> None:
    panel, case, tid, r = panel_on_track
    assert "&lt;canopy&gt;" in panel.title.text()  # the label is escaped
    assert "Not measured yet" in panel.numbers.text()
    assert not panel.inputs["distance"].isVisible() or panel.source.currentData() == CAMERA
    _use(panel, STATED, px_per_m=r.ref_px_per_m)
    assert panel.inputs["px_per_m"].isVisible() and not panel.inputs["distance"].isVisible()
    panel.measure_button.click()
    qtbot.waitUntil(lambda: "retarded" in panel.numbers.text(), timeout=TIMEOUT)
    text = panel.numbers.text()
    assert "m/s (95%:" in text and "nan" not in text.lower() and "not saved yet" in text
    rate = float(text.split("rate ")[1].split(" ")[0])
    assert abs(rate - r.spec.rate0_m_s) < 0.08 * r.spec.rate0_m_s
    assert panel.canvas.image is not None and panel.canvas.image.width() > 300  # the plot
    panel.note.setPlainText("canopy seen above the body")
    panel.save_button.click()
    qtbot.waitUntil(lambda: len(descents(case.read(), tid)) == 1, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "stored as observation" in panel.numbers.text(), timeout=TIMEOUT)
    [row] = descents(case.read(), tid)
    assert row.inputs["note"] == "canopy seen above the body"

    panel.note.setPlainText("canopy and lines visible")
    panel.note_button.click()

    def note() -> str:
        return descents(case.read(), tid)[0].inputs["note"]

    qtbot.waitUntil(lambda: note() == "canopy and lines visible", timeout=TIMEOUT)
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: note() == "canopy seen above the body", timeout=TIMEOUT)


def test_no_scale_gives_px_and_bad_scale_is_refused(qtbot, panel_on_track) -> None:
    panel, case, tid, _r = panel_on_track
    _use(panel, "")
    panel.measure_button.click()
    qtbot.waitUntil(lambda: "inconclusive" in panel.numbers.text(), timeout=TIMEOUT)
    assert "px/s" in panel.numbers.text() and "no metric scale" in panel.numbers.text()
    assert "nan" not in panel.numbers.text().lower()
    rows = len(audit.entries(case.read()))
    _use(panel, CAMERA, distance=0.0, hfov=60.0)
    panel.measure_button.click()
    qtbot.waitUntil(lambda: "⚠" in panel.numbers.text(), timeout=TIMEOUT)
    assert "distance must be a positive number" in panel.numbers.text()
    panel.save_button.click()  # refused before it reaches the case
    qtbot.waitUntil(lambda: "positive" in panel.numbers.text(), timeout=TIMEOUT)
    assert len(audit.entries(case.read())) == rows and descents(case.read(), tid) == []

"""The video panel shows a video's inspection: the active picture and the static overlays
outlined over the frame (the Overlays toggle), duplicated and blended frames marked on the
timeline; the inspection runs as a job and is read back from the case's cache.

Truth: tests/synth/degraded.py (letterbox bars, a logo and a time stamp burnt in, frames 10
and 25 duplicated, frame 18 blended).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from tests.synth.degraded import DegradedTruth, write_degraded_video
from ui.jobs import JobRunner
from ui.video.panel import VideoPanel
from ui.video.timeline import BLENDED, DUPLICATED, FLAG_TICK_PX, STRIP_HEIGHT_PX, STRIP_TOP_PX
from workbench.case import create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file

TIMEOUT = 30000


@pytest.fixture
def degraded_case(tmp_path):
    video = write_degraded_video(tmp_path / "tv_clip.mkv")
    with create_case(tmp_path / "c.gwcase", analyst="tester") as case:
        yield case, get_evidence(case.read(), import_file(case, video).id)


@pytest.fixture
def open_panel(qtbot):
    made = []

    def open_on(case, evidence):
        jobs = JobRunner()
        panel = VideoPanel(jobs)
        qtbot.addWidget(panel)
        panel.resize(1000, 700)
        panel.show()
        qtbot.waitExposed(panel)
        made.append((panel, jobs))
        with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
            panel.show_evidence(case, evidence)
        return panel

    yield open_on
    for panel, jobs in made:
        panel.shutdown()
        jobs.wait_for_done()


def _rgb(c: QColor) -> tuple[int, int, int]:
    return c.red(), c.green(), c.blue()


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: GEOWORKBENCH_SHOTS_DIR (to look at them), else the test's tmp."""
    folder = Path(os.environ.get("GEOWORKBENCH_SHOTS_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_overlays_toggle_inspects_in_a_job_and_marks_the_timeline(
    qtbot, degraded_case, open_panel, tmp_path, monkeypatch
):
    case, evidence = degraded_case
    t = DegradedTruth()
    panel = open_panel(case, evidence)
    assert panel.timeline.frame_flags == {"duplicated": frozenset(), "blended": frozenset()}
    threads: list[int] = []
    import analysis.media.inspection as ami

    original = ami.inspect_video

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(ami, "inspect_video", spy)  # workbench imports it when it runs
    with qtbot.waitSignal(panel.inspection.inspected, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.overlays_button, Qt.MouseButton.LeftButton)
    assert threads and threading.get_ident() not in threads  # computed off the GUI thread
    result = blocker.args[0].result
    assert panel.overlays_button.isChecked() and panel.inspection.visible
    assert panel.timeline.frame_flags == {
        "duplicated": frozenset(t.duplicated),
        "blended": frozenset(t.blended),
    }
    assert len(result.overlays.boxes) == 2
    assert panel.inspection.item_count == 2 + 2 * len(result.overlays.boxes)
    assert "2 overlays" in panel.status.text() and "2 duplicated, 1 blended" in panel.status.text()
    assert "duplicate: the same picture as frame 9" in panel.timeline.describe(10)
    # the timeline's ticks under the strip, at the marked frames only
    panel.go_to(2)
    qtbot.waitUntil(lambda: panel.current_index == 2, timeout=TIMEOUT)
    tl = panel.timeline
    image = tl.grab().toImage()
    y = STRIP_TOP_PX + STRIP_HEIGHT_PX - FLAG_TICK_PX // 2 - 1

    def tick(frame: int) -> tuple[int, int, int]:
        return _rgb(image.pixelColor(int(tl.x_of(frame) + tl.x_of(1) / 2), y))

    assert tick(10) == _rgb(DUPLICATED) and tick(25) == _rgb(DUPLICATED)
    assert tick(18) == _rgb(BLENDED)
    assert tick(30) not in (_rgb(DUPLICATED), _rgb(BLENDED))
    # the logo's outline is drawn over the frame, in magenta, where the truth puts it
    path = shots_dir(tmp_path) / "video_panel_overlays.png"
    assert panel.grab().save(str(path))
    view = panel.viewer
    shot = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    lx, ly, lw, lh = t.logo_box
    top_edge = view.mapFromScene(lx + lw / 2, ly - 1.0)
    hits = [_rgb(shot.pixelColor(top_edge.x(), top_edge.y() + dy)) for dy in range(-3, 4)]
    assert (255, 0, 255) in hits, hits
    # the toggle hides the outlines; the timeline keeps its marks
    panel.toggle_overlays()
    assert not panel.overlays_button.isChecked()
    assert not any(item.isVisible() for item in panel.inspection._items)
    assert tl.frame_flags["duplicated"] == frozenset(t.duplicated)


def test_a_cached_inspection_is_shown_without_decoding_again(
    qtbot, degraded_case, open_panel, monkeypatch
):
    case, evidence = degraded_case
    from workbench.media_inspection import inspect_evidence

    inspect_evidence(case, evidence.id)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr("analysis.media.inspection.inspect_video", no_decoding)
    panel = open_panel(case, evidence)
    qtbot.waitUntil(lambda: panel.inspection.shown is not None, timeout=TIMEOUT)
    assert panel.timeline.frame_flags["blended"] == frozenset(DegradedTruth().blended)
    assert not panel.overlays_button.isChecked()
    assert not any(item.isVisible() for item in panel.inspection._items)
    qtbot.keyClick(panel, Qt.Key.Key_O)
    assert panel.overlays_button.isChecked()
    assert all(item.isVisible() for item in panel.inspection._items)

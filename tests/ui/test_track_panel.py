"""The Track tool of the video panel on a case video with a known descent: a click marks the
object, the track grows on the frame while the job runs (partial results) and is stored; it
is drawn on the frame and as a band on the timeline; dragging its point corrects it and
re-propagates; undo puts the points back; a box too small is refused in words."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from analysis.tracking.video_track import Mark
from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from ui.jobs import JobRunner
from ui.video.panel import VideoPanel
from ui.video.track_panel import TrackPanel
from workbench.case import audit, create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file
from workbench.tracks import list_tracks, read_track

TIMEOUT = 30000
pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


@pytest.fixture
def tool_on_video(qtbot, tmp_path):
    r = write_descent_video(tmp_path / "canopy.mp4", seed=21)
    case = create_case(tmp_path / "t.gwcase", analyst="tester")
    evidence = get_evidence(case.read(), import_file(case, tmp_path / "canopy.mp4").id)
    jobs = JobRunner()
    panel = VideoPanel(jobs)
    tool = TrackPanel.attach(panel, jobs, panel.undo_stack)
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.show_evidence(case, evidence)
    yield panel, tool, case, r
    panel.shutdown()
    jobs.wait_for_done()
    case.close()


def _actions(case) -> list[str]:
    return [e.action for e in audit.entries(case.read())]


def test_mark_track_correct_undo(qtbot, tool_on_video) -> None:
    panel, tool, case, r = tool_on_video
    tool.button.click()  # the Track button shows the tool
    assert tool.isVisible() and tool.button.isChecked()
    partials: list[int] = []
    original = tool._on_partial

    def spy(points) -> None:
        partials.append(len(points))
        original(points)

    tool._on_partial = spy
    tool.point_button.click()
    assert panel.viewer.armed
    tool.viewer.pixel_clicked.emit(*r.truth_xy[0])
    qtbot.waitUntil(lambda: tool.selected is not None, timeout=TIMEOUT)
    assert partials and partials == sorted(partials)  # the track grew while it was computed
    [stored] = list_tracks(case.read())
    assert tool.selected.id == stored.id and len(stored.points) >= 30
    assert tool.layer.item_count > len(stored.points)  # path, dots, box, ring
    assert tool.timeline.track_runs == [(0, stored.points[-1].frame_index)]
    assert not panel.viewer.armed

    k = 20
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.go_to(k)
    assert tool.layer.handle is not None
    before = read_track(case.read(), stored.id).points
    tool.layer.point_moved.emit(k, float(r.truth_xy[k, 0]), float(r.truth_xy[k, 1]))
    qtbot.waitUntil(lambda: "track.repropagate" in _actions(case), timeout=TIMEOUT)
    after = read_track(case.read(), stored.id)
    assert after.point_at(k).source == "analyst" and after.point_at(k).bg_x_px is not None
    err = math.hypot(
        after.point_at(k).x_px - r.truth_xy[k, 0], after.point_at(k).y_px - r.truth_xy[k, 1]
    )
    assert err < 1e-6

    def shown_source() -> str | None:
        return tool.selected.point_at(k).source if tool.selected is not None else None

    qtbot.waitUntil(lambda: shown_source() == "analyst", timeout=TIMEOUT)

    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: read_track(case.read(), stored.id).points == before, timeout=TIMEOUT)
    panel.undo_stack.undo()  # the track itself
    qtbot.waitUntil(lambda: list_tracks(case.read()) == [], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: tool.selected is None and tool.timeline.track_runs == [],
                    timeout=TIMEOUT)  # fmt: skip


def test_a_box_too_small_is_refused(qtbot, tool_on_video) -> None:
    panel, tool, case, r = tool_on_video
    tool.button.click()
    tool.box_button.click()
    x, y = r.truth_xy[0]
    tool.viewer.pixel_clicked.emit(x, y)
    assert "opposite corner" in tool.status.text()
    tool.viewer.pixel_clicked.emit(x + 1, y + 1)
    assert "too small" in tool.status.text()
    assert list_tracks(case.read()) == []


def test_cancel_stores_nothing(qtbot, tool_on_video) -> None:
    panel, tool, case, r = tool_on_video
    tool.button.click()
    tool.track(Mark(0, *r.truth_xy[0]))
    panel.jobs.cancel_all()  # what Esc and the status bar's Cancel do
    qtbot.waitUntil(lambda: "cancelled" in tool.status.text(), timeout=TIMEOUT)
    assert tool.live is None and list_tracks(case.read()) == []


def test_track_and_annotate_tools_are_never_armed_together(qtbot, tool_on_video) -> None:
    panel, tool, case, r = tool_on_video
    tool.button.click()
    panel.annotate_button.click()
    annotations = panel.annotations
    tool.point_button.click()
    annotations.tool_buttons["point"].click()  # the Annotate tool takes the clicks
    assert annotations.kind == "point" and tool.mode is None
    assert not tool.point_button.isChecked() and panel.viewer.armed
    tool.box_button.click()  # and the Track tool takes them back
    assert tool.mode == "box" and annotations.kind is None and panel.viewer.armed
    assert not annotations.tool_buttons["point"].isChecked()
    x, y = r.truth_xy[0]
    tool.viewer.pixel_clicked.emit(x, y)  # one click goes to one tool
    assert "opposite corner" in tool.status.text() and annotations.draft == []
    tool.arm(None)
    annotations.tool_buttons["point"].click()
    tool.viewer.pixel_clicked.emit(x, y)  # a point annotation, and nothing for the Track tool
    assert tool.corner is None and tool.mode is None and tool.live is None


def test_the_status_line_shows_a_typed_label_as_text(tool_on_video) -> None:
    panel, tool, case, r = tool_on_video
    tool.writes.edit_failed.emit("track <b>canopy</b>", RuntimeError("disk full"))
    assert tool.status.text() == "⚠ track <b>canopy</b>: disk full"
    assert tool.status.textFormat() == Qt.TextFormat.PlainText

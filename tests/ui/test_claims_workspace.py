"""The Claims workspace (issue 18): claims, the timeline with two synced videos, the linked
view and the sound under the video, on the sample case's sound (truth from truth.json)."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from tests.synth.media_factory import make_video
from tests.synth.sound_demo import sound_demo
from ui.case.main_window import MainWindow
from workbench.case import create_case, open_case
from workbench.case.intake import import_file
from workbench.geodata_records import get_observation, list_observations

TIMEOUT = 30000


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return sound_demo(tmp_path_factory)


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_case()
    shiboken6.delete(w)


def _open_claims(qtbot, w, path):
    with qtbot.waitSignal(w.case_refreshed, timeout=TIMEOUT):
        w.open_case_path(path)
    qtbot.keyClick(w.evidence_panel.view, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert w.parts.workspaces.current == "Claims"
    parts = w.parts.claims
    qtbot.waitUntil(lambda: parts.claims_panel.claims_table.rowCount() == 2, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: len(parts.timeline_panel._waves) == 2, timeout=TIMEOUT)
    qtbot.wait(300)  # laid out: two videos' lanes and the sound never grow the window
    assert w.size().toTuple() == (1366, 768)
    return parts


def _shows(w, evidence_id: int, frame: int) -> bool:
    vp = w.video_panel
    return (vp.evidence is not None and vp.evidence.id == evidence_id and vp.shown is not None
            and vp.current_index == frame)  # fmt: skip


def test_claim_links_and_timeline_events_open_the_evidence_at_its_moment(qtbot, window, demo):
    built, truth = demo
    w, ids = window, built.evidence_ids
    parts = _open_claims(qtbot, w, built.case_path)
    table = parts.claims_panel.claims_table
    arabic = next(r for r in range(2) if table.item(r, 1).text().startswith("لم"))
    assert table.item(arabic, 0).text() == "refuted"
    table.setCurrentCell(arabic, 1)
    links = parts.claims_panel.links_table
    with open_case(built.case_path, read_only=True) as case:
        [fb] = list_observations(case.read(), "flash_bang")
    row = next(r for r in range(links.rowCount())
               if links.item(r, 0).text() == f"flash_bang {fb.id}")  # fmt: skip
    links.cellClicked.emit(row, 0)  # one click: the video at the flash frame
    flash_b = truth["videos"]["video_second"]["flash"]["frames"][0]
    qtbot.waitUntil(lambda: _shows(w, ids["video_second"], flash_b), timeout=TIMEOUT)
    assert w.parts.workspaces.current == "Claims"  # the evidence opens in the centre here
    panel = parts.timeline_panel
    panel.repaint()
    strike = next(r for r, s in panel._hits if s == "timeline_event:2")
    qtbot.mouseClick(panel, Qt.MouseButton.LeftButton, pos=strike.center().toPoint())
    flash_a = truth["videos"]["video_rooftop"]["flash"]["frames"][0]
    qtbot.waitUntil(lambda: _shows(w, ids["video_rooftop"], flash_a), timeout=TIMEOUT)
    # a click on the second video's sound lane opens it at that moment: its flash frame
    vb = truth["videos"]["video_second"]
    lane = next(r for r, src in panel._lane_rects if src == f"evidence:{ids['video_second']}")
    at = _when(vb["flash"]["utc"]) + 0.05  # within the flash frame's 0.1 s
    qtbot.mouseClick(panel, Qt.MouseButton.LeftButton,
                     pos=QPoint(round(panel._x(at)), round(lane.center().y())))  # fmt: skip
    qtbot.waitUntil(lambda: _shows(w, ids["video_second"], vb["flash"]["frames"][0]),
                    timeout=TIMEOUT)  # fmt: skip


def test_linked_view_steps_the_two_videos_together(qtbot, window, demo):
    built, truth = demo
    w, ids = window, built.evidence_ids
    parts = _open_claims(qtbot, w, built.case_path)
    w.parts.show_place(ids["video_rooftop"], None)
    qtbot.waitUntil(lambda: w.video_panel.table is not None, timeout=TIMEOUT)
    linked = parts.linked
    qtbot.waitUntil(lambda: linked.partner is not None, timeout=TIMEOUT)
    assert linked.partner[0] == ids["video_second"]
    flash_a = truth["videos"]["video_rooftop"]["flash"]["frames"][0]
    flash_b = truth["videos"]["video_second"]["flash"]["frames"][0]
    w.video_panel.go_to(flash_a)
    qtbot.waitUntil(lambda: linked.partner_index == flash_b, timeout=TIMEOUT)
    assert parts.timeline_panel._cursor is not None  # the timeline marks the moment
    linked.step(1)
    qtbot.waitUntil(lambda: _shows(w, ids["video_rooftop"], flash_a + 1), timeout=TIMEOUT)
    assert linked.partner_index == flash_b + 1
    cut = truth["videos"]["video_rooftop"]["cut"]["frame"]
    w.video_panel.go_to(cut + 1)  # past the edit cut: real time was removed, no moment
    qtbot.waitUntil(lambda: "not on the shared clock" in linked.info.text(), timeout=TIMEOUT)
    assert linked.partner_index == flash_b + 1 and parts.timeline_panel._cursor is None


def test_sound_strip_proposes_the_bang_and_measures_flash_to_bang(qtbot, window, demo):
    built, truth = demo
    w, ids = window, built.evidence_ids
    vb = truth["videos"]["video_second"]
    _open_claims(qtbot, w, built.case_path)
    w.parts.show_place(ids["video_second"], vb["flash"]["frames"][0])
    strip = w.parts.claims.sound
    qtbot.waitUntil(lambda: strip.shown_id == ids["video_second"], timeout=TIMEOUT)
    bang_s = vb["flash"]["file_time_s"] + vb["bang"]["delay_s"]
    assert min(abs(t - bang_s) for t in strip.view.picture.onsets_s) < 0.005
    qtbot.waitUntil(lambda: _shows(w, ids["video_second"], vb["flash"]["frames"][0]),
                    timeout=TIMEOUT)  # fmt: skip
    strip.mark_flash()
    strip.view.bang_picked.emit(strip.view.picture.onsets_s[0])  # Shift+click on its tick
    assert "Bang chosen" in strip.label.text()
    with qtbot.waitSignal(strip.measured, timeout=TIMEOUT) as got:
        strip.measure()
    # the default air for the camera's latitude on the video's date (it is placed in UTC)
    assert "m (95%" in strip.label.text() and "air 11.7 C" in strip.label.text()
    with open_case(built.case_path, read_only=True) as case:
        stored = {o.id for o in list_observations(case.read(), "flash_bang")}
    assert got.args[0] in stored
    with qtbot.waitSignal(strip.fixed, timeout=TIMEOUT) as fixed:  # its ring and bearing
        strip.fix_button.click()
    with open_case(built.case_path, read_only=True) as case:
        fix = get_observation(case.read(), fixed.args[0])
    assert fix.inputs["flash_bang_ids"] == [got.args[0]] and len(fix.inputs["rays"]) == 1
    strike = truth["landmarks"]["strike_point"]
    miss = geodesy.distance_m(LatLon(fix.result["lat_deg"], fix.result["lon_deg"]),
                              LatLon(strike["lat_deg"], strike["lon_deg"]))  # fmt: skip
    assert miss < fix.result["ellipse"]["semi_major_m"]
    w.undo_stack.undo()  # the fix, then the distance: the shared case as it was
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: got.args[0] not in _flash_bangs(built.case_path), timeout=TIMEOUT)
    with open_case(built.case_path, read_only=True) as case:
        assert fixed.args[0] not in {o.id for o in list_observations(case.read())}


def _flash_bangs(path) -> set[int]:
    with open_case(path, read_only=True) as case:
        return {o.id for o in list_observations(case.read(), "flash_bang")}


def test_a_video_without_sound_says_so(qtbot, window, tmp_path):
    path = tmp_path / "mute.gwcase"
    with create_case(path) as case:
        import_file(case, make_video(tmp_path / "mute.mp4", fmt="mp4"))
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.open_case_path(path)
    window.evidence_panel.select(1)
    view = window.parts.claims.sound.view
    qtbot.waitUntil(lambda: "no sound track" in view.message, timeout=TIMEOUT)


def test_a_dragged_stretch_of_sound_is_kept_and_undone(qtbot, window, demo):
    built, _truth = demo
    w, ids = window, built.evidence_ids
    _open_claims(qtbot, w, built.case_path)
    w.parts.show_place(ids["video_second"], 0)
    strip = w.parts.claims.sound
    qtbot.waitUntil(lambda: strip.shown_id == ids["video_second"], timeout=TIMEOUT)
    view = strip.view
    y = view.height() // 2
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 4, y))
    qtbot.mouseMove(view, QPoint(view.width() // 2, y))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2, y))
    assert view.selection is not None and strip.marks.keep_button.isEnabled()
    strip.marks.name_edit.setText("jet noise")
    with qtbot.waitSignal(strip.marks.kept, timeout=TIMEOUT) as got:
        strip.marks.keep_button.click()
    with open_case(built.case_path, read_only=True) as case:
        [mark] = [o for o in list_observations(case.read(), "sound_mark") if o.id == got.args[0]]
    assert mark.inputs["label"] == "jet noise" and "start_utc" in mark.inputs
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: not _marks(built.case_path), timeout=TIMEOUT)


def _marks(path) -> list:
    with open_case(path, read_only=True) as case:
        return list_observations(case.read(), "sound_mark")


def test_two_videos_are_synced_from_the_linked_view_and_then_step_together(qtbot, window,
                                                                            tmp_path):  # fmt: skip
    path = tmp_path / "two.gwcase"
    with create_case(path) as case:
        a = import_file(case, make_video(tmp_path / "a.mp4", frames=30, fmt="mp4")).id
        b = import_file(case, make_video(tmp_path / "b.mp4", frames=36, size=(64, 48),
                                         fmt="mp4")).id  # fmt: skip
    w = window
    with qtbot.waitSignal(w.case_refreshed, timeout=TIMEOUT):
        w.open_case_path(path)
    w.parts.workspaces.switch("Claims")
    w.parts.show_place(a, 5)
    qtbot.waitUntil(lambda: _shows(w, a, 5), timeout=TIMEOUT)
    linked = w.parts.claims.linked
    qtbot.waitUntil(lambda: linked.partner is not None and linked.partner[0] == b,
                    timeout=TIMEOUT)  # fmt: skip
    linked.step(3)  # the same event is in frame 3 of b and frame 5 of a
    assert linked.partner_index == 3 and _shows(w, a, 5)  # not synced: a stays
    linked.sound_button.click()  # these videos have no sound: said, nothing stored
    qtbot.waitUntil(lambda: "Not synced" in linked.info.text(), timeout=TIMEOUT)
    linked.same_button.click()  # "Synced", then the views follow the new clock
    qtbot.waitUntil(lambda: a in linked.clocks and b in linked.clocks, timeout=TIMEOUT)
    assert not linked.clocks[a].anchored  # on a relative clock: no UTC anchor
    w.video_panel.go_to(10)
    qtbot.waitUntil(lambda: linked.partner_index == 8, timeout=TIMEOUT)
    with open_case(path, read_only=True) as case:
        [sync] = list_observations(case.read(), "video_sync")
    assert sync.result["offset_s"] == pytest.approx((3 - 5) / 12, abs=1e-6)
    # anchoring one places both in UTC: the timeline shows their sound side by side (none
    # here: no sound), the linked clock is anchored, and undo takes the anchor back
    anchor = w.parts.claims.anchor
    anchor.time_edit.setText("2016-10-26T10:32:10")  # no zone: refused, nothing stored
    anchor.button.click()
    qtbot.waitUntil(lambda: "Not anchored" in anchor.status.text(), timeout=TIMEOUT)
    anchor.time_edit.setText("2016-10-26T10:32:10+03:00")
    anchor.button.click()
    qtbot.waitUntil(lambda: "anchored (event" in anchor.status.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: linked.clocks.get(b) is not None and linked.clocks[b].anchored,
                    timeout=TIMEOUT)  # fmt: skip
    first_b = _when(linked.clocks[b].start_utc)
    # a first at 10:32:10 less 10 frames; b starts 2 frames after a (offset -2/12 s)
    assert first_b == pytest.approx(_when("2016-10-26T07:32:10Z") - 10 / 12 + 2 / 12, abs=1e-3)
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: not linked.clocks[a].anchored, timeout=TIMEOUT)


def _when(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

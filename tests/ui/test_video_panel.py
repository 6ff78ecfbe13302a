"""The video panel on a real case: exact frames by key, decoding off the GUI thread, timeline
cuts with undo, export, go-to; and the main window showing it for video evidence."""

from __future__ import annotations

import json
import threading

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from analysis.video.decode import VideoReader
from tests.workbench.test_video_store import CUT_FRAME, N_FRAMES, make_cut_video
from ui.jobs import JobRunner
from ui.video.panel import VideoPanel, parse_position
from ui.video.timeline import AUTO_CUT, STRIP_TOP_PX
from ui.video.worker import thumbnail_frames
from workbench.case import audit, create_case
from workbench.case.evidence import get_evidence
from workbench.case.intake import import_file

TIMEOUT = 30000


def qimage_to_rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * h)
    return buf.reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).copy()


@pytest.fixture
def video(tmp_path):
    return make_cut_video(tmp_path / "cut.mp4")


@pytest.fixture
def truth(video):
    with VideoReader(video) as reader:
        yield reader


@pytest.fixture
def panel_on(qtbot, tmp_path):
    """Open a panel on a new case holding ``path``; yields (panel, case, evidence)."""
    made = []

    def open_on(path):
        case = create_case(tmp_path / f"c{len(made)}.gwcase", analyst="tester")
        evidence = get_evidence(case.read(), import_file(case, path).id)
        jobs = JobRunner()
        panel = VideoPanel(jobs)
        qtbot.addWidget(panel)
        panel.resize(900, 600)
        panel.show()
        qtbot.waitExposed(panel)
        panel.activateWindow()
        panel.setFocus()
        made.append((panel, jobs, case))
        # the first frame and the stored segments (none yet) both arrive
        with qtbot.waitSignals([panel.frame_shown, panel.segments_changed], timeout=TIMEOUT):
            panel.show_evidence(case, evidence)
        return panel, case, evidence

    yield open_on
    for panel, jobs, case in made:
        panel.shutdown()
        jobs.wait_for_done()
        case.close()


def press(qtbot, panel, key, modifier=Qt.KeyboardModifier.NoModifier) -> int:
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(panel, key, modifier)
    return blocker.args[0]


def test_keys_step_through_exact_frames(qtbot, panel_on, video, truth):
    panel, _case, _e = panel_on(video)
    steps = [
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, 1),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, 11),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, 10),
        (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier, N_FRAMES - 1),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier, N_FRAMES - 11),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier, 0),
    ]
    for key, mod, want in steps:
        assert press(qtbot, panel, key, mod) == want
        frame = truth.frame_at(want)
        assert panel.shown.frame.md5 == frame.md5
        assert np.array_equal(qimage_to_rgb(panel.shown.shown), frame.image)
        assert f"frame {want} / {N_FRAMES - 1}" in panel.info.text()
        assert f"pts {frame.pts} " in panel.info.text()
    assert "time 00:00:00.000" in panel.info.text()


def test_decoding_never_happens_on_the_gui_thread(qtbot, panel_on, video):
    panel, _case, _e = panel_on(video)
    press(qtbot, panel, Qt.Key.Key_Right)
    gui = threading.get_ident()
    assert panel.decoder.decode_threads and gui not in panel.decoder.decode_threads
    assert panel.shown.thread_id != gui


def test_held_key_requests_coalesce_to_the_latest_frame(qtbot, panel_on, video):
    panel, _case, _e = panel_on(video)
    shown: list[int] = []
    panel.frame_shown.connect(shown.append)
    for i in range(1, 41):  # forty requests before the event loop runs again
        panel.go_to(i)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] == 40, timeout=TIMEOUT)
    assert len(shown) < 10, shown
    assert panel.current_index == 40


def test_timeline_shows_the_detected_cut_and_edits_are_undoable(qtbot, panel_on, video):
    panel, case, _e = panel_on(video)
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.detect_button.click()
    tl = panel.timeline
    assert tl.cut_frames == [CUT_FRAME]
    image = tl.grab().toImage()
    x = int(tl.x_of(CUT_FRAME))
    marker = image.pixelColor(x, STRIP_TOP_PX + 30)
    assert (marker.red(), marker.green(), marker.blue()) == (
        AUTO_CUT.red(),
        AUTO_CUT.green(),
        AUTO_CUT.blue(),
    )
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.edit_cut("add", 10)
    assert tl.cut_frames == [10, CUT_FRAME]
    # drag the new cut from frame 10 to frame 15 on the timeline
    y = STRIP_TOP_PX + 20
    start = QPoint(int(tl.x_of(10)), y)
    end = QPoint(int(tl.x_of(15) + tl.x_of(1) / 2), y)
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        qtbot.mousePress(tl, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(tl, end)
        qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, pos=end)
    assert tl.cut_frames == [15, CUT_FRAME]
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.undo_stack.undo()  # the move
    assert tl.cut_frames == [10, CUT_FRAME]
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.undo_stack.undo()  # the add
    assert tl.cut_frames == [CUT_FRAME]
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.undo_stack.redo()
    assert tl.cut_frames == [10, CUT_FRAME]
    actions = [e.action for e in audit.entries(case.read())]
    # every redo and undo is its own audited write
    assert actions[-6:] == [
        "video.segments_detect",
        "segment.cut_add",
        "segment.cut_move",
        "segment.cut_restore",  # undo of the move: the boundary back as it was
        "segment.cut_delete",
        "segment.cut_add",
    ]


def test_click_on_the_timeline_seeks(qtbot, panel_on, video, truth):
    panel, _case, _e = panel_on(video)
    tl = panel.timeline
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(
            tl, Qt.MouseButton.LeftButton, pos=QPoint(int(tl.x_of(30) + 1), STRIP_TOP_PX + 20)
        )
    assert blocker.args[0] == 30
    assert panel.shown.frame.md5 == truth.frame_at(30).md5


def test_export_frame_with_ctrl_e_writes_the_enhanced_shown_frame(qtbot, panel_on, video, truth):
    panel, case, e = panel_on(video)
    press(qtbot, panel, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # frame 10
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.enhance_panel.sliders["brightness"].setValue(30)
    assert "ENHANCED" in panel.info.text()
    expected = np.clip(truth.frame_at(10).image.astype(int) + 30, 0, 255)
    assert np.array_equal(qimage_to_rgb(panel.shown.shown), expected)
    assert np.array_equal(panel.shown.frame.image, truth.frame_at(10).image)  # evidence intact
    with qtbot.waitSignal(panel.frame_exported, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(panel, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    exported = blocker.args[0]
    assert exported.frame_index == 10
    png = QImage(str(exported.png_path))
    assert np.array_equal(qimage_to_rgb(png), expected)
    side = json.loads(exported.sidecar_path.read_text(encoding="utf-8"))
    enhancement = side["operations"][-1]  # after decode, to RGB, square pixels, upright
    assert enhancement["op"] == "levels"
    assert enhancement["params"]["brightness"] == 30
    assert side["sources"][0]["source_sha256"] == e.sha256
    assert audit.entries(case.read())[-1].action == "frame.export"


def test_go_to_frame_or_time_code(qtbot, panel_on, video):
    panel, _case, _e = panel_on(video)
    qtbot.keyClick(panel, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert panel.focusWidget() is panel.goto_edit
    panel.goto_edit.setText("00:00:02.000")  # 12 fps: frame 24
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(panel.goto_edit, Qt.Key.Key_Return)
    assert blocker.args[0] == 24
    assert parse_position("7", panel.table) == 7
    assert parse_position("1.5s", panel.table) == 18
    assert parse_position("0:03.9", panel.table) == 46
    assert parse_position("soon", panel.table) is None


def test_counter_video_frames_have_their_known_times(qtbot, panel_on, media_data):
    panel, _case, _e = panel_on(media_data / "video" / "counter.mp4")
    for n in (1, 2, 3):
        assert press(qtbot, panel, Qt.Key.Key_Right) == n
        # README truth: frame n shows "PTS = n/10 s"
        assert panel.shown.frame.time_s == pytest.approx(n / 10, abs=1e-6)
        assert panel.shown.frame.md5 == panel.table.frames[n].md5
    assert panel.shown.shown.size().width() == 1920


def test_main_window_shows_video_evidence_in_the_video_panel(qtbot, tmp_path, video):
    from tests.synth.media_factory import make_jpeg
    from ui.case.main_window import MainWindow

    path = tmp_path / "m.gwcase"
    with create_case(path) as case:
        photo = import_file(case, make_jpeg(tmp_path / "p.jpg", size=(64, 48)))
        clip = import_file(case, video)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
            window.open_case_path(path)
        with qtbot.waitSignal(window.video_panel.frame_shown, timeout=TIMEOUT):
            window.evidence_panel.select(clip.id)
        assert window.central.currentWidget() is window.video_panel
        assert window.video_panel.frame_count == N_FRAMES
        window.evidence_panel.select(photo.id)
        qtbot.waitUntil(lambda: window.central.currentWidget() is window.viewer, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: window.viewer.has_image(), timeout=TIMEOUT)
    finally:
        window.close_case()
    assert window.video_panel.table is None


def test_playback_shows_every_frame_in_order_and_k_pauses(qtbot, panel_on, video):
    panel, _case, _e = panel_on(video)
    shown: list[int] = []
    panel.frame_shown.connect(shown.append)
    qtbot.keyClick(panel, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: len(shown) >= 6, timeout=TIMEOUT)
    qtbot.keyClick(panel, Qt.Key.Key_K)
    stopped = len(shown)
    qtbot.wait(300)
    assert shown == list(range(1, len(shown) + 1))  # no frame skipped
    assert len(shown) <= stopped + 1  # at most the frame already requested arrives
    assert not panel._timer.isActive()


def test_thumbnails_are_cached_in_derived_and_show_their_frames(qtbot, panel_on, video, truth):
    panel, case, e = panel_on(video)
    qtbot.waitUntil(lambda: panel.timeline.thumbnail_count > 0, timeout=TIMEOUT)
    cache = case.derived_dir / "thumbs" / e.sha256
    files = sorted(cache.glob("f*_h54.png"))
    assert len(files) == panel.timeline.thumbnail_count
    keyframes = set(panel.table.keyframe_indices)
    for index, image in panel.timeline.thumbnails:
        assert image.height() == 54
        assert (cache / f"f{index}_h54.png").is_file()
        small = cv2.resize(truth.frame_at(index).image, (image.width(), 54), cv2.INTER_AREA)
        assert np.abs(qimage_to_rgb(image).astype(int) - small).mean() < 2.0
    # each keyframe lies in some slot and is the one picked there (it decodes alone)
    assert keyframes <= {index for index, _ in panel.timeline.thumbnails}


def test_thumbnail_frames_snap_to_keyframes_inside_their_slot():
    from analysis.video.table import FrameRecord, FrameTable

    frames = tuple(FrameRecord(i, i, i / 10, i in (0, 40, 95), "0" * 32) for i in range(100))
    table = FrameTable(frames, (1, 10), "h264", "yuv420p", 8, 8, 0, (1, 1), True, (), ())
    # slots of 25 frames: 0-24 has keyframe 0; 25-49 has 40; 50-74 none (middle 62); 75-99: 95
    assert thumbnail_frames(table, 4) == [0, 40, 62, 95]
    assert thumbnail_frames(table, 0) == []


def test_switching_video_before_it_loaded_shows_only_the_new_one(qtbot, panel_on, video, tmp_path):
    from tests.synth.media_factory import make_video

    panel, case, first = panel_on(video)
    other = get_evidence(case.read(), import_file(case, make_video(tmp_path / "grey.mp4")).id)
    panel.clear()
    loaded: list[int] = []
    panel.table_loaded.connect(loaded.append)
    panel.show_evidence(case, first)
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.show_evidence(case, other)
    qtbot.wait(200)
    assert panel.evidence.id == other.id
    assert loaded == [24] and panel.frame_count == 24  # media_factory's 24 grey frames
    assert panel.shown.frame.md5 == panel.table.frames[0].md5
    assert panel.status.text() == ""


def test_undo_after_switching_video_undoes_the_edit_where_it_was_made(
    qtbot, panel_on, video, tmp_path
):
    from tests.synth.media_factory import make_video
    from workbench.video_store import list_segments

    panel, case, first = panel_on(video)
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.edit_cut("add", 5)
    other = get_evidence(case.read(), import_file(case, make_video(tmp_path / "grey.mp4")).id)
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.show_evidence(case, other)
    panel.undo_stack.undo()
    qtbot.waitUntil(
        lambda: [s.first_frame for s in list_segments(case.read(), first.id)] == [0],
        timeout=TIMEOUT,
    )
    assert list_segments(case.read(), other.id) == []
    assert panel.timeline.cut_frames == []


def test_a_segment_result_started_earlier_never_overwrites_a_newer_one(qtbot, panel_on, video):
    from workbench.video_store import StoredSegment

    panel, _case, e = panel_on(video)
    old_read = panel.feed.segments_callback(e.id)  # e.g. a slow read started before an edit
    new_edit = panel.feed.segments_callback(e.id)
    newer = [
        StoredSegment(0, 9, 4, "", None, "auto"),
        StoredSegment(10, 47, 20, "cut", None, "user"),
    ]
    new_edit(newer)
    old_read([StoredSegment(0, 47, 23, "", None, "auto")])
    assert panel.timeline.cut_frames == [10]


def test_timeline_tooltip_names_the_boundary(qtbot, panel_on, video):
    panel, _case, _e = panel_on(video)
    with qtbot.waitSignal(panel.segments_changed, timeout=TIMEOUT):
        panel.detect_button.click()
    text = panel.timeline.describe(CUT_FRAME, boundary=True)
    assert text.startswith(f"frame {CUT_FRAME} · 2.000 s") and "cut (auto, score" in text
    assert panel.timeline.describe(3) == "frame 3 · 0.250 s"

"""The Compare panel on a case: known homography, region search, view modes, save, segments.

Truth: a real photo (tests/data/media/pairs/aero1.jpg) warped by a homography chosen here (zoom
1.3, rotation 8 degrees, mild perspective), and a video whose second segment is an exact 1.5x
centre crop-zoom of the first.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.synth.media_factory import make_crop_zoom_video
from ui.case.main_window import MainWindow
from ui.compare.panel import ComparePanel
from ui.jobs import JobRunner
from workbench.case import create_case
from workbench.case.evidence import set_flags
from workbench.case.intake import import_file
from workbench.continuity_store import list_continuity_notes
from workbench.frame_table_store import load_or_build_frame_table
from workbench.match_store import ViewRef
from workbench.video_store import StoredSegment, add_cut, consecutive_segments

TIMEOUT = 60000
WORK_SIZE = (800, 600)
ZOOM = 1.3
CUT_FRAME = 12
VIDEO_ZOOM = 1.5


def truth_homography(w: int, h: int) -> np.ndarray:
    """Zoom ZOOM and 8 degrees about the centre with a mild perspective term (A -> B)."""
    r = np.deg2rad(8.0)
    c = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1.0]])
    t = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1.0]])
    s = np.array(
        [[ZOOM * np.cos(r), -ZOOM * np.sin(r), 0], [ZOOM * np.sin(r), ZOOM * np.cos(r), 0],
         [2e-5, 1e-5, 1.0]]
    )  # fmt: skip
    return c @ s @ t


@pytest.fixture
def pair_case(tmp_path, media_data):
    src = cv2.imread(str(media_data / "pairs" / "aero1.jpg"))
    a = cv2.resize(src, WORK_SIZE, interpolation=cv2.INTER_AREA)
    h = truth_homography(*WORK_SIZE)
    b = cv2.warpPerspective(a, h, WORK_SIZE, flags=cv2.INTER_LINEAR)
    cv2.imwrite(str(tmp_path / "tower_reference.png"), a)
    cv2.imwrite(str(tmp_path / "strike_still.png"), b)
    case = create_case(tmp_path / "c.gwcase", analyst="tester")
    ia = import_file(case, tmp_path / "tower_reference.png").id
    ib = import_file(case, tmp_path / "strike_still.png").id
    set_flags(case, ia, reference=True).result()
    yield case, ia, ib, h
    case.close()


@pytest.fixture
def panel(qtbot):
    jobs = JobRunner()
    p = ComparePanel(jobs)
    qtbot.addWidget(p)
    p.resize(1300, 700)
    p.show()
    yield p
    jobs.cancel_all()
    jobs.wait_for_done()


def compared(qtbot, panel, case, ia, ib):
    panel.set_case(case)
    qtbot.waitUntil(lambda: panel.chooser_b.combo.count() == 2, timeout=TIMEOUT)
    panel.chooser_a.select(ViewRef(ia))
    panel.chooser_b.select(ViewRef(ib))
    with qtbot.waitSignal(panel.compared, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_shown_zoom_matches_truth_and_save_stores_note_and_figures(qtbot, panel, pair_case):
    case, ia, ib, _h = pair_case
    shown = compared(qtbot, panel, case, ia, ib)
    assert (shown.a, shown.b) == (ViewRef(ia), ViewRef(ib))
    zoom_shown = float(panel.figures.zoom_text().rstrip("×"))
    assert abs(zoom_shown / ZOOM - 1) < 0.02
    assert "same position" in panel.figures.verdict_label.text()
    assert "shadows" in panel.figures.time_label.text()
    inliers = int(panel.figures.values["inliers"].text().split("/")[0])
    assert inliers == shown.result.match.n_inliers > 50
    m = shown.result.match  # the status speaks plainly; the method's details are a hover away
    assert panel.status.text().startswith(f"Matched: {m.n_inliers} of {m.n_matches} points")
    assert panel.status.toolTip() == m.reason and "ECC" not in panel.status.text()
    panel.figures.note_edit.setPlainText("Tower and minaret line up; shadows not yet compared.")
    with qtbot.waitSignal(panel.note_saved, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.figures.save_button, Qt.MouseButton.LeftButton)
    saved = blocker.args[0]
    [note] = list_continuity_notes(case.read())
    assert note.id == saved.note_id
    assert note.note.startswith("Tower and minaret")
    assert abs(note.figures["zoom_ratio"] / ZOOM - 1) < 0.02
    side = json.loads(saved.figures.sidecar_path.read_text(encoding="utf-8"))
    assert note.figures["figure_sidecar"].endswith(saved.figures.sidecar_path.name)
    assert [i["evidence_id"] for i in side["details"]["inputs"]] == [ia, ib]
    assert side["details"]["inputs"][0]["is_reference"] is True
    assert saved.figures.overlay_path.is_file()


def _send(view, kind, scene_pt: QPointF, buttons) -> None:
    pos = QPointF(view.mapFromScene(scene_pt))
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind, pos, view.viewport().mapToGlobal(pos), button, buttons,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def test_box_drawn_on_a_is_found_in_b_where_the_truth_puts_it(qtbot, panel, pair_case):
    case, ia, ib, h_true = pair_case
    compared(qtbot, panel, case, ia, ib)
    qtbot.mouseClick(panel.find_button, Qt.MouseButton.LeftButton)
    assert panel.find_button.isChecked() and panel.mode == "matches"
    view = panel.pair_view
    left = Qt.MouseButton.LeftButton
    with qtbot.waitSignal(panel.region_found, timeout=TIMEOUT) as blocker:
        _send(view, QEvent.Type.MouseButtonPress, QPointF(300, 220), left)
        _send(view, QEvent.Type.MouseMove, QPointF(380, 280), left)
        _send(view, QEvent.Type.MouseMove, QPointF(460, 340), left)
        _send(view, QEvent.Type.MouseButtonRelease, QPointF(460, 340), Qt.MouseButton.NoButton)
    region = blocker.args[0]
    x, y, w, h = region.box_xywh
    assert abs(x - 300) < 4 and abs(y - 220) < 4 and abs(w - 160) < 8 and abs(h - 120) < 8
    assert region.result.found
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) - 0.5
    want = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), h_true).reshape(-1, 2)
    assert np.abs(region.result.quad_b_px - want).max() < 3.0
    assert len(view.quad_scene_points()) == 4
    assert "found" in panel.figures.values["region"].text()


def test_view_modes_switch_and_show_different_pictures(qtbot, panel, pair_case):
    case, ia, ib, _h = pair_case
    compared(qtbot, panel, case, ia, ib)
    aligned = panel.aligned_view
    assert aligned.has_alignment
    panel.mode_group.button(1).click()
    assert panel.mode == "overlay" and panel.stack.currentWidget() is aligned
    panel.mode_group.button(2).click()
    assert aligned.mode == "blink"
    qtbot.waitUntil(lambda: aligned.showing_b, timeout=5000)
    qtbot.waitUntil(lambda: not aligned.showing_b, timeout=5000)
    panel.mode_group.button(3).click()
    assert aligned.mode == "swipe" and panel.swipe_slider.isVisible()
    panel.swipe_slider.setValue(0)
    all_b = aligned.grab().toImage()
    panel.swipe_slider.setValue(1000)
    all_a = aligned.grab().toImage()
    assert aligned.swipe_frac == 1.0 and all_a != all_b
    panel.mode_group.button(0).click()
    assert panel.stack.currentWidget() is panel.pair_view and not aligned._timer.isActive()


def test_reference_flag_shown_in_the_chooser(qtbot, panel, pair_case):
    case, _ia, _ib, _h = pair_case
    panel.set_case(case)
    qtbot.waitUntil(lambda: panel.chooser_a.combo.count() == 2, timeout=TIMEOUT)
    texts = panel.chooser_a.item_texts()
    assert "reference" in texts[0] and "reference" not in texts[1]


def test_consecutive_segments_picks_the_playhead_segment_and_the_next():
    segs = [StoredSegment(0, 9, 4, "", None, "auto"), StoredSegment(10, 19, 14, "cut", 1, "auto"),
            StoredSegment(20, 29, 24, "cut", 1, "auto")]  # fmt: skip
    assert consecutive_segments(segs, 12) == (segs[1], segs[2])
    assert consecutive_segments(segs, 25) == (segs[1], segs[2])
    assert consecutive_segments(segs[:1], 3) is None


def crop_zoom_video(media, path, frames: int = 24, size=(320, 240)):
    """Segment 1: the scene; from CUT_FRAME the same scene zoomed VIDEO_ZOOM x about its centre."""
    return make_crop_zoom_video(
        media / "pairs" / "aero1.jpg",
        path,
        cut_frame=CUT_FRAME,
        zoom=VIDEO_ZOOM,
        frames=frames,
        size=size,
    )


def test_main_window_compares_consecutive_segments_of_the_shown_video(qtbot, tmp_path, media_data):
    video = crop_zoom_video(media_data, tmp_path / "rooftop.mp4")
    with create_case(tmp_path / "v.gwcase", analyst="tester") as case:
        vid = import_file(case, video).id
        load_or_build_frame_table(case, vid)
        add_cut(case, vid, CUT_FRAME).result()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
            window.open_case_path(tmp_path / "v.gwcase")
        vp = window.video_panel
        qtbot.waitUntil(lambda: len(vp.timeline.segments) == 2, timeout=TIMEOUT)
        assert window.compare_action.shortcut().toString() == "Ctrl+M"
        with qtbot.waitSignal(window.compare_panel.compared, timeout=TIMEOUT) as blocker:
            window.compare_segments_here()
        assert window.central.currentWidget() is window.compare_panel
        result = blocker.args[0].result
        assert result.verdict == "same position", result.reason
        assert abs(result.zoom_ratio / VIDEO_ZOOM - 1) < 0.03
        shown = float(window.compare_panel.figures.zoom_text().rstrip("×"))
        assert abs(shown / VIDEO_ZOOM - 1) < 0.03
    finally:
        window.close_case()


def test_a_found_region_outside_b_is_pointed_out(qtbot):
    from types import SimpleNamespace

    from ui.compare.numbers import FiguresBox

    box = FiguresBox()
    qtbot.addWidget(box)
    quad = np.array([[10.0, 10], [90, 10], [90, 70], [10, 70]])
    inside = SimpleNamespace(verdict="found", found=True, confidence=0.9, n_inliers=40,
                             reason="", quad_b_px=quad)  # fmt: skip
    box.show_region(inside, (100, 80))
    assert "outside" not in box.values["region"].text()
    box.show_region(SimpleNamespace(**{**vars(inside), "quad_b_px": quad + [50, 0]}), (100, 80))
    assert "2 of 4 corners outside" in box.values["region"].text()

"""The Annotate tool in the video panel: shapes drawn by clicks land in the case with their
frame, show in the list and on the frame, undo and redo as logged writes, labels stay plain
text, bad shapes are refused with nothing written, and the contact sheet runs as a job."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from tests.ui.test_video_panel import TIMEOUT, panel_on, video  # noqa: F401 (fixtures)
from workbench.annotations import add_annotation, list_annotations
from workbench.case import audit

SHOTS = Path("/tmp/shots/annotations")


def click_pixel(qtbot, panel, x: float, y: float) -> None:
    """A real left click on the viewer where frame pixel (x, y) is shown."""
    viewer = panel.viewer
    qtbot.mouseClick(viewer.viewport(), Qt.MouseButton.LeftButton,
                     pos=viewer.mapFromScene(QPointF(x + 0.5, y + 0.5)))  # fmt: skip


def key(qtbot, panel, k) -> None:
    qtbot.keyClick(panel.viewer, k)


def stored(case, e):
    return list_annotations(case.read(), e.id)


@pytest.fixture
def annotating(qtbot, panel_on, video):  # noqa: F811 (the fixture imported above)
    panel, case, e = panel_on(video)
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.go_to(30)
    key(qtbot, panel, Qt.Key.Key_A)
    assert panel.annotate_button.isChecked() and not panel.annotations.isHidden()
    return panel, case, e


def test_draw_list_select_undo_redo(qtbot, annotating):
    panel, case, e = annotating
    tool = panel.annotations
    key(qtbot, panel, Qt.Key.Key_B)
    assert tool.kind == "box" and panel.viewer.armed
    click_pixel(qtbot, panel, 100, 90)
    click_pixel(qtbot, panel, 20, 10)
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    [a] = stored(case, e)
    assert (a.kind, a.frame_index, a.frame_md5) == ("box", 30, panel.shown.frame.md5)
    (x0, y0), (x1, y1) = a.shape.points
    assert (x0, y0, x1, y1) == pytest.approx((20, 10, 100, 90), abs=0.5)
    strokes = [i for i in panel.viewer.scene().items() if isinstance(i, QGraphicsPathItem)]
    box = strokes[0].path().boundingRect()
    assert (box.left(), box.top(), box.right(), box.bottom()) == pytest.approx(
        (x0 + 0.5, y0 + 0.5, x1 + 0.5, y1 + 0.5), abs=1e-6)  # fmt: skip
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: tool.list.count() == 0, timeout=TIMEOUT)
    assert stored(case, e) == [] and tool.layer.item_count == 0
    panel.undo_stack.redo()
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    assert stored(case, e)[0].id == a.id  # restored with its id
    tool.list.setCurrentRow(0)
    assert tool.selected_id == a.id
    key(qtbot, panel, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: tool.list.count() == 0, timeout=TIMEOUT)
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    actions = [x.action for x in audit.entries(case.read()) if x.action.startswith("annot")]
    assert actions == ["annotation." + s for s in
                       ("add", "delete", "restore", "delete", "restore")]  # fmt: skip


def test_labels_are_plain_text_and_renames_undo(qtbot, annotating):
    panel, case, e = annotating
    tool = panel.annotations
    tool.label_edit.setText("<b>crater</b><script>x</script>")
    key(qtbot, panel, Qt.Key.Key_T)
    click_pixel(qtbot, panel, 8, 8)
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    texts = [i.text() for i in panel.viewer.scene().items()
             if isinstance(i, QGraphicsSimpleTextItem)]  # fmt: skip
    assert "<b>crater</b><script>x</script>" in texts  # drawn as typed, not as markup
    assert "<script>" in tool.list.item(0).text()
    tool.list.setCurrentRow(0)
    tool.label_edit.setText("the crater")
    tool.rename_button.click()
    qtbot.waitUntil(lambda: "the crater" in tool.list.item(0).text(), timeout=TIMEOUT)
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: "<script>" in tool.list.item(0).text(), timeout=TIMEOUT)
    assert stored(case, e)[0].label == "<b>crater</b><script>x</script>"


def test_a_degenerate_polygon_is_refused_and_nothing_written(qtbot, annotating):
    panel, case, e = annotating
    tool = panel.annotations
    key(qtbot, panel, Qt.Key.Key_G)
    for x in (10, 40, 70):
        click_pixel(qtbot, panel, x, 50)  # three points on one line
    head = case.audit_head()
    key(qtbot, panel, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "on one line" in tool.status.text(), timeout=TIMEOUT)
    assert tool.status.textFormat() == Qt.TextFormat.PlainText
    assert stored(case, e) == [] and case.audit_head() == head
    for x, y in ((10, 10), (90, 20), (60, 100)):
        click_pixel(qtbot, panel, x, y)
    click_pixel(qtbot, panel, 10.5, 10.5)  # on the first point: the polygon closes
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    assert len(stored(case, e)[0].shape.points) == 3
    key(qtbot, panel, Qt.Key.Key_Escape)
    assert tool.kind is None and not panel.viewer.armed


def test_frames_keep_their_own_annotations_and_the_sheet_runs_as_a_job(qtbot, annotating):
    panel, case, e = annotating
    tool = panel.annotations
    for kind, pts, label in (
        ("arrow", [(150, 110), (60, 50)], "falling object"),
        ("point", [(60, 50)], ""),
        ("polygon", [(5, 100), (40, 80), (70, 115)], "smoke"),
    ):
        add_annotation(case, e.id, 30, kind, pts, label).result()  # fmt: skip
    add_annotation(case, e.id, 12, "box", [(30, 30), (90, 80)], "roof").result()
    qtbot.waitUntil(lambda: tool.list.count() == 3, timeout=TIMEOUT)  # from the change feed
    started = time.perf_counter()
    tool.reload()
    assert time.perf_counter() - started < 0.1  # the GUI-thread read of a frame's shapes
    panel.viewer.zoom_in()
    panel.grab().save(str(SHOTS / "video_panel_annotations.png"))
    with qtbot.waitSignal(panel.frame_shown, timeout=TIMEOUT):
        panel.go_to(12)
    qtbot.waitUntil(lambda: tool.list.count() == 1 and "roof" in tool.list.item(0).text())
    tool.sheet_menu.aboutToShow.emit()  # what the button's menu offers when it opens
    [annotated] = tool.sheet_menu.actions()  # no track yet: the annotated frames only
    with qtbot.waitSignal(tool.sheet_written, timeout=TIMEOUT) as done:
        annotated.trigger()
    sheet = done.args[0]
    assert [c.frame_index for c in sheet.cells] == [12, 30] and sheet.png_path.is_file()
    assert sheet.png_path.parent == case.exports_dir / "contact_sheets"
    assert str(sheet.png_path) in tool.status.text()


def test_redraw_gives_new_points_and_undoes(qtbot, annotating):
    panel, case, e = annotating
    tool = panel.annotations
    aid = add_annotation(case, e.id, 30, "line", [(10, 10), (50, 50)], "wire").result()
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    tool.list.setCurrentRow(0)
    key(qtbot, panel, Qt.Key.Key_E)
    assert tool.kind == "line" and tool.redraw_id == aid
    click_pixel(qtbot, panel, 100, 20)
    click_pixel(qtbot, panel, 140, 90)
    qtbot.waitUntil(lambda: "at 100, 20" in tool.list.item(0).text(), timeout=TIMEOUT)
    [a] = stored(case, e)
    assert a.id == aid and a.label == "wire" and tool.kind is None
    flat = [v for p in a.shape.points for v in p]
    assert flat == pytest.approx([100, 20, 140, 90], abs=0.5)
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: "at 10, 10" in tool.list.item(0).text(), timeout=TIMEOUT)
    assert stored(case, e)[0].shape.points == ((10.0, 10.0), (50.0, 50.0))


def test_the_sheet_menu_offers_the_tracks_of_the_video(qtbot, annotating):
    from analysis.tracking.model import Track, TrackPoint
    from workbench.tracks import store_track

    panel, case, e = annotating
    tool = panel.annotations
    points = tuple(TrackPoint(i, None, 80.0, 20.0 + i, 0.9, "tracker") for i in range(40))
    track = Track(reference_frame=0, box_w_px=9, box_h_px=9, method="template", points=points,
                  frame_width_px=160, frame_height_px=120)  # fmt: skip
    tid = store_track(case, e.id, track, label="bomb & canopy").result()
    tool.sheet_menu.aboutToShow.emit()
    texts = [a.text() for a in tool.sheet_menu.actions()]
    assert texts == ["The annotated frames", f"Track {tid} bomb && canopy (40 frames)"]
    with qtbot.waitSignal(tool.sheet_written, timeout=TIMEOUT) as done:
        tool.sheet_menu.actions()[1].trigger()
    sheet = done.args[0]
    assert sheet.png_path.name.endswith(f"_track{tid}.png")
    indices = [c.frame_index for c in sheet.cells]
    assert len(indices) == 12 and indices[0] == 0 and indices[-1] == 39  # evenly along it
    assert max(b - a for a, b in zip(indices, indices[1:], strict=False)) <= 4


def test_an_arrow_dragged_in_one_stroke_follows_the_mouse(qtbot, annotating):
    panel, case, e = annotating
    tool, viewer = panel.annotations, panel.viewer
    key(qtbot, panel, Qt.Key.Key_R)

    def at(x, y):
        return viewer.mapFromScene(QPointF(x + 0.5, y + 0.5))

    qtbot.mousePress(viewer.viewport(), Qt.MouseButton.LeftButton, pos=at(120, 100))
    qtbot.mouseMove(viewer.viewport(), pos=at(60, 40))
    preview = [i for i in tool.layer.draft_items if isinstance(i, QGraphicsPathItem)]
    assert len(preview) == 1  # the arrow so far, from the press to the mouse
    end = preview[0].path().currentPosition()
    assert (end.x(), end.y()) == pytest.approx((60.5, 40.5), abs=0.5)
    qtbot.mouseRelease(viewer.viewport(), Qt.MouseButton.LeftButton, pos=at(60, 40))
    qtbot.waitUntil(lambda: tool.list.count() == 1, timeout=TIMEOUT)
    [a] = stored(case, e)
    flat = [v for p in a.shape.points for v in p]
    assert a.kind == "arrow" and flat == pytest.approx([120, 100, 60, 40], abs=0.5)
    assert tool.layer.draft_items == ()


def test_shift_e_exports_the_frame_with_its_annotations_burned_in(qtbot, annotating):
    import json

    panel, case, e = annotating
    add_annotation(case, e.id, 30, "box", [(20, 10), (100, 90)], "crater").result()
    with qtbot.waitSignal(panel.frame_exported, timeout=TIMEOUT) as done:
        qtbot.keyClick(panel.viewer, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    burned = done.args[0]
    side = json.loads(burned.sidecar_path.read_text(encoding="utf-8"))
    assert "overlay" in [o["op"] for o in side["operations"]]
    assert side["details"]["clean_frame_md5"] == panel.shown.frame.md5
    with qtbot.waitSignal(panel.frame_exported, timeout=TIMEOUT) as done:
        panel.annotations.export_button.click()
    assert done.args[0].png_path == burned.png_path
    with qtbot.waitSignal(panel.frame_exported, timeout=TIMEOUT) as done:
        qtbot.keyClick(panel.viewer, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert done.args[0].png_path != burned.png_path  # Ctrl+E alone: the clean frame

"""The timeline draws a fade's or dissolve's mixed frames as a shaded span, and names them."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from ui.video.timeline import STRIP_HEIGHT_PX, STRIP_TOP_PX, TimelineWidget
from workbench.video_store import StoredSegment


def test_a_dissolve_is_shaded_over_its_mixed_frames_and_a_cut_is_not(qtbot):
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.resize(400, 100)
    timeline.set_video(200, 25.0)
    grey = QImage(80, STRIP_HEIGHT_PX, QImage.Format.Format_RGB888)
    grey.fill(QColor(128, 128, 128))
    timeline.set_thumbnails([(i, grey) for i in range(0, 200, 40)])
    timeline.set_segments(
        [
            StoredSegment(0, 49, 20, "", None, "auto"),
            StoredSegment(50, 99, 70, "cut", 0.9, "auto"),
            StoredSegment(100, 199, 150, "dissolve", 0.8, "auto", (90, 109)),
        ]
    )
    image = timeline.grab().toImage()
    y = STRIP_TOP_PX + STRIP_HEIGHT_PX // 2
    inside = image.pixelColor(int(timeline.x_of(95)), y)
    outside = image.pixelColor(int(timeline.x_of(150)), y)
    assert (outside.red(), outside.green(), outside.blue()) == (128, 128, 128)
    assert inside.red() > outside.red() + 20 and inside.blue() < outside.blue() - 20  # orange
    near_cut = image.pixelColor(int(timeline.x_of(53)), y)  # right beside the cut at 50
    assert (near_cut.red(), near_cut.green(), near_cut.blue()) == (128, 128, 128)
    assert "mixed frames 90-109" in timeline.describe(100, boundary=True)
    assert "mixed frames" not in timeline.describe(50, boundary=True)


def test_undo_of_a_move_or_delete_restores_the_boundary_as_it_was():
    from ui.video.timeline import CutEditCommand

    calls = []
    dissolve = StoredSegment(100, 199, 150, "dissolve", 0.8, "auto", (90, 109))
    apply = lambda *args: calls.append(args)  # noqa: E731
    moved = CutEditCommand(apply, 7, "move", 100, 104, before=dissolve)
    moved.redo(), moved.undo()
    deleted = CutEditCommand(apply, 7, "delete", 100, before=dissolve)
    deleted.redo(), deleted.undo()
    added = CutEditCommand(apply, 7, "add", 60)
    added.redo(), added.undo()
    assert calls == [
        (7, "move", 100, 104),
        (7, "restore", dissolve, 104),
        (7, "delete", 100),
        (7, "restore", dissolve, None),
        (7, "add", 60),
        (7, "delete", 60),
    ]

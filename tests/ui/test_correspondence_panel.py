"""The Compare panel's correspondence figure, clicked with QTest: marks on A and B (points and
boxes), moved, deleted, undone; the figure saved (drawn in a job), recorded, undone, redone.

Truth: two synthetic pictures whose every pixel is known (tests/workbench/test_correspondence
draws the same kind); the saved figure's loupes must show those pixels at the marks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from ui.compare.panel import ComparePanel
from ui.jobs import JobRunner
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.correspondence.store import list_figures
from workbench.match_store import ViewRef

TIMEOUT = 60000


def picture(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 4, w // 4, 3)).astype(np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)  # 4 px blocks


A, B = picture(640, 480, 1), picture(480, 480, 2)


@pytest.fixture
def case_ab(tmp_path):
    for name, img in (("rooftop_frame.png", A), ("tower_reference.png", B)):
        cv2.imwrite(str(tmp_path / name), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    with create_case(tmp_path / "c.gwcase", analyst="tester") as case:
        ia = import_file(case, tmp_path / "rooftop_frame.png").id
        ib = import_file(case, tmp_path / "tower_reference.png").id
        yield case, ia, ib


@pytest.fixture
def panel(qtbot):
    jobs = JobRunner()
    p = ComparePanel(jobs)
    qtbot.addWidget(p)
    p.resize(1400, 800)
    p.show()
    qtbot.waitExposed(p)
    yield p
    jobs.cancel_all()
    jobs.wait_for_done()


def _viewport_point(panel, side: int, x: float, y: float) -> QPoint:
    view = panel.pair_view
    return view.mapFromScene(panel.correspondence.layer.to_scene(side, x, y))


def click(qtbot, panel, side: int, x: float, y: float, button=Qt.MouseButton.LeftButton):
    vp = panel.pair_view.viewport()
    qtbot.mouseClick(vp, button, Qt.KeyboardModifier.NoModifier, _viewport_point(panel, side, x, y))


def drag(panel, side: int, start: tuple[float, float], end: tuple[float, float]) -> None:
    view = panel.pair_view
    p0, p1 = _viewport_point(panel, side, *start), _viewport_point(panel, side, *end)
    mid = (p0 + p1) / 2
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, pos, button, buttons in (
        (QEvent.Type.MouseButtonPress, p0, left, left),
        (QEvent.Type.MouseMove, mid, none, left),
        (QEvent.Type.MouseMove, p1, none, left),
        (QEvent.Type.MouseButtonRelease, p1, left, none),
    ):
        pt = QPointF(pos)
        event = QMouseEvent(kind, pt, view.viewport().mapToGlobal(pt), button, buttons,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(view.viewport(), event)


def marked(qtbot, panel, case, ia, ib):
    panel.set_case(case)
    qtbot.waitUntil(lambda: panel.chooser_b.combo.count() == 2, timeout=TIMEOUT)
    panel.chooser_a.select(ViewRef(ia))
    panel.chooser_b.select(ViewRef(ib))
    with qtbot.waitSignal(panel.pair_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(panel.mark_button, Qt.MouseButton.LeftButton)
    assert panel.mark_button.isChecked() and panel.mode == "matches"
    assert panel.side_tabs.currentWidget() is panel.correspondence.box


def _close(mark, x, y, tol=1.5) -> bool:
    return abs(mark.x - x) <= tol and abs(mark.y - y) <= tol


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GEOWORKBENCH_SHOTS_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_click_pairs_move_delete_undo_and_save_the_figure(qtbot, panel, case_ab, tmp_path):
    case, ia, ib = case_ab
    marked(qtbot, panel, case, ia, ib)
    draft, box = panel.correspondence.draft, panel.correspondence.box
    click(qtbot, panel, 0, 100, 80)
    assert len(draft.entries) == 1 and draft.entries[0][1] is None
    assert not box.save_button.isEnabled() and "waits for its mark in B" in box.status.text()
    click(qtbot, panel, 1, 60, 200)
    click(qtbot, panel, 0, 300, 260)
    click(qtbot, panel, 1, 400, 420)
    drag(panel, 0, (500, 100), (540, 160))  # a box in A, then its box in B
    drag(panel, 1, (200, 50), (230, 90))
    (a1, b1), (a2, b2), (a3, b3) = draft.entries
    assert _close(a1, 100, 80) and _close(b1, 60, 200)
    assert _close(a2, 300, 260) and _close(b2, 400, 420)
    assert a3.is_box and _close(a3, 500, 100) and abs(a3.w - 40) <= 2 and abs(a3.h - 60) <= 2
    assert b3.is_box and _close(b3, 200, 50)
    assert box.pair_list.count() == 3 and box.save_button.isEnabled()
    assert panel.correspondence.layer.item_count == 12  # a shape and a number per mark
    # drag mark 1 in A to another place; undo puts it back
    drag(panel, 0, (100, 80), (120, 90))
    assert _close(draft.entries[0][0], 120, 90)
    panel.undo_stack.undo()
    assert _close(draft.entries[0][0], 100, 80)
    # right-click deletes pair 2; undo restores it; Delete removes the selected one
    click(qtbot, panel, 1, 400, 420, Qt.MouseButton.RightButton)
    assert len(draft.entries) == 2 and draft.entries[1][0].is_box
    panel.undo_stack.undo()
    assert len(draft.entries) == 3 and _close(draft.entries[1][1], 400, 420)
    box.pair_list.setCurrentRow(2)
    panel.pair_view.setFocus()
    qtbot.keyClick(panel.pair_view, Qt.Key.Key_Delete)
    assert len(draft.entries) == 2
    panel.undo_stack.undo()
    assert len(draft.entries) == 3
    shot = shots_dir(tmp_path) / "compare_panel_marks.png"
    assert panel.grab().save(str(shot))
    # save: drawn in a job, recorded, undoable
    box.title_edit.setText("Synthetic pair")
    box.note_edit.setPlainText("1 and 2: corners of blocks; 3: a block's outline.")
    with qtbot.waitSignal(panel.correspondence.figure_saved, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    saved = blocker.args[0]
    [record] = list_figures(case.read())
    assert record.id == saved.figure_id and record.note.startswith("1 and 2")
    assert [p.a for p in record.pairs] == [e[0] for e in draft.entries]
    assert "correspondence figure" in box.status.text()
    fig = np.asarray(Image.open(saved.drawn.png_path).convert("RGB"))
    for pair, (la, lb) in zip(record.pairs, saved.drawn.layout.loupes, strict=True):
        for loupe, mark, image in ((la, pair.a, A), (lb, pair.b, B)):
            x, y = (int(round(v)) for v in mark.centre)
            fx, fy = (int(round(v)) for v in loupe.to_figure(x, y))
            assert tuple(fig[fy, fx]) == tuple(image[y, x])
    shutil.copy(saved.drawn.png_path, shots_dir(tmp_path) / "correspondence_synthetic.png")
    # undo deletes the record (audited), redo restores it with its id
    panel.undo_stack.undo()
    qtbot.waitUntil(lambda: list_figures(case.read()) == [], timeout=TIMEOUT)
    panel.undo_stack.redo()
    qtbot.waitUntil(lambda: len(list_figures(case.read())) == 1, timeout=TIMEOUT)
    assert list_figures(case.read())[0].id == record.id
    actions = [e.action for e in audit.entries(case.read())][-3:]
    assert actions == ["correspondence.add", "correspondence.delete", "correspondence.restore"]


def test_other_views_start_a_new_draft(qtbot, panel, case_ab):
    case, ia, ib = case_ab
    marked(qtbot, panel, case, ia, ib)
    click(qtbot, panel, 0, 10, 10)
    panel.mark_button.setChecked(False)
    panel.chooser_a.select(ViewRef(ib))
    panel.chooser_b.select(ViewRef(ia))
    with qtbot.waitSignal(panel.pair_loaded, timeout=TIMEOUT):
        panel.mark_button.setChecked(True)
    assert panel.correspondence.draft.entries == []
    assert panel.correspondence.draft.views == (ViewRef(ib), ViewRef(ia))


def test_the_window_shares_its_undo_stack_and_write_chain_with_compare(qtbot):
    from ui.case.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    panel = window.compare_panel
    assert panel.undo_stack is window.undo_stack  # Ctrl+Z in the window undoes a mark
    assert panel.service is window.geodata  # a figure's record is written in turn with the rest

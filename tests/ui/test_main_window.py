"""The main window on a real case: listing, import, edits with undo, notes, flags, verify."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage

from tests.synth.media_factory import make_crop_zoom_video, make_jpeg, make_video
from ui.case.main_window import MainWindow
from workbench.case import audit, create_case
from workbench.case.evidence import SourceRecord, get_evidence, get_source, list_notes, set_flags
from workbench.case.intake import import_file

TIMEOUT = 20000


@pytest.fixture
def populated_case(tmp_path):
    path = tmp_path / "demo.gwcase"
    with create_case(path, title="Hass test") as case:
        import_file(case, make_jpeg(tmp_path / "مدرسة.jpg", size=(320, 240), colour=(200, 50, 50)))
        import_file(case, make_video(tmp_path / "clip.mp4", fmt="mp4"))
    return path


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close_case()


def open_and_wait(qtbot, window, path) -> None:
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.open_case_path(path)


def test_open_case_lists_evidence_with_rtl_name_and_metadata(qtbot, window, populated_case):
    open_and_wait(qtbot, window, populated_case)
    assert window.windowTitle().startswith("Hass test")
    assert window.evidence_panel.count() == 2
    model = window.evidence_panel.model
    first = model.index(0, 0)
    assert model.data(first) == "مدرسة.jpg"
    assert model.data(first, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(1, 1)) == "video"
    qtbot.waitUntil(lambda: window.viewer.has_image(), timeout=TIMEOUT)
    assert window.metadata_panel.tree.topLevelItemCount() > 5
    assert "import" in window.log_panel.model.entry(1).action


def test_import_by_drop_runs_in_background_and_refreshes(qtbot, window, populated_case, tmp_path):
    open_and_wait(qtbot, window, populated_case)
    new = make_jpeg(tmp_path / "new.jpg", colour=(0, 255, 0))
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(new)), QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.import_finished, timeout=TIMEOUT) as blocker:
        window.dropEvent(event)
    report = blocker.args[0]
    assert [e.original_name for e in report.imported] == ["new.jpg"]
    assert [f.path.name for f in report.failed] == ["bad.jpg"]
    qtbot.waitUntil(lambda: window.evidence_panel.count() == 3, timeout=TIMEOUT)


def test_source_edit_is_saved_logged_and_undoable(qtbot, window, populated_case):
    open_and_wait(qtbot, window, populated_case)
    qtbot.waitUntil(lambda: window.source_panel.isEnabled(), timeout=TIMEOUT)
    evidence_id = window.evidence_panel.current_id()
    window.source_panel._edits["url"].setText("https://example.org/v/1")
    window.source_panel._edits["caption"].setPlainText("قصف مدرسة في حاس")
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.source_panel.save_button.click()
    conn = window.case.read()
    assert get_source(conn, evidence_id).caption == "قصف مدرسة في حاس"
    assert audit.entries(conn)[-1].action == "evidence.source_edit"
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.undo_stack.undo()
    assert get_source(window.case.read(), evidence_id) == SourceRecord()
    assert [e.action for e in audit.entries(window.case.read())][-2:] == [
        "evidence.source_edit",
        "evidence.source_edit",
    ]


def test_graphic_flag_blurs_the_thumbnail_until_revealed(qtbot, window, tmp_path):
    path = tmp_path / "g.gwcase"
    with create_case(path) as case:
        img = ((np.indices((240, 320)) // 16).sum(axis=0) % 2 * 255).astype(np.uint8)
        from PIL import Image

        Image.fromarray(np.dstack([img] * 3)).save(tmp_path / "checker.png")
        import_file(case, tmp_path / "checker.png")
    open_and_wait(qtbot, window, path)
    qtbot.waitUntil(lambda: window.source_panel.isEnabled(), timeout=TIMEOUT)
    captured: list = []
    window.evidence_panel.set_thumbnails = lambda px: captured.append(px)  # observe the data
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.source_panel.graphic.click()
    assert get_evidence(window.case.read(), 1).is_graphic
    qtbot.waitUntil(lambda: len(captured) >= 1, timeout=TIMEOUT)
    blurred = next(iter(captured[-1].values())).astype(float)
    assert blurred.std() < 40  # 16-px checks blurred towards grey
    window._on_evidence_panel_reveal_requested(get_evidence(window.case.read(), 1).sha256)
    qtbot.waitUntil(lambda: len(captured) >= 2, timeout=TIMEOUT)
    assert next(iter(captured[-1].values())).astype(float).std() > 100


def test_notes_are_saved_as_plain_text(qtbot, window, populated_case):
    open_and_wait(qtbot, window, populated_case)
    notes = window.notes_panel.case_notes
    notes.editor.setPlainText("<script>alert(1)</script> seen from the rooftop")
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        notes.save_button.click()
    [note] = list_notes(window.case.read(), None)
    assert note.body.startswith("<script>")
    assert notes.list.item(0).text().startswith("<script>alert(1)</script>")


def test_verify_reports_in_the_log_panel(qtbot, window, populated_case):
    open_and_wait(qtbot, window, populated_case)
    window.verify()
    qtbot.waitUntil(lambda: "Verified" in window.log_panel.result_label.text(), timeout=TIMEOUT)
    assert "2 evidence files" in window.log_panel.result_label.text()


def test_locked_case_shows_an_error_and_no_case(qtbot, window, populated_case):
    from workbench.case import open_case

    with open_case(populated_case):
        window.open_case_path(populated_case)
        qtbot.waitUntil(lambda: window.jobs.active_count == 0, timeout=TIMEOUT)
    assert window.case is None
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "already open" in boxes[-1].text()


def test_cancel_button_stops_an_import_and_adds_nothing(
    qtbot, window, populated_case, tmp_path, monkeypatch
):
    import os
    import threading

    from workbench.case import intake

    big = make_jpeg(tmp_path / "big.jpg")
    with big.open("ab") as f:
        f.write(os.urandom(8 * 1024 * 1024))
    monkeypatch.setattr(intake, "CHUNK_BYTES", 1024 * 1024)
    gate = threading.Event()
    real_report = intake.report

    def gated_report(progress, fraction, message=""):
        real_report(progress, fraction, message)
        gate.wait(timeout=20)  # hold the worker until the user has pressed Cancel

    monkeypatch.setattr(intake, "report", gated_report)
    open_and_wait(qtbot, window, populated_case)
    window.import_paths([big])
    qtbot.waitUntil(lambda: window.jobs.widget.isVisible(), timeout=TIMEOUT)
    with qtbot.waitSignal(window.case_refreshed, timeout=TIMEOUT):
        window.jobs.widget.cancel_button.click()
        gate.set()
    assert window.evidence_panel.count() == 2
    assert "cancelled" in window.statusBar().currentMessage()
    assert list(window.case.incoming_dir.iterdir()) == []


def _strip_contrast(window) -> float:
    """Mean absolute horizontal gradient over the timeline's thumbnails (0 when none)."""
    values = []
    for _index, image in window.video_panel.timeline.thumbnails:
        img = image.convertToFormat(QImage.Format.Format_Grayscale8)
        arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
        values.append(np.abs(np.diff(arr[:, : img.width()].astype(float), axis=1)).mean())
    return float(np.mean(values)) if values else 0.0


def test_graphic_video_strip_is_blurred_until_revealed_and_its_cache_is_not(
    qtbot, window, tmp_path
):
    checks = ((np.indices((480, 640)) // 24).sum(axis=0) % 2 * 255).astype(np.uint8)
    Image.fromarray(np.dstack([checks] * 3)).save(tmp_path / "checks.png")
    video = make_crop_zoom_video(
        tmp_path / "checks.png", tmp_path / "g.mp4", cut_frame=12, zoom=1.5
    )
    path = tmp_path / "g.gwcase"
    with create_case(path) as case:
        evidence_id = import_file(case, video).id
        set_flags(case, evidence_id, graphic=True).result()
    open_and_wait(qtbot, window, path)
    # The only evidence is graphic: the case opens on nothing until the analyst picks it.
    qtbot.wait(300)
    assert window.evidence_panel.current_id() is None and window.video_panel.evidence is None
    window.evidence_panel.select(evidence_id)
    qtbot.waitUntil(lambda: window.video_panel.timeline.thumbnail_count > 0, timeout=TIMEOUT)
    assert window.video_panel.strip_blurred
    blurred = _strip_contrast(window)
    sha256 = get_evidence(window.case.read(), evidence_id).sha256
    cached = list((window.case.derived_dir / "thumbs" / sha256).glob("f*.png"))
    assert cached and all(
        np.abs(np.diff(np.asarray(Image.open(p).convert("L"), float), axis=1)).mean() > 3 * blurred
        for p in cached
    )  # the derived cache keeps sharp pictures; only what is shown is blurred
    window._on_evidence_panel_reveal_requested(sha256)
    qtbot.waitUntil(lambda: _strip_contrast(window) > 3 * blurred, timeout=TIMEOUT)
    assert not window.video_panel.strip_blurred

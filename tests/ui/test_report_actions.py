"""File ▸ Export report…: the report and its PDF written as a job from the window; a case that
fails verify still gets its report, and the window says what failed."""

from __future__ import annotations

import os
import stat

import pypdf
import pytest

from tests.synth.media_factory import make_jpeg
from ui.case.main_window import MainWindow
from ui.case.report_actions import PDF_NAME, SHORTCUT, ReportDialog, ReportOptions
from workbench.case import create_case
from workbench.case.intake import import_file

TIMEOUT = 60000


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "hass.gwcase"
    with create_case(path, title="مدرسة حاس") as case:
        import_file(case, make_jpeg(tmp_path / "مدرسة.jpg", size=(320, 240), colour=(200, 50, 50)))
    return path


@pytest.fixture
def window(qtbot, case_path):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.case_refreshed, timeout=TIMEOUT):
        w.open_case_path(case_path)
    w.parts.exports.report.open_when_done = False  # no viewer in a test
    yield w
    w.close_case()


def test_the_file_menu_offers_it_after_export_with_its_key(window):
    texts = [a.text() for a in window.file_menu.actions()]
    assert texts[texts.index("&Export") + 1] == "Export &report…"
    assert window.parts.exports.report.action.shortcut().toString() == SHORTCUT


def test_the_dialog_reports_at_the_head_unless_asked_otherwise(window, qtbot):
    dialog = ReportDialog(window.case, window)
    qtbot.addWidget(dialog)
    head, _ = window.case.audit_head()
    assert dialog.options().at_seq is None and dialog.options().pdf
    assert dialog.options().out_dir == window.case.exports_dir / "report"
    dialog.at_seq.setValue(head - 1)
    assert dialog.options().at_seq == head - 1


def test_html_and_pdf_written_and_a_failed_verify_said(window, qtbot, tmp_path):
    actions = window.parts.exports.report
    out = tmp_path / "report"
    with qtbot.waitSignal(actions.exported, timeout=TIMEOUT) as got:
        actions.export(ReportOptions(out, None, blur_graphic=False, pdf=True))
    outcome = got.args[0]
    assert outcome.result.verify_ok and outcome.pdf_path == out / PDF_NAME
    seq, row_hash = window.case.audit_head()
    pages = pypdf.PdfReader(outcome.pdf_path).pages
    assert f"hass.gwcase · audit head {seq}:{row_hash}" in pages[-1].extract_text()
    assert actions.last_box is None
    # A byte of the evidence flipped behind the workbench's back: verify fails at export.
    stored = next(p for p in window.case.evidence_dir.iterdir() if p.suffix == ".jpg")
    os.chmod(stored, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    with qtbot.waitSignal(actions.exported, timeout=TIMEOUT) as got:
        actions.export(ReportOptions(tmp_path / "again", None, blur_graphic=False, pdf=False))
    outcome = got.args[0]
    assert not outcome.result.verify_ok and outcome.pdf_path is None
    assert outcome.result.html_path.is_file()
    assert actions.last_box is not None and actions.last_box.isVisible()
    assert stored.name[:12] in actions.last_box.text()
    assert "Verify failed" in actions.last_box.windowTitle()

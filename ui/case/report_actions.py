"""File ▸ Export report…: the evidence report (``workbench.report.build_report``) as a job
with progress and Cancel, optionally printed to PDF in a process of its own
(``ui.report_pdf.print_pdf_in_process``), opened when done.

The dialog asks where, as of which audit row (the head by default), whether to blur graphic
figures and whether to print the PDF. A case that fails ``verify`` still gets its report (it
says so on its first page): the window says so too, with what failed, before opening it.

The window is named by duck type (``MainWindow``): this module sits below it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from analysis.jobs import CancelToken, ProgressFn
from workbench.case import Case

PDF_NAME = "report.pdf"  # beside report.html, as ``geoworkbench report --pdf`` writes it
SHORTCUT = "Ctrl+Shift+E"


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path
    at_seq: int | None  # None: the case as it stands
    blur_graphic: bool
    pdf: bool


@dataclass(frozen=True)
class ReportOutcome:
    result: object  # workbench.report.ReportResult
    pdf_path: Path | None

    @property
    def opened_path(self) -> Path:
        return self.pdf_path or self.result.html_path


def footer_text(case_name: str, seq: int, row_hash: str) -> str:
    """The left of every PDF footer: the case and the audit head the report quotes."""
    return f"{case_name} · audit head {seq}:{row_hash}"


def _scaled(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda f, message: progress(start + (end - start) * f, message)


def export_report(
    case_path: Path,
    options: ReportOptions,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ReportOutcome:
    """The job: the HTML report, then its PDF when asked (off the GUI thread)."""
    from ui.report_pdf import print_pdf_in_process
    from workbench.report import build_report

    share = 0.75 if options.pdf else 1.0
    result = build_report(case_path, options.out_dir, at_seq=options.at_seq,
                          blur_graphic=options.blur_graphic,
                          progress=_scaled(progress, 0.0, share), cancel=cancel)  # fmt: skip
    pdf = None
    if options.pdf:
        footer = footer_text(case_path.name, result.audit_head_seq, result.audit_head_hash)
        pdf_progress = _scaled(progress, share, 1.0)
        pdf = print_pdf_in_process(
            result.html_path, options.out_dir / PDF_NAME, footer, progress=pdf_progress,
            cancel=cancel,
        )  # fmt: skip
    return ReportOutcome(result, pdf)


class ReportDialog(QDialog):
    """Where the report goes, as of which audit row, blurred or not, PDF or not."""

    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        head_seq, _ = case.audit_head()
        self.folder = QLineEdit(str(case.exports_dir / "report"))
        self.folder.setMinimumWidth(420)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.at_seq = QSpinBox()
        self.at_seq.setRange(1, max(1, head_seq))
        self.at_seq.setValue(head_seq)
        self.at_seq.setToolTip(
            "The report shows the case as it stood at this audit row; the last row is now."
        )
        self.head_seq = head_seq
        self.blur = QCheckBox("Blur figures of evidence flagged graphic")
        self.pdf = QCheckBox("Also print a PDF (report.pdf)")
        self.pdf.setChecked(True)
        form = QFormLayout(self)
        form.addRow("Folder", row)
        at_row = QHBoxLayout()
        at_row.addWidget(self.at_seq)
        at_row.addWidget(QLabel(f"of {head_seq} (the last row is the case as it is now)"), 1)
        form.addRow("As of audit row", at_row)
        form.addRow(self.blur)
        form.addRow(self.pdf)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Report folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def options(self) -> ReportOptions:
        seq = self.at_seq.value()
        return ReportOptions(
            out_dir=Path(self.folder.text().strip()),
            at_seq=None if seq >= self.head_seq else seq,
            blur_graphic=self.blur.isChecked(),
            pdf=self.pdf.isChecked(),
        )


class ReportActions(QObject):
    """File ▸ Export report…; ``exported(outcome)`` when a report is written (for tests)."""

    exported = Signal(object)

    @property
    def w(self) -> QMainWindow:
        return self.parent()

    def __init__(self, w: QMainWindow, open_when_done: bool = True) -> None:
        super().__init__(w)
        self.open_when_done = open_when_done
        self.dialog: ReportDialog | None = None
        self.last_box: QMessageBox | None = None
        self.action = QAction("Export &report…", w)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip("The evidence report of the case, as HTML and PDF")
        self.action.triggered.connect(self.ask)

    def ask(self) -> None:
        case = self.w.case
        if case is None:
            self.w.show_error("Export report", "Open a case first.")
            return
        self.dialog = ReportDialog(case, self.w)
        self.dialog.accepted.connect(lambda: self.export(self.dialog.options()))
        self.dialog.open()  # window-modal, never blocks the event loop

    def export(self, options: ReportOptions) -> None:
        """Write the report as a job (progress and Cancel in the status bar)."""
        case = self.w.case
        if case is None:
            return
        if not str(options.out_dir).strip() or str(options.out_dir) == ".":
            self.w.show_error("Export report", "Choose a folder for the report.")
            return
        self.w.jobs.run(
            "Exporting the report" + (" and its PDF" if options.pdf else ""),
            functools.partial(export_report, case.path, options),
            on_result=self._on_exported,
            on_error=lambda exc: self.w.show_error("Export report failed", exc),
        )

    def _on_exported(self, outcome: ReportOutcome) -> None:
        result, path = outcome.result, outcome.opened_path
        self.w.statusBar().showMessage(
            f"Report written (audit head {result.audit_head_seq}): {path}", 15000
        )
        if not result.verify_ok:
            problems = "\n".join(result.verify_problems[:12])
            box = QMessageBox(QMessageBox.Icon.Warning, "Verify failed at export",
                              "The case did not verify when the report was written. The "
                              "report says so on its first page.\n\n" + problems + "\n\n"
                              + str(path))  # fmt: skip
            box.setParent(self.w, box.windowFlags())
            self.last_box = box
            box.open()
        if self.open_when_done:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.exported.emit(outcome)

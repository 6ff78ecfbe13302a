"""LogPanel: the audit log, its head, and the Verify action's findings.

Each row reads in plain words (``workbench.records.summarize``); the row's JSON, which is the
record, shows for the selected row on demand ("Show JSON").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import RowsModel
from workbench.case.audit import AuditEntry
from workbench.case.canonical import canonical_json
from workbench.case.verify import VerifyReport
from workbench.records import summarize

HEADERS = ("#", "When (UTC)", "Who", "What", "Action", "Row hash")


WIDTHS = (50, 170, 140, 560, 150, 140)


def _who(actor: str) -> str:
    """The analyst's name without the OS user kept beside it (shown in the tooltip)."""
    name, sep, _rest = actor.partition(" (OS user ")
    return name if sep and not actor.endswith(" (OS user)") else actor


class AuditModel(RowsModel[AuditEntry]):
    """Audit rows for display; rows named by ``mark_bad`` are shown in red."""

    headers = HEADERS

    def __init__(self) -> None:
        super().__init__()
        self._bad: set[int] = set()

    def set_rows(self, rows: list[AuditEntry]) -> None:
        self._bad = set()
        super().set_rows(rows)

    def mark_bad(self, seqs: set[int]) -> None:
        self._bad = seqs
        self.refresh_all([Qt.ItemDataRole.BackgroundRole])

    def entry(self, row: int) -> AuditEntry:
        return self.row_item(row)

    def cell(self, e: AuditEntry, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            short = role == Qt.ItemDataRole.DisplayRole
            return (
                str(e.seq),
                e.at_utc[:19].replace("T", " ") if short else e.at_utc,
                _who(e.actor) if short else e.actor,
                summarize(e),
                e.action if short else f"{e.action} {e.target}",
                e.row_hash[:16] if short else e.row_hash,
            )[column]
        if role == Qt.ItemDataRole.BackgroundRole and e.seq in self._bad:
            return QColor(255, 200, 200)
        return None


class LogPanel(QWidget):
    verify_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = AuditModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)
        self.head_label = QLabel("")
        self.head_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_button = QPushButton("Verify case")
        self.verify_button.clicked.connect(self.verify_requested)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.json_button = QPushButton("Show JSON")
        self.json_button.setCheckable(True)
        self.json_button.setToolTip("The selected row as recorded (the hashed content)")
        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        self.json_view.setVisible(False)
        self.json_button.toggled.connect(self._on_json_button_toggled)
        self.table.selectionModel().currentRowChanged.connect(self._show_json)
        top = QHBoxLayout()
        top.addWidget(self.head_label, 1)
        top.addWidget(self.json_button)
        top.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.json_view, 2)

    def set_entries(self, entries: list[AuditEntry]) -> None:
        self.model.set_rows(entries)
        self._show_head()

    def append_entries(self, entries: list[AuditEntry], keep_last: int = 500) -> None:
        """Rows the case appended since (those already shown are skipped); at most
        ``keep_last`` rows stay, the newest."""
        last = self.model.last_item()
        new = [e for e in entries if last is None or e.seq > last.seq]
        if new:
            self.model.append_rows(new, keep_last)
            self._show_head()

    def _show_head(self) -> None:
        last = self.model.last_item()
        if last is not None:
            self.head_label.setText(f"Audit head: {last.seq}:{last.row_hash}")
        self.table.scrollToBottom()

    def _on_json_button_toggled(self, on: bool) -> None:
        self.json_view.setVisible(on)
        self._show_json()

    def _show_json(self, *_args: object) -> None:
        index = self.table.currentIndex()
        if not self.json_view.isVisible() or not index.isValid():
            return
        e = self.model.entry(index.row())
        row = {"seq": e.seq, "at_utc": e.at_utc, "actor": e.actor, "action": e.action,
               "target": e.target, "details": e.details, "prev_hash": e.prev_hash,
               "row_hash": e.row_hash}  # fmt: skip
        self.json_view.setPlainText(canonical_json(row))

    def show_report(self, report: VerifyReport) -> None:
        if report.ok:
            text = (
                f"Verified: {report.evidence_checked} evidence files match their hashes "
                f"and are read-only; {report.audit_rows} audit rows chain correctly."
            )
            colour = "darkgreen"
        else:
            text = "ALTERED OR MISSING:"
            colour = "darkred"
        lines = [text] + [f"{f.severity}: {f.where}: {f.problem}" for f in report.findings]
        self.result_label.setStyleSheet(f"color: {colour}")
        self.result_label.setText("\n".join(lines))
        bad = set()
        for f in report.findings:
            if f.where.startswith("audit row "):
                bad.add(int(f.where.removeprefix("audit row ")))
        self.model.mark_bad(bad)

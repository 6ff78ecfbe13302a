"""LogPanel: the audit log, its head, and the Verify action's findings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.case.audit import AuditEntry
from workbench.case.canonical import canonical_json
from workbench.case.verify import VerifyReport

HEADERS = ("#", "When (UTC)", "Who", "Action", "Target", "Details", "Row hash")


class LogPanel(QWidget):
    verify_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.head_label = QLabel("")
        self.head_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_button = QPushButton("Verify case")
        self.verify_button.clicked.connect(self.verify_requested)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.head_label, 1)
        top.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table)

    def set_entries(self, entries: list[AuditEntry]) -> None:
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            values = (
                str(e.seq),
                e.at_utc,
                e.actor,
                e.action,
                e.target[:16],
                canonical_json(e.details),
                e.row_hash[:16],
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text if col != 6 else e.row_hash)
                self.table.setItem(row, col, item)
        if entries:
            last = entries[-1]
            self.head_label.setText(f"Audit head: {last.seq}:{last.row_hash}")
        self.table.resizeColumnsToContents()
        self.table.scrollToBottom()

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
        for row in range(self.table.rowCount()):
            for f in report.findings:
                if f.where == f"audit row {self.table.item(row, 0).text()}":
                    for col in range(self.table.columnCount()):
                        self.table.item(row, col).setBackground(QColor(255, 200, 200))

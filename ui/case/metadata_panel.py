"""MetadataPanel: the stored metadata of one evidence as a tree, clock notes first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.case.evidence import Evidence

CLOCK_LABELS = {
    "camera": "camera clock",
    "gps": "GPS clock (UTC)",
    "container": "container time (often a re-encode, not capture)",
    "upload": "upload time",
}


class MetadataPanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.header = QLabel("No evidence selected")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        # The hash in a read-only field: selectable and copied whole, and a narrow dock
        # scrolls it in place instead of widening (a label cannot wrap 64 hex digits).
        self.sha_field = QLineEdit()
        self.sha_field.setReadOnly(True)
        self.sha_field.setFrame(False)
        self.sha_field.setVisible(False)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(("Field", "Value"))
        self.tree.setColumnWidth(0, 220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.header)
        layout.addWidget(self.sha_field)
        layout.addWidget(self.tree)

    def show_evidence(self, e: Evidence | None) -> None:
        self.tree.clear()
        self.sha_field.setVisible(e is not None)
        if e is None:
            self.header.setText("No evidence selected")
            return
        self.header.setText(e.original_name)
        self.sha_field.setText(f"sha256 {e.sha256}")
        self.sha_field.setCursorPosition(0)
        self.sha_field.setToolTip(e.sha256)
        notes = list(e.metadata.get("clock_notes") or []) + list(e.metadata.get("warnings") or [])
        for text in notes:
            item = QTreeWidgetItem(["⚠ note", str(text)])
            item.setForeground(1, QColor(190, 110, 0))
            item.setToolTip(1, str(text))
            self.tree.addTopLevelItem(item)
        for key, value in e.metadata.items():
            if key in ("clock_notes", "warnings") or value is None:
                continue
            self.tree.addTopLevelItem(self._node(key, value))
        self.tree.expandToDepth(1)

    def _node(self, key: str, value: Any) -> QTreeWidgetItem:
        if isinstance(value, dict):
            label = self._time_label(value)
            known = {k: v for k, v in value.items() if v is not None}
            item = QTreeWidgetItem([key, label or ("" if known else "(none recorded)")])
            for k, v in known.items():
                item.addChild(self._node(str(k), v))
            return item
        if isinstance(value, list):
            item = QTreeWidgetItem([key, f"[{len(value)}]"])
            for i, v in enumerate(value):
                item.addChild(self._node(str(i), v))
            return item
        item = QTreeWidgetItem([key, "" if value is None else str(value)])
        item.setToolTip(1, item.text(1))
        return item

    @staticmethod
    def _time_label(value: dict) -> str:
        """A labelled time: ``{"value": ..., "clock": ...}`` shows as 'value (clock)'."""
        if "value" in value and "clock" in value:
            clock = CLOCK_LABELS.get(str(value["clock"]), str(value["clock"]))
            return f"{value['value']}  ({clock})"
        return ""

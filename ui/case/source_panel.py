"""SourcePanel: the editable source record and flags of one evidence."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from workbench.case.evidence import SourceRecord

LABELS = {
    "platform": "Platform",
    "url": "URL",
    "account": "Channel / account",
    "upload_time_utc": "Upload time (UTC)",
    "upload_time_basis": "Upload time known from",
    "caption": "Caption / title",
    "archive_url": "Archive link",
    "obtained_by": "Obtained by",
    "downloader": "Downloader",
}
TIME_BASES = (
    "",
    "platform page",
    "platform API",
    "archive capture",
    "file metadata",
    "reported by source",
    "estimated",
)


class SourcePanel(QWidget):
    """Emits ``source_saved(old, new)`` and ``flags_changed(graphic, reference)``."""

    source_saved = Signal(object, object)
    flags_changed = Signal(bool, bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self._edits: dict[str, QLineEdit | QPlainTextEdit | QComboBox] = {}
        for f in fields(SourceRecord):
            if f.name == "caption":
                edit: QLineEdit | QPlainTextEdit | QComboBox = QPlainTextEdit()
                edit.setFixedHeight(70)
            elif f.name == "upload_time_basis":
                edit = QComboBox()
                edit.setEditable(True)
                edit.addItems(TIME_BASES)
            else:
                edit = QLineEdit()
            if f.name == "upload_time_utc":
                edit.setPlaceholderText("2016-10-26T10:15:00Z")
            self._edits[f.name] = edit
            form.addRow(LABELS[f.name], edit)
        self.graphic = QCheckBox("Graphic content (thumbnail blurred, audio muted)")
        self.reference = QCheckBox("Reference image (not evidence)")
        self.graphic.clicked.connect(self._on_flag_clicked)
        self.reference.clicked.connect(self._on_flag_clicked)
        form.addRow(self.graphic)
        form.addRow(self.reference)
        self.save_button = QPushButton("Save source (Ctrl+S)")
        self.save_button.clicked.connect(self._on_save_clicked)
        form.addRow(self.save_button)
        QShortcut(QKeySequence.StandardKey.Save, self, self._on_save_clicked)
        self._loaded = SourceRecord()
        self.setEnabled(False)

    def load(self, record: SourceRecord, *, graphic: bool, reference: bool) -> None:
        self._loaded = record
        for name, edit in self._edits.items():
            value = getattr(record, name)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            elif isinstance(edit, QComboBox):
                edit.setCurrentText(value)
            else:
                edit.setText(value)
        self.graphic.setChecked(graphic)
        self.reference.setChecked(reference)
        self.setEnabled(True)

    def record(self) -> SourceRecord:
        values = {}
        for name, edit in self._edits.items():
            if isinstance(edit, QPlainTextEdit):
                values[name] = edit.toPlainText()
            elif isinstance(edit, QComboBox):
                values[name] = edit.currentText()
            else:
                values[name] = edit.text()
        return SourceRecord(**values)

    def clear(self) -> None:
        self.load(SourceRecord(), graphic=False, reference=False)
        self.setEnabled(False)

    def _on_save_clicked(self) -> None:
        new = self.record()
        if self.isEnabled() and new != self._loaded:
            old, self._loaded = self._loaded, new
            self.source_saved.emit(old, new)

    def _on_flag_clicked(self) -> None:
        self.flags_changed.emit(self.graphic.isChecked(), self.reference.isChecked())

"""NotesPanel: notes on the case and on the selected evidence, saved in the case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.case.evidence import Note
from workbench.display_text import is_rtl


class _NoteList(QWidget):
    """One scope's notes; emits ``note_saved(note_id or None, old_body, new_body)``."""

    note_saved = Signal(object, str, str)

    def __init__(self) -> None:
        super().__init__()
        self.list = QListWidget()
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write a note. Plain text; saved in the case and logged.")
        self.new_button = QPushButton("New note")
        self.save_button = QPushButton("Save note")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.list, 2)
        layout.addWidget(self.editor, 3)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self._notes: dict[int, Note] = {}
        self._editing: int | None = None

    def set_notes(self, notes: list[Note]) -> None:
        self.list.clear()
        self._notes = {n.id: n for n in notes}
        for n in notes:
            first = n.body.splitlines()[0] if n.body else ""
            item = QListWidgetItem(f"{first[:80]}\n{n.author} · {n.updated_at_utc[:19]}Z")
            item.setData(Qt.ItemDataRole.UserRole, n.id)
            if is_rtl(n.body):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight)
            self.list.addItem(item)
        if self._editing not in self._notes:
            self._editing = None

    def _on_list_current_item_changed(self, item: QListWidgetItem | None, _prev) -> None:
        if item is None:
            return
        self._editing = int(item.data(Qt.ItemDataRole.UserRole))
        self.editor.setPlainText(self._notes[self._editing].body)

    def _on_new_clicked(self) -> None:
        self.list.setCurrentItem(None)
        self._editing = None
        self.editor.clear()
        self.editor.setFocus()

    def _on_save_clicked(self) -> None:
        body = self.editor.toPlainText().strip()
        if not body:
            return
        old = self._notes[self._editing].body if self._editing in self._notes else ""
        if body != old:
            self.note_saved.emit(self._editing, old, body)


class NotesPanel(QWidget):
    """Emits ``note_saved(evidence_id or None, note_id or None, old_body, new_body)``."""

    note_saved = Signal(object, object, str, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.case_notes = _NoteList()
        self.evidence_notes = _NoteList()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.case_notes, "Case")
        self.tabs.addTab(self.evidence_notes, "This evidence")
        self.evidence_label = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._evidence_id: int | None = None
        self.case_notes.note_saved.connect(
            lambda nid, old, new: self.note_saved.emit(None, nid, old, new)
        )
        self.evidence_notes.note_saved.connect(self._on_evidence_notes_note_saved)
        self.evidence_notes.setEnabled(False)

    def set_case_notes(self, notes: list[Note]) -> None:
        self.case_notes.set_notes(notes)

    def set_evidence_notes(self, evidence_id: int | None, notes: list[Note]) -> None:
        self._evidence_id = evidence_id
        self.evidence_notes.setEnabled(evidence_id is not None)
        self.evidence_notes.set_notes(notes)

    def _on_evidence_notes_note_saved(self, note_id, old: str, new: str) -> None:
        if self._evidence_id is not None:
            self.note_saved.emit(self._evidence_id, note_id, old, new)

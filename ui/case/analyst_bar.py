"""AnalystBar: asks once for the analyst's name, which the audit log records as the actor
(with the OS user beside it). A bar in the window, not a dialog: nothing waits for it, and it
stays until the name is given or the analyst chooses to go on without one."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QToolBar, QWidget

from workbench.settings import Settings


class AnalystBar(QObject):
    """Emits ``name_saved(name)`` once the analyst has answered ("": not now)."""

    name_saved = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget) -> None:
        super().__init__(parent)
        self.settings = settings
        self.toolbar = QToolBar("Your name", parent)
        self.toolbar.setObjectName("analyst_toolbar")
        self.toolbar.setMovable(False)
        self.label = QLabel(
            "  Your name, as the audit log should record who did what "
            "(asked once; Edit ▸ Settings changes it):  "
        )
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("e.g. Jane Doe")
        self.edit.setMaximumWidth(260)
        self.save_button = QPushButton("Save")
        self.skip_button = QPushButton("Not now")
        self.skip_button.setToolTip("Actions are logged with your OS user name only")
        for w in (self.label, self.edit, self.save_button, self.skip_button):
            self.toolbar.addWidget(w)
        self.edit.returnPressed.connect(self._on_save_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.skip_button.clicked.connect(self._on_skip_clicked)
        self.toolbar.setVisible(not settings.analyst_name and not settings.analyst_asked)
        self.toolbar.toggleViewAction().setVisible(False)

    def _answer(self, name: str) -> None:
        self.toolbar.setVisible(False)
        self.name_saved.emit(name)

    def _on_save_clicked(self) -> None:
        name = self.edit.text().strip()
        if name:
            self._answer(name)

    def _on_skip_clicked(self) -> None:
        self._answer("")

"""SettingsDialog: the analyst's name and the graphic-content defaults."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit

from workbench.settings import Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        form = QFormLayout(self)
        self.analyst = QLineEdit(settings.analyst_name)
        self.analyst.setPlaceholderText("Your name, as it should appear in the audit log")
        self.blur = QCheckBox("Blur thumbnails of graphic evidence until clicked")
        self.blur.setChecked(settings.blur_graphic_thumbnails)
        self.mute = QCheckBox("Mute the audio of graphic evidence by default")
        self.mute.setChecked(settings.mute_graphic_audio)
        form.addRow("Analyst name", self.analyst)
        form.addRow(self.blur)
        form.addRow(self.mute)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def result_settings(self) -> Settings:
        s = self._settings
        return Settings(
            analyst_name=self.analyst.text().strip(),
            blur_graphic_thumbnails=self.blur.isChecked(),
            mute_graphic_audio=self.mute.isChecked(),
            recent_cases=list(s.recent_cases),
            analyst_asked=True,
        )

"""StartPage: what the window shows when no case is open: the sample case, a new case, a case
folder, and the recent cases."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

INTRO = (
    "<h2>GeoWorkbench</h2>"
    "<p>Geolocate and verify footage. Every original is hashed and kept read-only; every "
    "action is written to the case's audit log.</p>"
    "<p>Drop a <i>.gwcase</i> folder here to open it, or media files to import them into the "
    "open case.</p>"
)


class StartPage(QWidget):
    """Emits ``sample_requested``, ``new_requested``, ``open_requested`` and
    ``recent_chosen(path)``."""

    sample_requested = Signal()
    new_requested = Signal()
    open_requested = Signal()
    recent_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.sample_button = QPushButton("Open the sample case")
        self.sample_button.setToolTip(
            "A synthetic strike scene after the Hass example, with its exact truth "
            "(built on first use, then reused)"
        )
        self.new_button = QPushButton("New case…  (Ctrl+N)")
        self.open_button = QPushButton("Open case…  (Ctrl+O)")
        self.recent = QListWidget()
        self.recent.setToolTip("Double-click or Enter to open")
        self.recent_label = QLabel("<b>Recent cases</b>")
        buttons = QGridLayout()
        for n, b in enumerate((self.sample_button, self.new_button, self.open_button)):
            b.setMinimumHeight(36)
            buttons.addWidget(b, 0, n)
        box = QWidget()
        box.setMinimumWidth(560)
        box.setMaximumWidth(760)
        self.recent.setMaximumHeight(360)
        inner = QVBoxLayout(box)
        inner.addWidget(intro)
        inner.addLayout(buttons)
        inner.addSpacing(12)
        inner.addWidget(self.recent_label)
        inner.addWidget(self.recent)
        layout = QVBoxLayout(self)
        layout.addSpacing(24)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.sample_button.clicked.connect(self.sample_requested)
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.recent.itemActivated.connect(self._on_recent_item_activated)
        self.set_recent([])

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}\n{path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not paths:
            self.recent.addItem("No recent cases yet.")
            self.recent.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def _on_recent_item_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.recent_chosen.emit(path)

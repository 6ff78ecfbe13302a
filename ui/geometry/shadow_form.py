"""The Shadow tool's widgets (built onto the tool; ``ShadowTool`` wires them)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.narrow import button_grid

NADIR, OBLIQUE = "nadir", "oblique"


def _spin(lo: float, hi: float, value: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


def _label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names typed by the analyst stay text
    return label


def build_shadow_form(tool: QWidget) -> None:
    """Mode, north rotation, scale, object, date, clicks, result and Add (as attributes)."""
    tool.mode_combo = QComboBox()
    tool.mode_combo.addItem("Nadir image (looking straight down)", NADIR)
    tool.mode_combo.addItem("Oblique frame (the Bearing tab's camera)", OBLIQUE)
    tool.rotation_spin = _spin(-360.0, 360.0, 0.0, 1, "°")
    tool.rotation_spin.setToolTip(
        "Where the image's up points, clockwise from true north (0: a north-up image)"
    )
    tool.gsd_spin = _spin(0.0, 100.0, 0.0, 3, " m/px")
    tool.gsd_spin.setSpecialValueText("unknown")
    tool.height_spin = _spin(0.0, 1000.0, 0.0, 1, " m")
    tool.height_spin.setSpecialValueText("unknown")
    tool.height_spin.setToolTip("The object's height: with the scale it gives the length ratio")
    tool.object_combo = QComboBox()
    tool.object_combo.setToolTip("The landmark whose shadow it is (where it stands)")
    tool.date_edit = QDateEdit(QDate.currentDate())
    tool.date_edit.setDisplayFormat("yyyy-MM-dd")
    tool.date_edit.setCalendarPopup(True)
    tool.date_edit.setToolTip("The day to solve for the time (local solar day at the place)")
    tool.click_spin = _spin(0.1, 20.0, 1.0, 1, " px")
    tool.click_spin.setToolTip("One sigma of each click, in x and y")
    tool.base_button = QPushButton("Base")
    tool.tip_button = QPushButton("Shadow tip")
    tool.top_button = QPushButton("Top")
    tool.clear_button = QPushButton("Clear")
    tool.base_button.setToolTip("Click the object's base in the picture")
    tool.tip_button.setToolTip("Click the tip of its shadow")
    tool.top_button.setToolTip("Oblique frame: click the object's top, for the length ratio")
    tool.clear_button.setToolTip("Forget the clicks")
    tool.prompt_label = _label()
    tool.missing_label = _label()
    tool.missing_label.setStyleSheet("color: #8a6d00")
    tool.result_label = _label()
    tool.add_button = QPushButton("Add shadow")
    tool.add_button.setToolTip("Store the shadow as an observation (undoable)")
    form = QFormLayout()
    form.addRow("Picture", tool.mode_combo)
    form.addRow("Image up points to", tool.rotation_spin)
    form.addRow("Ground scale", tool.gsd_spin)
    form.addRow("Object height", tool.height_spin)
    form.addRow("Object", tool.object_combo)
    form.addRow("Date", tool.date_edit)
    form.addRow("Click sigma", tool.click_spin)
    tool.nadir_rows = (tool.rotation_spin, tool.gsd_spin)
    clicks = button_grid((tool.base_button, tool.tip_button, tool.top_button, tool.clear_button))
    layout = QVBoxLayout(tool)
    layout.addLayout(form)
    layout.addLayout(clicks)
    for w in (tool.prompt_label, tool.missing_label, tool.result_label, tool.add_button):
        layout.addWidget(w)
    layout.addStretch(1)
    tool.form = form

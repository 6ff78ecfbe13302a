"""The Bearing tool's widgets and their layout, in plain words with the figures in tooltips."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.geometry.bearing_sigma_panel import SigmaPanel
from ui.geometry.fov_field import FovField, spin_box
from ui.narrow import button_grid

REFUSAL_STYLE = "color: #b00020; font-weight: bold;"


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    return b


def build_bearing_form(tool: QWidget) -> None:
    """Make the tool's widgets as attributes of ``tool`` and lay them out."""
    t = tool
    t.camera_combo = QComboBox()
    t.camera_combo.setToolTip(
        "Where the camera stood. It follows the video on screen: the camera position linked "
        "to that video is chosen for you."
    )
    t.reference_combo = QComboBox()
    t.reference_combo.setToolTip(
        "A landmark you can see in the picture and whose map position you know; not the "
        "thing you are locating."
    )
    t.reference_button = _button("Click landmark", "Click the reference landmark in the picture")
    t.target_button = _button("Click target", "Click the thing whose direction you want")
    t.horizon_button = _button(
        "Level on horizon",
        "Click two points on the horizon, far apart: the camera's tilt (pitch and roll) is "
        "taken from the line through them.",
    )
    t.clear_button = QPushButton("Clear clicks")
    t.reference2_combo = QComboBox()
    t.reference2_combo.setToolTip("Another landmark in the picture, well apart from the first")
    t.reference2_button = _button("Click it", "Click the second landmark in the picture")
    t.fov_button = _button(
        "Fit to both landmarks",
        "Fit the horizontal field of view so that the angle between the two landmarks, seen "
        "from the camera, falls between their clicks.",
    )
    t.height_spin = spin_box(0.0, 2000.0, 1, 0.0, " m")
    t.height_spin.setSpecialValueText("no range")
    t.height_spin.setToolTip("The target's known height, to estimate its distance")
    t.height_sigma_spin = spin_box(0.0, 500.0, 1, 0.0, " m")
    t.height_sigma_spin.setPrefix("± ")
    t.height_button = _button("Click top, bottom", "Click the target's top, then its bottom")
    t.fov = FovField()
    t.fov.setToolTip("Horizontal field of view of the camera that filmed this picture")
    t.sigma_spin = spin_box(0.001, 45.0, 3, 0.1, " °")
    t.sigma_spin.setToolTip(
        "One standard deviation of the direction. Built from its parts below; typing a value "
        "replaces them."
    )
    t.sigma_panel = SigmaPanel()
    t.range_spin = spin_box(100.0, 100000.0, 0, 5000.0, " m")
    t.range_spin.setToolTip("How far the ray is drawn on the map")
    t.refusal_label = QLabel("")
    t.refusal_label.setWordWrap(True)
    t.refusal_label.setStyleSheet(REFUSAL_STYLE)
    t.refusal_label.setTextFormat(Qt.TextFormat.PlainText)
    t.refusal_label.setVisible(False)
    t.result_label = QLabel("")
    t.result_label.setWordWrap(True)
    t.result_label.setTextFormat(Qt.TextFormat.PlainText)
    t.prompt_label = QLabel("")
    t.add_button = QPushButton("Add bearing")
    t.bearing_list = QListWidget()
    t.intersect_button = QPushButton("Intersect selected bearings")
    t.fix_label = QLabel("")  # the intersection's position, ellipse and residuals: short lines
    t.fix_label.setTextFormat(Qt.TextFormat.PlainText)
    t.fix_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # Its four lines' room is kept from the start: a scrolled tool that grew under the
    # analyst's click would squash the rows above it instead of scrolling.
    t.fix_label.setMinimumHeight(4 * t.fix_label.fontMetrics().lineSpacing() + 4)
    t.fix_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    form = QFormLayout()
    form.addRow("Camera", t.camera_combo)
    form.addRow("Reference", t.reference_combo)
    form.addRow(
        "Clicks",
        button_grid((t.reference_button, t.target_button, t.horizon_button, t.clear_button)),
    )
    form.addRow("Field of view", t.fov)
    second = QHBoxLayout()
    second.addWidget(t.reference2_combo, 1)
    second.addWidget(t.reference2_button)
    form.addRow("2nd landmark", second)
    form.addRow("", t.fov_button)
    form.addRow("Uncertainty", t.sigma_spin)
    form.addRow("", t.sigma_panel)
    height = QHBoxLayout()
    height.addWidget(t.height_spin, 1)
    height.addWidget(t.height_sigma_spin)
    form.addRow("Target height", height)
    form.addRow("", t.height_button)
    form.addRow("Ray length", t.range_spin)
    layout = QVBoxLayout(t)
    layout.addLayout(form)
    layout.addWidget(t.refusal_label)
    layout.addWidget(t.prompt_label)
    layout.addWidget(t.result_label)
    layout.addWidget(t.add_button)
    layout.addWidget(QLabel("Bearings (tick two or more):"))
    layout.addWidget(t.bearing_list, 1)
    layout.addWidget(t.intersect_button)
    layout.addWidget(t.fix_label)

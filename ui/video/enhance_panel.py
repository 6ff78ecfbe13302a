"""EnhancePanel: sliders for the display enhancements (analysis.video.enhance); shown pixels only.

The panel only collects parameters and emits ``enhancements_changed``; the decoder thread
applies them, and an export's sidecar lists exactly what was applied.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from analysis.video.enhance import Enhancements

# name: (label, slider min, slider max, slider default, value = slider * scale)
CONTROLS: dict[str, tuple[str, int, int, int, float]] = {
    "brightness": ("Brightness", -128, 128, 0, 1.0),
    "contrast": ("Contrast", 20, 400, 100, 0.01),
    "gamma": ("Gamma", 20, 400, 100, 0.01),
    "sharpen_amount": ("Sharpen", 0, 300, 0, 0.01),
    "clahe_clip_limit": ("CLAHE", 0, 80, 0, 0.1),
}


class EnhancePanel(QWidget):
    """A compact form of sliders with their values, and a Reset button."""

    enhancements_changed = Signal(object)  # Enhancements

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        self.sliders: dict[str, QSlider] = {}
        self._values: dict[str, QLabel] = {}
        for name, (label, lo, hi, default, _scale) in CONTROLS.items():
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(lo, hi)
            slider.setValue(default)
            slider.valueChanged.connect(self._on_slider_value_changed)
            value = QLabel()
            value.setMinimumWidth(40)
            row = QHBoxLayout()
            row.addWidget(slider, 1)
            row.addWidget(value)
            form.addRow(label, row)
            self.sliders[name] = slider
            self._values[name] = value
        self.reset_button = QPushButton("Reset (show the frame as decoded)")
        self.reset_button.clicked.connect(self.reset)
        form.addRow(self.reset_button)
        self._update_labels()

    def enhancements(self) -> Enhancements:
        values = {name: self.sliders[name].value() * c[4] for name, c in CONTROLS.items()}
        return Enhancements(**values)

    def set_enhancements(self, enh: Enhancements) -> None:
        for name, (_l, _lo, _hi, _d, scale) in CONTROLS.items():
            slider = self.sliders[name]
            slider.blockSignals(True)
            slider.setValue(int(round(getattr(enh, name) / scale)))
            slider.blockSignals(False)
        self._update_labels()
        self.enhancements_changed.emit(self.enhancements())

    def reset(self) -> None:
        self.set_enhancements(Enhancements())

    def _update_labels(self) -> None:
        enh = self.enhancements()
        for name in CONTROLS:
            v = getattr(enh, name)
            self._values[name].setText(f"{v:+.0f}" if name == "brightness" else f"{v:.2f}")

    def _on_slider_value_changed(self, _value: int) -> None:
        self._update_labels()
        self.enhancements_changed.emit(self.enhancements())

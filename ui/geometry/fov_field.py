"""The horizontal field of view as the geometry tools take it: a value and where it came from.

A new picture brings its field of view from the EXIF 35 mm-equivalent focal length when it
has one (``analysis.geometry.bearing.fov_from_metadata``); otherwise the field says it is unchecked
until the analyst types a value, since a value left over from another picture is no source.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from analysis.geometry.bearing import DEFAULT_HFOV_DEG, fov_from_metadata
from ui.video.on_screen import FrameRef

UNCHECKED_FOV = "unchecked: no EXIF focal length, type the field of view"


def spin_box(lo: float, hi: float, decimals: int, value: float, suffix: str) -> QDoubleSpinBox:
    """A spin box that reports a value once it is entered, not at every keystroke."""
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return spin


class FovField(QWidget):
    """A field-of-view spin box with its source beside it (see the module doc)."""

    changed = Signal()  # a new value, typed or from a picture

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = spin_box(0.5, 179.0, 3, DEFAULT_HFOV_DEG, " °")
        self.source_label = QLabel("typed")
        self.source_label.setWordWrap(True)  # "unchecked: ..." wraps rather than widen the tool
        self.source = "typed"
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.spin)
        row.addWidget(self.source_label, 1)
        self.spin.valueChanged.connect(self._on_spin_value_changed)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, hfov_deg: float, source: str = "typed") -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(hfov_deg)
        self.spin.blockSignals(False)
        self._set_source(source)
        self.changed.emit()

    def follow_frame(self, old: FrameRef | None, frame: FrameRef | None) -> None:
        """Take the new picture's field of view when the evidence changes."""
        if frame is None or (old is not None and frame.evidence_id == old.evidence_id):
            return
        fov = fov_from_metadata(frame.metadata, frame.width_px, frame.height_px)
        if fov is not None:
            self.set_value(fov.hfov_deg, fov.source)
        else:
            self.set_value(self.spin.value(), UNCHECKED_FOV)

    def _on_spin_value_changed(self, _value: float) -> None:
        self._set_source("typed")
        self.changed.emit()

    def _set_source(self, source: str) -> None:
        self.source = source
        self.source_label.setText(source)

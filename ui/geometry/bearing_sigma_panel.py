"""SigmaPanel: what each input of a bearing is worth, and the sum it makes, in the Bearing tool.

The analyst sees one figure ("± 0.12°") and can open it: the parts of the sum, each with the
figure behind it in plain words (``analysis.geometry.bearing_sigma.describe``). The inputs
are the click precision in frame pixels (from the view's zoom at the clicks unless typed),
the reference landmark's and the camera's position uncertainty (the landmark's stated one,
editable here: it is a property of the landmark, written undoably through the service) and
a typed field of view's uncertainty. The maths is in analysis; this only collects and shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from analysis.geometry.bearing_sigma import (
    DEFAULT_TYPED_HFOV_SIGMA_DEG,
    BearingSigma,
    click_sigma_px,
    describe,
)
from ui.geometry.fov_field import spin_box


class SigmaPanel(QWidget):
    """The sigma's inputs and its breakdown (see the module doc)."""

    changed = Signal()  # an input the analyst changed (not a landmark's stated uncertainty)
    point_sigma_edited = Signal(str, float)  # "reference" or "camera", the new metres

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.click_spin = spin_box(0.1, 50.0, 2, click_sigma_px(1.0), " px")
        self.click_spin.setToolTip(
            "How far a click may land from the true point, in pixels of the frame "
            "(one standard deviation). Set from the zoom you clicked at; type it when the "
            "feature is blurred or hard to pick out."
        )
        self.click_typed = False
        self.reference_spin = spin_box(0.0, 10000.0, 1, 5.0, " m")
        self.reference_spin.setToolTip(
            "How far the reference landmark's map position may be off (one standard "
            "deviation on each axis). Stored with the landmark."
        )
        self.camera_spin = spin_box(0.0, 10000.0, 1, 5.0, " m")
        self.camera_spin.setToolTip(
            "How far the camera position may be off (one standard deviation on each axis). "
            "Stored with the camera position."
        )
        self.fov_spin = spin_box(0.0, 45.0, 2, DEFAULT_TYPED_HFOV_SIGMA_DEG, " °")
        self.fov_spin.setToolTip(
            "How far a typed field of view may be off (one standard deviation). Not used "
            "when the field of view comes from two landmarks: their clicks and positions "
            "count instead."
        )
        for spin in (self.reference_spin, self.camera_spin, self.fov_spin):
            spin.setPrefix("± ")
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setText("What makes up the uncertainty")
        self.breakdown = QLabel("")
        self.breakdown.setTextFormat(Qt.TextFormat.PlainText)
        self.breakdown.setWordWrap(True)
        self.breakdown.setVisible(False)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Click precision", self.click_spin)
        form.addRow("Reference position", self.reference_spin)
        form.addRow("Camera position", self.camera_spin)
        form.addRow("Field of view", self.fov_spin)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form)
        box.addWidget(self.toggle)
        box.addWidget(self.breakdown)
        self.click_spin.valueChanged.connect(self._on_click_spin_value_changed)
        self.fov_spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.reference_spin.valueChanged.connect(
            lambda v: self.point_sigma_edited.emit("reference", v)
        )
        self.camera_spin.valueChanged.connect(lambda v: self.point_sigma_edited.emit("camera", v))
        self.toggle.toggled.connect(self._on_toggle_toggled)

    def _on_toggle_toggled(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.breakdown.setVisible(shown)

    def _on_click_spin_value_changed(self, _value: float) -> None:
        self.click_typed = True
        self.changed.emit()

    def set_zoom(self, zoom: float) -> None:
        """The view's zoom at a click: the click precision follows it unless typed."""
        if not self.click_typed:
            self._quiet(self.click_spin, click_sigma_px(zoom))

    def show_points(self, reference_m: float | None, camera_m: float | None) -> None:
        """The stated uncertainties of the chosen landmark and camera (no write)."""
        if reference_m is not None:
            self._quiet(self.reference_spin, reference_m)
        if camera_m is not None:
            self._quiet(self.camera_spin, camera_m)

    def show_sigma(self, sigma: BearingSigma | None) -> None:
        """The breakdown of the sum (an empty text while the bearing cannot be solved)."""
        if sigma is None:
            self.breakdown.setText("")
            self.toggle.setText("What makes up the uncertainty")
            return
        self.toggle.setText(f"Uncertainty ± {sigma.sigma_deg:.3f}°: what makes it up")
        self.breakdown.setText(describe(sigma))

    @staticmethod
    def _quiet(spin, value: float) -> None:
        spin.blockSignals(True)
        spin.setValue(value)
        spin.blockSignals(False)

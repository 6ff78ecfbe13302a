"""Hypotheses on the map: the dialog that describes one.

"+ Hypothesis" on the map, then a click, opens the dialog for a new one at that place;
selecting one and "Edit…" opens it again; dragging moves it; "Delete" deletes it. Every edit
goes to the ``GeodataService``: a ``workbench.hypotheses`` write with its audit row, and undo
writes the old state back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ui.geodata.service import GeodataService
from workbench.hypotheses import CONFIDENCE_LEVELS, MAX_TITLE_CHARS, Hypothesis

_CONFIDENCE_LABELS = {"": "not assessed", "low": "low", "medium": "medium", "high": "high"}


class HypothesisDialog(QDialog):
    """Title, radius, confidence and rationale of a hypothesis (its place is on the map)."""

    def __init__(self, record: Hypothesis | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit hypothesis" if record else "New hypothesis")
        self.title_edit = QLineEdit(record.title if record else "")
        self.title_edit.setMaxLength(MAX_TITLE_CHARS)
        self.title_edit.setPlaceholderText("e.g. Strike site: the school compound")
        self.radius_spin = QDoubleSpinBox()
        self.radius_spin.setRange(0.0, 1e6)
        self.radius_spin.setDecimals(0)
        self.radius_spin.setSuffix(" m")
        self.radius_spin.setSpecialValueText("none")
        self.radius_spin.setValue((record.radius_m or 0.0) if record else 0.0)
        self.confidence_combo = QComboBox()
        for level in CONFIDENCE_LEVELS:
            self.confidence_combo.addItem(_CONFIDENCE_LABELS[level], level)
        if record is not None:
            self.confidence_combo.setCurrentIndex(self.confidence_combo.findData(record.confidence))
        self.rationale_edit = QPlainTextEdit(record.rationale if record else "")
        self.rationale_edit.setPlaceholderText("Who claims it, and the observations behind it")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout(self)
        form.addRow("Title", self.title_edit)
        form.addRow("Radius", self.radius_spin)
        form.addRow("Confidence", self.confidence_combo)
        form.addRow("Rationale", self.rationale_edit)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.title_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.title_edit.text().strip()))

    def values(self) -> dict[str, Any]:
        """The fields as ``workbench.hypotheses`` takes them."""
        radius = self.radius_spin.value()
        return {
            "title": self.title_edit.text().strip(),
            "radius_m": radius if radius > 0 else None,
            "confidence": self.confidence_combo.currentData(),
            "rationale": self.rationale_edit.toPlainText().strip(),
        }


def ask_new_hypothesis(
    parent: QWidget, service: GeodataService, lat: float, lon: float
) -> HypothesisDialog:
    """Open the dialog for a hypothesis at (lat, lon); OK adds it (undoable)."""
    dialog = HypothesisDialog(parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        service.add_hypothesis(lat, lon, dialog.values())

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def ask_edit_hypothesis(
    parent: QWidget, service: GeodataService, record: Hypothesis
) -> HypothesisDialog:
    """Open the dialog on an existing hypothesis; OK saves the changes (undoable)."""
    dialog = HypothesisDialog(record, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        new = dialog.values()
        old = {k: getattr(record, k) for k in new}
        # the dialog's own reading of the stored record: saving it unchanged is no edit
        untouched = HypothesisDialog(record).values()
        if new != untouched:
            service.edit_hypothesis(record.id, old, new)

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog

"""Hypotheses on the map: the dialog that describes one, and the undoable edits.

"+ Hypothesis" on the map, then a click, opens the dialog for a new one at that place;
selecting one and "Edit…" opens it again; dragging moves it; "Delete" deletes it. Every edit
is a ``workbench.hypotheses`` write with its audit row, and undo writes the old state back.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
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

from ui.map.commands import AddRecordCommand, DeleteRecordCommand
from workbench import hypotheses
from workbench.hypotheses import CONFIDENCE_LEVELS, MAX_TITLE_CHARS, Hypothesis

if TYPE_CHECKING:
    from ui.map.panel import MapPanel

_CONFIDENCE_LABELS = {"": "not assessed", "low": "low", "medium": "medium", "high": "high"}


def hypothesis_id(feature_id: str) -> int | None:
    """The hypothesis id of a feature id such as ``hypothesis:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "hypothesis" and rest.isdigit() else None


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


def ask_new_hypothesis(panel: MapPanel, lat: float, lon: float) -> HypothesisDialog:
    """Open the dialog for a hypothesis at (lat, lon); OK adds it (undoable)."""
    dialog = HypothesisDialog(parent=panel)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        v = dialog.values()
        add = lambda: hypotheses.add_hypothesis(panel.case, lat_deg=lat, lon_deg=lon, **v)  # noqa: E731
        panel.undo_stack.push(add_hypothesis_command(panel, v["title"], add))

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def ask_edit_hypothesis(panel: MapPanel, record: Hypothesis) -> HypothesisDialog:
    """Open the dialog on an existing hypothesis; OK saves the changes (undoable)."""
    dialog = HypothesisDialog(record, parent=panel)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        new = dialog.values()
        old = {k: getattr(record, k) for k in new}
        # the dialog's own reading of the stored record: saving it unchanged is no edit
        untouched = HypothesisDialog(record).values()
        if new != untouched:
            panel.undo_stack.push(EditHypothesisCommand(panel, record.id, old, new))

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def add_hypothesis_command(
    panel: MapPanel, title: str, add: Callable[[], Future]
) -> AddRecordCommand:
    return AddRecordCommand(
        panel,
        f"add hypothesis {title}",
        add,
        lambda new_id: hypotheses.delete_hypothesis(panel.case, new_id),
        lambda record: hypotheses.restore_hypothesis(panel.case, record),
    )


class EditHypothesisCommand(QUndoCommand):
    """Change fields of a hypothesis (move, or the dialog's fields); undo sets the old ones."""

    def __init__(
        self, panel: MapPanel, hypothesis_id: int, old: dict[str, Any], new: dict[str, Any]
    ) -> None:
        super().__init__(f"edit hypothesis {hypothesis_id}")
        self._panel, self._id, self._old, self._new = panel, hypothesis_id, old, new

    def redo(self) -> None:
        write = hypotheses.update_hypothesis(self._panel.case, self._id, **self._new)
        self._panel.watch(write, "the hypothesis")

    def undo(self) -> None:
        write = hypotheses.update_hypothesis(self._panel.case, self._id, **self._old)
        self._panel.watch(write, "the hypothesis")


def delete_hypothesis_command(panel: MapPanel, hypothesis_id: int) -> DeleteRecordCommand:
    return DeleteRecordCommand(
        panel,
        f"delete hypothesis {hypothesis_id}",
        lambda: hypotheses.delete_hypothesis(panel.case, hypothesis_id),
        lambda record: hypotheses.restore_hypothesis(panel.case, record),
    )

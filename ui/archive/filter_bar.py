"""The Archive window's filters: the earliest stated time (from, to), duration, the picture's
least height, cuts, kind. Edits settle for a moment before ``filters_changed`` is sent, so
typing a date does not query the catalog at every key."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from workbench.archive.catalog import Filters

SETTLE_MS = 300
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")


def _spin(maximum: float, suffix: str, decimals: int = 1) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, maximum)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setSpecialValueText("any")  # 0 means no limit
    return box


class FilterBar(QWidget):
    """Filter widgets; ``filters()`` reads them (module doc)."""

    filters_changed = Signal(object)  # Filters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_from = QLineEdit(placeholderText="from YYYY-MM-DD")
        self.date_to = QLineEdit(placeholderText="to YYYY-MM-DD")
        self.min_duration = _spin(86_400, " s")
        self.max_duration = _spin(86_400, " s")
        self.min_height = QSpinBox()
        self.min_height.setRange(0, 10_000)
        self.min_height.setSuffix(" px")
        self.min_height.setSpecialValueText("any")
        self.cuts = QComboBox()
        self.cuts.addItems(["any", "with cuts", "without cuts"])
        self.kind = QComboBox()
        self.kind.addItems(["any", "video", "image"])
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.addRow("Earliest time", _row(self.date_from, self.date_to))
        form.addRow("Duration", _row(self.min_duration, QLabel("to"), self.max_duration))
        form.addRow(
            "Least height",
            _row(self.min_height, QLabel("Cuts"), self.cuts, QLabel("Kind"), self.kind),
        )
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        for edit in (self.date_from, self.date_to):
            edit.textChanged.connect(self._timer.start)
        for box in (self.min_duration, self.max_duration, self.min_height):
            box.valueChanged.connect(self._timer.start)
        for combo in (self.cuts, self.kind):
            combo.currentIndexChanged.connect(self._timer.start)

    def filters(self) -> Filters:
        """What the widgets say; a date that is not (the start of) ISO 8601 is no limit."""
        start, end = self.date_from.text().strip(), self.date_to.text().strip()
        cuts = {1: True, 2: False}.get(self.cuts.currentIndex())
        return Filters(
            earliest_from_utc=start if DATE.match(start) else None,
            # "2016-10-26" as an upper bound means the whole day
            earliest_to_utc=(end + "\uffff") if DATE.match(end) else None,
            min_duration_s=self.min_duration.value() or None,
            max_duration_s=self.max_duration.value() or None,
            min_height_px=self.min_height.value() or None,
            has_cuts=cuts,
            kind=self.kind.currentText() if self.kind.currentIndex() else None,
        )

    def _on_timer_timeout(self) -> None:
        for edit in (self.date_from, self.date_to):
            text = edit.text().strip()
            edit.setStyleSheet("" if not text or DATE.match(text) else "color: #b00020;")
        self.filters_changed.emit(self.filters())


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 0 if isinstance(w, QLabel) else 1)
    return box

"""EvidencePanel: the case's evidence with thumbnails, kind, hash prefix, GPS and flags.

A model/view pair: the view asks only for the rows it shows, so a case with thousands of
evidence fills in a few milliseconds and thumbnails become pixmaps only when they are seen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QVBoxLayout, QWidget

from ui.qimage import rgb_to_qimage
from ui.table_model import RowsModel
from workbench.case.evidence import Evidence
from workbench.display_text import human_size, is_rtl

ICON_SIZE = QSize(96, 72)
COLUMNS = ("Name", "Kind", "SHA-256", "GPS", "Flags", "Size")


def _flags_text(e: Evidence) -> str:
    return " ".join(t for t, on in (("GRAPHIC", e.is_graphic), ("reference", e.is_reference)) if on)


class EvidenceModel(RowsModel[Evidence]):
    headers = COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self._thumbs: dict[str, np.ndarray] = {}
        self._pixmaps: dict[str, QPixmap] = {}
        self._placeholder = QPixmap(ICON_SIZE)
        self._placeholder.fill(QColor(70, 70, 70))

    def set_thumbnails(self, pixels_by_sha: dict[str, np.ndarray]) -> None:
        self._thumbs = dict(pixels_by_sha)
        self._pixmaps.clear()
        self.refresh_all([Qt.ItemDataRole.DecorationRole])

    def evidence_at(self, row: int) -> Evidence:
        return self.row_item(row)

    def row_of(self, evidence_id: int) -> int | None:
        for i in range(self.rowCount()):
            if self.row_item(i).id == evidence_id:
                return i
        return None

    def cell(self, e: Evidence, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                e.original_name,
                e.kind,
                e.sha256[:12],
                "GPS" if e.has_gps else "",
                _flags_text(e),
                human_size(e.size_bytes),
            )[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._pixmap(e.sha256)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0 and is_rtl(e.original_name):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and e.is_graphic:
            return QColor(200, 40, 40)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            tip = [f"sha256 {e.sha256}", f"imported {e.imported_at_utc} by {e.imported_by}"]
            if e.other_names:
                tip.append("also imported as: " + ", ".join(e.other_names))
            return "\n".join(tip)
        return None

    def _pixmap(self, sha256: str) -> QPixmap:
        cached = self._pixmaps.get(sha256)
        if cached is None:
            pixels = self._thumbs.get(sha256)
            if pixels is None:
                return self._placeholder
            image = rgb_to_qimage(pixels).scaled(
                ICON_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            cached = self._pixmaps[sha256] = QPixmap.fromImage(image)
        return cached


class EvidencePanel(QWidget):
    """A list of evidence; emits ``evidence_selected(id)`` and ``reveal_requested(sha)``."""

    evidence_selected = Signal(int)
    reveal_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = EvidenceModel()
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setIconSize(ICON_SIZE)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setColumnWidth(0, 260)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_evidence(self, items: list[Evidence]) -> None:
        current = self.current_id()
        self.model.set_rows(items)
        if current is not None:
            self.select(current)

    def set_thumbnails(self, pixels_by_sha: dict) -> None:
        self.model.set_thumbnails(pixels_by_sha)

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return None if not index.isValid() else self.model.evidence_at(index.row()).id

    def select(self, evidence_id: int) -> None:
        row = self.model.row_of(evidence_id)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def count(self) -> int:
        return self.model.rowCount()

    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.evidence_selected.emit(self.model.evidence_at(current.row()).id)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        evidence = self.model.evidence_at(index.row())
        if evidence.is_graphic:
            self.reveal_requested.emit(evidence.sha256)

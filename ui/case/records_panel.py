"""RecordsPanel: the case's continuity notes, observations, hypotheses and exports in one list,
with filters; each opens what it refers to (the evidence at its frame, the place on the map,
the folder of a file).

The list is read off the GUI thread (``workbench.records.list_records``) when it is on screen
and the case opened or the change feed named a kind it shows since it was last read; hidden,
it costs an edit nothing (ADR 0007).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.case.review_actions import ReviewActions
from ui.jobs import JobRunner
from ui.table_model import RowsModel
from workbench.case import Case
from workbench.case.changes import Change
from workbench.records import RECORD_KINDS, Record, list_records

HEADERS = ("Kind", "What", "Details", "When (UTC)")
# The change kinds (workbench.case.changes) after which the list is read again.
RECORD_CHANGE_KINDS = (
    "continuity",
    "observation",
    "hypothesis",
    "export",
    "correspondence",
    "correspondence_figure",
    "evidence",
)


class RecordsModel(RowsModel[Record]):
    headers = HEADERS

    def record(self, row: int) -> Record:
        return self.row_item(row)

    def cell(self, r: Record, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            detail = (f"[{r.review}] " if r.review else "") + r.detail.replace("\n", " ")
            return (r.kind, r.title, detail[:200], r.at_utc[:19])[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.title}\n\n{r.detail}" + (f"\n\nReview: {r.review}" if r.review else "")
        if role == Qt.ItemDataRole.UserRole:
            return r.kind
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.text = ""

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 (Qt)
        r: Record = self.sourceModel().record(row)
        if self.kind and r.kind != self.kind:
            return False
        return not self.text or self.text in f"{r.title} {r.detail}".lower()


class RecordsPanel(QWidget):
    """Emits ``record_opened(Record)`` for the window to show what the record refers to."""

    record_opened = Signal(object)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.case: Case | None = None
        self._stale = False  # changed since last read, while hidden
        self.model = RecordsModel()
        self.proxy = _Filter()
        self.proxy.setSourceModel(self.model)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Everything", "")
        for kind in RECORD_KINDS:
            self.kind_combo.addItem(kind.capitalize() + "s", kind)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by words…")
        self.search.setClearButtonEnabled(True)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show what the record refers to (Enter or double-click)")
        self.folder_button = QPushButton("Open folder")
        self.folder_button.setToolTip("Open the folder of an exported file")
        self.count_label = QLabel("")
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, header.ResizeMode.Stretch)  # the details take the room
        for col, width in enumerate((120, 380, 420, 150)):
            self.table.setColumnWidth(col, width)
        self.table.setWordWrap(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.kind_combo)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.open_button)
        top.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.kind_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search.textChanged.connect(self._on_filter_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        # Right-click: mark a hypothesis, observation or figure reviewed or disputed.
        self.reviews = ReviewActions(self.table, jobs, lambda: self.case, self.selected)

    # -- reading ------------------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.model.set_rows([])
        self._count()
        self._stale = case is not None
        self.refresh()

    def refresh(self) -> None:
        """Read the records now if they are on screen, else when they are next shown."""
        case = self.case
        if case is None or not self.isVisible():
            return
        self._stale = False
        self.jobs.run(
            "Reading records",
            lambda progress=None, cancel=None: list_records(case.read()),
            on_result=functools.partial(self._on_read, case),
            quiet=True,
        )

    def on_change(self, change: Change) -> None:
        if change.touches(*RECORD_CHANGE_KINDS):
            self._stale = True
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_read(self, case: Case, records: list[Record]) -> None:
        if case is self.case:
            self.model.set_rows(records)
            self._count()

    # -- filters and opening ------------------------------------------------------------------
    def set_filter(self, kind: str = "", text: str = "") -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.search.setText(text)

    def _on_filter_changed(self, *_args: object) -> None:
        self.proxy.beginFilterChange()  # Qt 6.9+: invalidateFilter is deprecated
        self.proxy.kind = self.kind_combo.currentData() or ""
        self.proxy.text = self.search.text().strip().lower()
        self.proxy.endFilterChange()
        self._count()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total}")

    def selected(self) -> Record | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.record(self.proxy.mapToSource(index).row())

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.record_opened.emit(self.model.record(self.proxy.mapToSource(index).row()))

    def _on_open_clicked(self) -> None:
        record = self.selected()
        if record is not None:
            self.record_opened.emit(record)

    def _on_folder_clicked(self) -> None:
        record = self.selected()
        if record is None or not record.path or self.case is None:
            return
        path = Path(record.path)
        if not path.is_absolute():
            path = self.case.path / path
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

"""EvidencePanel: the case's evidence with thumbnails, kind, hash prefix, GPS and flags."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ui.qimage import rgb_to_qimage
from workbench.case.evidence import Evidence
from workbench.text import human_size, is_rtl

ICON_SIZE = QSize(96, 72)
COLUMNS = ("Name", "Kind", "SHA-256", "GPS", "Flags", "Size")


class EvidencePanel(QWidget):
    """A list of evidence; emits ``evidence_selected(id)`` and ``reveal_requested(sha)``."""

    evidence_selected = Signal(int)
    reveal_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setIconSize(ICON_SIZE)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setColumnWidth(0, 280)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._items: dict[int, QTreeWidgetItem] = {}
        self._evidence: dict[int, Evidence] = {}
        self._placeholder = QPixmap(ICON_SIZE)
        self._placeholder.fill(QColor(70, 70, 70))

    def set_evidence(self, items: list[Evidence]) -> None:
        current = self.current_id()
        self.tree.clear()
        self._items.clear()
        self._evidence = {e.id: e for e in items}
        rows = [self._make_item(e) for e in items]
        self.tree.addTopLevelItems(rows)
        if current in self._items:
            self.tree.setCurrentItem(self._items[current])

    def _make_item(self, e: Evidence) -> QTreeWidgetItem:
        flags = []
        if e.is_graphic:
            flags.append("GRAPHIC")
        if e.is_reference:
            flags.append("reference")
        item = QTreeWidgetItem(
            [
                e.original_name,
                e.kind,
                e.sha256[:12],
                "GPS" if e.has_gps else "",
                " ".join(flags),
                human_size(e.size_bytes),
            ]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, e.id)
        item.setIcon(0, QIcon(self._placeholder))
        tip = [f"sha256 {e.sha256}", f"imported {e.imported_at_utc} by {e.imported_by}"]
        if e.other_names:
            tip.append("also imported as: " + ", ".join(e.other_names))
        item.setToolTip(0, "\n".join(tip))
        if is_rtl(e.original_name):
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if e.is_graphic:
            item.setForeground(4, QColor(200, 40, 40))
        self._items[e.id] = item
        return item

    def set_thumbnails(self, pixels_by_sha: dict) -> None:
        for evidence_id, item in self._items.items():
            pixels = pixels_by_sha.get(self._evidence[evidence_id].sha256)
            if pixels is not None:
                item.setIcon(0, QIcon(QPixmap.fromImage(rgb_to_qimage(pixels))))

    def current_id(self) -> int | None:
        item = self.tree.currentItem()
        return None if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))

    def select(self, evidence_id: int) -> None:
        if evidence_id in self._items:
            self.tree.setCurrentItem(self._items[evidence_id])

    def count(self) -> int:
        return len(self._items)

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, _prev) -> None:
        if current is not None:
            self.evidence_selected.emit(int(current.data(0, Qt.ItemDataRole.UserRole)))

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        evidence = self._evidence.get(int(item.data(0, Qt.ItemDataRole.UserRole)))
        if evidence is not None and evidence.is_graphic:
            self.reveal_requested.emit(evidence.sha256)

"""The near-duplicate groups of a catalog: a list of groups, and the open group's members as
keyframes, the likely original marked and each other member's differences under it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.archive.grid_model import display_name, shown_segment
from ui.archive.thumbs import ThumbnailCache
from workbench.archive import shards
from workbench.archive.dupes import DupeGroup, DupeReport, Member

ORIGINAL_MARK = "★ likely original"
ORIGINAL_COLOUR = QColor("#fff3c4")
SHA_ROLE = Qt.ItemDataRole.UserRole + 1


def member_text(member: Member, original: bool) -> str:
    name = display_name({"paths": list(member.paths), "sha256": member.sha256})
    if original:
        return f"{ORIGINAL_MARK}\n{name}"
    return "\n".join([name, *(f"• {d}" for d in member.differences)])


class GroupsPanel(QWidget):
    """Groups above, the open group's members below (module doc)."""

    member_selected = Signal(str)  # sha256

    def __init__(self, thumbs: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbs = thumbs
        self._catalog_dir: Path | None = None
        self.report: DupeReport | None = None
        self._facts: dict[str, dict] = {}
        self.groups = QListWidget()
        self.groups.currentRowChanged.connect(self._on_groups_current_row_changed)
        self.groups.setMaximumHeight(140)  # the open group's members get the room
        self.reason = QLabel(wordWrap=True)
        self.members = QListWidget()
        self.members.setIconSize(thumbs.size)  # a list: the differences read beside each
        self.members.setWordWrap(True)
        self.members.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.members.setSpacing(2)
        self.members.currentItemChanged.connect(self._on_members_current_item_changed)
        below = QWidget()
        lay = QVBoxLayout(below)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.reason)
        lay.addWidget(self.members, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.groups)
        split.addWidget(below)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("No duplicate search yet.")
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        thumbs.thumbnail_loaded.connect(self._on_thumbs_thumbnail_loaded)

    def set_report(self, catalog_dir: Path, report: DupeReport | None) -> None:
        self._catalog_dir = catalog_dir
        self.report = report
        groups = report.groups if report else []
        self._facts = {m.sha256: m.facts for g in groups for m in g.members}
        self.groups.clear()
        self.members.clear()
        self.reason.clear()
        if report is None:
            self.status.setText("Looking for near-duplicates…")
            return
        self.status.setText(
            f"{len(report.groups)} groups of near-duplicates among {report.videos} videos"
        )
        for n, g in enumerate(report.groups, 1):
            first = next(m for m in g.members if m.sha256 == g.original)
            self.groups.addItem(
                f"Group {n}: {len(g.members)} videos; likely original "
                f"{display_name({'paths': list(first.paths), 'sha256': g.original})}"
            )

    def open_group(self, n: int) -> None:
        self.groups.setCurrentRow(n)

    def current_group(self) -> DupeGroup | None:
        n = self.groups.currentRow()
        return self.report.groups[n] if self.report and 0 <= n < len(self.report.groups) else None

    def current_member(self) -> str | None:
        item = self.members.currentItem()
        return item.data(SHA_ROLE) if item else None

    def _keyframe(self, sha: str) -> Path:
        assert self._catalog_dir is not None
        return shards.keyframe_file(self._catalog_dir, sha, shown_segment(self._facts[sha]))

    def _on_groups_current_row_changed(self, _row: int) -> None:
        self.members.clear()
        group = self.current_group()
        if group is None:
            self.reason.clear()
            return
        self.reason.setText(f"Likely original: {group.original_reason}")
        for member in group.members:
            original = member.sha256 == group.original
            item = QListWidgetItem(member_text(member, original))
            item.setData(SHA_ROLE, member.sha256)
            item.setToolTip("\n".join([member.sha256, *member.paths, *member.differences]))
            if original:
                item.setBackground(QBrush(ORIGINAL_COLOUR))
            item.setIcon(QIcon(self._thumbs.pixmap_or_placeholder(self._keyframe(member.sha256))))
            self.members.addItem(item)

    def _on_members_current_item_changed(self, item: QListWidgetItem | None, _old) -> None:
        if item is not None:
            self.member_selected.emit(item.data(SHA_ROLE))

    def _on_thumbs_thumbnail_loaded(self, key: str) -> None:
        if self._catalog_dir is None or self.report is None:
            return
        for i in range(self.members.count()):
            item = self.members.item(i)
            if str(self._keyframe(item.data(SHA_ROLE))) == key:
                pixmap = self._thumbs.pixmap(key)
                if pixmap is not None:
                    item.setIcon(QIcon(pixmap))

"""The catalog's contents as a list model for a QListView in icon mode: one keyframe each (its
first shot's), the name, duration and picture height under it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui.archive.thumbs import ThumbnailCache
from workbench.archive import shards

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the catalog row (a dict)
KEYFRAME = "_keyframe_path"  # the key ``with_keyframes`` adds to a row


def display_name(row: dict) -> str:
    paths = row.get("paths") or []
    return Path(paths[0]).name if paths and paths[0] else row["sha256"][:12]


def caption(row: dict) -> str:
    duration = row.get("duration_s")
    parts = [f"{duration:.1f} s" if duration else "still" if row.get("kind") == "image" else ""]
    if row.get("height_px"):
        parts.append(f"{row['height_px']}p")
    if row.get("cut_count"):
        parts.append(f"{row['cut_count']} cut{'s' if row['cut_count'] != 1 else ''}")
    return f"{display_name(row)}\n" + " · ".join(p for p in parts if p)


def with_keyframes(catalog_dir: Path, rows: list[dict]) -> list[dict]:
    """``rows`` with the path of the keyframe the grid shows for each (for a job to call)."""
    for row in rows:
        row[KEYFRAME] = str(shards.keyframe_file(catalog_dir, row["sha256"], shown_segment(row)))
    return rows


def shown_segment(row: dict) -> int:
    """The shot whose keyframe stands for the video: the middle one (a first shot is often a
    dark or titled intro)."""
    return len(json.loads(row.get("segments_json") or "[]")) // 2


class KeyframeGridModel(QAbstractListModel):
    """Rows of ``Catalog.files()``; the decoration comes from the thumbnail cache."""

    def __init__(self, catalog_dir: Path | None, thumbs: ThumbnailCache, parent=None) -> None:
        super().__init__(parent)
        self.catalog_dir = catalog_dir
        self._rows: list[dict] = []
        self._where: dict[str, int] = {}  # keyframe path -> row
        self._by_sha: dict[str, int] = {}
        self._thumbs = thumbs
        thumbs.thumbnail_loaded.connect(self._on_thumbs_thumbnail_loaded)

    def set_rows(self, catalog_dir: Path, rows: list[dict]) -> None:
        """Show ``rows`` as ``with_keyframes`` gave them (its paths made off the GUI thread:
        building a million paths here would hold the window for seconds)."""
        self.beginResetModel()
        self.catalog_dir = catalog_dir
        self._rows = rows
        self._where = {r[KEYFRAME]: n for n, r in enumerate(rows)}
        self._by_sha = {r["sha256"]: n for n, r in enumerate(rows)}
        self.endResetModel()

    def keyframe(self, row: dict) -> str:
        return row[KEYFRAME]

    def row_of(self, sha256: str) -> int | None:
        return self._by_sha.get(sha256)

    def row_item(self, row: int) -> dict:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.pixmap_or_placeholder(self.keyframe(row))
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([row["sha256"], *(row.get("paths") or [])])
        if role == ROW_ROLE:
            return row
        return None

    def _on_thumbs_thumbnail_loaded(self, key: str) -> None:
        n = self._where.get(key)
        if n is not None:
            index = self.index(n)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

"""The Archive window's details of one content: a keyframe per shot, its facts, every path it
was seen at, its clocks, the integrity check and the downloader's record; and the catalog's
error rows, listed apart (a file that could not be triaged has no content to show)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.archive.thumbs import ThumbnailCache
from ui.jobs import JobRunner
from workbench.archive import shards

PATH_ROLE = Qt.ItemDataRole.UserRole + 1

FACTS = (
    ("sha256", "SHA-256"), ("kind", "Kind"), ("size_bytes", "Size (bytes)"),
    ("container", "Container"), ("codec", "Codec"), ("duration_s", "Duration (s)"),
    ("frame_count", "Frames"), ("fps", "Frames per second"), ("cut_count", "Cuts"),
    ("earliest_time_utc", "Earliest stated time (UTC)"), ("earliest_time_basis", "From"),
)  # fmt: skip


def _table(rows: list[tuple[str, object]]) -> str:
    cells = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
        if v not in (None, "")
    )
    return f"<table cellspacing='2'>{cells}</table>"


def details_html(row: dict) -> str:
    """The content's row as HTML (facts, picture, integrity, paths, clocks, sidecar)."""
    facts = [(label, row.get(key)) for key, label in FACTS]
    if row.get("width_px"):
        facts.insert(6, ("Picture", f"{row['width_px']} x {row['height_px']} px"))
    integrity = row.get("integrity") or ""
    colour = "#1b5e20" if integrity == "ok" else "#b00020"
    parts = [
        "<h3>Facts</h3>",
        _table(facts),
        f"<p><b>Integrity:</b> <span style='color:{colour}'>{html.escape(integrity)}</span></p>",
        "<h3>Paths</h3><ul>",
        *(f"<li>{html.escape(p)}</li>" for p in row.get("paths") or [] if p),
        "</ul>",
    ]
    metadata = json.loads(row.get("metadata_json") or "{}")
    clocks = [
        (name, f"{t.get('utc', '')} ({t.get('clock', '?')} clock)")
        for name, t in sorted((metadata.get("times") or {}).items())
        if isinstance(t, dict)
    ]
    parts += ["<h3>Clocks</h3>", _table(clocks) if clocks else "<p>No clock in the file.</p>"]
    notes = metadata.get("clock_notes") or []
    parts += [f"<p>{html.escape(str(n))}</p>" for n in notes]
    sidecar = json.loads(row.get("sidecar_json") or "{}")
    if sidecar:
        parts += ["<h3>Upload record (sidecar)</h3>", _table(sorted(sidecar.items()))]
    parts.append(f"<p style='color:#666'>{html.escape(row.get('software') or '')}</p>")
    return "".join(parts)


class DetailsPane(QWidget):
    """The selected content's keyframes, one per shot, above its details."""

    def __init__(self, thumbs: ThumbnailCache, jobs: JobRunner, parent=None) -> None:
        super().__init__(parent)
        self._thumbs, self._jobs = thumbs, jobs
        self._shown: str | None = None  # the sha256 on show
        self.shots = QListWidget()
        self.shots.setViewMode(QListView.ViewMode.IconMode)
        self.shots.setFlow(QListView.Flow.LeftToRight)
        self.shots.setWrapping(False)
        self.shots.setIconSize(QSize(thumbs.size.width() * 3 // 4, thumbs.size.height() * 3 // 4))
        self.shots.setFixedHeight(thumbs.size.height() * 3 // 4 + 48)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setPlaceholderText("Select a video in the grid.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shots)
        layout.addWidget(self.text, 1)
        thumbs.thumbnail_loaded.connect(self._on_thumbs_thumbnail_loaded)

    def show_row(self, row: dict | None, catalog_dir: Path | None = None) -> None:
        self.text.setHtml(details_html(row) if row else "")
        self.shots.clear()
        self._shown = row["sha256"] if row else None
        if row is None or catalog_dir is None:
            return
        sha, segments = row["sha256"], json.loads(row.get("segments_json") or "[]")
        self._jobs.run(
            "keyframes",
            lambda progress, cancel: keyframe_paths(catalog_dir, sha),
            on_result=lambda paths: self._on_keyframes_listed(sha, segments, paths),
            quiet=True,
        )

    def _on_keyframes_listed(self, sha: str, segments: list[dict], paths: list[Path]) -> None:
        if sha != self._shown:
            return  # another video was chosen meanwhile
        for path in paths:
            n = int(path.stem)
            start = segments[n].get("start_s") if n < len(segments) else None
            when = f" · {start:.1f} s" if start is not None else ""
            item = QListWidgetItem(f"shot {n + 1}{when}")
            item.setData(PATH_ROLE, str(path))
            item.setIcon(QIcon(self._thumbs.pixmap_or_placeholder(path)))
            self.shots.addItem(item)

    def _on_thumbs_thumbnail_loaded(self, key: str) -> None:
        for i in range(self.shots.count()):
            item = self.shots.item(i)
            if item.data(PATH_ROLE) == key:
                item.setIcon(QIcon(self._thumbs.pixmap_or_placeholder(key)))


def keyframe_paths(catalog_dir: Path, sha256: str) -> list[Path]:
    """The content's keyframes, in shot order (a short shot may have none)."""
    folder = shards.keyframe_file(catalog_dir, sha256, 0).parent
    return sorted((p for p in folder.glob("*.jpg") if p.stem.isdigit()), key=lambda p: int(p.stem))


class ErrorList(QListWidget):
    """The catalog's error rows: the path, what went wrong."""

    def set_errors(self, errors: list[dict]) -> None:
        self.clear()
        for e in errors:
            self.addItem(f"{e['path']}\n    {e['error']}")
        if not errors:
            self.addItem("No file failed triage.")

"""The Archive window's details of one content: its facts, every path it was seen at, its
clocks, the integrity check and the downloader's record; and the catalog's error rows, listed
apart (a file that could not be triaged has no content to show)."""

from __future__ import annotations

import html
import json

from PySide6.QtWidgets import QListWidget, QTextBrowser, QVBoxLayout, QWidget

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
    """The selected content's details above the catalog's error rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setPlaceholderText("Select a video in the grid.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)

    def show_row(self, row: dict | None) -> None:
        self.text.setHtml(details_html(row) if row else "")


class ErrorList(QListWidget):
    """The catalog's error rows: the path, what went wrong."""

    def set_errors(self, errors: list[dict]) -> None:
        self.clear()
        for e in errors:
            self.addItem(f"{e['path']}\n    {e['error']}")
        if not errors:
            self.addItem("No file failed triage.")

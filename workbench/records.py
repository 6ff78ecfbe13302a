"""What the analyst has produced in a case, as one list (the Records view), and a plain-words
summary of each audit row (the Log view). Qt-free: read from the case's tables.

A ``Record`` names what it refers to (the evidence and frame, a place, a file), so that the
window can open it: select the evidence at the frame, or show the place on the map.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from workbench.case.audit import AuditEntry

# The kinds a record can be, in the order the Records view offers them as filters.
RECORD_KINDS = ("continuity note", "observation", "hypothesis", "export")


@dataclass(frozen=True)
class Record:
    """One line of the Records view. Positions in WGS84 degrees; frame indices decode order."""

    kind: str  # one of RECORD_KINDS
    title: str
    detail: str
    at_utc: str
    evidence_id: int | None = None
    frame_index: int | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
    path: str | None = None  # an exported file
    target: str | None = None  # what a review names: "hypothesis:3", "observation:7", "figure:2"
    review: str = ""  # where the latest review left it: "disputed by Chen: the ridge is wrong"


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _names(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, original_name FROM evidence"))


def _where(names: dict[int, str], evidence_id: int | None, frame: int | None) -> str:
    if evidence_id is None:
        return ""
    name = names.get(evidence_id, f"evidence {evidence_id}")
    return name if frame is None else f"{name} frame {frame}"


def _continuity(conn: sqlite3.Connection, names: dict[int, str]) -> list[Record]:
    rows = conn.execute(
        "SELECT evidence_a, frame_a, evidence_b, frame_b, verdict, note, created_at_utc"
        " FROM continuity_note ORDER BY id"
    )
    out = []
    for ea, fa, eb, fb, verdict, note, at in rows:
        title = f"{_where(names, ea, fa)} ↔ {_where(names, eb, fb)}: {verdict}"
        out.append(Record("continuity note", title, note, at, ea, fa))
    return out


def _observation_text(kind: str, result: dict[str, Any]) -> tuple[str, float | None, float | None]:
    """A short figure for an observation's result, and its position when it has one."""
    pos = result.get("position") or result.get("camera") or result
    lat, lon = pos.get("lat_deg"), pos.get("lon_deg")
    if kind == "bearing" and "azimuth_deg" in result:
        return f"azimuth {result['azimuth_deg']:.2f}°", None, None
    ellipse = result.get("ellipse") or {}
    text = f"at {lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else ""
    if ellipse.get("semi_major_m") is not None:
        text += f" (95%: {ellipse['semi_major_m']:.0f} × {ellipse['semi_minor_m']:.0f} m)"
    return text.strip(), lat, lon


def _observations(conn: sqlite3.Connection, names: dict[int, str]) -> list[Record]:
    rows = conn.execute(
        "SELECT id, kind, evidence_id, frame_index, result_json, created_at_utc"
        " FROM observation ORDER BY id"
    )
    out = []
    for oid, kind, evidence_id, frame, result_json, at in rows:
        text, lat, lon = _observation_text(kind, json.loads(result_json or "{}"))
        where = _where(names, evidence_id, frame)
        title = f"{kind.capitalize()} {oid}" + (f" on {where}" if where else "")
        out.append(Record("observation", title, text, at, evidence_id, frame, lat, lon,
                          target=f"observation:{oid}"))  # fmt: skip
    return out


def _hypotheses(conn: sqlite3.Connection) -> list[Record]:
    rows = conn.execute(
        "SELECT id, title, lat_deg, lon_deg, radius_m, confidence, rationale, created_at_utc"
        " FROM hypothesis ORDER BY id"
    )
    out = []
    for hid, title, lat, lon, radius, confidence, rationale, at in rows:
        where = f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "no place"
        radius_text = f" ± {radius:.0f} m" if radius is not None else ""
        detail = f"{where}{radius_text}; confidence {confidence or '—'}. {rationale}"
        out.append(Record("hypothesis", title, detail.strip(), at, lat_deg=lat, lon_deg=lon,
                          target=f"hypothesis:{hid}"))  # fmt: skip
    return out


def _exports(conn: sqlite3.Connection, names: dict[int, str], tables: set[str]) -> list[Record]:
    out = []
    rows = conn.execute(
        "SELECT evidence_id, frame_index, png_path, exported_at_utc FROM frame_export ORDER BY id"
    )
    for evidence_id, frame, path, at in rows:
        title = f"Frame export: {_where(names, evidence_id, frame)}"
        out.append(Record("export", title, path, at, evidence_id, frame, path=path))
    audit_rows = conn.execute(
        "SELECT at_utc, details_json FROM audit_log WHERE action = 'geodata.export' ORDER BY seq"
    )
    for at, details_json in audit_rows:
        d = json.loads(details_json)
        title = f"{d.get('format', '').upper()} export: {d.get('feature_count', '?')} features"
        out.append(Record("export", title, d.get("path", ""), at, path=d.get("path")))
    if "correspondence_figure" in tables:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(correspondence_figure)")}
        if {"evidence_a", "frame_a", "title", "created_at_utc"} <= cols:
            figs = conn.execute(
                "SELECT id, evidence_a, frame_a, title, created_at_utc FROM correspondence_figure"
            )
            for fid, ea, fa, title, at in figs:
                where = _where(names, ea, fa)
                out.append(Record("export", f"Figure: {title or where}", where, at, ea, fa,
                                  target=f"figure:{fid}"))  # fmt: skip
    return out


def list_records(conn: sqlite3.Connection) -> list[Record]:
    """Every continuity note, observation, hypothesis and export of the case, oldest first."""
    names, tables = _names(conn), _tables(conn)
    records = [
        *_continuity(conn, names),
        *_observations(conn, names),
        *_hypotheses(conn),
        *_exports(conn, names, tables),
    ]
    return sorted(_with_reviews(conn, records), key=lambda r: r.at_utc)


def _with_reviews(conn: sqlite3.Connection, records: list[Record]) -> list[Record]:
    """Each reviewed record with where its latest review left it (``workbench.review``)."""
    from workbench.review import reviews_for_report

    standing = {f"{t.target_kind}:{t.target_id}": t.history[-1] for t in reviews_for_report(conn)}
    out = []
    for r in records:
        last = standing.get(r.target or "")
        if last is not None:
            note = f": {last.note}" if last.note else ""
            r = replace(r, review=f"{last.status} by {last.reviewer}{note}")
        out.append(r)
    return out


# -- the log in plain words -------------------------------------------------------------------
def _place(d: dict[str, Any]) -> str:
    lat, lon = d.get("lat_deg"), d.get("lon_deg")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return f" at {lat:.5f}, {lon:.5f}"
    return ""


_VERBS = {
    "add": "Added",
    "edit": "Changed",
    "update": "Changed",
    "delete": "Deleted",
    "restore": "Restored",
    "import": "Imported",
    "export": "Exported",
    "create": "Created",
}


def summarize(e: AuditEntry) -> str:
    """One line in plain words for an audit row ("Added landmark 'Water tower' at 35.62050,
    36.55330"); the row's JSON stays the record."""
    d = e.details if isinstance(e.details, dict) else {}
    family, _, verb = e.action.partition(".")
    name = d.get("name") or d.get("title")
    if e.action == "evidence.import":
        return f"Imported {d.get('kind', 'media')} '{d.get('name', e.target[:12])}'"
    if e.action == "evidence.flag":
        state = "set" if d.get("value") else "cleared"
        return f"Flag {d.get('flag', '')} {state} on evidence {e.target[:12]}"
    if e.action == "evidence.source_edit":
        return "Edited the source of evidence " + e.target[:12]
    if family == "observation":
        kind = verb if verb not in _VERBS else d.get("kind", "observation")
        lead = _VERBS.get(verb, "Recorded")
        frame = d.get("frame_index")
        return f"{lead} {kind} ({e.target})" + (f" on frame {frame}" if frame is not None else "")
    if e.action == "frame.export":
        return f"Exported frame {d.get('frame_index', '?')} to {d.get('path', d.get('png', ''))}"
    if e.action == "geodata.export":
        return f"Exported {d.get('feature_count', '?')} features as {d.get('format', '')}"
    if e.action == "review.add":
        note = f": {d['note']}" if d.get("note") else ""
        target = f"{d.get('target_kind', '')} {d.get('target_id', '')}".strip() or e.target
        return f"{e.actor} marked {target} {d.get('status', 'reviewed')}{note}"
    if e.action == "continuity.note":
        return f"Saved a continuity note ({e.target})"
    if e.action == "video.segments_detect":
        return f"Detected cuts: {len(d.get('cuts', []))} cut(s)"
    if e.action == "video.frame_table":
        return f"Read the frame table: {d.get('frames', '?')} frames"
    lead = _VERBS.get(verb, verb.replace("_", " ").capitalize() or "Recorded")
    what = family.replace("_", " ")
    label = f" '{name}'" if name else f" ({e.target})" if e.target else ""
    return f"{lead} {what}{label}{_place(d)}"

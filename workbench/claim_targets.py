"""What a claim's link or a timeline event refers to, as a ``Record`` the window can open.

A claim links to an observation, a figure, a frame, a hypothesis or an evidence; a timeline
event names its source (``"evidence:3"``, ``"observation:7"``, ``"timeline_event:2"``...).
Each becomes a ``workbench.records.Record``: the evidence and frame to show, else the place on
the map, else the file. An event with a time on a video whose first frame is placed in UTC
(``workbench.sync_store.video_clocks``) opens that video at the frame on screen at that
moment. Qt-free; the window does the opening.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from datetime import datetime

from workbench.frame_table_store import cached_frame_table
from workbench.records import Record
from workbench.sync_store import video_clocks


def _utc_s(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def frame_at_moment(conn: sqlite3.Connection, evidence_id: int, at_utc: str) -> int | None:
    """The frame of a video on screen at ``at_utc`` (None when the video's clock is not placed
    in UTC, its frame table is not built, or the moment is outside the video)."""
    clock = video_clocks(conn).get(evidence_id)
    table = cached_frame_table(conn, evidence_id)
    if clock is None or not clock.anchored or table is None or not len(table):
        return None
    t = _utc_s(at_utc) - _utc_s(clock.start_utc)
    if not clock.holds(t):
        return None  # past an edit cut: that moment is not on this video's clock
    zero = table.frames[0].pts_s or 0.0
    times = [(f.pts_s if f.pts_s is not None else zero) - zero for f in table.frames]
    if t < -1e-6 or t > times[-1] + 1.0:
        return None
    return max(0, bisect.bisect_right(times, t + 1e-6) - 1)


def _observation(conn: sqlite3.Connection, oid: int) -> Record | None:
    row = conn.execute(
        "SELECT kind, evidence_id, frame_index, result_json, created_at_utc FROM observation"
        " WHERE id = ?",
        (oid,),
    ).fetchone()
    if row is None:
        return None
    kind, evidence_id, frame, result, at = row
    r = json.loads(result or "{}")
    lat, lon = r.get("lat_deg"), r.get("lon_deg")
    title = f"{kind} {oid}"
    if lat is not None and lon is not None:  # a place: the map shows it
        return Record("observation", title, "", at, lat_deg=lat, lon_deg=lon)
    return Record("observation", title, "", at, evidence_id, frame)


def link_record(
    conn: sqlite3.Connection, kind: str, target_id: int, frame_index: int | None = None
) -> Record | None:
    """The record a claim link opens (None when its target is gone)."""
    if kind == "observation":
        return _observation(conn, target_id)
    if kind in ("frame", "evidence"):
        return Record(kind, f"evidence {target_id}", "", "", target_id, frame_index)
    if kind == "hypothesis":
        row = conn.execute(
            "SELECT title, lat_deg, lon_deg FROM hypothesis WHERE id = ?", (target_id,)
        ).fetchone()
        return None if row is None else Record("hypothesis", row[0], "", "", None, None,
                                               row[1], row[2])  # fmt: skip
    if kind == "figure":
        row = conn.execute(
            "SELECT title, evidence_a, frame_a, png_path FROM correspondence_figure WHERE id = ?",
            (target_id,),
        ).fetchone()
        return None if row is None else Record("figure", row[0], "", "", row[1], row[2],
                                               path=row[3])  # fmt: skip
    return None


def source_record(conn: sqlite3.Connection, source: str, at_utc: str | None) -> Record | None:
    """The record a timeline event opens: its evidence at that moment where known."""
    kind, _, ident = source.partition(":")
    if not ident.isdigit():
        return None
    n = int(ident)
    if kind == "evidence":
        frame = frame_at_moment(conn, n, at_utc) if at_utc else None
        return Record("evidence", source, "", at_utc or "", n, frame)
    if kind == "timeline_event":
        row = conn.execute("SELECT evidence_id FROM timeline_event WHERE id = ?", (n,)).fetchone()
        if row is None or row[0] is None:
            return None
        frame = frame_at_moment(conn, int(row[0]), at_utc) if at_utc else None
        return Record("evidence", source, "", at_utc or "", int(row[0]), frame)
    if kind == "observation":
        return _observation(conn, n)
    if kind == "hypothesis":
        return link_record(conn, "hypothesis", n)
    if kind == "claim":
        link = conn.execute(
            "SELECT target_kind, target_id, frame_index FROM claim_link WHERE claim_id = ?"
            " ORDER BY id LIMIT 1",
            (n,),
        ).fetchone()
        if link is not None:
            return link_record(conn, *link)
        row = conn.execute("SELECT source_evidence_id FROM claim WHERE id = ?", (n,)).fetchone()
        if row is not None and row[0] is not None:
            return Record("evidence", source, "", "", int(row[0]))
    return None

"""The frame table of a video evidence, built once and cached in the case.

Built by one sequential decode (``analysis.video.table``) and cached in the case tables
``frame_table`` (meta) and ``frame`` (rows), written in ONE writer transaction with the audit
row ``video.frame_table``. A table built by another libavcodec is dropped (and the drop
audited) and built again, since another decoder may number or hash frames differently.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.video.probe import library_versions
from analysis.video.table import FrameTable, build_frame_table
from workbench.case import audit
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence, get_evidence
from workbench.case.store import Case


def video_evidence(case: Case, evidence_id: int) -> tuple[Evidence, Path]:
    """The evidence row and the path of its stored original; it must be a video.

    Raises:
        CaseError: no such evidence, or it is not a video.
    """
    e = get_evidence(case.read(), evidence_id)
    if e.kind != "video":
        raise CaseError(f"evidence {evidence_id} ({e.original_name}) is a {e.kind}, not a video")
    return e, case.evidence_dir / e.stored_name


# -- frame table ------------------------------------------------------------------------------


def cached_frame_table(conn: sqlite3.Connection, evidence_id: int) -> FrameTable | None:
    """The frame table stored in the case, or None when it was never built."""
    row = conn.execute(
        "SELECT meta_json FROM frame_table WHERE evidence_id = ?", (evidence_id,)
    ).fetchone()
    if row is None:
        return None
    rows = conn.execute(
        "SELECT frame_index, pts, pts_s, keyframe, md5 FROM frame WHERE evidence_id = ?"
        " ORDER BY frame_index",
        (evidence_id,),
    ).fetchall()
    return FrameTable.from_rows(rows, json.loads(row[0]))


def load_or_build_frame_table(
    case: Case,
    evidence_id: int,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FrameTable:
    """The evidence's frame table from the case, else built by one decode pass and stored.

    Runs on a worker thread (it waits for the writer). Raises CaseError for a non-video and
    MediaError subclasses for an unreadable file.
    """
    cached = cached_frame_table(case.read(), evidence_id)
    if cached is not None and _same_decoder(cached):
        report(progress, 1.0, "frame table from the case")
        return cached
    e, path = video_evidence(case, evidence_id)
    table = build_frame_table(path, progress=progress, cancel=cancel)
    check(cancel)
    if case.read_only:  # another process holds the case: use the table, store nothing
        return table

    def store(conn: sqlite3.Connection) -> FrameTable:
        again = cached_frame_table(conn, evidence_id)
        if again is not None and _same_decoder(again):  # built meanwhile by another job
            return again
        if again is not None:
            _drop_stale_table(case, conn, e.sha256, evidence_id, again, table)
        conn.execute(
            "INSERT INTO frame_table (evidence_id, meta_json, built_at_utc) VALUES (?, ?, ?)",
            (evidence_id, json.dumps(table.meta(), sort_keys=True), audit.utc_now_iso()),
        )
        conn.executemany(
            "INSERT INTO frame (evidence_id, frame_index, pts, pts_s, keyframe, md5)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(evidence_id, i, p, s, int(k), h) for i, p, s, k, h in table.to_rows()],
        )
        details = {
            "frames": len(table),
            "keyframes": len(table.keyframe_indices),
            "complete": table.complete,
            "errors": list(table.errors)[:5],
            "codec": table.codec,
            "pix_fmt": table.pix_fmt,
            "versions": dict(table.versions),
        }
        case.log(conn, "video.frame_table", e.sha256, details)
        return table

    return case.write_sync(store)


def _same_decoder(table: FrameTable) -> bool:
    """Whether the table's hashes came from this libavcodec.

    Some decoders (MPEG-4 Part 2) are not bit-exact across FFmpeg releases, so a table built
    by another version may not match what this one decodes.
    """
    return dict(table.versions).get("libavcodec") == library_versions().get("libavcodec")


def _drop_stale_table(
    case: Case,
    conn: sqlite3.Connection,
    sha256: str,
    evidence_id: int,
    old: FrameTable,
    new: FrameTable,
) -> None:
    old_md5 = [r[4] for r in old.to_rows()]
    new_md5 = [r[4] for r in new.to_rows()]
    changed = sum(a != b for a, b in zip(old_md5, new_md5, strict=False))
    changed += abs(len(old_md5) - len(new_md5))
    conn.execute("DELETE FROM frame WHERE evidence_id = ?", (evidence_id,))
    conn.execute("DELETE FROM frame_table WHERE evidence_id = ?", (evidence_id,))
    case.log(
        conn,
        "video.frame_table_rebuilt",
        sha256,
        {
            "reason": "decoder version changed",
            "old_versions": dict(old.versions),
            "new_versions": dict(new.versions),
            "frames_before": len(old_md5),
            "frames_after": len(new_md5),
            "hashes_changed": changed,
        },
    )

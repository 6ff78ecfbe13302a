"""Tracks in the case: an object followed through a video, one point per frame (issue 14).

A ``track`` row names the evidence, a label, the tracker's method and its parameters (the
reference frame whose background coordinates the points use, the box, the range, why
propagation stopped, the flash that ends the track if any); a ``track_point`` row holds one
frame: decode index, pts seconds, the point in pixels (origin top-left), the point on the
reference frame's background (None where it could not be registered), the confidence, who set
it (``analyst`` or ``tracker``), the frame's framemd5 and whether it counts for rates.

Every write goes through the case writer in one transaction with its audit row (the rows are
bound to the chain by workbench.case.binding). A correction makes the point the analyst's
(confidence 1) and leaves its background position unset until the track is re-propagated from
it (``replace_after``), which replaces the tracker's points after the correction and keeps
every analyst point. The maths is in analysis.tracking; running it on a case's video is
workbench.track_runs.
"""

from __future__ import annotations

import json
import math
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any, Protocol

from analysis.errors import WorkbenchError
from analysis.tracking.model import ANALYST, TRACKER, Track, TrackPoint
from workbench.case import Case
from workbench.case.audit import utc_now_iso

_POINT_COLUMNS = (
    "frame_index, pts_s, x_px, y_px, bg_x_px, bg_y_px, confidence, source, md5, usable_for_rates"
)


class TrackError(WorkbenchError):
    """A track the case does not hold, or a point it refuses."""


class _Reader(Protocol):
    def read(self) -> sqlite3.Connection: ...


@dataclass(frozen=True)
class StoredTrack:
    """A track as the case holds it; ``points`` in frame order."""

    id: int
    evidence_id: int
    label: str
    method: str
    params: dict[str, Any]
    created_at_utc: str
    points: tuple[TrackPoint, ...]

    @property
    def impact(self) -> dict[str, Any] | None:
        """The flash that ends the track (frame_index, pts_s, ...), or None."""
        return self.params.get("impact")

    def point_at(self, frame_index: int) -> TrackPoint | None:
        for p in self.points:
            if p.frame_index == frame_index:
                return p
        return None

    def as_track(self) -> Track:
        """The analysis model of this track (for descent, drawing, re-propagation)."""
        w, h = self.params.get("box_px", [0, 0])
        fw, fh = self.params.get("frame_size_px", [0, 0])
        return Track(
            reference_frame=int(self.params.get("reference_frame", self.points[0].frame_index)),
            box_w_px=int(w),
            box_h_px=int(h),
            method=self.method,
            points=self.points,
            stopped_forward=str(self.params.get("stopped_forward", "")),
            stopped_backward=str(self.params.get("stopped_backward", "")),
            frame_width_px=int(fw),
            frame_height_px=int(fh),
            notes=tuple(self.params.get("notes", [])),
        )


def track_params(
    track: Track, *, impact: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a track row keeps besides its points: the tracker's inputs and how it ended."""
    out: dict[str, Any] = {
        "reference_frame": track.reference_frame,
        "box_px": [track.box_w_px, track.box_h_px],
        "frame_size_px": [track.frame_width_px, track.frame_height_px],
        "stopped_forward": track.stopped_forward,
        "stopped_backward": track.stopped_backward,
        "notes": list(track.notes),
        "impact": impact,
    }
    return out | (extra or {})


def _conn(conn_or_reader: sqlite3.Connection | _Reader) -> sqlite3.Connection:
    if isinstance(conn_or_reader, sqlite3.Connection):
        return conn_or_reader
    return conn_or_reader.read()


def _point(row: tuple[Any, ...]) -> TrackPoint:
    i, pts, x, y, bx, by, conf, source, md5, usable = row
    return TrackPoint(int(i), pts, float(x), float(y), float(conf), source, md5, bx, by,
                      bool(usable))  # fmt: skip


def read_points(conn: sqlite3.Connection, track_id: int) -> tuple[TrackPoint, ...]:
    rows = conn.execute(
        f"SELECT {_POINT_COLUMNS} FROM track_point WHERE track_id = ? ORDER BY frame_index",
        (track_id,),
    ).fetchall()
    return tuple(_point(r) for r in rows)


def read_track(conn_or_reader: sqlite3.Connection | _Reader, track_id: int) -> StoredTrack:
    """The track ``track_id`` with its points (frame_index, pts_s, x_px, y_px, source,
    confidence, md5, bg_x_px, bg_y_px, usable_for_rates), in frame order.

    Args:
        conn_or_reader: a connection to the case, or anything with ``read()`` (a Case).

    Raises:
        TrackError: no such track.
    """
    conn = _conn(conn_or_reader)
    row = conn.execute(
        "SELECT id, evidence_id, label, method, params_json, created_at_utc FROM track"
        " WHERE id = ?",
        (track_id,),
    ).fetchone()
    if row is None:
        raise TrackError(f"track {track_id} does not exist in this case")
    tid, eid, label, method, params, created = row
    points = read_points(conn, tid)
    if not points:  # every stored track has points: it was deleted since the first read
        raise TrackError(f"track {track_id} does not exist in this case")
    return StoredTrack(tid, eid, label, method, json.loads(params), created, points)


def list_tracks(conn: sqlite3.Connection, evidence_id: int | None = None) -> list[StoredTrack]:
    """The case's tracks (of one evidence if given), oldest first, with their points."""
    sql = "SELECT id FROM track" + (" WHERE evidence_id = ?" if evidence_id is not None else "")
    args = (evidence_id,) if evidence_id is not None else ()
    out = []
    for (track_id,) in conn.execute(sql + " ORDER BY id", args).fetchall():
        try:
            out.append(read_track(conn, track_id))
        except TrackError:  # deleted by the writer between the two reads
            continue
    return out


def _insert_points(conn: sqlite3.Connection, track_id: int, points: list[TrackPoint]) -> None:
    for p in points:
        for v in (p.x_px, p.y_px, p.confidence):
            if not math.isfinite(v):
                raise TrackError(f"frame {p.frame_index}: a point must have finite numbers")
    conn.executemany(
        f"INSERT INTO track_point (track_id, {_POINT_COLUMNS}) VALUES ({', '.join('?' * 11)})",
        [
            (track_id, int(p.frame_index), _opt(p.pts_s), float(p.x_px), float(p.y_px),
             _opt(p.bg_x_px), _opt(p.bg_y_px), float(p.confidence), p.source, p.md5,
             int(p.usable_for_rates))
            for p in points
        ],
    )  # fmt: skip


def _opt(v: Any) -> float | None:
    """A number as SQLite stores it (numpy scalars become floats), or None."""
    return None if v is None else float(v)


def _summary(points: tuple[TrackPoint, ...] | list[TrackPoint]) -> dict[str, Any]:
    if not points:
        return {"points": 0}
    return {
        "points": len(points),
        "first_frame": points[0].frame_index,
        "last_frame": points[-1].frame_index,
        "analyst_points": sum(1 for p in points if p.source == ANALYST),
    }


def store_track(
    case: Case,
    evidence_id: int,
    track: Track,
    *,
    label: str = "",
    params: dict[str, Any] | None = None,
) -> Future[int]:
    """Store the tracker's result as a new track; the future gives its id.

    Args:
        params: the row's parameters (default ``track_params(track)``).

    Raises:
        TrackError: a track without points (nothing is written).
    """
    if not track.points:
        raise TrackError("the track has no points: mark the object and track it first")
    stored_params = params if params is not None else track_params(track)

    def do(conn: sqlite3.Connection) -> int:
        kind = conn.execute("SELECT kind FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
        if kind is None or kind[0] != "video":
            raise TrackError(f"evidence {evidence_id} is not a video of this case")
        cur = conn.execute(
            "INSERT INTO track (evidence_id, label, method, params_json, created_at_utc)"
            " VALUES (?, ?, ?, ?, ?)",
            (evidence_id, label, track.method, json.dumps(stored_params, sort_keys=True),
             utc_now_iso()),
        )  # fmt: skip
        track_id = int(cur.lastrowid)
        _insert_points(conn, track_id, list(track.points))
        details = {"evidence_id": evidence_id, "label": label, "method": track.method,
                   "params": stored_params, **_summary(track.points)}  # fmt: skip
        case.log(conn, "track.add", f"track:{track_id}", details)
        return track_id

    return case.write(do)


def _frame_facts(conn: sqlite3.Connection, track_id: int, frame_index: int) -> tuple[Any, str]:
    """pts seconds and framemd5 of a frame of the track's video (from the frame table)."""
    row = conn.execute(
        "SELECT f.pts_s, f.md5 FROM frame f JOIN track t ON t.evidence_id = f.evidence_id"
        " WHERE t.id = ? AND f.frame_index = ?",
        (track_id, frame_index),
    ).fetchone()
    if row is None:
        raise TrackError(
            f"frame {frame_index} is not in the frame table of track {track_id}'s video"
        )
    return row[0], row[1]


def correct_point(
    case: Case, track_id: int, frame_index: int, x_px: float, y_px: float
) -> Future[TrackPoint | None]:
    """Set the object's position on one frame by hand (an analyst point, confidence 1).

    The future gives the point it replaced (None: there was none), for undo
    (``restore_point``). The background position is left unset: re-propagate from here.

    Raises:
        TrackError: non-finite coordinates (nothing is written); in the future: no such
            track, or a frame its video does not have.
    """
    if not (math.isfinite(x_px) and math.isfinite(y_px)):
        raise TrackError(f"frame {frame_index}: the point must have finite coordinates")

    def do(conn: sqlite3.Connection) -> TrackPoint | None:
        stored = read_track(conn, track_id)
        old = stored.point_at(frame_index)
        if old is not None:
            pts_s, md5 = old.pts_s, old.md5
        else:
            pts_s, md5 = _frame_facts(conn, track_id, frame_index)
        new = TrackPoint(frame_index, pts_s, float(x_px), float(y_px), 1.0, ANALYST, md5)
        conn.execute(
            "DELETE FROM track_point WHERE track_id = ? AND frame_index = ?",
            (track_id, frame_index),
        )
        _insert_points(conn, track_id, [new])
        details = {"frame_index": frame_index, "x_px": new.x_px, "y_px": new.y_px,
                   "was": None if old is None else old.to_dict()}  # fmt: skip
        case.log(conn, "track.correct", f"track:{track_id}", details)
        return old

    return case.write(do)


def restore_point(
    case: Case, track_id: int, frame_index: int, old: TrackPoint | None
) -> Future[None]:
    """Undo a correction: put back the point ``old`` (or none) on ``frame_index``."""

    def do(conn: sqlite3.Connection) -> None:
        read_track(conn, track_id)
        conn.execute(
            "DELETE FROM track_point WHERE track_id = ? AND frame_index = ?",
            (track_id, frame_index),
        )
        if old is not None:
            _insert_points(conn, track_id, [old])
        details = {"frame_index": frame_index, "point": None if old is None else old.to_dict()}
        case.log(conn, "track.restore_point", f"track:{track_id}", details)

    return case.write(do)


def replace_after(
    case: Case,
    track_id: int,
    after_frame: int,
    new: Track,
    *,
    impact: dict[str, Any] | None = None,
) -> Future[tuple[TrackPoint, ...]]:
    """Store a re-propagation from the correction on ``after_frame``.

    The tracker's points after ``after_frame`` are replaced by those of ``new``; every analyst
    point stays where the analyst put it (it takes ``new``'s background position); points
    before ``after_frame`` are kept. The row's parameters take ``new``'s stop reasons and
    ``impact``. The future gives the points the track had before, for undo
    (``restore_points``).
    """

    def do(conn: sqlite3.Connection) -> tuple[TrackPoint, ...]:
        stored = read_track(conn, track_id)
        fresh = {p.frame_index: p for p in new.points}
        kept: list[TrackPoint] = []
        for p in stored.points:
            if p.source == ANALYST:
                q = fresh.get(p.frame_index)
                bg = (q.bg_x_px, q.bg_y_px) if q is not None else (p.bg_x_px, p.bg_y_px)
                kept.append(replace(p, bg_x_px=bg[0], bg_y_px=bg[1]))
            elif p.frame_index < after_frame:
                kept.append(p)
        taken = {p.frame_index for p in kept}
        added = [p for p in new.points
                 if p.frame_index > after_frame and p.frame_index not in taken
                 and p.source == TRACKER]  # fmt: skip
        points = sorted(kept + added, key=lambda p: p.frame_index)
        conn.execute("DELETE FROM track_point WHERE track_id = ?", (track_id,))
        _insert_points(conn, track_id, points)
        params = stored.params | {"stopped_forward": new.stopped_forward,
                                  "stopped_backward": new.stopped_backward,
                                  "notes": list(new.notes), "impact": impact}  # fmt: skip
        conn.execute(
            "UPDATE track SET params_json = ? WHERE id = ?",
            (json.dumps(params, sort_keys=True), track_id),
        )
        details = {"after_frame": after_frame, "params": params, **_summary(points)}
        case.log(conn, "track.repropagate", f"track:{track_id}", details)
        return stored.points

    return case.write(do)


def restore_points(
    case: Case, track_id: int, points: tuple[TrackPoint, ...]
) -> Future[tuple[TrackPoint, ...]]:
    """Put back a track's points as they were (undo of a re-propagation); the future gives
    the points it replaced."""

    def do(conn: sqlite3.Connection) -> tuple[TrackPoint, ...]:
        before = read_track(conn, track_id).points
        conn.execute("DELETE FROM track_point WHERE track_id = ?", (track_id,))
        _insert_points(conn, track_id, list(points))
        case.log(conn, "track.restore_points", f"track:{track_id}", _summary(points))
        return before

    return case.write(do)


def delete_track(case: Case, track_id: int) -> Future[StoredTrack]:
    """Delete a track and its points; the future gives it (for undo)."""

    def do(conn: sqlite3.Connection) -> StoredTrack:
        old = read_track(conn, track_id)
        conn.execute("DELETE FROM track_point WHERE track_id = ?", (track_id,))
        conn.execute("DELETE FROM track WHERE id = ?", (track_id,))
        details = {"evidence_id": old.evidence_id, "label": old.label, **_summary(old.points)}
        case.log(conn, "track.delete", f"track:{track_id}", details)
        return old

    return case.write(do)


def restore_track(case: Case, record: StoredTrack) -> Future[int]:
    """Put back a deleted track with its id, parameters and points (undo of a deletion)."""

    def do(conn: sqlite3.Connection) -> int:
        conn.execute(
            "INSERT INTO track (id, evidence_id, label, method, params_json, created_at_utc)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, record.evidence_id, record.label, record.method,
             json.dumps(record.params, sort_keys=True), record.created_at_utc),
        )  # fmt: skip
        _insert_points(conn, record.id, list(record.points))
        details = {"evidence_id": record.evidence_id, "label": record.label,
                   **_summary(record.points)}  # fmt: skip
        case.log(conn, "track.restore", f"track:{record.id}", details)
        return record.id

    return case.write(do)

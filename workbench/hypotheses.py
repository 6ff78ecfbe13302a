"""Location hypotheses: a claimed place, how far it may be off, how confident, and why.

A hypothesis is what an analyst or a third party claims (the school compound as the strike
site; a ministry's "no strike took place here"), put on the map so that the observations can
be weighed against it. Every edit runs in one transaction with its audit row and returns the
writer's future; undo is a new logged write (``update_hypothesis`` returns the old record,
``delete_hypothesis`` the deleted one, ``restore_hypothesis`` puts it back with its id).
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.errors import GeometryError
from workbench.case import Case
from workbench.case.audit import utc_now_iso

CONFIDENCE_LEVELS = ("", "low", "medium", "high")  # "" = not assessed
MAX_TITLE_CHARS = 200
_COLUMNS = (
    "id, title, lat_deg, lon_deg, radius_m, confidence, rationale, created_at_utc,"
    " time_from_utc, time_to_utc"
)


@dataclass(frozen=True)
class Hypothesis:
    """A claimed location with its radius (metres, or None), confidence and rationale."""

    id: int
    title: str
    lat_deg: float | None
    lon_deg: float | None
    radius_m: float | None
    confidence: str
    rationale: str
    created_at_utc: str
    # When (issue 18): an instant or a range, ISO 8601 UTC; None: no time claimed.
    time_from_utc: str | None = None
    time_to_utc: str | None = None
    observation_ids: tuple[int, ...] = ()  # the observations behind it


def _checked(h: Hypothesis) -> Hypothesis:
    title = h.title.strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        raise GeometryError(f"a hypothesis needs a title of 1 to {MAX_TITLE_CHARS} characters")
    if (h.lat_deg is None) != (h.lon_deg is None):
        raise GeometryError("give both latitude and longitude, or neither")
    if h.lat_deg is not None and not (-90.0 <= h.lat_deg <= 90.0 and -180.0 <= h.lon_deg <= 180.0):
        raise GeometryError(f"position {h.lat_deg}, {h.lon_deg} is out of range")
    if h.radius_m is not None and not (0.0 <= h.radius_m < 1e7):
        raise GeometryError(f"radius {h.radius_m} m must be between 0 and 10,000 km")
    if h.confidence not in CONFIDENCE_LEVELS:
        raise GeometryError(
            f"confidence {h.confidence!r} is not one of {', '.join(CONFIDENCE_LEVELS[1:])}"
        )
    return replace(h, title=title, **_checked_times(h))


def _checked_times(h: Hypothesis) -> dict[str, str | None]:
    from analysis.timekeeping.zones import iso_utc, parse_instant

    times = {}
    for name in ("time_from_utc", "time_to_utc"):
        text = getattr(h, name)
        times[name] = iso_utc(parse_instant(text).utc) if text else None
    if times["time_to_utc"] and not times["time_from_utc"]:
        raise GeometryError("a time range needs its start")
    if times["time_to_utc"] and times["time_to_utc"] < times["time_from_utc"]:
        raise GeometryError("a time range must not end before it starts")
    return times


def _with_links(conn: sqlite3.Connection, row: tuple) -> Hypothesis:
    ids = conn.execute(
        "SELECT observation_id FROM hypothesis_observation WHERE hypothesis_id = ? ORDER BY 1",
        (row[0],),
    )
    return Hypothesis(*row, tuple(int(r[0]) for r in ids))


def list_hypotheses(conn: sqlite3.Connection) -> list[Hypothesis]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM hypothesis ORDER BY id").fetchall()
    return [_with_links(conn, row) for row in rows]


def get_hypothesis(conn: sqlite3.Connection, hypothesis_id: int) -> Hypothesis:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM hypothesis WHERE id = ?", (hypothesis_id,)
    ).fetchone()
    if row is None:
        raise GeometryError(f"hypothesis {hypothesis_id} does not exist in this case")
    return _with_links(conn, row)


def _log(case: Case, conn: sqlite3.Connection, action: str, h: Hypothesis) -> None:
    details: dict[str, Any] = asdict(h)
    details.pop("id")
    for name in ("time_from_utc", "time_to_utc", "observation_ids"):
        if not details[name]:  # rows from before issue 18 log as they did
            details.pop(name)
    case.log(conn, f"hypothesis.{action}", f"hypothesis:{h.id}", details)


def add_hypothesis(
    case: Case,
    title: str,
    lat_deg: float | None,
    lon_deg: float | None,
    *,
    radius_m: float | None = None,
    confidence: str = "",
    rationale: str = "",
    time_from: str | None = None,
    time_to: str | None = None,
    observation_ids: tuple[int, ...] = (),
) -> Future[int]:
    """A new hypothesis; the future gives its id.

    ``time_from``/``time_to``: an instant or a range, ISO 8601 with a zone;
    ``observation_ids``: the observations behind it.

    Raises:
        GeometryError: for an empty title, a position out of range, a negative radius or a
            confidence not in ``CONFIDENCE_LEVELS`` (nothing is written).
    """
    h = _checked(Hypothesis(0, title, lat_deg, lon_deg, radius_m, confidence, rationale, "",
                            time_from, time_to, tuple(observation_ids)))  # fmt: skip

    def do(conn: sqlite3.Connection) -> int:
        created = utc_now_iso()
        cur = conn.execute(
            "INSERT INTO hypothesis (title, lat_deg, lon_deg, radius_m, confidence, rationale,"
            " created_at_utc, time_from_utc, time_to_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (h.title, h.lat_deg, h.lon_deg, h.radius_m, h.confidence, h.rationale, created,
             h.time_from_utc, h.time_to_utc),
        )  # fmt: skip
        new_id = int(cur.lastrowid)
        _store_links(conn, new_id, h.observation_ids)
        _log(case, conn, "add", replace(h, id=new_id, created_at_utc=created))
        return new_id

    return case.write(do)


def update_hypothesis(case: Case, hypothesis_id: int, **changes: Any) -> Future[Hypothesis]:
    """Change fields (title, lat_deg, lon_deg, radius_m, confidence, rationale); the future
    gives the record as it was, for undo.

    Raises:
        GeometryError: for an unknown field or a value ``add_hypothesis`` would refuse.
    """
    allowed = {"title", "lat_deg", "lon_deg", "radius_m", "confidence", "rationale",
               "time_from_utc", "time_to_utc", "observation_ids"}  # fmt: skip
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise GeometryError(f"a hypothesis has no field {', '.join(unknown)}")

    def do(conn: sqlite3.Connection) -> Hypothesis:
        old = get_hypothesis(conn, hypothesis_id)
        new = _checked(replace(old, **changes))
        conn.execute(
            "UPDATE hypothesis SET title = ?, lat_deg = ?, lon_deg = ?, radius_m = ?,"
            " confidence = ?, rationale = ?, time_from_utc = ?, time_to_utc = ? WHERE id = ?",
            (new.title, new.lat_deg, new.lon_deg, new.radius_m, new.confidence, new.rationale,
             new.time_from_utc, new.time_to_utc, hypothesis_id),
        )  # fmt: skip
        if new.observation_ids != old.observation_ids:
            conn.execute(
                "DELETE FROM hypothesis_observation WHERE hypothesis_id = ?", (hypothesis_id,)
            )
            _store_links(conn, hypothesis_id, new.observation_ids)
        _log(case, conn, "update", new)
        return old

    return case.write(do)


def delete_hypothesis(case: Case, hypothesis_id: int) -> Future[Hypothesis]:
    """Delete a hypothesis; the future gives the record (``restore_hypothesis`` undoes)."""

    def do(conn: sqlite3.Connection) -> Hypothesis:
        old = get_hypothesis(conn, hypothesis_id)
        conn.execute("DELETE FROM hypothesis WHERE id = ?", (hypothesis_id,))
        _log(case, conn, "delete", old)
        return old

    return case.write(do)


def restore_hypothesis(case: Case, record: Hypothesis) -> Future[int]:
    """Put a deleted hypothesis back with its id and creation time."""

    def do(conn: sqlite3.Connection) -> int:
        conn.execute(
            f"INSERT INTO hypothesis ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.id, record.title, record.lat_deg, record.lon_deg, record.radius_m,
             record.confidence, record.rationale, record.created_at_utc, record.time_from_utc,
             record.time_to_utc),
        )  # fmt: skip
        _store_links(conn, record.id, record.observation_ids)
        _log(case, conn, "restore", record)
        return record.id

    return case.write(do)


def _store_links(conn: sqlite3.Connection, hypothesis_id: int, ids: tuple[int, ...]) -> None:
    for obs in sorted(set(ids)):
        if conn.execute("SELECT 1 FROM observation WHERE id = ?", (obs,)).fetchone() is None:
            raise GeometryError(f"observation {obs} does not exist in this case")
        conn.execute(
            "INSERT INTO hypothesis_observation (hypothesis_id, observation_id) VALUES (?, ?)",
            (hypothesis_id, obs),
        )

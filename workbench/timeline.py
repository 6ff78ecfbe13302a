"""The case's timeline: every dated thing on one UTC axis, with where its time came from.

Events are read, not stored (except the analyst's own, in ``timeline_event``):

- capture times from evidence metadata, each with its clock (camera, gps, container) and a
  trust word: GPS time is satellite time; a camera clock is whatever its owner set; a
  container's creation time is written by whatever last muxed the file (often an editor or
  the platform), so it dates the file, not the filming;
- upload times from the source records (``evidence_source``), with their basis;
- dates in file names (WhatsApp, Telegram, phone cameras), labelled as candidates;
- claimed times (``claim``), hypotheses with a time or range, observations that carry an
  instant (keys ending in ``_utc`` in their inputs or result), and the analyst's own events.

With an IANA zone for the place, each event gets its local time from the database
(``analysis.timekeeping.zones``); an offset a source stated that disagrees with the database
at that instant is flagged (Damascus was at UTC+3 on 26 Oct 2016, not +2).
"""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.errors import WorkbenchError
from analysis.timekeeping.sources import dates_from_name
from analysis.timekeeping.zones import format_offset, iso_utc, local_time, parse_instant
from workbench.case import Case
from workbench.case.audit import utc_now_iso

TRUST = {
    "gps": "high: satellite time",
    "camera": "low: the owner's clock setting, zone often unrecorded",
    "container": "low: written by whatever last muxed the file (editor, platform)",
}


class TimelineError(WorkbenchError):
    """An analyst event the case refuses."""


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing: when (UTC), how sure, what it is, and where the time came from."""

    kind: str  # capture | upload | name-date | claim | hypothesis | observation | analyst
    at_utc: str | None  # None for a name-date candidate without a zone
    label: str
    source: str  # "evidence:3", "claim:2", ...
    until_utc: str | None = None
    sigma_s: float | None = None
    clock: str = ""
    trust: str = ""
    stated_offset: str | None = None  # the offset the source gave ("+02:00")
    local_time: str | None = None
    offset_flag: str = ""  # non-empty when the stated offset disagrees with the database


@dataclass(frozen=True)
class AnalystEvent:
    """An event the analyst put on the timeline."""

    id: int
    at_utc: str
    until_utc: str | None
    sigma_s: float | None
    label: str
    at_given: str
    evidence_id: int | None
    note: str
    created_at_utc: str


def _labelled_times(node: Any) -> list[dict[str, Any]]:
    """Every labelled time (a dict with ``clock`` and ``value``) inside metadata JSON."""
    if isinstance(node, dict):
        if "clock" in node and "value" in node and node.get("value"):
            return [node]
        return [t for v in node.values() for t in _labelled_times(v)]
    if isinstance(node, list):
        return [t for v in node for t in _labelled_times(v)]
    return []


def _evidence_events(conn: sqlite3.Connection) -> list[TimelineEvent]:
    out: list[TimelineEvent] = []
    for eid, name, meta in conn.execute(
        "SELECT id, original_name, metadata_json FROM evidence ORDER BY id"
    ):
        src = f"evidence:{eid}"
        seen: set[tuple[str, str]] = set()
        for t in _labelled_times(json.loads(meta or "{}")):
            key = (t["clock"], t["value"])
            if key in seen:
                continue
            seen.add(key)
            out.append(
                TimelineEvent(
                    "capture",
                    t.get("utc"),
                    f"{name}: {t['clock']} clock reads {t['value']}"
                    + ("" if t.get("utc_offset") else " (no zone recorded)"),
                    src,
                    clock=t["clock"],
                    trust=TRUST.get(t["clock"], ""),
                    stated_offset=t.get("utc_offset"),
                )
            )
        for cand in dates_from_name(name):
            out.append(
                TimelineEvent(
                    "name-date",
                    None,
                    f"{name}: {cand.label}",
                    src,
                    until_utc=None,
                    clock="file name",
                    trust="candidate",
                )
            )
    for eid, name, when, basis, account, platform in conn.execute(
        "SELECT e.id, e.original_name, s.upload_time_utc, s.upload_time_basis, s.account,"
        " s.platform FROM evidence_source s JOIN evidence e ON e.id = s.evidence_id"
        " WHERE s.upload_time_utc != '' ORDER BY e.id"
    ):
        who = f" by {account}" if account else ""
        where = f" on {platform}" if platform else ""
        out.append(
            TimelineEvent(
                "upload",
                when,
                f"{name}: uploaded{where}{who}",
                f"evidence:{eid}",
                clock="platform",
                trust=basis or "",
            )
        )
    return out


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _case_events(conn: sqlite3.Connection, tables: set[str]) -> list[TimelineEvent]:
    out: list[TimelineEvent] = []
    if "claim" in tables:
        for cid, by, at, given, text, verdict in conn.execute(
            "SELECT id, claimed_by, claimed_at_utc, claimed_at_given, text, verdict FROM claim"
        ):
            offset = format_offset(parse_instant(given).given_offset_s)
            out.append(
                TimelineEvent(
                    "claim",
                    at,
                    f"{by}: {text[:80]} [{verdict}]",
                    f"claim:{cid}",
                    stated_offset=offset,
                )
            )
        for hid, title, t0, t1 in conn.execute(
            "SELECT id, title, time_from_utc, time_to_utc FROM hypothesis"
            " WHERE time_from_utc IS NOT NULL"
        ):
            out.append(TimelineEvent("hypothesis", t0, title, f"hypothesis:{hid}", until_utc=t1))
        for row in conn.execute(
            "SELECT id, at_utc, until_utc, sigma_s, label, at_given FROM timeline_event"
        ):
            offset = format_offset(parse_instant(row[5]).given_offset_s) if row[5] else None
            out.append(
                TimelineEvent(
                    "analyst",
                    row[1],
                    row[4],
                    f"timeline_event:{row[0]}",
                    until_utc=row[2],
                    sigma_s=row[3],
                    stated_offset=offset,
                )
            )
    for oid, kind, inputs, result in conn.execute(
        "SELECT id, kind, inputs_json, result_json FROM observation"
    ):
        for part in (json.loads(inputs or "{}"), json.loads(result or "{}")):
            if not isinstance(part, dict):
                continue
            for key, value in sorted(part.items()):
                if key.endswith("_utc") and key != "created_at_utc" and isinstance(value, str):
                    out.append(
                        TimelineEvent(
                            "observation", value, f"{kind} {oid}: {key}", f"observation:{oid}"
                        )
                    )
    return out


def _localised(event: TimelineEvent, zone_name: str | None) -> TimelineEvent:
    if zone_name is None or event.at_utc is None:
        return event
    stated = None
    if event.stated_offset:
        stated = parse_instant("2000-01-01T00:00:00" + event.stated_offset).given_offset_s
    local = local_time(parse_instant(event.at_utc.replace(" ", "T")).utc, zone_name, stated)
    flag = ""
    if local.offset_disagrees:
        flag = (f"stated offset {event.stated_offset} disagrees with {zone_name} at that "
                f"instant ({format_offset(local.offset_s)})")  # fmt: skip
    return replace(event, local_time=local.local_iso, offset_flag=flag)


def build_timeline(
    conn: sqlite3.Connection, *, zone_name: str | None = None
) -> list[TimelineEvent]:
    """Every dated event of the case, sorted by UTC (undated candidates last).

    Args:
        conn: a connection to the case.
        zone_name: the place's IANA zone, for local times and offset checks.
    """
    tables = _tables(conn)
    events = _evidence_events(conn) + _case_events(conn, tables)
    events = [_localised(e, zone_name) for e in events]
    return sorted(events, key=lambda e: (e.at_utc is None, e.at_utc or "", e.kind, e.source))


def case_zone(conn: sqlite3.Connection) -> str | None:
    """The case's IANA time zone (the ``time_zone`` case setting), if one is set."""
    found = conn.execute("SELECT value_json FROM case_setting WHERE key = 'time_zone'").fetchone()
    if found is None:
        return None
    value = json.loads(found[0])
    return value if isinstance(value, str) else None


def timeline_json(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    return [asdict(e) for e in events]


def add_event(
    case: Case,
    *,
    at: str,
    label: str,
    until: str | None = None,
    sigma_s: float | None = None,
    evidence_id: int | None = None,
    note: str = "",
) -> Future[int]:
    """The analyst's own event (``at`` ISO 8601 with a zone); the future gives its id.

    Raises:
        TimeInputError: a time without a zone; TimelineError: an empty label, an end before
            the start or a negative sigma (nothing is written).
    """
    start = parse_instant(at)
    end = iso_utc(parse_instant(until).utc) if until else None
    if not label.strip():
        raise TimelineError("an event needs a label")
    if end is not None and end < iso_utc(start.utc):
        raise TimelineError("an event must not end before it starts")
    if sigma_s is not None and not sigma_s >= 0:
        raise TimelineError(f"sigma {sigma_s} s must not be negative")
    record = AnalystEvent(0, iso_utc(start.utc), end, sigma_s, label.strip(), start.given_text,
                          evidence_id, note, "")  # fmt: skip

    def do(conn: sqlite3.Connection) -> int:
        stored = replace(record, created_at_utc=utc_now_iso())
        cur = conn.execute(
            "INSERT INTO timeline_event (at_utc, until_utc, sigma_s, label, at_given,"
            " evidence_id, note, created_at_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            astuple_no_id(stored),
        )
        new_id = int(cur.lastrowid)
        details = asdict(stored)
        details.pop("id")
        case.log(conn, "timeline.add", f"timeline_event:{new_id}", details)
        return new_id

    return case.write(do)


_EVENT_COLUMNS = (
    "id, at_utc, until_utc, sigma_s, label, at_given, evidence_id, note, created_at_utc"
)


def delete_event(case: Case, event_id: int) -> Future[AnalystEvent]:
    """Delete an analyst event; the future gives the record (``restore_event`` undoes).

    Raises (through the future): TimelineError for an event that is not in the case.
    """

    def do(conn: sqlite3.Connection) -> AnalystEvent:
        row = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM timeline_event WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise TimelineError(f"timeline event {event_id} does not exist in this case")
        old = AnalystEvent(*row)
        conn.execute("DELETE FROM timeline_event WHERE id = ?", (event_id,))
        details = asdict(old)
        details.pop("id")
        case.log(conn, "timeline.delete", f"timeline_event:{event_id}", details)
        return old

    return case.write(do)


def restore_event(case: Case, record: AnalystEvent) -> Future[int]:
    """Put a deleted analyst event back with its id."""

    def do(conn: sqlite3.Connection) -> int:
        conn.execute(
            f"INSERT INTO timeline_event ({_EVENT_COLUMNS}) VALUES ({', '.join('?' * 9)})",
            (record.id, *astuple_no_id(record)),
        )
        details = asdict(record)
        details.pop("id")
        case.log(conn, "timeline.restore", f"timeline_event:{record.id}", details)
        return record.id

    return case.write(do)


def astuple_no_id(e: AnalystEvent) -> tuple[Any, ...]:
    return (e.at_utc, e.until_utc, e.sigma_s, e.label, e.at_given, e.evidence_id, e.note,
            e.created_at_utc)  # fmt: skip

"""Claims: who said what, when and where, and the verdict the evidence gives it.

A claim ("the school was not hit by an air strike", Konashenkov, 27 Oct 2016) is stored in
its own words and language, as given (Arabic and Russian too: Unicode NFC happens only in
the audit hash), with an optional translation. Its time must carry a zone; it is kept in
UTC and as typed. Its verdict (unverified, supported, refuted) is linked to what decides it:
observations, figures, frames, hypotheses, evidence. Every edit is one transaction with its
audit row; undo is a new logged write (``delete_claim`` returns the record with its links,
``restore_claim`` puts both back with their ids).
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from typing import Any

from analysis.errors import WorkbenchError
from analysis.timekeeping.zones import iso_utc, parse_instant
from workbench.case import Case
from workbench.case.audit import utc_now_iso

VERDICTS = ("unverified", "supported", "refuted")
LINK_KINDS = ("observation", "figure", "frame", "hypothesis", "evidence")
MAX_TEXT_CHARS = 20_000
_COLUMNS = (
    "id, text, language, translation, claimed_by, claimed_at_utc, claimed_at_given, source_url,"
    " source_evidence_id, verdict, verdict_note, created_at_utc"
)
_LINK_COLUMNS = "id, claim_id, target_kind, target_id, frame_index, note"
# table holding each link kind's target id (a frame is a frame index of an evidence)
_TARGET_TABLES = {
    "observation": "observation",
    "figure": "correspondence_figure",
    "frame": "evidence",
    "hypothesis": "hypothesis",
    "evidence": "evidence",
}


class ClaimError(WorkbenchError):
    """A claim the case refuses (nothing is written)."""


@dataclass(frozen=True)
class ClaimLink:
    """What a verdict rests on: an observation, figure, frame, hypothesis or evidence."""

    id: int
    claim_id: int
    target_kind: str
    target_id: int  # for a frame: the evidence id
    frame_index: int | None
    note: str


@dataclass(frozen=True)
class Claim:
    """A statement, its author, time and source, and its verdict with the links behind it."""

    id: int
    text: str
    language: str  # BCP 47 tag as given ("ar", "ru", "en") or ""
    translation: str
    claimed_by: str
    claimed_at_utc: str
    claimed_at_given: str  # as typed, with its offset
    source_url: str
    source_evidence_id: int | None
    verdict: str
    verdict_note: str
    created_at_utc: str
    links: tuple[ClaimLink, ...] = ()


def _checked(c: Claim) -> Claim:
    text, by = c.text.strip(), c.claimed_by.strip()
    if not text or len(text) > MAX_TEXT_CHARS:
        raise ClaimError(f"a claim needs its text (1 to {MAX_TEXT_CHARS} characters)")
    if not by:
        raise ClaimError("a claim needs who made it (--by)")
    if c.verdict not in VERDICTS:
        raise ClaimError(f"verdict {c.verdict!r} is not one of {', '.join(VERDICTS)}")
    instant = parse_instant(c.claimed_at_given)
    return replace(c, text=text, claimed_by=by, claimed_at_utc=iso_utc(instant.utc))


def _links(conn: sqlite3.Connection, claim_id: int) -> tuple[ClaimLink, ...]:
    rows = conn.execute(
        f"SELECT {_LINK_COLUMNS} FROM claim_link WHERE claim_id = ? ORDER BY id", (claim_id,)
    )
    return tuple(ClaimLink(*r) for r in rows)


def list_claims(conn: sqlite3.Connection) -> list[Claim]:
    """Every claim, oldest first, with its links."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM claim ORDER BY id").fetchall()
    return [replace(Claim(*r), links=_links(conn, r[0])) for r in rows]


def get_claim(conn: sqlite3.Connection, claim_id: int) -> Claim:
    row = conn.execute(f"SELECT {_COLUMNS} FROM claim WHERE id = ?", (claim_id,)).fetchone()
    if row is None:
        raise ClaimError(f"claim {claim_id} does not exist in this case")
    return replace(Claim(*row), links=_links(conn, claim_id))


def _log(case: Case, conn: sqlite3.Connection, action: str, c: Claim) -> None:
    details: dict[str, Any] = asdict(c)
    details.pop("id")
    case.log(conn, f"claim.{action}", f"claim:{c.id}", details)


def _insert(conn: sqlite3.Connection, c: Claim, with_id: bool) -> int:
    values = (c.text, c.language, c.translation, c.claimed_by, c.claimed_at_utc,
              c.claimed_at_given, c.source_url, c.source_evidence_id, c.verdict, c.verdict_note,
              c.created_at_utc)  # fmt: skip
    if with_id:
        conn.execute(f"INSERT INTO claim ({_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                     (c.id, *values))  # fmt: skip
        return c.id
    cols = _COLUMNS.split(", ", 1)[1]
    cur = conn.execute(f"INSERT INTO claim ({cols}) VALUES ({', '.join('?' * 11)})", values)
    return int(cur.lastrowid)


def _check_target(conn: sqlite3.Connection, kind: str, target_id: int) -> None:
    if kind not in LINK_KINDS:
        raise ClaimError(f"a claim cannot link to {kind!r} (one of {', '.join(LINK_KINDS)})")
    table = _TARGET_TABLES[kind]
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (target_id,)).fetchone() is None:
        raise ClaimError(f"{kind} {target_id} does not exist in this case")


def add_claim(
    case: Case,
    *,
    text: str,
    claimed_by: str,
    claimed_at: str,
    language: str = "",
    translation: str = "",
    source_url: str = "",
    source_evidence_id: int | None = None,
    verdict: str = "unverified",
    verdict_note: str = "",
) -> Future[int]:
    """A new claim; the future gives its id.

    Raises:
        ClaimError: empty text or author, an unknown verdict (nothing is written).
        TimeInputError: ``claimed_at`` is not ISO 8601 with a zone.
    """
    c = _checked(
        Claim(0, text, language.strip(), translation, claimed_by, "", claimed_at.strip(),
              source_url.strip(), source_evidence_id, verdict, verdict_note, "")
    )  # fmt: skip

    def do(conn: sqlite3.Connection) -> int:
        if c.source_evidence_id is not None:
            _check_target(conn, "evidence", c.source_evidence_id)
        stored = replace(c, created_at_utc=utc_now_iso())
        new_id = _insert(conn, stored, with_id=False)
        _log(case, conn, "add", replace(stored, id=new_id))
        return new_id

    return case.write(do)


def update_claim(case: Case, claim_id: int, **changes: Any) -> Future[Claim]:
    """Change fields (text, language, translation, claimed_by, claimed_at_given, source_url,
    source_evidence_id, verdict, verdict_note); the future gives the old record, for undo.
    """
    allowed = {"text", "language", "translation", "claimed_by", "claimed_at_given",
               "source_url", "source_evidence_id", "verdict", "verdict_note"}  # fmt: skip
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ClaimError(f"a claim has no field {', '.join(unknown)}")

    def do(conn: sqlite3.Connection) -> Claim:
        old = get_claim(conn, claim_id)
        new = _checked(replace(old, **changes))
        sets = ", ".join(f"{k} = ?" for k in (*sorted(allowed), "claimed_at_utc"))
        values = [getattr(new, k) for k in (*sorted(allowed), "claimed_at_utc")]
        conn.execute(f"UPDATE claim SET {sets} WHERE id = ?", (*values, claim_id))
        _log(case, conn, "update", new)
        return old

    return case.write(do)


def link_claim(
    case: Case,
    claim_id: int,
    target_kind: str,
    target_id: int,
    *,
    frame_index: int | None = None,
    note: str = "",
) -> Future[int]:
    """Link a claim to what decides it; the future gives the link's id."""
    if target_kind == "frame" and frame_index is None:
        raise ClaimError("a frame link needs the evidence id and a frame index")

    def do(conn: sqlite3.Connection) -> int:
        get_claim(conn, claim_id)
        _check_target(conn, target_kind, target_id)
        cur = conn.execute(
            "INSERT INTO claim_link (claim_id, target_kind, target_id, frame_index, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (claim_id, target_kind, target_id, frame_index, note),
        )
        link_id = int(cur.lastrowid)
        case.log(conn, "claim.link", f"claim:{claim_id}",
                 {"link_id": link_id, "target_kind": target_kind, "target_id": target_id,
                  "frame_index": frame_index, "note": note})  # fmt: skip
        return link_id

    return case.write(do)


def delete_claim(case: Case, claim_id: int) -> Future[Claim]:
    """Delete a claim and its links; the future gives both (``restore_claim`` undoes)."""

    def do(conn: sqlite3.Connection) -> Claim:
        old = get_claim(conn, claim_id)
        conn.execute("DELETE FROM claim_link WHERE claim_id = ?", (claim_id,))
        conn.execute("DELETE FROM claim WHERE id = ?", (claim_id,))
        _log(case, conn, "delete", old)
        return old

    return case.write(do)


def restore_claim(case: Case, record: Claim) -> Future[int]:
    """Put a deleted claim back with its id, creation time and links."""

    def do(conn: sqlite3.Connection) -> int:
        _insert(conn, record, with_id=True)
        for link in record.links:
            conn.execute(
                f"INSERT INTO claim_link ({_LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (link.id, record.id, link.target_kind, link.target_id, link.frame_index,
                 link.note),
            )  # fmt: skip
        _log(case, conn, "restore", record)
        return record.id

    return case.write(do)

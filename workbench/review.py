"""Reviewer sign-off: a second analyst marks a hypothesis, an observation or a figure as
reviewed, or disputed with a note.

A review is one row of ``review`` written with its audit row (``review.add``, target
``KIND:ID``) under the reviewer's name: the case is opened with the reviewer as its analyst
(``geoworkbench review --by``, or the analyst set in the GUI), so the chain says who signed.
Rows are only ever added; the latest review of a target is where it stands, the earlier ones
are its history. The analyst who made the target (the actor of the first audit row that names
it) cannot review it: a sign-off is a second pair of eyes. ``reviews_for_report`` gives the
report each target's standing and history.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from dataclasses import asdict, dataclass

from analysis.errors import WorkbenchError
from workbench.case import Case
from workbench.case.audit import utc_now_iso

STATUSES = ("reviewed", "disputed")
# A review's target kind -> the table holding it, and the audit targets that name it.
TARGET_TABLES = {
    "hypothesis": "hypothesis",
    "observation": "observation",
    "figure": "correspondence_figure",
}
MAX_NOTE_CHARS = 20_000
_COLUMNS = "id, target_kind, target_id, status, note, reviewer, reviewed_at_utc"


class ReviewError(WorkbenchError):
    """A review the case refuses (nothing is written)."""


@dataclass(frozen=True)
class Review:
    id: int
    target_kind: str  # hypothesis, observation or figure
    target_id: int
    status: str  # reviewed or disputed
    note: str
    reviewer: str
    reviewed_at_utc: str


@dataclass(frozen=True)
class TargetReviews:
    """One reviewed target for the report: what it is, where it stands, its history."""

    target_kind: str
    target_id: int
    label: str  # "hypothesis 3: Strike site", "observation 7 (bearing)", "figure 2: ..."
    status: str  # the latest review's
    reviewer: str  # the latest review's
    history: tuple[Review, ...]  # oldest first; the last is the standing one


def parse_target(text: str) -> tuple[str, int]:
    """``KIND:ID`` (``hypothesis:3``) as (kind, id).

    Raises:
        ReviewError: not of that form, or a kind that cannot be reviewed.
    """
    kind, _, ident = text.strip().partition(":")
    if kind not in TARGET_TABLES or not ident.isdigit():
        raise ReviewError(
            f"{text!r}: a review target is KIND:ID with KIND one of {', '.join(TARGET_TABLES)}"
        )
    return kind, int(ident)


def _audit_target(kind: str, target_id: int) -> str:
    return f"{TARGET_TABLES[kind]}:{target_id}"


def author_of(conn: sqlite3.Connection, kind: str, target_id: int) -> str | None:
    """Who made the target: the actor of the first audit row naming it (None: not found)."""
    row = conn.execute(
        "SELECT actor FROM audit_log WHERE target = ? ORDER BY seq LIMIT 1",
        (_audit_target(kind, target_id),),
    ).fetchone()
    return row[0] if row else None


def _checked(conn: sqlite3.Connection, reviewer: str, kind: str, target_id: int,
             status: str, note: str) -> None:  # fmt: skip
    if kind not in TARGET_TABLES:
        raise ReviewError(f"a {kind!r} cannot be reviewed (one of {', '.join(TARGET_TABLES)})")
    if status not in STATUSES:
        raise ReviewError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if status == "disputed" and not note.strip():
        raise ReviewError("a dispute needs a note saying what is wrong (--note)")
    if len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"a review note is at most {MAX_NOTE_CHARS} characters")
    if not reviewer.strip():
        raise ReviewError("a review needs the reviewer's name (--by)")
    table = TARGET_TABLES[kind]
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (target_id,)).fetchone() is None:
        raise ReviewError(f"{kind} {target_id} does not exist in this case")
    author = author_of(conn, kind, target_id)
    if author is not None and author.strip().casefold() == reviewer.strip().casefold():
        raise ReviewError(
            f"{reviewer} made {kind} {target_id}: a review is signed by a second analyst"
        )


def add_review(
    case: Case, target_kind: str, target_id: int, status: str, note: str = ""
) -> Future[int]:
    """Sign ``target_kind`` ``target_id`` off as ``status`` under the case's analyst; the
    future gives the review's id, or raises ``ReviewError`` (nothing written).
    """
    reviewer = case.analyst

    def do(conn: sqlite3.Connection) -> int:
        _checked(conn, reviewer, target_kind, target_id, status, note)
        at = utc_now_iso()
        cur = conn.execute(
            "INSERT INTO review (target_kind, target_id, status, note, reviewer, "
            "reviewed_at_utc) VALUES (?, ?, ?, ?, ?, ?)",
            (target_kind, target_id, status, note.strip(), reviewer, at),
        )
        review = Review(int(cur.lastrowid), target_kind, target_id, status, note.strip(),
                        reviewer, at)  # fmt: skip
        details = asdict(review)
        details.pop("id")
        details["review_id"] = review.id
        case.log(conn, "review.add", _audit_target(target_kind, target_id), details)
        return review.id

    return case.write(do)


def _has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'review'")
    return row.fetchone() is not None


def list_reviews(conn: sqlite3.Connection) -> list[Review]:
    """Every review, oldest first (none in a case from before reviews)."""
    if not _has_table(conn):
        return []
    return [Review(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM review ORDER BY id")]


def reviews_of(conn: sqlite3.Connection, target_kind: str, target_id: int) -> list[Review]:
    """The reviews of one target, oldest first."""
    if not _has_table(conn):
        return []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM review WHERE target_kind = ? AND target_id = ? ORDER BY id",
        (target_kind, target_id),
    )
    return [Review(*r) for r in rows]


def _label(conn: sqlite3.Connection, kind: str, target_id: int) -> str:
    table = TARGET_TABLES[kind]
    column = "kind" if kind == "observation" else "title"
    row = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
        row = conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        return f"{kind} {target_id} (no longer in the case)"
    if kind == "observation":
        return f"observation {target_id} ({row[0]})"
    return f"{kind} {target_id}: {row[0]}" if row[0] else f"{kind} {target_id}"


def reviews_for_report(reader: sqlite3.Connection) -> list[TargetReviews]:
    """Each reviewed target with its standing (the latest review) and its history, in the
    order hypotheses, observations, figures, then by id. ``reader`` is any connection to the
    case's tables (the report's, at its head); a case without reviews gives [].
    """
    grouped: dict[tuple[str, int], list[Review]] = {}
    for r in list_reviews(reader):
        grouped.setdefault((r.target_kind, r.target_id), []).append(r)
    order = list(TARGET_TABLES)
    out = []
    for (kind, target_id), history in sorted(
        grouped.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
    ):
        last = history[-1]
        out.append(TargetReviews(kind, target_id, _label(reader, kind, target_id),
                                 last.status, last.reviewer, tuple(history)))  # fmt: skip
    return out

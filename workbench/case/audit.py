"""The append-only, hash-chained audit log.

Row n stores ``prev_hash`` (row n-1's ``row_hash``; 64 zeros for the first row) and
``row_hash = SHA-256(canonical_json(content))`` where the content is every other column of
the row, including its sequence number and ``prev_hash``. Editing, deleting, inserting or
reordering a row therefore breaks the chain, and rewriting the whole chain changes its head,
which every export carries, so it can be caught from outside the case. Triggers refuse UPDATE
and DELETE on the table, and an INSERT whose seq is not the next one (``INSERT OR REPLACE``
would otherwise rewrite a row without firing a delete trigger).

A row may also carry ``state``: the rows of the case's tables that its transaction changed, as
``workbench.case.binding`` records them. The state is part of the hashed content when present,
so the chain vouches for the tables too; rows without it hash as they always did.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.case import binding
from workbench.case.canonical import canonical_json, normalise, sha256_hex

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at_utc: str
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    row_hash: str
    state: list[dict[str, Any]] | None = None  # bound rows this row's transaction changed


@dataclass(frozen=True)
class ChainFinding:
    seq: int
    problem: str


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _content(
    seq: int,
    at_utc: str,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any],
    prev_hash: str,
    state: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    content = {
        "seq": seq,
        "at_utc": at_utc,
        "actor": actor,
        "action": action,
        "target": target,
        "details": details,
        "prev_hash": prev_hash,
    }
    if state is not None:
        content["state"] = state
    return content


def append(
    conn: sqlite3.Connection,
    *,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one row inside the caller's transaction and return its hash.

    On a binding connection the row also takes the state of every bound row changed since the
    previous row (``binding.take_pending``).
    """
    row = conn.execute("SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev_hash = (row[0] + 1, row[1]) if row else (1, GENESIS_HASH)
    at_utc = utc_now_iso()
    clean = normalise(details or {})
    state = binding.take_pending(conn)
    state = None if state is None else normalise(state)
    content = _content(
        seq, at_utc, normalise(actor), normalise(action), normalise(target), clean, prev_hash,
        state,
    )  # fmt: skip
    row_hash = sha256_hex(canonical_json(content))
    columns = "seq, at_utc, actor, action, target, details_json, prev_hash, row_hash"
    values = [
        seq,
        at_utc,
        content["actor"],
        content["action"],
        content["target"],
        canonical_json(clean),
        prev_hash,
        row_hash,
    ]
    if state is not None:
        columns += ", state_json"
        values.append(canonical_json(state))
    conn.execute(
        f"INSERT INTO audit_log ({columns}) VALUES ({', '.join('?' * len(values))})", values
    )
    return row_hash


def seal(conn: sqlite3.Connection, actor: str, action: str = binding.STATE_ACTION) -> str | None:
    """Append a row for bound changes no row took yet (made after a transaction's last row).

    Returns its hash, or None when nothing was left to bind.
    """
    if not binding.has_pending(conn):
        return None
    return append(conn, actor=actor, action=action, target="case tables")


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last sequence number and hash of the chain ((0, genesis) when empty)."""
    row = conn.execute("SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def _columns(conn: sqlite3.Connection) -> str:
    base = "seq, at_utc, actor, action, target, details_json, prev_hash, row_hash"
    has_state = any(r[1] == "state_json" for r in conn.execute("PRAGMA table_info(audit_log)"))
    return base + (", state_json" if has_state else ", NULL")


def _entry(r: tuple) -> AuditEntry:
    state = None if r[8] is None else json.loads(r[8])
    return AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], state)


def entries(conn: sqlite3.Connection, *, limit: int | None = None) -> list[AuditEntry]:
    """Rows in chain order (only the last ``limit`` rows when given)."""
    columns = _columns(conn)
    if limit is None:
        rows = conn.execute(f"SELECT {columns} FROM audit_log ORDER BY seq").fetchall()
    else:
        rows = conn.execute(
            f"SELECT {columns} FROM audit_log ORDER BY seq DESC LIMIT ?", (max(0, limit),)
        ).fetchall()[::-1]
    return [_entry(r) for r in rows]


def entries_after(conn: sqlite3.Connection, seq: int) -> list[AuditEntry]:
    """Rows after sequence number ``seq``, in chain order (what a transaction appended)."""
    rows = conn.execute(
        f"SELECT {_columns(conn)} FROM audit_log WHERE seq > ? ORDER BY seq", (seq,)
    ).fetchall()
    return [_entry(r) for r in rows]


def row_at(conn: sqlite3.Connection, seq: int) -> AuditEntry | None:
    """The row with sequence number ``seq``, or None."""
    r = conn.execute(f"SELECT {_columns(conn)} FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    return None if r is None else _entry(r)


def walk(conn: sqlite3.Connection) -> list[ChainFinding]:
    """Check every link of the chain; returns one finding per broken row (empty when intact)."""
    findings: list[ChainFinding] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for r in conn.execute(f"SELECT {_columns(conn)} FROM audit_log ORDER BY seq"):
        seq, at_utc, actor, action, target, details_json, prev_hash, row_hash, state_json = r
        if seq != expected_seq:
            findings.append(ChainFinding(seq, f"sequence jumps from {expected_seq - 1} to {seq}"))
        if prev_hash != expected_prev:
            findings.append(ChainFinding(seq, "prev_hash does not match the previous row"))
        try:
            details = json.loads(details_json)
            state = None if state_json is None else json.loads(state_json)
        except json.JSONDecodeError:
            findings.append(ChainFinding(seq, "details or state are not valid JSON"))
            details, state = details_json, state_json
        content = _content(seq, at_utc, actor, action, target, details, prev_hash, state)
        if sha256_hex(canonical_json(content)) != row_hash:
            findings.append(ChainFinding(seq, "row content does not match its hash (edited)"))
        expected_prev = row_hash
        expected_seq = seq + 1
    return findings

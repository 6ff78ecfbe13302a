"""Reading evidence rows and editing what an analyst may edit: source records, flags, notes.

Every edit is one transaction that also appends an audit row with the old and new values.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from typing import Any

from workbench.case.audit import utc_now_iso
from workbench.case.errors import CaseError
from workbench.case.store import Case
from workbench.file_names import name_bytes


@dataclass(frozen=True)
class SourceRecord:
    platform: str = ""
    url: str = ""
    account: str = ""
    upload_time_utc: str = ""
    upload_time_basis: str = ""  # how the upload time is known: "platform page", "archive", ...
    caption: str = ""
    archive_url: str = ""
    obtained_by: str = ""
    downloader: str = ""


SOURCE_FIELDS = tuple(f.name for f in fields(SourceRecord))


@dataclass(frozen=True)
class Evidence:
    id: int
    sha256: str
    original_name: str
    stored_name: str
    size_bytes: int
    kind: str
    imported_at_utc: str
    imported_by: str
    is_graphic: bool
    is_reference: bool
    metadata: dict[str, Any]
    other_names: tuple[str, ...]

    @property
    def has_gps(self) -> bool:
        gps = self.metadata.get("gps") or {}
        location = self.metadata.get("location") or {}
        return bool(gps.get("latitude_deg") is not None or location.get("latitude_deg") is not None)


@dataclass(frozen=True)
class Note:
    id: int
    evidence_id: int | None
    body: str
    author: str
    created_at_utc: str
    updated_at_utc: str


_EVIDENCE_SQL = (
    "SELECT id, sha256, original_name, stored_name, size_bytes, kind, imported_at_utc,"
    " imported_by, is_graphic, is_reference, metadata_json FROM evidence"
)


def _evidence(conn: sqlite3.Connection, row: tuple) -> Evidence:
    names = tuple(
        r[0]
        for r in conn.execute(
            "SELECT name FROM evidence_name WHERE evidence_id = ? AND name != ? ORDER BY name",
            (row[0], row[2]),
        )
    )
    return Evidence(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        bool(row[8]),
        bool(row[9]),
        json.loads(row[10]),
        names,
    )


def list_evidence(conn: sqlite3.Connection) -> list[Evidence]:
    return [_evidence(conn, r) for r in conn.execute(_EVIDENCE_SQL + " ORDER BY id").fetchall()]


def get_evidence(conn: sqlite3.Connection, evidence_id: int) -> Evidence:
    row = conn.execute(_EVIDENCE_SQL + " WHERE id = ?", (evidence_id,)).fetchone()
    if row is None:
        raise CaseError(f"no evidence with id {evidence_id}")
    return _evidence(conn, row)


def find_evidence(conn: sqlite3.Connection, key: str) -> Evidence:
    """Evidence by id, by SHA-256 or a unique prefix of it (at least 6 characters).

    A key of digits is an id when an evidence has that id; a key of six or more digits that
    is no id is tried as a hash prefix too (a hash can begin with digits only).

    Raises:
        CaseError: no evidence, or a prefix that matches several, naming the key.
    """
    if key.isdigit():
        row = conn.execute(_EVIDENCE_SQL + " WHERE id = ?", (int(key),)).fetchone()
        if row is not None:
            return _evidence(conn, row)
        if len(key) < 6:
            raise CaseError(f"no evidence with id {key}")
    if len(key) < 6:
        raise CaseError(f"{key!r}: give an evidence id or at least 6 characters of its sha256")
    rows = conn.execute(_EVIDENCE_SQL + " WHERE sha256 LIKE ?", (key.lower() + "%",)).fetchall()
    if len(rows) != 1:
        raise CaseError(f"{key!r} matches {len(rows)} evidence items, not one")
    return _evidence(conn, rows[0])


def original_name_bytes(conn: sqlite3.Connection, evidence_id: int) -> bytes:
    """The exact bytes of the evidence's original file name, also where they are not valid
    UTF-8 (``Evidence.original_name`` is then the display form, with U+FFFD).

    Raises:
        CaseError: no evidence with that id.
    """
    has_hex = any(
        r[1] == "original_name_bytes_hex" for r in conn.execute("PRAGMA table_info(evidence)")
    )
    column = "original_name_bytes_hex" if has_hex else "NULL"  # a case older than schema 6
    row = conn.execute(
        f"SELECT original_name, {column} FROM evidence WHERE id = ?", (evidence_id,)
    ).fetchone()
    if row is None:
        raise CaseError(f"no evidence with id {evidence_id}")
    return name_bytes(row[0], row[1])


def get_source(conn: sqlite3.Connection, evidence_id: int) -> SourceRecord:
    row = conn.execute(
        f"SELECT {', '.join(SOURCE_FIELDS)} FROM evidence_source WHERE evidence_id = ?",
        (evidence_id,),
    ).fetchone()
    return SourceRecord(*row) if row else SourceRecord()


def update_source(case: Case, evidence_id: int, record: SourceRecord):
    """Replace the source record (async: returns the writer's future)."""

    def do(conn: sqlite3.Connection) -> SourceRecord:
        old = get_source(conn, evidence_id)
        sha = _sha(conn, evidence_id)
        values = [getattr(record, f) for f in SOURCE_FIELDS]
        conn.execute(
            f"INSERT OR REPLACE INTO evidence_source (evidence_id, {', '.join(SOURCE_FIELDS)})"
            f" VALUES (?, {', '.join('?' for _ in SOURCE_FIELDS)})",
            (evidence_id, *values),
        )
        changed = {
            f: {"old": getattr(old, f), "new": getattr(record, f)}
            for f in SOURCE_FIELDS
            if getattr(old, f) != getattr(record, f)
        }
        if changed:
            case.log(conn, "evidence.source_edit", sha, {"changes": changed})
        return record

    return case.write(do)


def set_flags(
    case: Case, evidence_id: int, *, graphic: bool | None = None, reference: bool | None = None
):
    """Set the graphic-content and reference flags (async: returns the writer's future)."""

    def do(conn: sqlite3.Connection) -> None:
        sha = _sha(conn, evidence_id)
        for column, value in (("is_graphic", graphic), ("is_reference", reference)):
            if value is None:
                continue
            conn.execute(
                f"UPDATE evidence SET {column} = ? WHERE id = ?", (int(value), evidence_id)
            )
            case.log(conn, "evidence.flag", sha, {"flag": column, "value": bool(value)})

    return case.write(do)


def _sha(conn: sqlite3.Connection, evidence_id: int) -> str:
    row = conn.execute("SELECT sha256 FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    if row is None:
        raise CaseError(f"no evidence with id {evidence_id}")
    return row[0]


def list_notes(conn: sqlite3.Connection, evidence_id: int | None) -> list[Note]:
    """Notes of one evidence, or the case's own notes when ``evidence_id`` is None."""
    where = "evidence_id IS NULL" if evidence_id is None else "evidence_id = ?"
    args = () if evidence_id is None else (evidence_id,)
    return [
        Note(*r)
        for r in conn.execute(
            "SELECT id, evidence_id, body, author, created_at_utc, updated_at_utc FROM note"
            f" WHERE {where} ORDER BY id",
            args,
        )
    ]


def save_note(case: Case, evidence_id: int | None, body: str, note_id: int | None = None):
    """Add a note, or replace the text of ``note_id`` (async: returns the writer's future)."""

    def do(conn: sqlite3.Connection) -> int:
        now = utc_now_iso()
        target = _sha(conn, evidence_id) if evidence_id is not None else "case"
        if note_id is None:
            cur = conn.execute(
                "INSERT INTO note (evidence_id, body, author, created_at_utc, updated_at_utc)"
                " VALUES (?, ?, ?, ?, ?)",
                (evidence_id, body, case.analyst, now, now),
            )
            case.log(conn, "note.add", target, {"note_id": cur.lastrowid, "body": body})
            return int(cur.lastrowid)
        old = conn.execute("SELECT body FROM note WHERE id = ?", (note_id,)).fetchone()
        if old is None:
            raise CaseError(f"no note with id {note_id}")
        if old[0] != body:
            conn.execute(
                "UPDATE note SET body = ?, updated_at_utc = ? WHERE id = ?", (body, now, note_id)
            )
            case.log(conn, "note.edit", target, {"note_id": note_id, "old": old[0], "new": body})
        return note_id

    return case.write(do)

"""The hash-chained audit log: canonical hashing, append-only, tamper detection."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from workbench.case import audit, create_case
from workbench.case.canonical import canonical_json, sha256_hex


def test_canonical_json_is_sorted_nfc_utf8():
    decomposed = unicodedata.normalize("NFD", "café")
    assert canonical_json({"b": 1, "a": decomposed}) == '{"a":"café","b":1}'
    assert canonical_json({"ar": "مدرسة"}) == '{"ar":"مدرسة"}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_row_hash_is_sha256_of_canonical_content(tmp_path):
    with create_case(tmp_path / "c", analyst="Ana") as case:
        case.write_sync(lambda c: case.log(c, "note.add", "case", {"body": "ملاحظة"}))
        rows = audit.entries(case.read())
    first, second = rows
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.row_hash
    assert second.actor == "Ana"
    content = {
        "seq": 2,
        "at_utc": second.at_utc,
        "actor": "Ana",
        "action": "note.add",
        "target": "case",
        "details": {"body": "ملاحظة"},
        "prev_hash": first.row_hash,
    }
    assert second.row_hash == sha256_hex(canonical_json(content))


def test_update_and_delete_are_refused_by_the_database(tmp_path):
    with create_case(tmp_path / "c") as case:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            case.write_sync(lambda c: c.execute("UPDATE audit_log SET actor = 'x'"))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            case.write_sync(lambda c: c.execute("DELETE FROM audit_log"))
        assert audit.walk(case.read()) == []


def _tamper(db, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "bad_seq", "problem"),
    [
        ('UPDATE audit_log SET details_json = \'{"body":"edited"}\' WHERE seq = 2', 2, "edited"),
        ("UPDATE audit_log SET actor = 'Mallory' WHERE seq = 3", 3, "edited"),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "sequence jumps"),
    ],
)
def test_walk_names_the_row_at_fault(tmp_path, sql, bad_seq, problem):
    with create_case(tmp_path / "c") as case:
        for i in range(3):
            case.write_sync(lambda c, i=i: case.log(c, "note.add", "case", {"body": str(i)}))
        db = case.db_path
    _tamper(db, sql)
    conn = sqlite3.connect(db)
    findings = audit.walk(conn)
    assert findings, "tampering went unnoticed"
    assert findings[0].seq == bad_seq
    assert any(problem in f.problem for f in findings)


def test_rewritten_chain_changes_the_head(tmp_path):
    with create_case(tmp_path / "c") as case:
        case.write_sync(lambda c: case.log(c, "note.add", "case", {"body": "original"}))
        _, head_before = case.audit_head()
    # A forger who rewrites the whole chain consistently still changes the head.
    conn = sqlite3.connect(case.db_path)
    rows = conn.execute("SELECT seq, at_utc, actor, action, target FROM audit_log").fetchall()
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log")
    for seq, at, actor, action, target in rows:
        details = {"body": "forged"} if seq == 2 else {"title": "c"}
        prev = conn.execute("SELECT row_hash FROM audit_log ORDER BY seq DESC").fetchone()
        prev_hash = prev[0] if prev else audit.GENESIS_HASH
        content = {
            "seq": seq,
            "at_utc": at,
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
            "prev_hash": prev_hash,
        }
        conn.execute(
            "INSERT INTO audit_log (seq, at_utc, actor, action, target, details_json, prev_hash,"
            " row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                at,
                actor,
                action,
                target,
                canonical_json(details),
                prev_hash,
                sha256_hex(canonical_json(content)),
            ),
        )
    conn.commit()
    assert audit.walk(conn) == []  # internally consistent...
    assert audit.head(conn)[1] != head_before  # ...but the exported head no longer matches

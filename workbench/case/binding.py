"""Binding the case's tables to the audit chain, so that a published head vouches for them.

Every table of the case except the audit log itself is *bound*: each change to a row is
written into the chain, in the ``state`` of the audit row that closes the change, as the row's
key, its digest (SHA-256 of the row's canonical JSON) and its image (the row itself). The
state at any audit row is therefore the replay of the images up to it, and ``verify``
recomputes the digest of every row of every table and compares it with that replay: an edit,
an insert or a delete made outside the workbench is named by table and key, however
consistent the database was left.

How a change is seen: on a writing connection, TEMP triggers note the key of every row
inserted, updated or deleted into ``temp.bound_change``; ``audit.append`` takes what is noted
so far into the row it appends, and the writer seals what is left (a change after the last
audit row of a transaction) into one ``state`` row before COMMIT. TEMP objects live only on
the workbench's own connection, so nothing in the case file depends on them, and a change
made through another connection is noted nowhere: exactly what ``verify`` then finds.

The frame table's rows (hundreds of thousands per video) are bound per evidence: the state
holds one digest of all frames of a video, not each row. Columns that are NULL are left out
of an image, so a migration that adds a nullable column does not change any digest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from workbench.case.canonical import canonical_json, sha256_hex

AUDIT_TABLE = "audit_log"
# Tables bound as groups (one digest per group, no image): table -> grouping columns.
GROUPED: dict[str, tuple[str, ...]] = {"frame": ("evidence_id",)}
STATE_ACTION = "state"
BASELINE_ACTION = "state.baseline"
_CHANGES = "temp.bound_change"


@dataclass(frozen=True)
class BoundTable:
    """A table and the columns that identify its rows (its primary key, or a group)."""

    name: str
    key_columns: tuple[str, ...]
    grouped: bool
    order_columns: tuple[str, ...] = ("rowid",)  # a stable order of a group's rows


@dataclass(frozen=True)
class Mismatch:
    """A row whose stored state differs from the chain's replay."""

    table: str
    key: tuple[Any, ...]
    problem: str
    last_seq: int | None  # the audit row that last bound this row (None: never bound)


def bound_tables(conn: sqlite3.Connection) -> list[BoundTable]:
    """Every table of the case but the audit log and SQLite's own, with its key columns."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables = []
    for name in names:
        if name == AUDIT_TABLE:
            continue
        info = conn.execute(f'PRAGMA main.table_info("{name}")').fetchall()
        pk = tuple(r[1] for r in sorted((r for r in info if r[5] > 0), key=lambda r: r[5]))
        if name in GROUPED:
            tables.append(BoundTable(name, GROUPED[name], True, pk or ("rowid",)))
        else:
            tables.append(BoundTable(name, pk or ("rowid",), False))
    return tables


def install(conn: sqlite3.Connection) -> bool:
    """Create the TEMP change table and triggers on a writing connection (after migrations).

    Returns False, installing nothing, for a case whose audit log cannot hold state yet (a
    schema older than binding: only tests create those).
    """
    if not _audit_has_state(conn):
        return False
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {_CHANGES} (tbl TEXT NOT NULL, key TEXT NOT NULL, "
        "PRIMARY KEY (tbl, key))"
    )
    for table in bound_tables(conn):
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            notes = " ".join(
                f"INSERT OR IGNORE INTO bound_change (tbl, key) VALUES ('{table.name}', "
                f"json_array({', '.join(f'{row}.{c}' for c in table.key_columns)}));"
                for row in rows
            )
            conn.execute(
                f'CREATE TEMP TRIGGER IF NOT EXISTS "bind_{table.name}_{event.lower()}" '
                f'AFTER {event} ON main."{table.name}" BEGIN {notes} END'
            )
    return True


def _audit_has_state(conn: sqlite3.Connection) -> bool:
    return any(r[1] == "state_json" for r in conn.execute(f"PRAGMA main.table_info({AUDIT_TABLE})"))


def has_pending(conn: sqlite3.Connection) -> bool:
    """Whether rows were changed since the last audit row took the state."""
    try:
        return conn.execute(f"SELECT 1 FROM {_CHANGES} LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:
        return False


def _value(v: Any) -> Any:
    """A column value as JSON holds it (a BLOB as its hex digits)."""
    return {"hex": v.hex()} if isinstance(v, bytes) else v


def _stored(v: Any) -> Any:
    """The inverse of ``_value``."""
    return bytes.fromhex(v["hex"]) if isinstance(v, dict) else v


def _image(conn: sqlite3.Connection, table: BoundTable, key: tuple[Any, ...]) -> dict | None:
    where = " AND ".join(f'"{c}" IS ?' if c != "rowid" else "rowid IS ?" for c in table.key_columns)
    cur = conn.execute(f'SELECT * FROM main."{table.name}" WHERE {where}', key)
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    image = {n: _value(v) for n, v in zip(names, row, strict=True) if v is not None}
    if table.key_columns == ("rowid",):
        image["rowid"] = key[0]
    return image


def _group_digest(conn: sqlite3.Connection, table: BoundTable, key: tuple[Any, ...]) -> str | None:
    """One digest of a group's rows: SHA-256 of the column names and each row's Python repr.

    A repr (integers, shortest round-trip floats, quoted ASCII strings such as frame md5s) is
    five times faster than canonical JSON over the 200,000 rows of a long video's frame table,
    and as stable across CPython 3 versions for these values.
    """
    where = " AND ".join(f'"{c}" IS ?' for c in table.key_columns)
    order = ", ".join(f'"{c}"' if c != "rowid" else c for c in table.order_columns)
    cur = conn.execute(f'SELECT * FROM main."{table.name}" WHERE {where} ORDER BY {order}', key)
    rows = cur.fetchall()
    if not rows:
        return None
    names = repr(tuple(d[0] for d in cur.description))
    return sha256_hex(names + "\n" + "\n".join(map(repr, rows)))


def digest_of(image: dict[str, Any]) -> str:
    """The digest the chain records for a row image."""
    return sha256_hex(canonical_json(image))


def _entry(conn: sqlite3.Connection, table: BoundTable, key: tuple[Any, ...]) -> dict[str, Any]:
    if table.grouped:
        return {"table": table.name, "key": list(key), "digest": _group_digest(conn, table, key)}
    image = _image(conn, table, key)
    digest = None if image is None else digest_of(image)
    return {"table": table.name, "key": list(key), "digest": digest, "image": image}


def take_pending(conn: sqlite3.Connection) -> list[dict[str, Any]] | None:
    """The state entries of the rows changed since the last call, or None if none (or the
    connection does not bind). Clears what it took."""
    try:
        noted = conn.execute(f"SELECT tbl, key FROM {_CHANGES} ORDER BY tbl, key").fetchall()
    except sqlite3.OperationalError:  # no TEMP change table: a reader, or a bare connection
        return None
    if not noted:
        return None
    tables = {t.name: t for t in bound_tables(conn)}
    conn.execute(f"DELETE FROM {_CHANGES}")
    return [_entry(conn, tables[t], tuple(json.loads(k))) for t, k in noted if t in tables]


def note_all(conn: sqlite3.Connection) -> int:
    """Note every row of every bound table as changed (for a baseline); returns the count."""
    count = 0
    for table in bound_tables(conn):
        cols = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in table.key_columns)
        distinct = "DISTINCT " if table.grouped else ""
        for row in conn.execute(f'SELECT {distinct}{cols} FROM main."{table.name}"').fetchall():
            conn.execute(
                f"INSERT OR IGNORE INTO {_CHANGES} (tbl, key) VALUES (?, ?)",
                (table.name, json.dumps(list(row))),
            )
            count += 1
    return count


def has_state(conn: sqlite3.Connection) -> bool:
    """Whether any audit row binds state (False for a case from before binding)."""
    if not _audit_has_state(conn):
        return False
    found = conn.execute(
        f"SELECT 1 FROM {AUDIT_TABLE} WHERE state_json IS NOT NULL LIMIT 1"
    ).fetchone()
    return found is not None


def _state_rows(conn: sqlite3.Connection, upto_seq: int | None) -> Iterator[tuple[int, list]]:
    sql = f"SELECT seq, state_json FROM {AUDIT_TABLE} WHERE state_json IS NOT NULL"
    args: tuple[Any, ...] = ()
    if upto_seq is not None:
        sql += " AND seq <= ?"
        args = (upto_seq,)
    for seq, text in conn.execute(sql + " ORDER BY seq", args):
        yield seq, json.loads(text)


def replay(
    conn: sqlite3.Connection, upto_seq: int | None = None
) -> dict[tuple[str, tuple], tuple[int, str, dict | None]]:
    """The bound state the chain records up to ``upto_seq`` (all of it when None).

    Returns:
        (table, key) -> (seq of the audit row that last bound it, digest, image); rows the
        chain records as deleted are absent. Group-bound rows have no image.
    """
    state: dict[tuple[str, tuple], tuple[int, str, dict | None]] = {}
    for seq, entries in _state_rows(conn, upto_seq):
        for e in entries:
            k = (e["table"], tuple(e["key"]))
            if e["digest"] is None:
                state.pop(k, None)
            else:
                state[k] = (seq, e["digest"], e.get("image"))
    return state


def actual_digests(conn: sqlite3.Connection) -> dict[tuple[str, tuple], str]:
    """The digest of every row (and every group) as the tables hold them now."""
    out: dict[tuple[str, tuple], str] = {}
    for table in bound_tables(conn):
        if table.grouped:
            cols = ", ".join(f'"{c}"' for c in table.key_columns)
            for row in conn.execute(f'SELECT DISTINCT {cols} FROM main."{table.name}"').fetchall():
                digest = _group_digest(conn, table, tuple(row))
                if digest is not None:
                    out[(table.name, tuple(row))] = digest
            continue
        cols = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in table.key_columns)
        for row in conn.execute(f'SELECT {cols} FROM main."{table.name}"').fetchall():
            image = _image(conn, table, tuple(row))
            if image is not None:
                out[(table.name, tuple(row))] = digest_of(image)
    return out


def mismatches(conn: sqlite3.Connection) -> list[Mismatch]:
    """Rows whose state differs from the chain's replay: changed, added or deleted outside."""
    expected = replay(conn)
    actual = actual_digests(conn)
    found = []
    for k in sorted(set(expected) | set(actual), key=lambda k: (k[0], json.dumps(k[1]))):
        table, key = k
        seq = expected[k][0] if k in expected else None
        if k not in actual:
            found.append(Mismatch(table, key, "deleted outside the workbench", seq))
        elif k not in expected:
            found.append(Mismatch(table, key, "added outside the workbench", None))
        elif actual[k] != expected[k][1]:
            found.append(Mismatch(table, key, "changed outside the workbench", seq))
    return found


def images_at(conn: sqlite3.Connection, upto_seq: int) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows as they stood at audit row ``upto_seq`` (group-bound tables empty)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for (table, _key), (_seq, _digest, image) in replay(conn, upto_seq).items():
        if image is not None:
            tables.setdefault(table, []).append(image)
    return tables


def state_at(conn: sqlite3.Connection, upto_seq: int) -> sqlite3.Connection:
    """An in-memory database holding the case's tables as they stood at ``upto_seq``.

    The schema is today's (the tables and indexes of the case, no triggers); the rows are the
    chain's images, and the audit log holds the rows up to ``upto_seq``. Exports built from it
    are the exports of the case at that head.
    """
    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    for (sql,) in conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name"
    ):
        mem.execute(sql)
    for table, images in images_at(conn, upto_seq).items():
        _insert_images(mem, table, images)
    cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({AUDIT_TABLE})")]
    rows = conn.execute(
        f"SELECT {', '.join(cols)} FROM {AUDIT_TABLE} WHERE seq <= ? ORDER BY seq", (upto_seq,)
    ).fetchall()
    mem.executemany(
        f"INSERT INTO {AUDIT_TABLE} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        rows,
    )
    mem.execute("PRAGMA query_only = ON")
    return mem


def _insert_images(mem: sqlite3.Connection, table: str, images: Iterable[dict]) -> None:
    for image in images:
        values = {
            k: bytes.fromhex(v["hex"]) if isinstance(v, dict) else v for k, v in image.items()
        }
        names = list(values)
        quoted = ", ".join(n if n == "rowid" else f'"{n}"' for n in names)
        mem.execute(
            f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(names))})',
            [values[n] for n in names],
        )

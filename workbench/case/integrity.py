"""What ``verify`` checks beyond the evidence bytes and the chain's links.

- The tables against the chain (``workbench.case.binding``): every row changed, added or
  deleted outside the workbench, named by table and key.
- The audit log's own guards: a missing append-only trigger is named (without them a row can
  be rewritten in place).
- A published head (``--expect-head SEQ:HASH``): the chain row at that seq must carry that
  hash, so a chain rewritten after publication is caught even when it is consistent.
- Files the case recorded: frame exports, correspondence figures and KML/GeoJSON exports inside
  the case are re-hashed against the SHA-256 the chain holds, and every provenance sidecar
  under ``exports/`` and ``derived/`` is checked: the files it lists still hash as it says,
  and the audit head it quotes is the chain's row at that seq.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.case import audit, binding, migrations

SIDECAR_KEY = "provenance_schema"  # what marks a JSON file as a provenance sidecar
MAX_SIDECAR_BYTES = 16 * 1024 * 1024
# audit actions that record a figure's PNG and its hash (workbench.correspondence.store,
# workbench.contact_sheet_export)
FIGURE_ACTIONS = ("correspondence.add", "correspondence.restore", "frame.contact_sheet")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error": something was altered or is missing; "warning": worth a look
    where: str  # the file, table row or audit row at fault
    problem: str


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def binding_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Rows of the case's tables that differ from what the chain recorded."""
    if not binding.has_state(conn):
        if migrations.current_version(conn) >= 5:
            return [Finding("error", "case tables", "no audit row binds the tables' state")]
        return [
            Finding(
                "warning",
                "case tables",
                "the case predates binding its tables to the chain: open it once for writing "
                "to bind them as they are now",
            )
        ]
    found = []
    for m in binding.mismatches(conn):
        since = f" (last recorded by audit row {m.last_seq})" if m.last_seq is not None else ""
        key = ", ".join(json.dumps(k, ensure_ascii=False) for k in m.key)
        found.append(Finding("error", f"table {m.table} row {key}", m.problem + since))
    return found


def trigger_findings(conn: sqlite3.Connection) -> list[Finding]:
    """The audit log's append-only triggers that the case's schema should have and lacks."""
    version = migrations.current_version(conn)
    have = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    return [
        Finding("error", f"trigger {name}", "missing: the audit log is no longer append-only")
        for since, names in migrations.AUDIT_TRIGGERS.items()
        if version >= since
        for name in names
        if name not in have
    ]


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as published.

    Raises:
        ValueError: the text is not a positive seq, a colon and 64 hex digits.
    """
    seq_text, sep, digest = text.strip().partition(":")
    digest = digest.lower()
    if not sep or not seq_text.isdigit() or len(digest) != 64:
        raise ValueError(f"{text!r} is not an audit head SEQ:HASH (a seq and 64 hex digits)")
    int(digest, 16)
    return int(seq_text), digest


def head_finding(conn: sqlite3.Connection, seq: int, row_hash: str, where: str) -> Finding | None:
    """None when the chain row at ``seq`` has ``row_hash``; else what is wrong."""
    row = audit.row_at(conn, seq)
    if row is None:
        return Finding("error", where, f"quotes audit row {seq}, which the chain does not have")
    if row.row_hash != row_hash:
        return Finding(
            "error",
            where,
            f"quotes audit head {seq}:{row_hash[:16]}..., but the chain's row {seq} is "
            f"{row.row_hash[:16]}...: the chain was rewritten, or the file altered",
        )
    return None


def _recorded_in_chain(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(seq, path relative to the case, sha256) of files whose hash an audit row records."""
    for e in audit.entries(conn):
        d = e.details
        if e.action == "frame.export" and d.get("png") and d.get("png_sha256"):
            yield e.seq, str(d["png"]), str(d["png_sha256"])
        elif e.action == "geodata.export" and d.get("path") and d.get("sha256"):
            yield e.seq, str(d["path"]), str(d["sha256"])
        elif e.action in FIGURE_ACTIONS and d.get("png") and d.get("png_sha256"):
            yield e.seq, str(d["png"]), str(d["png_sha256"])


def recorded_file_findings(case_path: Path, conn: sqlite3.Connection) -> list[Finding]:
    """Files inside the case whose hash the chain recorded, re-hashed (latest record wins)."""
    latest: dict[Path, tuple[int, str]] = {}
    root = case_path.resolve()
    for seq, rel, digest in _recorded_in_chain(conn):
        path = Path(rel) if Path(rel).is_absolute() else root / rel
        try:
            path = path.resolve()
            path.relative_to(root)
        except (OSError, ValueError):
            continue  # exported outside the case: not the case's to vouch for
        latest[path] = (seq, digest)
    found = []
    for path, (seq, digest) in sorted(latest.items()):
        where = f"{path.relative_to(root).as_posix()} (recorded by audit row {seq})"
        if not path.is_file():
            found.append(Finding("warning", where, "the recorded export is missing"))
        elif _sha256(path) != digest:
            found.append(Finding("error", where, "changed since it was recorded"))
    return found


def _sidecars(case_path: Path) -> Iterator[Path]:
    for sub in ("exports", "derived"):
        folder = case_path / sub
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob("*.json") if p.is_file())


def _load_sidecar(path: Path) -> dict | None:
    if path.stat().st_size > MAX_SIDECAR_BYTES:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and SIDECAR_KEY in doc else None


def sidecar_findings(case_path: Path, conn: sqlite3.Connection) -> list[Finding]:
    """Provenance sidecars in the case: their outputs re-hashed, their quoted heads checked."""
    found = []
    for path in _sidecars(case_path):
        doc = _load_sidecar(path)
        if doc is None:
            continue
        where = path.relative_to(case_path).as_posix()
        head = doc.get("audit_head")
        if isinstance(head, str):
            try:
                seq, digest = parse_head(head)
            except ValueError:
                found.append(Finding("error", where, f"its audit head {head!r} is malformed"))
            else:
                problem = head_finding(conn, seq, digest, where)
                if problem is not None:
                    found.append(problem)
        for out in doc.get("outputs") or []:
            name, digest = out.get("file"), out.get("sha256")
            if not (isinstance(name, str) and isinstance(digest, str)):
                continue
            target = path.parent / name
            if not target.is_file():
                found.append(
                    Finding("warning", f"{where}: {name}", "the file it describes is missing")
                )
            elif _sha256(target) != digest:
                found.append(
                    Finding("error", f"{where}: {name}", "changed since its sidecar was written")
                )
    return found

"""Proving later that nothing was altered: re-hash evidence, check flags, walk the chain, and
check the tables, the audit log's guards and the recorded exports against it (see
``workbench.case.integrity``)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case import audit, integrity, recovery
from workbench.case.intake import file_sha256
from workbench.case.integrity import Finding
from workbench.case.store import Case


@dataclass(frozen=True)
class VerifyReport:
    evidence_checked: int
    audit_rows: int
    audit_head: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def _is_read_only(path: Path) -> bool:
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def verify_case(
    case: Case,
    *,
    expect_head: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> VerifyReport:
    """Re-hash every evidence file, check it is present and read-only, walk the chain, and
    check the tables, the triggers and the recorded exports against the chain.

    Args:
        expect_head: a published head ``SEQ:HASH``; the chain's row at SEQ must have HASH.

    Raises:
        ValueError: ``expect_head`` is not of the form SEQ:HASH.
    """
    expected = None if expect_head is None else integrity.parse_head(expect_head)
    conn = case.read()
    rows = conn.execute(
        "SELECT id, sha256, stored_name, size_bytes FROM evidence ORDER BY id"
    ).fetchall()
    findings: list[Finding] = []
    total = sum(r[3] for r in rows) or 1
    done = 0
    for evidence_id, sha256, stored_name, size in rows:
        check(cancel)
        path = case.evidence_dir / stored_name
        where = f"evidence {evidence_id} ({path})"
        if not path.is_file():
            findings.append(Finding("error", where, "the file is missing"))
        else:
            actual = file_sha256(path)
            if actual != sha256:
                findings.append(Finding("error", where, f"content changed: sha256 is now {actual}"))
            if not _is_read_only(path):
                findings.append(
                    Finding("error", where, "the file is writable (read-only flag removed)")
                )
        done += size
        report(progress, done / total, f"hashed {stored_name[:12]}")
    # Unrecorded or set-aside files in evidence/, half-copied imports, temporaries.
    findings += recovery.leftover_findings(case.path, {r[2] for r in rows})
    for link in audit.walk(conn):
        findings.append(Finding("error", f"audit row {link.seq}", link.problem))
    findings += integrity.trigger_findings(conn)
    if expected is not None:
        problem = integrity.head_finding(conn, *expected, "the published head")
        if problem is not None:
            findings.append(problem)
    check(cancel)
    report(progress, 0.99, "tables against the chain")
    findings += integrity.binding_findings(conn)
    findings += integrity.recorded_file_findings(case.path, conn)
    findings += integrity.sidecar_findings(case.path, conn)
    seq, head = audit.head(conn)
    report(progress, 1.0, "verified")
    return VerifyReport(len(rows), seq, head, tuple(findings))

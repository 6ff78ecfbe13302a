"""Read-side snapshots for the UI: what a window needs, read in one go on a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.jobs import CancelToken, ProgressFn
from workbench.case import audit
from workbench.case.evidence import (
    Evidence,
    Note,
    SourceRecord,
    get_evidence,
    get_source,
    list_evidence,
    list_notes,
)
from workbench.case.store import Case


@dataclass(frozen=True)
class CaseSnapshot:
    title: str
    evidence: tuple[Evidence, ...]
    case_notes: tuple[Note, ...]
    log: tuple[audit.AuditEntry, ...]


@dataclass(frozen=True)
class EvidenceDetail:
    evidence: Evidence
    source: SourceRecord
    notes: tuple[Note, ...]


def snapshot(
    case: Case,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    log_rows: int = 500,
) -> CaseSnapshot:
    conn = case.read()
    return CaseSnapshot(
        case.title,
        tuple(list_evidence(conn)),
        tuple(list_notes(conn, None)),
        tuple(audit.entries(conn, limit=log_rows)),
    )


def evidence_detail(
    case: Case,
    evidence_id: int,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> EvidenceDetail:
    conn = case.read()
    return EvidenceDetail(
        get_evidence(conn, evidence_id),
        get_source(conn, evidence_id),
        tuple(list_notes(conn, evidence_id)),
    )

"""What every section of a report reads: the case's tables at the quoted head, the figures,
the methods being collected."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from analysis.jobs import CancelToken
from workbench.case.evidence import Evidence
from workbench.case.store import Case
from workbench.provenance import AuditHead
from workbench.report.figures import FigureStore
from workbench.report.model import MethodStep


@dataclass
class ReportContext:
    """The case as the report shows it.

    Attributes:
        case: the open case (read-only); its files (evidence/) are read through it.
        conn: the tables as they stand at ``head`` (now, or rebuilt at ``--at``).
        head: the audit row the report quotes.
        at_seq: the ``--at`` row, or None for the case as it stands.
        figures: where figures go.
        evidence: the evidence at ``head``, by id.
        methods: how each figure and number was made, gathered by the sections.
        cancel: the job's cancel token.
    """

    case: Case
    conn: sqlite3.Connection
    head: AuditHead
    at_seq: int | None
    figures: FigureStore
    evidence: dict[int, Evidence]
    methods: list[MethodStep] = field(default_factory=list)
    cancel: CancelToken | None = None  # checked between sections and cited frames
    altered: frozenset[int] = frozenset()  # evidence whose file failed verify: not shown

    @property
    def case_name(self) -> str:
        return self.case.path.name

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

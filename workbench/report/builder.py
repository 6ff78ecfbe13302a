"""``build_report``: open the case read-only, verify it, and write the HTML with its figures.

The report is not logged in the case: it only reads, so a report made while the GUI holds the
case is the same as one made after, and two reports of one head are the same bytes apart from
the export-time line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from analysis.fileio import write_text_atomic
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case import Case, open_case
from workbench.case.evidence import list_evidence
from workbench.case.verify import VerifyReport, verify_case
from workbench.geoexchange import _case_at
from workbench.output_guard import check_output, check_output_folder
from workbench.provenance import case_head
from workbench.report import (
    sections_audit,
    sections_case,
    sections_geometry,
    sections_matches,
    sections_methods,
    sections_observations,
    sections_review,
    sections_timeline,
    sections_video,
)
from workbench.report.context import ReportContext
from workbench.report.figures import FigureStore
from workbench.report.markup import document, esc
from workbench.report.model import ReportResult, Section

REPORT_NAME = "report.html"
EXPORTED_AT_CLASS = "exported-at"

SectionFn = Callable[[ReportContext], list[Section]]


def _section_builders() -> list[tuple[str, SectionFn]]:
    """The sections in report order (the methods come last, from what the others gathered)."""
    return [
        ("summary", sections_case.summary),
        ("evidence", sections_case.evidence),
        ("video", sections_video.video),
        ("matches", sections_matches.matches),
        ("geometry", sections_geometry.geometry),
        ("observations", sections_observations.observation_sections),
        ("timeline", sections_timeline.timeline),
        ("review", sections_review.reviews),
        ("audit", sections_audit.audit),
        ("methods", sections_methods.methods),
    ]


def build_report(
    case_path: Path,
    out_dir: Path,
    *,
    at_seq: int | None = None,
    blur_graphic: bool = False,
    exported_at: datetime | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ReportResult:
    """Write ``out_dir/report.html`` (and ``out_dir/figures/``) for the case.

    Args:
        case_path: the case folder.
        out_dir: where the report goes (created; never a case's evidence/).
        at_seq: report the case as it stood at this audit row (rebuilt from the chain).
        blur_graphic: blur figures of evidence flagged graphic (their unblurred hash is kept).
        exported_at: the time written on the export-time line (default: now); the only
            line that differs between two reports of one head.
        progress: ``progress(fraction, message)``.
        cancel: checked between sections and evidence files.

    Returns:
        The report's path, the verify result and the head it quotes. A case that fails
        verify still gets its report, which says so on its first page.

    Raises:
        CaseError: the case cannot be opened, is older than this workbench (open it once for
            writing to upgrade it), or ``at_seq`` is not in its chain.
        OutputRefusedError: ``out_dir`` is inside a case's evidence folder or the report file
            is read-only.
        JobCancelled: ``cancel`` was set.
    """
    out_dir = check_output_folder(Path(out_dir))
    html_path = check_output(out_dir / REPORT_NAME, replace=True)
    stamp = (exported_at or datetime.now(UTC)).astimezone(UTC)
    with open_case(case_path, read_only=True) as case:
        case.require_current_schema("tables a report reads")  # read-only: never migrated
        report(progress, 0.0, "verifying the case")
        verified = verify_case(case, progress=_scaled(progress, 0.0, 0.4), cancel=cancel)
        ctx = _context(case, at_seq, verified, FigureStore(out_dir, blur_graphic=blur_graphic))
        ctx.cancel = cancel
        sections = _sections(ctx, verified, progress, cancel)
        page = _page(ctx, verified, sections, stamp)
    check(cancel)  # the last point of return: nothing is written before it
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = ctx.figures.write()
    write_text_atomic(html_path, page)
    report(progress, 1.0, f"wrote {html_path.name}")
    return ReportResult(
        html_path=html_path,
        verify_ok=verified.ok,
        verify_problems=problems_of(verified),
        audit_head_seq=ctx.head.seq,
        audit_head_hash=ctx.head.row_hash,
        figures=figures,
    )


def _context(
    case: Case, at_seq: int | None, verified: VerifyReport, figures: FigureStore
) -> ReportContext:
    """What the sections read: the tables at the quoted head, the evidence, the figures."""
    conn = _case_at(case, at_seq)
    return ReportContext(
        case=case,
        conn=conn,
        head=case_head(conn),
        at_seq=at_seq,
        figures=figures,
        evidence={e.id: e for e in list_evidence(conn)},
        altered=altered_evidence(verified),
    )


def altered_evidence(verified: VerifyReport) -> frozenset[int]:
    """The evidence ids whose file verify found missing, changed or writable."""
    found = (re.match(r"evidence (\d+) \(", f.where) for f in verified.findings)
    return frozenset(int(m.group(1)) for m in found if m is not None)


def problems_of(verified: VerifyReport) -> tuple[str, ...]:
    """One line per error of ``verify``: where (file or row) and what."""
    return tuple(f"{f.where}: {f.problem}" for f in verified.findings if f.severity == "error")


def _scaled(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn | None:
    """A sub-job's progress mapped into [lo, hi], never going back."""
    if progress is None:
        return None
    last = [lo]

    def scaled(fraction: float, message: str) -> None:
        last[0] = max(last[0], lo + (hi - lo) * fraction)
        progress(last[0], message)

    return scaled


def _sections(
    ctx: ReportContext,
    verified: VerifyReport,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> list[Section]:
    builders = _section_builders()
    out: list[Section] = []
    for n, (name, fn) in enumerate(builders):
        check(cancel)
        report(progress, 0.4 + 0.55 * n / len(builders), f"writing the {name} section")
        if fn is sections_audit.audit:
            out += sections_audit.audit(ctx, verified)
        else:
            out += fn(ctx)
    return out


def _page(
    ctx: ReportContext, verified: VerifyReport, sections: list[Section], stamp: datetime
) -> str:
    title = f"Evidence report: {ctx.case.title}"
    when = stamp.isoformat(timespec="seconds").replace("+00:00", "Z")
    head_lines = [
        f"<h1>{esc(title)}</h1>",
        sections_audit.first_page(ctx, verified),
        # The one line that differs between two reports of one head: keep it on its own line.
        f'<p class="{EXPORTED_AT_CLASS}">Exported at {when}</p>',
        _contents(sections),
    ]
    body = [
        f'<section id="{esc(s.anchor)}"><h2>{esc(s.title)}</h2>\n{s.body}\n</section>'
        for s in sections
    ]
    return document(title, head_lines, body)


def _contents(sections: list[Section]) -> str:
    items = "".join(f'<li><a href="#{esc(s.anchor)}">{esc(s.title)}</a></li>' for s in sections)
    return f'<nav id="contents"><h2>Contents</h2><ol>{items}</ol></nav>'

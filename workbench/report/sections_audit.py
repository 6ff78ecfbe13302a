"""The first page's integrity statement and the Audit section: the log up to the quoted head,
the chain head, and what ``verify`` found at export time."""

from __future__ import annotations

from workbench.case import audit as audit_log
from workbench.case.verify import VerifyReport
from workbench.records import summarize
from workbench.report.context import ReportContext
from workbench.report.markup import code, dl, esc, para, table, text
from workbench.report.model import Section


def head_label(ctx: ReportContext) -> str:
    return f"{ctx.head.seq}:{ctx.head.row_hash}"


def first_page(ctx: ReportContext, verified: VerifyReport) -> str:
    """The box on the first page: the case, the head quoted, and verify's verdict with every
    file or row that failed."""
    at = (
        f" (the case as it stood at audit row {ctx.at_seq}; the chain now ends at row "
        f"{verified.audit_rows})"
        if ctx.at_seq is not None
        else ""
    )
    facts = dl(
        [
            ("Case", f"{text(ctx.case.title)} ({code(ctx.case_name)})"),
            ("Audit head", f'<span class="hash audit-head">{esc(head_label(ctx))}</span>{at}'),
            ("Head row time (UTC)", esc(ctx.head.at_utc)),
        ]
    )
    if verified.ok:
        verdict = (
            f'<p class="verify-result" data-ok="true"><strong>Verify at export: passed.</strong> '
            f"{verified.evidence_checked} evidence files re-hashed, {verified.audit_rows} audit "
            "rows walked, every table row checked against the chain.</p>"
        )
        return f'<div class="verify-ok" id="integrity">{facts}{verdict}</div>'
    errors = [f for f in verified.findings if f.severity == "error"]
    items = "".join(
        f'<li class="verify-problem"><strong>{text(f.where)}</strong>: {text(f.problem)}</li>'
        for f in errors
    )
    verdict = (
        '<p class="verify-result" data-ok="false"><strong>Verify at export: FAILED.</strong> '
        f"{len(errors)} problem(s); what follows is built from a case that has been altered or "
        f"is incomplete:</p><ul>{items}</ul>"
    )
    return f'<div class="verify-failed" id="integrity">{facts}{verdict}</div>'


def audit(ctx: ReportContext, verified: VerifyReport) -> list[Section]:
    """The log (one line in plain words per row, with its hash), the head, verify's findings."""
    entries = [e for e in audit_log.entries(ctx.conn) if e.seq <= ctx.head.seq]
    rows = [
        [
            str(e.seq),
            esc(e.at_utc),
            text(e.actor),
            code(e.action),
            text(summarize(e)),
            f'<span class="hash">{esc(e.row_hash)}</span>',
        ]
        for e in entries
    ]
    findings = [[esc(f.severity), text(f.where), text(f.problem)] for f in verified.findings]
    body = [
        para(
            "Each row stores the SHA-256 of the previous row and of its own content; the head "
            f"below is what this report vouches for. Check it with {code(_verify_line(ctx))}."
        ),
        dl(
            [
                ("Chain head quoted", f'<span class="hash">{esc(head_label(ctx))}</span>'),
                ("Rows at export", str(verified.audit_rows)),
                ("Chain head at export", f'<span class="hash">{esc(verified.audit_head)}</span>'),
                ("Verify result", "passed" if verified.ok else "FAILED"),
            ]
        ),
        "<h3>Findings of verify</h3>",
        table(["severity", "where", "problem"], findings, cls="findings"),
        "<h3>Audit log</h3>",
        table(["seq", "time (UTC)", "analyst", "action", "what", "row hash"], rows, cls="audit"),
    ]
    return [Section("audit", "Audit", "\n".join(body))]


def _verify_line(ctx: ReportContext) -> str:
    return f"geoworkbench verify {ctx.case_name} --expect-head {head_label(ctx)}"

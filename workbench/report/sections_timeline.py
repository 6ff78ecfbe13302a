"""The Timeline section: every dated thing of the case on one UTC axis, each with the clock it
came from and how far it is trusted (``workbench.timeline``), in the case's zone if set."""

from __future__ import annotations

from workbench.report.context import ReportContext
from workbench.report.markup import MISSING, esc, num, para, table, text
from workbench.report.model import Section
from workbench.timeline import build_timeline, case_zone


def timeline(ctx: ReportContext) -> list[Section]:
    zone = case_zone(ctx.conn) if ctx.table_exists("case_setting") else None
    rows = [
        [
            esc(e.at_utc) if e.at_utc else MISSING,
            esc(e.until_utc) if e.until_utc else MISSING,
            num(e.sigma_s, 1, " s"),
            esc(e.local_time) if e.local_time else MISSING,
            esc(e.kind),
            text(e.label),
            text(e.clock),
            text(e.trust),
            esc(e.source) + (f"<br><strong>{text(e.offset_flag)}</strong>" if e.offset_flag
                             else ""),
        ]
        for e in build_timeline(ctx.conn, zone_name=zone)
    ]  # fmt: skip
    intro = para(
        "Capture clocks, uploads, dates in file names, claims, hypotheses and the analyst's "
        f"events, in UTC{'; local times in ' + esc(zone) if zone else ''}. A stated offset that "
        "the time-zone database contradicts is flagged."
    )
    body = intro + table(
        ["UTC", "until", "± (1σ)", "local", "kind", "what", "clock", "trust", "source"],
        rows,
        cls="timeline",
    )
    return [Section("timeline", "Timeline", body)]

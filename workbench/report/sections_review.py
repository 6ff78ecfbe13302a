"""The Review section: each hypothesis, observation or figure a second analyst signed off,
where it stands (reviewed or disputed, by whom) and its history (``workbench.review``)."""

from __future__ import annotations

from workbench.report.context import ReportContext
from workbench.report.markup import esc, para, table, text
from workbench.report.model import Section
from workbench.review import reviews_for_report


def reviews(ctx: ReportContext) -> list[Section]:
    targets = reviews_for_report(ctx.conn)
    rows = []
    for t in targets:
        history = "<br>".join(
            f"{esc(r.reviewed_at_utc)}: {esc(r.status)} by {text(r.reviewer)}"
            + (f" — {text(r.note)}" if r.note else "")
            for r in t.history
        )
        rows.append(
            [
                text(t.label),
                f'<strong class="review-{esc(t.status)}">{esc(t.status)}</strong>',
                text(t.reviewer),
                history,
            ]
        )
    intro = para(
        "A sign-off is written in the audit log under the reviewer's name; the one who made a "
        "record cannot sign it off. The latest review is where a record stands."
    )
    body = intro + table(["record", "standing", "by", "history"], rows, cls="reviews")
    return [Section("review", "Review", body)]

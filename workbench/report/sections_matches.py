"""The Matches section: correspondence figures (points marked by hand on two views), the
automatic matches behind the continuity notes, and what the case holds of region searches."""

from __future__ import annotations

import hashlib
import json

from workbench import provenance
from workbench.report.context import ReportContext
from workbench.report.figures import figure_html
from workbench.report.markup import code, esc, num, para, table, text
from workbench.report.model import Section


def matches(ctx: ReportContext) -> list[Section]:
    body = ["<h3>Correspondence figures</h3>", *_correspondence(ctx)]
    body += ["<h3>Feature matches behind the continuity notes</h3>", _continuity_matches(ctx)]
    body.append(
        para(
            "Region searches (a box drawn on one view, found in another) are run in the Compare "
            "workspace and are not stored in the case; a result worth citing is saved as a "
            "continuity note or a correspondence figure, which appear here."
        )
    )
    return [Section("matches", "Matches and region searches", "\n".join(body))]


def _correspondence(ctx: ReportContext) -> list[str]:
    if not ctx.table_exists("correspondence_figure"):
        return [para("none", "none")]
    rows = ctx.conn.execute(
        "SELECT id, evidence_a, frame_a, evidence_b, frame_b, title, pairs_json, note, png_path,"
        " png_sha256 FROM correspondence_figure ORDER BY id"
    ).fetchall()
    out = []
    for ident, ea, fa, eb, fb, title, pairs, note, rel, sha in rows:
        a, b = ctx.evidence.get(ea), ctx.evidence.get(eb)
        n_pairs = len(json.loads(pairs)) if pairs else 0
        line = (
            f'evidence A sha256 <span class="hash">{esc(a.sha256 if a else "")}</span> frame '
            f'{esc(fa)} · evidence B sha256 <span class="hash">{esc(b.sha256 if b else "")}'
            f"</span> frame {esc(fb)} · {n_pairs} marked pairs · file {code(rel)} · "
            f"software {esc(provenance.SOFTWARE_NAME)}"
        )
        path = ctx.case.path / rel
        data = path.read_bytes() if path.is_file() else None
        caption = f"Figure {ident}: {text(title)}" + (f" — {text(note)}" if note else "")
        if data is not None and hashlib.sha256(data).hexdigest() == sha:
            graphic = any(e is not None and e.is_graphic for e in (a, b))
            fig = ctx.figures.add(data, graphic=graphic)
            out.append(figure_html(fig, caption, line, ident=f"correspondence-{ident}"))
        else:
            out.append(
                para(
                    f"{caption}: <strong>the figure file {code(rel)} is missing or changed "
                    f"(recorded sha256 {esc(sha)})</strong>"
                )
            )
    return out or [para("none", "none")]


def _continuity_matches(ctx: ReportContext) -> str:
    if not ctx.table_exists("continuity_note"):
        return para("none", "none")
    rows = []
    for ident, ea, fa, eb, fb, figures in ctx.conn.execute(
        "SELECT id, evidence_a, frame_a, evidence_b, frame_b, figures_json FROM continuity_note"
        " ORDER BY id"
    ).fetchall():
        f = json.loads(figures) if figures else {}
        rows.append(
            [
                f'<a href="#continuity-{ident}">note {ident}</a>',
                f"{ea} / {esc(fa)}",
                f"{eb} / {esc(fb)}",
                esc(f.get("method", "")),
                num(f.get("matches")),
                num(f.get("inliers")),
                num(f.get("zoom_ratio"), 3),
                num(f.get("rotation_deg"), 2),
                esc(f.get("match_verdict", "")),
            ]
        )
    return table(
        ["note", "A (evidence / frame)", "B (evidence / frame)", "method", "matches", "inliers",
         "zoom B/A", "rotation (deg)", "match verdict"],
        rows,
        cls="matches",
    )  # fmt: skip

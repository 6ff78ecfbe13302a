"""The Video section: cuts and segments, continuity notes with their numbers, exported and
annotated frames, and every frame the report cites, each with its provenance line."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workbench.continuity_store import list_continuity_notes
from workbench.report.context import ReportContext
from workbench.report.continuity_figure import DEFAULT_METHOD, continuity_figure_html, figure_name
from workbench.report.figures import figure_html
from workbench.report.frames import FrameCiter, check_lines, cited_frame_html
from workbench.report.markup import MISSING, cell, code, dl, esc, num, para, table, text
from workbench.report.model import MethodStep, Section
from workbench.video_store import list_segments

# Continuity numbers shown, in this order, with their labels.
CONTINUITY_NUMBERS = (
    ("verdict", "verdict"),
    ("match_verdict", "match verdict"),
    ("matches", "matches"),
    ("inliers", "inliers"),
    ("inlier_ratio", "inlier ratio"),
    ("zoom_ratio", "zoom ratio (B / A)"),
    ("rotation_deg", "rotation (deg)"),
    ("overlap_a_frac", "overlap of A"),
    ("overlap_b_frac", "overlap of B"),
    ("reprojection_rmse_px", "reprojection RMSE (px)"),
    ("ncc", "NCC"),
    ("ssim", "SSIM"),
    ("reason", "reason"),
)


def video(ctx: ReportContext) -> list[Section]:
    with FrameCiter(ctx) as citer:
        return _video(ctx, citer)


def _video(ctx: ReportContext, citer: FrameCiter) -> list[Section]:
    body: list[str] = ["<h3>Cuts and segments</h3>"]
    for e in ctx.evidence.values():
        if e.kind == "video":
            body.append(_segments(ctx, e.id, e.original_name))
    body.append("<h3>Continuity notes</h3>")
    body += _continuity(ctx, citer)
    body.append("<h3>Exported frames</h3>")
    body.append(_exports(ctx, citer))
    body.append("<h3>Annotations</h3>")
    body.append(_annotations(ctx, citer))
    _observation_frames(ctx, citer)
    body.append("<h3>Cited frames</h3>")
    body.append(
        para(
            "Every frame the report refers to, decoded from the evidence. The figure's SHA-256 "
            "is that of the PNG that the line under it writes; the frame md5 is what "
            f"{code('ffmpeg -f framemd5')} prints for it."
        )
    )
    for c in citer.cited:
        body.append(cited_frame_html(c) + check_lines(ctx, c))
    if not citer.cited:
        body.append(para("No frame is cited.", "none"))
    if citer.failed:  # a missing or altered file: verify names it on the first page
        items = "".join(f"<li>{text(f)}</li>" for f in dict.fromkeys(citer.failed))
        body.append(
            f'<p class="frames-failed"><strong>Not shown: the file is missing or could '
            f"not be decoded (see verify on the first page):</strong></p><ul>{items}</ul>"
        )
    return [Section("video", "Video", "\n".join(body))]


def _segments(ctx: ReportContext, evidence_id: int, name: str) -> str:
    if not ctx.table_exists("segment"):
        return ""
    segs = list_segments(ctx.conn, evidence_id)
    rows = [
        [
            str(n + 1),
            str(s.first_frame),
            str(s.last_frame),
            str(s.keyframe_index),
            esc(s.boundary_kind or "start"),
            num(s.boundary_score, 3),
            esc(s.origin),
        ]
        for n, s in enumerate(segs)
    ]
    cuts = [s.first_frame for s in segs[1:]]
    head = (
        f'<h4>Evidence {evidence_id}: {text(name)}</h4><p class="cuts" '
        f'data-evidence="{evidence_id}">Cuts at frames: '
        f"{esc(', '.join(map(str, cuts))) if cuts else 'none found'}</p>"
    )
    return head + table(
        ["segment", "first frame", "last frame", "keyframe", "begins with", "score", "origin"],
        rows,
        cls="segments",
    )


def _continuity(ctx: ReportContext, citer: FrameCiter) -> list[str]:
    if not ctx.table_exists("continuity_note"):
        return [para("none", "none")]
    out = []
    for note in list_continuity_notes(ctx.conn):
        f = note.figures
        a = citer.cite(note.a.evidence_id, note.a.frame_index, f"continuity note {note.id}, A")
        b = citer.cite(note.b.evidence_id, note.b.frame_index, f"continuity note {note.id}, B")
        numbers = [(label, cell(f.get(key))) for key, label in CONTINUITY_NUMBERS if key in f]
        refs = ", ".join(
            f'<a href="#{c.anchor}">evidence {c.evidence.id} frame {c.frame_index}</a>'
            for c in (a, b)
            if c is not None
        )
        out.append(
            f'<div class="continuity" id="continuity-{note.id}" data-verdict="{esc(note.verdict)}">'
            f"<h4>Note {note.id}: evidence {note.a.evidence_id} frame {note.a.frame_index} "
            f"against evidence {note.b.evidence_id} frame {note.b.frame_index}</h4>"
            + dl([("Verdict", f'<strong class="verdict">{esc(note.verdict)}</strong>'),
                  *numbers, ("Frames", refs or MISSING), ("Analyst's note", text(note.note))])
            + (para(text(f["time_note"]), "time-note") if f.get("time_note") else "")
            + (continuity_figure_html(ctx, citer, note.id, f, a, b) if a and b else "")
            + "</div>"
        )  # fmt: skip
        _continuity_method(ctx, note.id, f, (a, b))
    return out or [para("none", "none")]


def _continuity_method(ctx: ReportContext, note_id: int, f: dict[str, Any], frames) -> None:
    soft = f.get("software") or {}
    cited = [c for c in frames if c is not None]
    commands: tuple[str, ...] = ()
    if len(cited) == 2:  # both frames decoded: the match can be run again on their PNGs
        a, b = cited
        commands = (
            f"geoworkbench match frame_{a.evidence.sha256[:12]}_{a.frame_index}.png "
            f"frame_{b.evidence.sha256[:12]}_{b.frame_index}.png --viewpoint "
            f"--method {f.get('method') or DEFAULT_METHOD} --figure {figure_name(note_id)} "
            f"--as-of {ctx.head.at_utc} --json",
        )
    ctx.methods.append(
        MethodStep(
            what=f"continuity note {note_id} (verdict {f.get('verdict')})",
            algorithm=str(f.get("algorithm", "")),
            version=f"{soft.get('name', '')} {soft.get('version', '')}".strip(),
            params={"method": f.get("method"), "libraries": soft.get("libraries", {})},
            inputs=tuple(c.evidence.sha256 for c in cited),
            commands=commands,
        )
    )


def _exports(ctx: ReportContext, citer: FrameCiter) -> str:
    if not ctx.table_exists("frame_export"):
        return para("none", "none")
    rows = ctx.conn.execute(
        "SELECT id, evidence_id, frame_index, png_path, png_sha256, sidecar_json"
        " FROM frame_export ORDER BY id"
    ).fetchall()
    out = []
    for ident, eid, index, rel, sha, sidecar in rows:
        record = json.loads(sidecar) if sidecar else {}
        ops = ", ".join(o.get("op", "") for o in record.get("operations", []))
        path = ctx.case.path / rel
        data = path.read_bytes() if path.is_file() else None
        e = ctx.evidence.get(eid)
        line = (
            f'export {ident}: evidence sha256 <span class="hash">{esc(e.sha256 if e else "")}'
            f"</span> · frame index {index} · file {code(rel)} · operations: {esc(ops)} · "
            f"audit head {esc(record.get('audit_head'))}"
        )
        if data is not None and hashlib.sha256(data).hexdigest() == sha:
            fig = ctx.figures.add(data, graphic=bool(e and e.is_graphic))
            out.append(figure_html(fig, f"Exported frame {index} of evidence {eid}", line,
                                   ident=f"export-{ident}"))  # fmt: skip
        else:
            out.append(para(line + " · <strong>the exported file is missing or changed</strong>"))
        citer.cite(eid, index, f"exported as {rel}")
    return "\n".join(out) or para("none", "none")


def _annotations(ctx: ReportContext, citer: FrameCiter) -> str:
    if not ctx.table_exists("annotation"):
        return para("none", "none")
    rows = []
    for ident, eid, index, geometry, label in ctx.conn.execute(
        "SELECT id, evidence_id, frame_index, geometry_json, label FROM annotation ORDER BY id"
    ).fetchall():
        shape = json.loads(geometry) if geometry else {}
        c = citer.cite(eid, index, f"annotation {ident}")
        where = f'<a href="#{c.anchor}">frame {index}</a>' if c else esc(index)
        kind = shape.get("kind") or shape.get("type") or ""
        rows.append([str(ident), str(eid), where, text(label), esc(kind), code(geometry)])
    return table(["id", "evidence", "frame", "label", "shape", "geometry (image pixels)"], rows)


def _observation_frames(ctx: ReportContext, citer: FrameCiter) -> None:
    """Frames that observations were measured on are cited too (the Geometry section links)."""
    if not ctx.table_exists("observation"):
        return
    for ident, kind, eid, index in ctx.conn.execute(
        "SELECT id, kind, evidence_id, frame_index FROM observation"
        " WHERE evidence_id IS NOT NULL ORDER BY id"
    ).fetchall():
        citer.cite(eid, index, f"{kind} observation {ident} was measured on it")

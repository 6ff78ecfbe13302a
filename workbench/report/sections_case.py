"""The summary (the case, its hypotheses and claims with their verdicts) and the evidence
table (hashes, sizes, kinds, every clock labelled, source records, the graphic flag)."""

from __future__ import annotations

from workbench.case.evidence import Evidence, get_source, list_notes
from workbench.claims import list_claims
from workbench.hypotheses import list_hypotheses
from workbench.report.context import ReportContext
from workbench.report.markup import MISSING, code, dl, esc, num, para, table, text
from workbench.report.model import Section
from workbench.timeline import _labelled_times


def summary(ctx: ReportContext) -> list[Section]:
    """The case at a glance, its hypotheses and its claims with their verdicts."""
    conn = ctx.conn
    counts = [
        ("Evidence files", str(len(ctx.evidence))),
        ("Observations", str(_count(ctx, "observation"))),
        ("Landmarks, cameras and targets", str(_count(ctx, "landmark"))),
        ("Continuity notes", str(_count(ctx, "continuity_note"))),
        ("Audit rows quoted", str(ctx.head.seq)),
    ]
    body = [dl([("Case", text(ctx.case.title)), ("Folder", code(ctx.case_name)), *counts])]
    body += _case_notes(ctx)
    body.append("<h3>Hypotheses</h3>")
    rows = [
        [
            str(h.id),
            text(h.title),
            _place(h.lat_deg, h.lon_deg),
            num(h.radius_m, 0, " m"),
            text(h.confidence or "not assessed"),
            _when(h.time_from_utc, h.time_to_utc),
            text(", ".join(str(i) for i in h.observation_ids)),
            text(h.rationale),
        ]
        for h in list_hypotheses(conn)
    ]
    body.append(
        table(
            ["id", "title", "place", "radius", "confidence", "time (UTC)", "observations",
             "rationale"],
            rows,
            cls="hypotheses",
        )
    )  # fmt: skip
    body.append("<h3>Claims and verdicts</h3>")
    body.append(_claims(ctx))
    return [Section("summary", "Summary", "\n".join(body))]


def _count(ctx: ReportContext, name: str) -> int:
    if not ctx.table_exists(name):
        return 0
    return int(ctx.conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])


def _case_notes(ctx: ReportContext) -> list[str]:
    notes = _notes(ctx, None)
    return [f"<h3>Case notes</h3>{notes}"] if notes else []


def _notes(ctx: ReportContext, evidence_id: int | None) -> str:
    """The case's notes (None) or an evidence's, each with its author and time."""
    items = "".join(
        f'<li>{text(n.body)} <span class="by">({text(n.author)}, {esc(n.updated_at_utc)})</span>'
        "</li>"
        for n in list_notes(ctx.conn, evidence_id)
    )
    return f'<ul class="notes">{items}</ul>' if items else ""


def _place(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return MISSING
    return f"{lat:.6f}, {lon:.6f}"


def _when(start: str | None, end: str | None) -> str:
    if not start:
        return MISSING
    return esc(start) if not end or end == start else f"{esc(start)} – {esc(end)}"


def _claims(ctx: ReportContext) -> str:
    rows = []
    for c in list_claims(ctx.conn):
        links = "; ".join(
            f"{lk.target_kind} {lk.target_id}"
            + (f" frame {lk.frame_index}" if lk.frame_index is not None else "")
            + (f" ({lk.note})" if lk.note else "")
            for lk in c.links
        )
        rows.append(
            [
                str(c.id),
                text(c.text) + (f"<br>translation: {text(c.translation)}" if c.translation else ""),
                text(c.claimed_by),
                esc(c.claimed_at_given or c.claimed_at_utc) + f"<br>UTC {esc(c.claimed_at_utc)}",
                text(c.source_url),
                f'<span class="verdict">{esc(c.verdict)}</span>'
                + (f"<br>{text(c.verdict_note)}" if c.verdict_note else ""),
                text(links),
            ]
        )
    return table(
        ["id", "claim", "by", "claimed at", "source", "verdict", "resting on"], rows, cls="claims"
    )


def evidence(ctx: ReportContext) -> list[Section]:
    """One row per evidence file, then its clocks and its source record."""
    rows = [
        [
            str(e.id),
            text(e.original_name)
            + (f"<br>also named: {text(', '.join(e.other_names))}" if e.other_names else ""),
            f'<span class="hash evidence-sha256">{esc(e.sha256)}</span>',
            f"{e.size_bytes:,} B",
            esc(e.kind) + (" (reference)" if e.is_reference else ""),
            "graphic" if e.is_graphic else "no",
            esc(e.imported_at_utc) + f"<br>by {text(e.imported_by)}",
        ]
        for e in ctx.evidence.values()
    ]
    body = [
        para(
            "Each file is known by its SHA-256; anyone can check a copy with "
            + code("sha256sum FILE")
            + "."
        ),
        table(
            ["id", "name", "SHA-256", "size", "kind", "graphic", "imported"],
            rows,
            cls="evidence",
        ),
    ]
    for e in ctx.evidence.values():
        body.append(_evidence_detail(ctx, e))
    return [Section("evidence", "Evidence", "\n".join(body))]


def _evidence_detail(ctx: ReportContext, e: Evidence) -> str:
    clocks = [
        [
            text(t.get("clock")),
            text(t.get("value")),
            text(t.get("utc_offset")),
            text(t.get("utc")),
            text(", ".join(t.get("source_tags") or [])),
        ]
        for t in _labelled_times(e.metadata)
    ]
    src = get_source(ctx.conn, e.id)
    source = [
        ("Platform", text(src.platform)),
        ("URL", text(src.url)),
        ("Uploader", text(src.account)),
        ("Upload time (UTC)", text(src.upload_time_utc)),
        ("Upload time known from", text(src.upload_time_basis)),
        ("Caption", text(src.caption)),
        ("Archive", text(src.archive_url)),
        ("Obtained by", text(src.obtained_by)),
        ("Downloader", text(src.downloader)),
    ]
    facts = _media_facts(e)
    notes = [text(n) for n in e.metadata.get("clock_notes") or []]
    return (
        f'<div class="evidence-detail" id="evidence-{e.id}">'
        f"<h3>Evidence {e.id}: {text(e.original_name)}</h3>\n"
        + dl(facts)
        + "\n<h4>Clocks (each labelled with the clock it comes from)</h4>\n"
        + table(["clock", "value as written", "offset", "UTC", "read from"], clocks)
        + ("".join(para(n, "clock-note") for n in notes))
        + "\n<h4>Source</h4>\n"
        + dl(source)
        + (f"\n<h4>Notes</h4>\n{mine}" if (mine := _notes(ctx, e.id)) else "")
        + "</div>"
    )


def _media_facts(e: Evidence) -> list[tuple[str, str]]:
    m = e.metadata
    facts = [("Format", text(m.get("format_description") or m.get("format")))]
    video = next((s for s in m.get("streams") or [] if s.get("type") == "video"), None)
    if video is not None:
        facts += [
            ("Picture", f"{video.get('width_px')} x {video.get('height_px')} px, "
             f"{esc(video.get('codec'))}"),
            ("Frames", num(video.get("frame_count"))),
            ("Duration", num(m.get("duration_s"), 3, " s")),
            ("Rotation", num(video.get("rotation_deg"), 0, " deg")),
        ]  # fmt: skip
    elif m.get("width_px"):
        facts.append(("Picture", f"{m.get('width_px')} x {m.get('height_px')} px"))
    camera = m.get("camera") or {}
    if camera.get("make") or camera.get("model"):
        facts.append(("Camera", text(f"{camera.get('make') or ''} {camera.get('model') or ''}")))
    gps = m.get("gps") or m.get("location") or {}
    if gps.get("latitude_deg") is not None:
        facts.append(("GPS position", _place(gps.get("latitude_deg"), gps.get("longitude_deg"))))
    return facts

"""The side-by-side match figure of a continuity note, made for the report from its two cited
frames.

The report reads only, so the figure is not taken from derived/ (which may be stale or gone)
but drawn again in memory: the two clean frames as ``geoworkbench match`` reads the PNGs of the
frame lines, matched with the note's method (``analysis.matching.engine.match_images``: SIFT
features, RANSAC with OpenCV's fixed seed, ECC refinement, all deterministic) and drawn by
``analysis.matching.figures.side_by_side``; the PNG is encoded as ``match --figure`` writes it,
so the methods line gives the same bytes. The figure's numbers are set beside the stored ones:
a difference is said, never hidden.
"""

from __future__ import annotations

from typing import Any

from analysis.errors import WorkbenchError
from analysis.jobs import CancelToken
from workbench import provenance
from workbench.report.context import ReportContext
from workbench.report.figures import figure_html
from workbench.report.frames import CitedFrame, FrameCiter
from workbench.report.markup import esc, para

DEFAULT_METHOD = "sift"


def figure_name(note_id: int) -> str:
    """The file the methods line writes the figure to."""
    return f"continuity_{note_id}_pair.png"


def match_figure_png(
    a_bgr: Any, b_bgr: Any, method: str, cancel: CancelToken | None = None
) -> tuple[bytes, Any]:
    """The side-by-side PNG bytes (OpenCV's encoder, as ``match --figure``) and the match.

    Raises:
        JobCancelled: the report was cancelled.
    """
    import cv2

    from analysis.matching.engine import match_images
    from analysis.matching.figures import side_by_side

    result = match_images(a_bgr, b_bgr, method=method, cancel=cancel)
    ok, buf = cv2.imencode(".png", side_by_side(a_bgr, b_bgr, result))
    if not ok:
        raise WorkbenchError("could not encode the continuity figure as PNG")
    return buf.tobytes(), result


def continuity_figure_html(
    ctx: ReportContext,
    citer: FrameCiter,
    note_id: int,
    stored: dict[str, Any],
    a: CitedFrame,
    b: CitedFrame,
) -> str:
    """The note's figure with its provenance line, or a line saying why there is none."""
    method = str(stored.get("method") or DEFAULT_METHOD)
    try:
        png, m = match_figure_png(citer.pixels_bgr(a), citer.pixels_bgr(b), method, ctx.cancel)
    except WorkbenchError as exc:
        return para(f"No match figure: {esc(exc)}", "no-figure")
    fig = ctx.figures.add(png, graphic=a.evidence.is_graphic or b.evidence.is_graphic)
    numbers = f"{m.verdict}: {m.n_matches} matches, {m.n_inliers} inliers"
    same = (stored.get("matches"), stored.get("inliers")) == (m.n_matches, m.n_inliers)
    agree = (
        "the same counts as the note"
        if same
        else (
            f"<strong>not the note's counts ({esc(stored.get('matches'))} matches, "
            f"{esc(stored.get('inliers'))} inliers): the note was saved by another version or "
            "from other frames</strong>"
        )
    )
    caption = (
        f"Continuity note {note_id}: frame A (left) and frame B (right) matched again for this "
        f"report with {esc(method)}; inlier lines green, rejected red, B's frame outlined in A "
        f"in yellow. Recomputed: {esc(numbers)}, {agree}."
    )
    libs = ", ".join(f"{k} {v}" for k, v in sorted(provenance.matcher_libraries().items()))
    line = " · ".join(
        [
            *(_source(c, side) for c, side in ((a, "A"), (b, "B"))),
            f"operations: match (method {esc(method)}), side_by_side",
            f"software: {esc(provenance.SOFTWARE_NAME)} {esc(provenance.software().version)} "
            f"({esc(libs)})",
        ]
    )
    return figure_html(fig, caption, line, ident=f"continuity-{note_id}-figure")


def _source(c: CitedFrame, side: str) -> str:
    what = "still image" if c.frame_index is None else f"frame index {c.frame_index}"
    md5 = "" if c.frame_md5 is None else f", frame md5 {esc(c.frame_md5)}"
    return (
        f'{side}: evidence sha256 <span class="hash">{esc(c.evidence.sha256)}</span>, {what}{md5}'
    )

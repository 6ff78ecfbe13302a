"""Continuity notes and match figures: what a comparison leaves in the case.

* Continuity notes go to the table ``continuity_note`` (migration 3): the figures as JSON,
  the analyst's note, an audit row ``continuity.note`` (``continuity.note_edit`` on edits).
* Figures (side by side with inlier lines, B warped onto A) go to ``derived/figures/`` as PNGs
  with a provenance sidecar (``workbench.provenance``, next to the side-by-side PNG): both
  inputs' sha256, frame index, pts and md5, parameters, software versions and the audit head,
  as of that head's time.

The comparisons themselves (features, the viewpoint verdict) are ``workbench.match_store``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.fileio import write_bytes_atomic
from workbench import provenance
from workbench.case import audit
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence, get_evidence
from workbench.case.store import Case
from workbench.match_store import ALGORITHM, FIGURES_DIR, ViewRef, as_ref, load_view


@dataclass(frozen=True)
class ContinuityNote:
    """A stored continuity note: the figures as saved and the analyst's words."""

    id: int
    a: ViewRef
    b: ViewRef
    verdict: str
    figures: dict[str, Any]
    note: str
    created_at_utc: str


@dataclass(frozen=True)
class MatchFigures:
    """Where the figures of one comparison were written."""

    side_by_side_path: Path
    overlay_path: Path | None  # None without a homography
    sidecar_path: Path
    audit_head: str  # "seq:row_hash" written into the sidecar


# -- loading views and features ---------------------------------------------------------------


def _num(v: Any) -> Any:
    """JSON-safe number: NaN and infinities become None."""
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else f


def _parallax_figures(p: Any) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "distinct_matches": p.n_distinct,
        "explained_by_h": p.n_explained,
        "off_h": p.n_off,
        "off_h_keeping_scale_and_angle": p.n_consistent,
        "showing_parallax": p.n_parallax,
        "epipole_b_px": None if p.epipole_b is None else [_num(v) for v in p.epipole_b],
        "parallax_median_px": _num(p.parallax_px),
    }


def result_figures(result: Any, a: ViewRef, b: ViewRef, method: str = "sift") -> dict[str, Any]:
    """The numbers of a ContinuityResult (or a MatchResult) as stored in a continuity note."""
    m = getattr(result, "match", result)
    return {
        "verdict": result.verdict,
        "reason": result.reason,
        "time_note": getattr(result, "note", None),
        "match_verdict": m.verdict,
        "zoom_ratio": _num(m.zoom_ratio),
        "rotation_deg": _num(m.rotation_deg),
        "overlap_a_frac": _num(m.overlap_a_frac),
        "overlap_b_frac": _num(m.overlap_b_frac),
        "matches": m.n_matches,
        "inliers": m.n_inliers,
        "inlier_ratio": _num(m.inlier_ratio),
        "reprojection_rmse_px": _num(m.reprojection_rmse_px),
        "ncc": _num(getattr(result, "ncc", None)),
        "ssim": _num(getattr(result, "ssim", None)),
        "parallax": _parallax_figures(getattr(result, "parallax", None)),
        "homography": m.to_dict()["homography"],
        "frames_compared": [
            {"evidence_id": a.evidence_id, "frame_index": a.frame_index},
            {"evidence_id": b.evidence_id, "frame_index": b.frame_index},
        ],
        "method": method,
        "algorithm": ALGORITHM,
        "software": provenance.software(provenance.matcher_libraries()).to_dict(),
    }


def save_continuity_note(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    result: Any,
    note_text: str,
    *,
    method: str = "sift",
    figure_sidecar: Path | None = None,
) -> Future[int]:
    """Store the figures of ``result`` and the analyst's note; audited. Returns the note id.

    ``figure_sidecar``: the provenance file of the figures written for this comparison (see
    :func:`write_match_figures`); its path relative to the case is stored with the numbers.
    """
    ra, rb = as_ref(a), as_ref(b)
    figures = result_figures(result, ra, rb, method)
    if figure_sidecar is not None:
        figures["figure_sidecar"] = Path(figure_sidecar).relative_to(case.path).as_posix()
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, allow_nan=False)

    def do(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "INSERT INTO continuity_note (evidence_a, frame_a, evidence_b, frame_b, verdict,"
            " figures_json, note, created_at_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ra.evidence_id, ra.frame_index, rb.evidence_id, rb.frame_index, result.verdict,
             text, note_text, audit.utc_now_iso()),
        )  # fmt: skip
        note_id = int(cur.lastrowid)
        details = {
            "note_id": note_id,
            "a": [_sha(conn, ra.evidence_id), ra.frame_index],
            "b": [_sha(conn, rb.evidence_id), rb.frame_index],
            "verdict": result.verdict,
            "figures_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "note": note_text,
        }
        case.log(conn, "continuity.note", f"continuity_note:{note_id}", details)
        return note_id

    return case.write(do)


def _sha(conn: sqlite3.Connection, evidence_id: int) -> str:
    return get_evidence(conn, evidence_id).sha256


def list_continuity_notes(
    conn: sqlite3.Connection, evidence_id: int | None = None
) -> list[ContinuityNote]:
    """Stored notes, oldest first; with ``evidence_id`` only those involving that evidence."""
    sql = (
        "SELECT id, evidence_a, frame_a, evidence_b, frame_b, verdict, figures_json, note,"
        " created_at_utc FROM continuity_note"
    )
    args: tuple = ()
    if evidence_id is not None:
        sql += " WHERE evidence_a = ? OR evidence_b = ?"
        args = (evidence_id, evidence_id)
    rows = conn.execute(sql + " ORDER BY id", args).fetchall()
    return [
        ContinuityNote(r[0], ViewRef(r[1], r[2]), ViewRef(r[3], r[4]), r[5], json.loads(r[6]),
                       r[7], r[8])
        for r in rows
    ]  # fmt: skip


def update_continuity_note(case: Case, note_id: int, note_text: str) -> Future[None]:
    """Replace the analyst's words of a note (the figures stay); audited with old and new."""

    def do(conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT note FROM continuity_note WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise CaseError(f"no continuity note with id {note_id}")
        conn.execute("UPDATE continuity_note SET note = ? WHERE id = ?", (note_text, note_id))
        details = {"note_id": note_id, "old": row[0], "new": note_text}
        case.log(conn, "continuity.note_edit", f"continuity_note:{note_id}", details)

    return case.write(do)


def _png(image: np.ndarray) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise CaseError("could not encode a match figure as PNG")
    return buf.tobytes()


def write_match_figures(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    result: Any,
    *,
    quad_b_px: np.ndarray | None = None,
    parameters: dict[str, Any] | None = None,
) -> MatchFigures:
    """Write the side-by-side and warped-overlay PNGs and their provenance sidecar.

    Files: ``derived/figures/<shaA12>_<frame>__<shaB12>_<frame>_{pair,overlay}.png`` and the
    sidecar ``..._pair.png.json`` (``provenance.sidecar_path`` of the side-by-side figure), as
    of the case's audit head. Runs on a worker thread (it decodes both views).
    """
    from analysis.matching.figures import side_by_side, warp_overlay

    ra, rb = as_ref(a), as_ref(b)
    img_a, ea = load_view(case, ra)
    img_b, eb = load_view(case, rb)
    m = getattr(result, "match", result)
    out_dir = case.derived_dir / FIGURES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{ea.sha256[:12]}_{ra.cache_tag}__{eb.sha256[:12]}_{rb.cache_tag}"
    pair_png = _png(side_by_side(img_a, img_b, m, quad_b_px=quad_b_px))
    pair_path = out_dir / f"{stem}_pair.png"
    write_bytes_atomic(pair_path, pair_png)
    outputs = [provenance.Output("side_by_side", pair_path.name, _digest(pair_png))]
    overlay_path = None
    if m.matched and m.homography is not None:
        over_png = _png(warp_overlay(img_a, img_b, m.homography))
        overlay_path = out_dir / f"{stem}_overlay.png"
        write_bytes_atomic(overlay_path, over_png)
        outputs.append(provenance.Output("overlay", overlay_path.name, _digest(over_png)))
    conn = case.read()
    head = provenance.case_head(conn)  # the figures speak as of this head, in its time
    params = parameters or {"method": m.method}
    record = provenance.build(
        as_of=head.at_utc,
        software=provenance.software(provenance.matcher_libraries()),
        audit_head=head,
        sources=[_source(conn, ea, ra), _source(conn, eb, rb)],
        operations=_figure_operations(params, quad_b_px, overlay_path is not None),
        outputs=outputs,
        details={
            "inputs": [_input(ea), _input(eb)],
            "result": result_figures(result, ra, rb, params.get("method", m.method)),
            "written_by": case.analyst,
        },
    )
    side_path = provenance.write_sidecar(pair_path, record)
    return MatchFigures(pair_path, overlay_path, side_path, head.label)


def _figure_operations(
    params: dict[str, Any], quad_b_px: np.ndarray | None, overlay: bool
) -> list[provenance.Operation]:
    quad = None if quad_b_px is None else np.asarray(quad_b_px).tolist()
    ops = [
        provenance.Operation("match", params),
        provenance.Operation("side_by_side", {"quad_b_px": quad}),
    ]
    if overlay:
        ops.append(provenance.Operation("warp_overlay", {"warped": "B", "onto": "A"}))
    return ops


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _input(e: Evidence) -> dict[str, Any]:
    return {"evidence_id": e.id, "kind": e.kind, "is_reference": e.is_reference}


def _source(conn: sqlite3.Connection, e: Evidence, ref: ViewRef) -> provenance.SourceFrame:
    """The provenance source of a view: a video frame's pts and md5 from the frame table."""
    from workbench.frame_table_store import cached_frame_table

    table = None if ref.frame_index is None else cached_frame_table(conn, e.id)
    if table is None:
        return provenance.SourceFrame(e.sha256, e.original_name, ref.frame_index)
    row = table.frames[ref.frame_index]
    time_base = (int(table.time_base[0]), int(table.time_base[1]))
    return provenance.SourceFrame(
        e.sha256, e.original_name, row.index, row.pts, time_base, row.pts_s, row.md5
    )

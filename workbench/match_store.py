"""The case side of matching: cached features, comparisons, continuity notes, match figures.

* Features (analysis.matching.features.Features) are cached per image or video frame in
  ``derived/features/<sha256>_<frame index or "image">_<method>.npz`` (the matching module's
  own serialisation, written through a temporary file); with ``mask_overlays`` a video frame's
  features leave out its bars and static overlays (``workbench.media_inspection``) and are
  cached under ``..._<method>_mask<digest of the mask>.npz``. A cached file that cannot be read is
  recomputed and replaced; derived/ is regenerable by definition.
* Comparisons run the analysis layer on the cached features: :func:`compare_evidence` (a
  MatchResult), :func:`compare_views` and :func:`compare_segments_of` (a ContinuityResult with
  the viewpoint verdict), :func:`find_landmark` (region search, a RegionResult).
* Continuity notes go to the table ``continuity_note`` (migration 3): the figures as JSON,
  the analyst's note, an audit row ``continuity.note`` (``continuity.note_edit`` on edits).
* Figures (side by side with inlier lines, B warped onto A) go to ``derived/figures/`` as PNGs
  with a provenance sidecar (``workbench.provenance``, next to the side-by-side PNG): both
  inputs' sha256, frame index, pts and md5, parameters, software versions and the audit head,
  as of that head's time.

Conventions are the matching module's: the homography maps A's pixels onto B's; the zoom ratio
is B's scale relative to A.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import CorruptMediaError
from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench import provenance
from workbench.case import audit
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence, get_evidence
from workbench.case.store import Case

FEATURES_DIR = "features"
FIGURES_DIR = "figures"
KEYFRAMES_PER_SEGMENT = 3
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
ALGORITHM = (
    "analysis.matching.engine.match_features + analysis.matching.continuity (plane + parallax test)"
)


@dataclass(frozen=True)
class ViewRef:
    """One side of a comparison: an image evidence, or a frame of a video evidence."""

    evidence_id: int
    frame_index: int | None = None  # None for a still image

    @property
    def cache_tag(self) -> str:
        return "image" if self.frame_index is None else str(self.frame_index)


def as_ref(ref: ViewRef | tuple[int, int | None]) -> ViewRef:
    """A ViewRef from a ViewRef or an ``(evidence_id, frame_index or None)`` tuple."""
    return ref if isinstance(ref, ViewRef) else ViewRef(int(ref[0]), ref[1])


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


def load_view(case: Case, ref: ViewRef) -> tuple[np.ndarray, Evidence]:
    """The BGR pixels of an image evidence or of one exact video frame, with the evidence.

    Raises:
        CaseError: unknown evidence, a frame index on an image or none on a video.
        MediaError: the stored file cannot be decoded.
    """
    import cv2

    from analysis.matching.io import read_image

    e = get_evidence(case.read(), ref.evidence_id)
    path = case.evidence_dir / e.stored_name
    if e.kind == "image":
        if ref.frame_index is not None:
            raise CaseError(f"{e.original_name} is an image: it has no frame {ref.frame_index}")
        return read_image(path), e
    if e.kind != "video" or ref.frame_index is None:
        raise CaseError(f"{e.original_name} ({e.kind}): choose a frame index to compare")
    from analysis.video.decode import VideoReader
    from workbench.frame_table_store import load_or_build_frame_table

    table = load_or_build_frame_table(case, e.id)
    if not 0 <= ref.frame_index < len(table):
        raise CaseError(f"{e.original_name}: no frame {ref.frame_index} (0..{len(table) - 1})")
    with VideoReader(path, table) as reader:
        frame = reader.frame_at(ref.frame_index)
    return cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), e


def feature_cache_path(
    case: Case, sha256: str, ref: ViewRef, method: str, mask: np.ndarray | None = None
) -> Path:
    """``derived/features/<sha256>_<frame or "image">_<method>[_mask<digest>].npz``."""
    tag = "" if mask is None else f"_mask{hashlib.sha256(mask.tobytes()).hexdigest()[:12]}"
    return case.derived_dir / FEATURES_DIR / f"{sha256}_{ref.cache_tag}_{method}{tag}.npz"


def cached_features(case: Case, ref: ViewRef, image, sha256: str, method="sift", cancel=None,
                    mask: np.ndarray | None = None):  # fmt: skip
    """Features of a view from the cache, computed and cached when absent or unreadable;
    ``mask`` (nonzero where features may lie) is part of the cache key."""
    path = feature_cache_path(case, sha256, ref, method, mask)
    with _path_lock(path):  # two jobs on one view: one computes, the other reads its file
        return _cached_features_locked(path, image, method, cancel, mask)


def _path_lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def _cached_features_locked(path: Path, image: np.ndarray, method: str, cancel, mask=None):
    from analysis.matching.features import Features, compute_features

    if path.is_file():
        try:
            feats = Features.from_npz(path)
        except CorruptMediaError:
            feats = None  # regenerable: recompute below
        if feats is not None and feats.image_wh == (image.shape[1], image.shape[0]):
            return feats
    feats = compute_features(image, method, mask=mask, cancel=cancel)
    path.parent.mkdir(parents=True, exist_ok=True)
    feats.to_npz(path)
    return feats


def _prepare(case, ref, method, cancel, mask_overlays: bool = False):
    image, e = load_view(case, ref)
    check(cancel)
    mask = None
    if mask_overlays:
        from workbench.media_inspection import overlay_mask

        mask = overlay_mask(case, ref.evidence_id, ref.frame_index)
    return image, e, cached_features(case, ref, image, e.sha256, method, cancel, mask)


def _in_box(feats, roi: tuple[float, float, float, float]):
    """The features of A whose keypoints lie inside the box (x, y, w, h in pixels)."""
    from dataclasses import replace

    x, y, w, h = roi
    xy = feats.xy_px
    keep = (xy[:, 0] >= x) & (xy[:, 0] < x + w) & (xy[:, 1] >= y) & (xy[:, 1] < y + h)
    return replace(
        feats,
        xy_px=xy[keep],
        scale_px=feats.scale_px[keep],
        angle_deg=feats.angle_deg[keep],
        response=feats.response[keep],
        descriptors=feats.descriptors[keep],
    )


# -- comparisons ------------------------------------------------------------------------------


def compare_evidence(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    roi: tuple[float, float, float, float] | None = None,
    *,
    method: str = "sift",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Match view A with view B on cached features and refine the homography photometrically.

    Args:
        case: the open case.
        a, b: the views, ``(evidence_id, frame_index or None)``.
        roi: optional box (x, y, w, h) in A's pixels: only A's features inside it are matched.
        method: feature method ("sift", "akaze", "orb").
        progress, cancel: job hooks.

    Returns:
        analysis.matching.engine.MatchResult (homography maps A onto B).
    """
    from analysis.matching.engine import match_pair

    report(progress, 0.0, "features of A")
    img_a, _, fa = _prepare(case, as_ref(a), method, cancel)
    report(progress, 0.3, "features of B")
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel)
    mask_a = None
    if roi is not None:
        fa = _in_box(fa, roi)
        mask_a = _box_mask(img_a, roi)
    report(progress, 0.6, "matching")
    # A second pass at pair-chosen resolutions (a view several times larger than the other)
    # computes its own features of the overlap; they depend on the pair and are not cached.
    result = match_pair(img_a, img_b, fa, fb, mask_a=mask_a, cancel=cancel)
    report(progress, 1.0, result.verdict)
    return result


def _box_mask(image: np.ndarray, roi: tuple[float, float, float, float]) -> np.ndarray:
    """An OpenCV-convention mask of the box (x, y, w, h): nonzero inside."""
    x, y, w, h = roi
    mask = np.zeros(image.shape[:2], np.uint8)
    x0, y0 = max(int(np.floor(x)), 0), max(int(np.floor(y)), 0)
    mask[y0 : max(int(np.ceil(y + h)), y0), x0 : max(int(np.ceil(x + w)), x0)] = 255
    return mask


def compare_views(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Viewpoint continuity of two views (analysis.matching.continuity on cached features).
    ``mask_overlays``: a video frame's bars and static overlays (a logo, a time stamp) give no
    features (``workbench.media_inspection``; the video is inspected first if it never was).

    Returns:
        analysis.matching.continuity.ContinuityResult: "same position", "different position" or
        "inconclusive", with zoom ratio, overlap, inliers, NCC/SSIM and the reason.
    """
    from analysis.matching.continuity import judge_match
    from analysis.matching.engine import match_features

    report(progress, 0.0, "features of A")
    img_a, _, fa = _prepare(case, as_ref(a), method, cancel, mask_overlays)
    report(progress, 0.3, "features of B")
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel, mask_overlays)
    report(progress, 0.6, "matching and parallax test")
    result = judge_match(match_features(fa, fb, cancel=cancel), img_a, img_b, fa, fb)
    report(progress, 1.0, result.verdict)
    return result


def segment_keyframes(seg: Any, count: int = KEYFRAMES_PER_SEGMENT) -> list[int]:
    """The segment's representative frame first, then frames spread inside it (unique)."""
    inner = np.linspace(seg.first_frame, seg.last_frame, count + 1).round().astype(int)[1:-1]
    out = [int(seg.keyframe_index)]
    out += [int(i) for i in inner if int(i) not in out]
    return out[:count]


def compare_segments_of(
    case: Case,
    evidence_id: int,
    seg_a: Any,
    seg_b: Any,
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Any, ViewRef, ViewRef]:
    """Continuity of two segments of a video: the best keyframe pair, judged.

    Args:
        case: the open case; evidence_id: the video.
        seg_a, seg_b: workbench.video_store.StoredSegment (first/last/keyframe_index).
        method: feature method; mask_overlays: as in ``compare_views``;
        progress, cancel: job hooks (per keyframe and per pair).

    Returns:
        (ContinuityResult of the pair with most homography inliers, frame A, frame B).
    """
    from analysis.matching.continuity import judge_match
    from analysis.matching.engine import match_features

    refs_a = [ViewRef(evidence_id, i) for i in segment_keyframes(seg_a)]
    refs_b = [ViewRef(evidence_id, i) for i in segment_keyframes(seg_b)]
    prepared: dict[ViewRef, tuple] = {}
    total = len(refs_a) + len(refs_b) + len(refs_a) * len(refs_b) + 1
    for k, ref in enumerate(refs_a + refs_b):
        report(progress, k / total, f"features of frame {ref.frame_index}")
        prepared[ref] = _prepare(case, ref, method, cancel, mask_overlays)
    best, best_ij, done = None, (0, 0), len(prepared)
    for i, ra in enumerate(refs_a):
        for j, rb in enumerate(refs_b):
            check(cancel)
            report(progress, done / total, f"matching frames {ra.frame_index}-{rb.frame_index}")
            done += 1
            m = match_features(prepared[ra][2], prepared[rb][2], cancel=cancel)
            if best is None or (m.matched, m.n_inliers) > (best.matched, best.n_inliers):
                best, best_ij = m, (i, j)
    ra, rb = refs_a[best_ij[0]], refs_b[best_ij[1]]
    report(progress, done / total, "parallax test")
    (img_a, _, fa), (img_b, _, fb) = prepared[ra], prepared[rb]
    result = judge_match(best, img_a, img_b, fa, fb, best_ij)
    report(progress, 1.0, result.verdict)
    return result, ra, rb


def find_landmark(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    roi_xywh: tuple[float, float, float, float],
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Region search: where the box drawn on A lies in B (B's features from the cache;
    ``mask_overlays`` as in ``compare_views``, for B).

    Returns:
        analysis.matching.region.RegionResult (``quad_b_px`` in B's pixels, or "not found").
    """
    from analysis.matching.region import find_region

    report(progress, 0.0, "loading the views")
    img_a, _ = load_view(case, as_ref(a))
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel, mask_overlays)
    report(progress, 0.3, "searching the region")
    return find_region(img_a, roi_xywh, img_b, method=method, features_b=fb, cancel=cancel)


# -- figures and notes ------------------------------------------------------------------------


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

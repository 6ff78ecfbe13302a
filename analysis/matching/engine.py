"""Matching two images: tentative matches, MAGSAC++ verification, refinement, what H means.

Pipeline (each step with its source):

1. Local features (analysis.matching.features): RootSIFT by default, at a working resolution.
2. Tentative matches: exact nearest neighbours, Lowe's ratio test (Lowe 2004, sec. 7.1) and
   the mutual (cross-check) condition: b is a's nearest neighbour and a is b's.
3. Geometric verification: OpenCV's USAC with MAGSAC++ scoring (Barath et al. 2020, "MAGSAC++,
   a fast, reliable and accurate robust estimator", CVPR) for a homography or a fundamental
   matrix.
4. Refinement (homography): matches are re-collected among both nearest neighbours of every
   feature that agree with the first estimate (guided matching, Hartley & Zisserman 2004,
   sec. 4.8), then H is refined by weighted robust Levenberg-Marquardt
   (analysis.matching.refine), twice; then, with the images at hand, by ECC over the overlap
   (analysis.matching.ecc), kept only when it raises the correlation by a small correction.
5. Meaning and sanity (analysis.matching.geometry): zoom ratio, rotation, overlap; degenerate
   homographies (collapsed, mirrored, extreme perspective) give "no match" with the reason.

Conventions: ``homography`` maps pixels of A onto B; ``zoom_ratio`` is B's scale relative to A.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching.ecc import refine_ecc
from analysis.matching.features import (
    DEFAULT_MAX_FEATURES,
    DEFAULT_WORK_LONG_SIDE_PX,
    Features,
    compute_features,
    to_gray_u8,
)
from analysis.matching.geometry import apply_h, degeneracy, overlap, zoom_rotation
from analysis.matching.refine import refine_homography
from analysis.matching.result import VERDICT_MATCH, MatchResult, no_match
from analysis.matching.tentative import Tentative, tentative_matches

__all__ = [
    "Features",
    "MatchResult",
    "compute_features",
    "match_features",
    "match_images",
    "refine_photometric",
]

MODELS = ("homography", "fundamental")
DEFAULT_MIN_INLIERS = 15


def estimate_model(pa: np.ndarray, pb: np.ndarray, model: str, thr_px: float, max_iters: int):
    """MAGSAC++ through OpenCV's USAC; (model matrix or None, inlier mask)."""
    need = 4 if model == "homography" else 8
    if len(pa) < need:
        return None, np.zeros(len(pa), bool)
    try:
        if model == "homography":
            m, mask = cv2.findHomography(
                pa, pb, cv2.USAC_MAGSAC, thr_px, maxIters=max_iters, confidence=0.9999
            )
        else:
            m, mask = cv2.findFundamentalMat(pa, pb, cv2.USAC_MAGSAC, thr_px, 0.9999, max_iters)
    except cv2.error:  # OpenCV raises on degenerate samples (all points collinear, repeated)
        return None, np.zeros(len(pa), bool)
    if m is None or mask is None or m.shape != (3, 3):
        return None, np.zeros(len(pa), bool)
    return m.astype(np.float64), mask.ravel().astype(bool)


def _guided_inliers(
    h: np.ndarray, t: Tentative, fa: Features, fb: Features, thr_px: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs that agree with ``h`` within ``thr_px``, one per feature of A and of B."""
    cand = t.candidates
    err = np.linalg.norm(apply_h(h, fa.xy_px[cand[:, 0]]) - fb.xy_px[cand[:, 1]], axis=1)
    keep = np.flatnonzero(err < thr_px)
    keep = keep[np.argsort(err[keep], kind="stable")]
    _, first_a = np.unique(cand[keep, 0], return_index=True)
    keep = keep[first_a]
    _, first_b = np.unique(cand[keep, 1], return_index=True)
    keep = keep[first_b]
    return cand[keep], err[keep]


def _refine(h: np.ndarray, t: Tentative, fa: Features, fb: Features, thr_px: float):
    """Guided re-collection and weighted LM, twice; returns (H, inlier pairs, errors)."""
    pairs, err = _guided_inliers(h, t, fa, fb, thr_px)
    for _ in range(2):
        if len(pairs) < 8:
            break
        zoom = np.sqrt(abs(np.linalg.det(h[:2, :2] - np.outer(h[:2, 2], h[2, :2]))))
        sig = np.hypot(zoom * fa.scale_px[pairs[:, 0]], fb.scale_px[pairs[:, 1]])
        sig = sig / np.median(sig) * max(float(np.median(err)), 0.05)
        h = refine_homography(h, fa.xy_px[pairs[:, 0]], fb.xy_px[pairs[:, 1]], sig, huber_k=2.0)
        pairs, err = _guided_inliers(h, t, fa, fb, thr_px)
    return h, pairs, err


def match_features(
    fa: Features,
    fb: Features,
    *,
    model: str = "homography",
    ratio: float = 0.8,
    threshold_px: float = 3.0,
    min_inliers: int = DEFAULT_MIN_INLIERS,
    max_iters: int = 5000,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MatchResult:
    """Match two feature sets and verify them geometrically.

    Args:
        fa, fb: features of A and B (same method).
        model: "homography" (default) or "fundamental".
        ratio: Lowe's ratio-test threshold on descriptor distances.
        threshold_px: inlier threshold in WORKING-resolution pixels of B (scaled to B's pixels).
        min_inliers: fewer inliers than this gives "no match".
        max_iters: USAC iteration limit.
        progress: optional progress callback; cancel: optional cancellation token.

    Returns:
        A MatchResult; "no match" with a reason when nothing trustworthy was found.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    if fa.method != fb.method:
        raise ValueError(f"features differ in method: {fa.method} vs {fb.method}")
    check(cancel)
    for name, f in (("A", fa), ("B", fb)):
        if len(f) < min_inliers:
            why = f"only {len(f)} features in {name} (blank, tiny or fully masked image?)"
            return no_match(f"{why}", fa, fb, model)
    report(progress, 0.1, "nearest neighbours")
    t = tentative_matches(fa, fb, ratio=ratio)
    check(cancel)
    pa, pb = fa.xy_px[t.pairs[:, 0]], fb.xy_px[t.pairs[:, 1]]
    n = len(t.pairs)
    if n < min_inliers:
        return no_match(f"only {n} tentative matches", fa, fb, model, n_matches=n)
    thr = threshold_px / fb.work_scale
    report(progress, 0.5, "MAGSAC++ verification")
    m, mask = estimate_model(pa, pb, model, thr, max_iters)
    check(cancel)
    if m is None or int(mask.sum()) < min_inliers:
        k = 0 if m is None else int(mask.sum())
        return no_match(
            f"{k} inliers of {n} matches (needs {min_inliers})", fa, fb, model,
            n_matches=n, points_a=pa, points_b=pb, inlier_mask=mask,
        )  # fmt: skip
    if model == "fundamental":
        return _fundamental_result(m, pa, pb, mask, fa, fb, n)
    report(progress, 0.8, "refining")
    h, pairs, err = _refine(m / m[2, 2], t, fa, fb, thr)
    report(progress, 1.0, "done")
    return _homography_result(h, pairs, err, fa, fb, n, min_inliers)


def _homography_result(h, pairs, err, fa, fb, n, min_inliers) -> MatchResult:
    pa, pb = fa.xy_px[pairs[:, 0]], fb.xy_px[pairs[:, 1]]
    k = len(pairs)
    common = dict(
        n_matches=n, points_a=pa, points_b=pb, inlier_mask=np.ones(k, bool), n_inliers=k,
        inlier_ratio=min(1.0, k / n),
    )  # fmt: skip
    if k < min_inliers:
        return no_match(f"{k} inliers after refinement", fa, fb, "homography", **common)
    why = degeneracy(h, fa.image_wh, fb.image_wh)
    if why is not None:
        return no_match(f"{why}", fa, fb, "homography", **common)
    frac_a, frac_b, centre = overlap(h, fa.image_wh, fb.image_wh)
    zoom, rot = zoom_rotation(h, centre)
    rmse = float(np.sqrt(np.mean(err**2)))
    return MatchResult(
        verdict=VERDICT_MATCH,
        reason=f"{k} inliers (from {n} tentative matches), RMSE {rmse:.2f} px",
        model="homography",
        method=fa.method,
        n_features_a=len(fa),
        n_features_b=len(fb),
        reprojection_rmse_px=rmse,
        homography=h,
        fundamental=None,
        zoom_ratio=zoom,
        rotation_deg=rot,
        overlap_a_frac=frac_a,
        overlap_b_frac=frac_b,
        image_a_wh=fa.image_wh,
        image_b_wh=fb.image_wh,
        **common,
    )


def epipolar_distances_px(f: np.ndarray, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Symmetric distance (mean of both images) of matches to their epipolar lines, pixels."""
    xa = np.column_stack((pa, np.ones(len(pa))))
    xb = np.column_stack((pb, np.ones(len(pb))))
    lb = xa @ f.T
    la = xb @ f
    num = np.abs((xb * lb).sum(axis=1))
    da = num / np.maximum(np.hypot(la[:, 0], la[:, 1]), 1e-12)
    db = num / np.maximum(np.hypot(lb[:, 0], lb[:, 1]), 1e-12)
    return (da + db) / 2.0


def _fundamental_result(f, pa, pb, mask, fa, fb, n) -> MatchResult:
    k = int(mask.sum())
    rmse = float(np.sqrt(np.mean(epipolar_distances_px(f, pa[mask], pb[mask]) ** 2)))
    return MatchResult(
        verdict=VERDICT_MATCH,
        reason=f"{k} inliers of {n} matches to a fundamental matrix, RMSE {rmse:.2f} px",
        model="fundamental", method=fa.method, n_features_a=len(fa), n_features_b=len(fb),
        n_matches=n, n_inliers=k, inlier_ratio=k / n, reprojection_rmse_px=rmse,
        homography=None, fundamental=f, zoom_ratio=None, rotation_deg=None,
        overlap_a_frac=None, overlap_b_frac=None, points_a=pa, points_b=pb, inlier_mask=mask,
        image_a_wh=fa.image_wh, image_b_wh=fb.image_wh,
    )  # fmt: skip


def refine_photometric(result: MatchResult, a: np.ndarray, b: np.ndarray) -> MatchResult:
    """Refine a homography match by ECC on the images; other results are returned unchanged.

    Zoom, rotation, overlap and the inliers' RMSE are recomputed for the refined homography.
    A refinement that would make the homography degenerate is discarded.
    """
    if not result.matched or result.homography is None:
        return result
    outcome = refine_ecc(result.homography, to_gray_u8(a)[0], to_gray_u8(b)[0])
    h = outcome.homography
    if not outcome.accepted or degeneracy(h, result.image_a_wh, result.image_b_wh) is not None:
        return replace(result, reason=f"{result.reason}; {outcome.note}")
    frac_a, frac_b, centre = overlap(h, result.image_a_wh, result.image_b_wh)
    zoom, rot = zoom_rotation(h, centre)
    pa, pb = result.points_a[result.inlier_mask], result.points_b[result.inlier_mask]
    rmse = float(np.sqrt(np.mean(np.sum((apply_h(h, pa) - pb) ** 2, axis=1))))
    return replace(
        result,
        homography=h,
        zoom_ratio=zoom,
        rotation_deg=rot,
        overlap_a_frac=frac_a,
        overlap_b_frac=frac_b,
        reprojection_rmse_px=rmse,
        reason=f"{result.n_inliers} inliers (from {result.n_matches} tentative matches), RMSE "
        f"{rmse:.2f} px; {outcome.note}",
    )


def match_images(
    a: np.ndarray,
    b: np.ndarray,
    *,
    method: str = "sift",
    mask_a: np.ndarray | None = None,
    mask_b: np.ndarray | None = None,
    model: str = "homography",
    refine: str = "ecc",
    work_long_side_px: int = DEFAULT_WORK_LONG_SIDE_PX,
    max_features: int = DEFAULT_MAX_FEATURES,
    min_inliers: int = DEFAULT_MIN_INLIERS,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MatchResult:
    """Compute features of two images, match them, and refine a homography photometrically.

    Args:
        a, b: grey, BGR or BGRA images.
        method: "sift" (default), "akaze" or "orb".
        mask_a, mask_b: OpenCV-convention masks (nonzero where features may be detected).
        model: "homography" or "fundamental".
        refine: "ecc" (photometric refinement of a homography) or "none".
        work_long_side_px, max_features: see :func:`compute_features`.
        min_inliers: fewer inliers gives "no match".
        progress, cancel: job hooks.

    Returns:
        The MatchResult (see :func:`match_features`).
    """
    kw = dict(work_long_side_px=work_long_side_px, max_features=max_features, cancel=cancel)
    report(progress, 0.0, "features of A and B")
    # OpenCV releases the GIL: the two extractions overlap (1.5 s -> 1.0 s per 1080p pair on
    # two cores, bench/bench_matching.py), parts of SIFT being single-threaded.
    with ThreadPoolExecutor(max_workers=2) as pool:
        job_a = pool.submit(compute_features, a, method, mask_a, **kw)
        job_b = pool.submit(compute_features, b, method, mask_b, **kw)
        fa, fb = job_a.result(), job_b.result()
    report(progress, 0.7, "matching")
    result = match_features(fa, fb, model=model, min_inliers=min_inliers, cancel=cancel)
    if refine == "ecc":
        report(progress, 0.9, "photometric refinement")
        result = refine_photometric(result, a, b)
    report(progress, 1.0, result.verdict)
    return result

"""Matching two images: tentative matches, MAGSAC++ verification, refinement, what H means.

Pipeline (each step with its source):

1. Local features (analysis.matching.features): RootSIFT by default, at a working resolution
   (the same for every image, so that features can be cached per image). When the first
   pass's homography shows that this threw detail away (one image several times larger, the
   common content in a part of it), the overlap is matched again at working resolutions
   chosen for the pair (analysis.matching.pair_scale).
2. Tentative matches: exact nearest neighbours, Lowe's ratio test (Lowe 2004, sec. 7.1) and
   the mutual (cross-check) condition: b is a's nearest neighbour and a is b's.
3. Geometric verification: OpenCV's USAC with MAGSAC++ scoring (Barath et al. 2020, "MAGSAC++,
   a fast, reliable and accurate robust estimator", CVPR) for a homography or a fundamental
   matrix.
4. Refinement (homography): matches are re-collected among both nearest neighbours of every
   feature that agree with the first estimate (guided matching, Hartley & Zisserman 2004,
   sec. 4.8), then H is refined by weighted robust Levenberg-Marquardt
   (analysis.matching.refine), twice; then, with the images at hand
   (analysis.matching.photometric), by patches aligned around the inliers at native
   resolution (analysis.matching.native) and by ECC over the overlap (analysis.matching.ecc),
   ECC kept only when it agrees with the patches.
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
from analysis.matching.features import (
    DEFAULT_MAX_FEATURES,
    DEFAULT_WORK_LONG_SIDE_PX,
    Features,
    compute_features,
)
from analysis.matching.geometry import apply_h
from analysis.matching.pair_scale import features_in_box, plan_pair_scales
from analysis.matching.photometric import refine_photometric
from analysis.matching.refine import refine_homography
from analysis.matching.result import (
    MatchResult,
    epipolar_distances_px,
    fundamental_result,
    homography_result,
    no_match,
)
from analysis.matching.tentative import Tentative, tentative_matches

__all__ = [
    "epipolar_distances_px",
    "Features",
    "MatchResult",
    "compute_features",
    "match_at_pair_scale",
    "match_features",
    "match_images",
    "match_pair",
    "refine_photometric",
]

MODELS = ("homography", "fundamental")
DEFAULT_MIN_INLIERS = 15
RETRY_LONG_SIDE_PX = 2400
RETRY_MIN_GAIN = 1.5


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
        return fundamental_result(m, pa, pb, mask, fa, fb, n)
    report(progress, 0.8, "refining")
    h, pairs, err = _refine(m / m[2, 2], t, fa, fb, thr)
    report(progress, 1.0, "done")
    return homography_result(h, pairs, err, fa, fb, n, min_inliers)


def match_at_pair_scale(
    result: MatchResult,
    a: np.ndarray,
    b: np.ndarray,
    fa: Features,
    fb: Features,
    *,
    mask_a: np.ndarray | None = None,
    mask_b: np.ndarray | None = None,
    min_inliers: int = DEFAULT_MIN_INLIERS,
    cancel: CancelToken | None = None,
) -> MatchResult:
    """Match again at working resolutions chosen for this pair, when the first pass lost detail.

    See analysis.matching.pair_scale: the overlap found by ``result`` is cropped from both
    images and worked where their common content has the same, finest available pixel scale.
    The second pass's features depend on the pair, so they are never cached; ``fa`` and
    ``fb`` (the first pass's, cacheable per image) are reused for a side that would not change.

    Returns:
        The second pass's result when it found more inliers, else ``result`` unchanged.
    """
    if result.homography is None or not result.matched:
        return result
    plan = plan_pair_scales(
        result.homography, fa.image_wh, fb.image_wh, fa.work_scale, fb.work_scale
    )
    if plan is None:
        return result

    def side(img, f, box, scale, mask):
        whole = box == (0, 0, f.image_wh[0], f.image_wh[1])
        if whole and abs(scale - f.work_scale) <= 0.02 * f.work_scale:
            return f
        return features_in_box(img, box, scale, f.method, mask, cancel=cancel)

    with ThreadPoolExecutor(max_workers=2) as pool:
        job_a = pool.submit(side, a, fa, plan.box_a, plan.scale_a, mask_a)
        job_b = pool.submit(side, b, fb, plan.box_b, plan.scale_b, mask_b)
        fa2, fb2 = job_a.result(), job_b.result()
    second = match_features(fa2, fb2, min_inliers=min_inliers, cancel=cancel)
    if not second.matched or second.n_inliers <= result.n_inliers:
        return result
    how = f"second pass on the overlap at scales {plan.scale_a:.2f} (A), {plan.scale_b:.2f} (B)"
    return replace(second, reason=f"{second.reason}; {how}")


def _retry_larger(result, a, b, fa, fb, *, mask_a, mask_b, max_features, min_inliers, cancel):
    """After a failed first pass: the larger image again, at the smaller one's pixel scale.

    Without a first match the scale between the images is unknown; the usual mixed pair is a
    frame against a larger photo of the same place, where the frame's content spans only part
    of the photo, so the photo is worked at the frame's pixel scale (up to RETRY_LONG_SIDE_PX,
    with features in proportion to its area, at most four times as many).
    """
    big_is_b = fb.image_wh[0] * fb.image_wh[1] >= fa.image_wh[0] * fa.image_wh[1]
    small, big = (fa, fb) if big_is_b else (fb, fa)
    long_big = max(big.image_wh)
    first = big.work_scale * long_big
    target = int(min(long_big, RETRY_LONG_SIDE_PX, round(long_big * small.work_scale)))
    if target < RETRY_MIN_GAIN * first or result.n_features_a == 0 or result.n_features_b == 0:
        return result
    check(cancel)
    n = int(max_features * min(4.0, (target / first) ** 2))
    img, mask = (b, mask_b) if big_is_b else (a, mask_a)
    f = compute_features(img, big.method, mask, work_long_side_px=target, max_features=n,
                         cancel=cancel)  # fmt: skip
    fa2, fb2 = (fa, f) if big_is_b else (f, fb)
    second = match_features(fa2, fb2, min_inliers=min_inliers, cancel=cancel)
    if not second.matched:
        return result
    return replace(second, reason=f"{second.reason}; larger image worked at {target} px")


def match_pair(
    a: np.ndarray,
    b: np.ndarray,
    fa: Features,
    fb: Features,
    *,
    model: str = "homography",
    refine: str = "ecc",
    mask_a: np.ndarray | None = None,
    mask_b: np.ndarray | None = None,
    max_features: int = DEFAULT_MAX_FEATURES,
    min_inliers: int = DEFAULT_MIN_INLIERS,
    cancel: CancelToken | None = None,
) -> MatchResult:
    """Match two images whose first-pass features are at hand (computed, or from a cache).

    A homography match is redone at working resolutions chosen for the pair when the first
    pass threw detail away (:func:`match_at_pair_scale`); a failed one between images of very
    different sizes is retried with the larger at the smaller's pixel scale; then the
    homography is refined at native resolution (:func:`refine_photometric`). Features made for
    one pair are not returned: ``fa`` and ``fb`` stay the cacheable per-image ones.

    Args:
        a, b: the images at their original resolutions; fa, fb: their first-pass features.
        model, min_inliers: see :func:`match_features`.
        refine: "ecc" (native patches, then ECC) or "none".
        mask_a, mask_b: the masks the first-pass features were computed with.
        max_features: first-pass feature count (the retry scales it with the area).
        cancel: job hook.
    """
    result = match_features(fa, fb, model=model, min_inliers=min_inliers, cancel=cancel)
    if model == "homography":
        kw = dict(mask_a=mask_a, mask_b=mask_b, min_inliers=min_inliers, cancel=cancel)
        if not result.matched:
            result = _retry_larger(result, a, b, fa, fb, max_features=max_features, **kw)
        result = match_at_pair_scale(result, a, b, fa, fb, **kw)
    if refine == "ecc":
        result = refine_photometric(result, a, b)
    return result


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

    Then :func:`match_pair`: a second pass at working resolutions chosen for the pair where
    needed, and refinement at native resolution.

    Args:
        a, b: grey, BGR or BGRA images.
        method: "sift" (default), "akaze" or "orb".
        mask_a, mask_b: OpenCV-convention masks (nonzero where features may be detected).
        model: "homography" or "fundamental".
        refine: "ecc" (native-resolution patches, then ECC, on a homography) or "none".
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
    report(progress, 0.7, "matching and refining")
    result = match_pair(
        a, b, fa, fb, model=model, refine=refine, mask_a=mask_a, mask_b=mask_b,
        max_features=max_features, min_inliers=min_inliers, cancel=cancel,
    )  # fmt: skip
    report(progress, 1.0, result.verdict)
    return result

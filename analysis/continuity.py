"""Continuity of two frames or two segments: same camera position, zoom, photometric agreement.

Reasoning (Hartley & Zisserman 2004, "Multiple View Geometry", sec. 8.4.2 and 13.3): frames
taken from ONE centre of projection (the camera only turned or zoomed) are related exactly by a
homography, whatever the depth of the scene; frames from two positions are related by a
fundamental matrix and a homography fits them only if the scene is flat or far away. The
parallax test fits both models by MAGSAC++ to the same tentative matches and compares them with
Torr's GRIC (Torr 1998, "Geometric motion segmentation and model selection", Phil. Trans. R.
Soc. A 356): ``GRIC = sum(min(e_i^2 / sigma^2, 2 (r - d))) + n d ln(r) + k ln(r n)``, with
r = 4, d = 2, k = 8 for H and d = 3, k = 7 for F. ``sigma`` is one working-resolution pixel.

Verdict rules (all numbers are in the result):
- "same position": H explains at least ``SAME_SHARE`` of F's inliers and GRIC does not prefer F
  by more than ``GRIC_MARGIN`` per match.
- "different position": H explains less than ``DIFF_SHARE`` of F's inliers and at least
  ``MIN_UNEXPLAINED`` of them lie off the homography (clear parallax). GRIC alone is not used
  here: when a minority of matches (a near building) shows parallax, its ``n d ln r`` penalty
  for F can hide it, while the share of F-consistent matches that H cannot explain does not.
- "inconclusive" otherwise, or with too few matches or too little overlap.

A homography shows only where the camera stood; "same time" needs shadows, clouds or smoke
compared by the analyst (measured shadow directions will join when sun analysis exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching import (
    MatchResult,
    epipolar_distances_px,
    estimate_model,
    match_features,
    refine_photometric,
)
from analysis.matching_features import compute_features, to_gray_u8
from analysis.matching_geometry import apply_h
from analysis.matching_tentative import tentative_matches

SAME_POSITION = "same position"
DIFFERENT_POSITION = "different position"
INCONCLUSIVE = "inconclusive"
SAME_SHARE = 0.9
DIFF_SHARE = 0.75
GRIC_MARGIN = 0.2
MIN_UNEXPLAINED = 15
MIN_MATCHES = 30
MIN_OVERLAP = 0.05
TIME_NOTE = (
    "A homography shows only whether the camera stood in the same place; the same TIME needs "
    "shadows, clouds or smoke compared between the frames (shadow directions will join this "
    "verdict when sun analysis exists)."
)


@dataclass(frozen=True, eq=False)
class ContinuityResult:
    """Viewpoint verdict for frames A and B, with the numbers behind it.

    Attributes:
        verdict: "same position", "different position" or "inconclusive"; ``reason`` explains.
        note: what the verdict does not show (same time).
        pair_index: (index in A's keyframes, index in B's keyframes) of the pair used.
        zoom_ratio: B's scale relative to A (None without a homography).
        rotation_deg, overlap_a_frac, overlap_b_frac: from the homography (see MatchResult).
        n_matches: tentative matches; ``n_inliers_h``/``n_inliers_f`` inliers of each model.
        h_share_of_f: share of F's inliers within the homography's threshold.
        gric_h, gric_f: Torr's GRIC of each model (lower is better).
        parallax_px: 90th percentile of the homography's transfer error over F's inliers.
        ncc: zero-mean normalised cross-correlation of A and B aligned by H, over the overlap.
        ssim: mean structural similarity (Wang et al. 2004, 7x7 Gaussian windows) there.
        match: the underlying MatchResult.
    """

    verdict: str
    reason: str
    note: str
    pair_index: tuple[int, int]
    zoom_ratio: float | None
    rotation_deg: float | None
    overlap_a_frac: float | None
    overlap_b_frac: float | None
    n_matches: int
    n_inliers_h: int
    n_inliers_f: int
    h_share_of_f: float | None
    gric_h: float | None
    gric_f: float | None
    parallax_px: float | None
    ncc: float | None
    ssim: float | None
    match: MatchResult

    def to_dict(self) -> dict:
        """JSON-ready summary (the match as its own summary)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "match"}
        out["pair_index"] = list(self.pair_index)
        out["homography"] = self.match.to_dict()["homography"]
        return out


def gric(residuals_sq: np.ndarray, sigma: float, d: int, k: int, r: int = 4) -> float:
    """Torr's Geometric Robust Information Criterion of a model fitted to n matches."""
    n = len(residuals_sq)
    rho = np.minimum(residuals_sq / sigma**2, 2.0 * (r - d))
    return float(rho.sum() + n * d * np.log(r) + k * np.log(r * n))


def photometric_agreement(
    a: np.ndarray, b: np.ndarray, h: np.ndarray, *, long_side_px: int = 800
) -> tuple[float, float]:
    """NCC and mean SSIM of A and B warped onto A by ``h`` (A to B), over the overlap."""
    ga, gb = to_gray_u8(a)[0], to_gray_u8(b)[0]
    s = min(1.0, long_side_px / max(ga.shape))
    sm = np.diag([s, s, 1.0])
    size = (max(1, round(ga.shape[1] * s)), max(1, round(ga.shape[0] * s)))
    small_a = cv2.resize(ga, size, interpolation=cv2.INTER_AREA).astype(np.float64)
    m = h @ np.linalg.inv(sm)
    flags = cv2.INTER_AREA | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(gb, m, size, flags=flags).astype(np.float64)
    valid = cv2.warpPerspective(np.full(gb.shape, 255, np.uint8), m, size, flags=flags)
    valid = cv2.erode((valid == 255).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    if valid.sum() < 100:
        return float("nan"), float("nan")
    x, y = small_a[valid], warped[valid]
    x, y = x - x.mean(), y - y.mean()
    ncc = float((x * y).sum() / max(np.sqrt((x * x).sum() * (y * y).sum()), 1e-12))
    return ncc, _ssim_mean(small_a, warped, valid)


def _ssim_mean(x: np.ndarray, y: np.ndarray, valid: np.ndarray) -> float:
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(z, (7, 7), 1.5)

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    ssim = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    inner = cv2.erode(valid.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    return float(ssim[inner].mean()) if inner.any() else float("nan")


def _parallax(fa, fb, h, thr_px):
    """(F inliers, H share of them, GRIC H, GRIC F, parallax p90) on the tentative matches."""
    t = tentative_matches(fa, fb)
    pa, pb = fa.xy_px[t.pairs[:, 0]], fb.xy_px[t.pairs[:, 1]]
    f, fmask = estimate_model(pa, pb, "fundamental", thr_px, 5000)
    if f is None or fmask.sum() < 8:
        return 0, None, None, None, None
    eh = np.linalg.norm(apply_h(h, pa) - pb, axis=1)
    ef = epipolar_distances_px(f, pa, pb)
    share = float((eh[fmask] < thr_px).mean())
    sigma = 1.0 / fb.work_scale
    g_h = gric(eh**2, sigma, d=2, k=8)
    g_f = gric(ef**2, sigma, d=3, k=7)
    return int(fmask.sum()), share, g_h, g_f, float(np.percentile(eh[fmask], 90))


def _verdict(m: MatchResult, n_f, share, g_h, g_f) -> tuple[str, str]:
    if not m.matched:
        return INCONCLUSIVE, f"no homography between the frames ({m.reason})"
    if m.n_matches < MIN_MATCHES or share is None:
        return INCONCLUSIVE, f"too few matches ({m.n_matches}) to test for parallax"
    if min(m.overlap_a_frac or 0.0, m.overlap_b_frac or 0.0) < MIN_OVERLAP:
        return INCONCLUSIVE, "the views overlap too little"
    per = (g_h - g_f) / m.n_matches
    unexplained = round(n_f * (1.0 - share))
    nums = f"H explains {share:.0%} of F's {n_f} inliers; GRIC(H) - GRIC(F) = {per:+.2f} per match"
    if share >= SAME_SHARE and per <= GRIC_MARGIN:
        return SAME_POSITION, f"one homography explains the matches: {nums}"
    if share < DIFF_SHARE and unexplained >= MIN_UNEXPLAINED:
        return DIFFERENT_POSITION, f"parallax a homography cannot explain: {nums}"
    return INCONCLUSIVE, f"between the thresholds: {nums}"


def compare_frames(
    a: np.ndarray,
    b: np.ndarray,
    *,
    method: str = "sift",
    mask_a: np.ndarray | None = None,
    mask_b: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ContinuityResult:
    """Compare two frames; see :func:`compare_segments` (one keyframe each)."""
    return compare_segments(
        [a], [b], method=method, mask_a=mask_a, mask_b=mask_b, progress=progress, cancel=cancel
    )


def compare_segments(
    frames_a: Sequence[np.ndarray],
    frames_b: Sequence[np.ndarray],
    *,
    method: str = "sift",
    mask_a: np.ndarray | None = None,
    mask_b: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ContinuityResult:
    """Choose the best keyframe pair of two segments and judge the camera position.

    Args:
        frames_a, frames_b: keyframes (grey/BGR arrays) of the two segments, non-empty.
        method: feature method; mask_a, mask_b: OpenCV-convention masks for every keyframe of
            the segment (nonzero where features may be detected), e.g. without burned-in text.
        progress, cancel: job hooks, reported and checked per keyframe and per pair.

    Returns:
        The ContinuityResult of the pair with the most homography inliers.
    """
    if not frames_a or not frames_b:
        raise ValueError("each segment needs at least one keyframe")
    feats_a, feats_b = [], []
    total = len(frames_a) + len(frames_b) + len(frames_a) * len(frames_b) + 1
    for i, fr in enumerate(list(frames_a) + list(frames_b)):
        check(cancel)
        report(progress, i / total, f"features of keyframe {i + 1}")
        in_a = i < len(frames_a)
        f = compute_features(fr, method, mask_a if in_a else mask_b)
        (feats_a if in_a else feats_b).append(f)
    best, best_ij, done = None, (0, 0), len(feats_a) + len(feats_b)
    for i, fa in enumerate(feats_a):
        for j, fb in enumerate(feats_b):
            check(cancel)
            report(progress, done / total, f"matching pair {i}-{j}")
            done += 1
            m = match_features(fa, fb)
            if best is None or (m.matched, m.n_inliers) > (best.matched, best.n_inliers):
                best, best_ij = m, (i, j)
    i, j = best_ij
    report(progress, done / total, "parallax test")
    return _judge(best, frames_a[i], frames_b[j], feats_a[i], feats_b[j], best_ij)


def _judge(m, a, b, fa, fb, ij) -> ContinuityResult:
    n_f, share, g_h, g_f, par = 0, None, None, None, None
    ncc = ssim = None
    if m.matched:
        m = refine_photometric(m, a, b)
        n_f, share, g_h, g_f, par = _parallax(fa, fb, m.homography, 3.0 / fb.work_scale)
        ncc, ssim = photometric_agreement(a, b, m.homography)
    verdict, reason = _verdict(m, n_f, share, g_h, g_f)
    return ContinuityResult(
        verdict=verdict, reason=reason, note=TIME_NOTE, pair_index=ij,
        zoom_ratio=m.zoom_ratio, rotation_deg=m.rotation_deg,
        overlap_a_frac=m.overlap_a_frac, overlap_b_frac=m.overlap_b_frac,
        n_matches=m.n_matches, n_inliers_h=m.n_inliers, n_inliers_f=n_f, h_share_of_f=share,
        gric_h=g_h, gric_f=g_f, parallax_px=par, ncc=ncc, ssim=ssim, match=m,
    )  # fmt: skip

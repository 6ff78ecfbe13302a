"""Continuity of two frames or two segments: same camera position, zoom, photometric agreement.

Reasoning (Hartley & Zisserman 2004, "Multiple View Geometry", sec. 8.4.2 and 13.3): frames
taken from ONE centre of projection (the camera only turned or zoomed) are related exactly by a
homography, whatever the depth of the scene; frames from two positions are related by a
fundamental matrix and a homography fits them only if the scene is flat or far away. The
parallax test (analysis.matching.parallax) takes the tentative matches the homography leaves out and
counts those that keep H's local scale and orientation and line up on one epipole: the
plane + parallax signature of a camera that moved. (A fundamental matrix fitted by RANSAC is no
test: from one centre it is degenerate and takes in mismatches as if they were parallax.)
Mismatches along a skyline can look like parallax, so the count is weighed against the matches
H explains.

Verdict rules (all numbers are in the result; "share" is parallax matches per explained match):
- "different position": at least ``MIN_PARALLAX`` matches show parallax and their share is at
  least ``DIFF_SHARE``.
- "same position": the homography explains at least ``MIN_EXPLAINED`` distinct matches and no
  more than ``max(CHANCE_PARALLAX, SAME_SHARE x explained)`` show parallax.
- "inconclusive" otherwise (the band between is deliberate: neither claim is safe there), or
  with too few matches or too little overlap.
Calibration on the scenario's rendered town at 1280x720 (tests/workbench/test_scenario_
continuity.py): views from the same rooftop (3.15x zoom; 1.5x zoom and pan; 5 deg pan and tilt;
roll 4 deg and 2x zoom) gave shares of 4-7%; the camera moved 2, 5, 10, 20 or 40 m sideways
gave 22-56% (12-52 matches); raised 10 m gave 14% (inconclusive).

A homography shows only where the camera stood; "same time" needs shadows, clouds or smoke
compared by the analyst (measured shadow directions will join when sun analysis exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching.engine import MatchResult, match_features, refine_photometric
from analysis.matching.features import Features, compute_features, to_gray_u8
from analysis.matching.parallax import ParallaxTest, TentativePairs, parallax_test
from analysis.matching.tentative import tentative_matches

SAME_POSITION = "same position"
DIFFERENT_POSITION = "different position"
INCONCLUSIVE = "inconclusive"
MIN_PARALLAX = 10
DIFF_SHARE = 0.2
MIN_EXPLAINED = 20
CHANCE_PARALLAX = 3
SAME_SHARE = 0.1
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
        n_matches: tentative matches of the homography's estimate.
        parallax: the plane + parallax test of the matches off the homography (None without
            a homography): distinct matches, how many H explains, how many show parallax.
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
    parallax: ParallaxTest | None
    ncc: float | None
    ssim: float | None
    match: MatchResult

    def to_dict(self) -> dict:
        """JSON-ready summary (the match as its own summary)."""
        skip = ("match", "parallax")
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in skip}
        out["pair_index"] = list(self.pair_index)
        out["parallax"] = None if self.parallax is None else asdict(self.parallax)
        out["homography"] = self.match.to_dict()["homography"]
        return out


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


def _parallax(fa, fb, h) -> ParallaxTest:
    """The plane + parallax test on the tentative matches (before any verification)."""
    ia, ib = tentative_matches(fa, fb).pairs.T
    pairs = TentativePairs(
        pa=fa.xy_px[ia],
        pb=fb.xy_px[ib],
        scale_ratio=fb.scale_px[ib] / np.maximum(fa.scale_px[ia], 1e-12),
        angle_diff_deg=fb.angle_deg[ib] - fa.angle_deg[ia],
    )
    return parallax_test(h, pairs, 1.0 / fa.work_scale, 1.0 / fb.work_scale)


def _verdict(m: MatchResult, p: ParallaxTest | None) -> tuple[str, str]:
    if not m.matched or p is None:
        return INCONCLUSIVE, f"no homography between the frames ({m.reason})"
    if m.n_matches < MIN_MATCHES:
        return INCONCLUSIVE, f"too few matches ({m.n_matches}) to test for parallax"
    if min(m.overlap_a_frac or 0.0, m.overlap_b_frac or 0.0) < MIN_OVERLAP:
        return INCONCLUSIVE, "the views overlap too little"
    nums = (
        f"H explains {p.n_explained} of {p.n_distinct} distinct matches; of the {p.n_off} "
        f"it leaves out, {p.n_parallax} keep H's scale and orientation and line up on one "
        f"epipole ({p.parallax_share:.0%} of the explained)"
    )
    if p.n_parallax >= MIN_PARALLAX and p.parallax_share >= DIFF_SHARE:
        return DIFFERENT_POSITION, f"parallax a homography cannot explain: {nums}"
    allowed = max(CHANCE_PARALLAX, SAME_SHARE * p.n_explained)
    if p.n_explained >= MIN_EXPLAINED and p.n_parallax <= allowed:
        return SAME_POSITION, f"one homography explains the matches: {nums}"
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
    return judge_match(best, frames_a[i], frames_b[j], feats_a[i], feats_b[j], best_ij)


def judge_match(
    m: MatchResult,
    a: np.ndarray,
    b: np.ndarray,
    fa: Features,
    fb: Features,
    ij: tuple[int, int] = (0, 0),
) -> ContinuityResult:
    """The viewpoint verdict of one matched pair whose features are already computed.

    Refines the homography photometrically, runs the parallax test on the features and
    measures photometric agreement; ``ij`` is the pair's keyframe indices, reported as is.
    For callers that cache features (the case's match store); others use ``compare_frames``.
    """
    parallax = ncc = ssim = None
    if m.matched:
        m = refine_photometric(m, a, b)
        parallax = _parallax(fa, fb, m.homography)
        ncc, ssim = photometric_agreement(a, b, m.homography)
    verdict, reason = _verdict(m, parallax)
    return ContinuityResult(
        verdict=verdict, reason=reason, note=TIME_NOTE, pair_index=ij,
        zoom_ratio=m.zoom_ratio, rotation_deg=m.rotation_deg,
        overlap_a_frac=m.overlap_a_frac, overlap_b_frac=m.overlap_b_frac,
        n_matches=m.n_matches, parallax=parallax, ncc=ncc, ssim=ssim, match=m,
    )  # fmt: skip

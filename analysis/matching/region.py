"""Region search: where does a box drawn in image A (a landmark) lie in image B?

A box around a landmark (a water tower) holds few features of its own, so the search uses the
context around it: A is cropped to the box enlarged by ``context`` times its size on each side,
that crop is matched against the whole of B (features of B can come from a cache), a homography
is verified by MAGSAC++ and refined (analysis.matching.engine), and the box's corners
are mapped into B. Fewer than ``min_inliers`` inliers, or a degenerate mapping of the box,
gives "not found".

Confidence: a logistic function of the inlier count, ``1 / (1 + exp(-(n - N50) / SCALE))``,
checked on the benchmark (bench/bench_matching.py, part 3: boxes of 40-120 px in the eight
shared images, B warped by 0.5-2x zoom, up to 30 deg tilt, blur and JPEG; the same boxes
searched in an unrelated image). In that run (2026-11-22) all 73 positives were found and
correct (quadrilateral within 3 px), with 18 to several hundred inliers (5th percentile 50);
on the 73 negatives MAGSAC's best consensus was at most 11 inliers (95th percentile 6), so
none reached the threshold of 12. The data separate cleanly but put almost no samples between
12 and 30 inliers, so the curve there is a conservative choice (N50 = 14, SCALE = 4: 0.38 at
12 inliers, 0.73 at 18, 0.92 at 24, 0.99 at 33), not a fit; rerun the bench on real
investigation pairs to refine it.

Too small to match: the benchmark's boxes were 40 px and more, and were all found. A box
smaller than ``MIN_TEXTURE_PX`` on a side (a water tower 8 x 14 px in a frame filmed from 2.8
km) holds too little texture for features of its own, so a "not found" for it says so and
points to what investigators publish instead: points marked by hand on both images, as a
correspondence figure (``workbench.correspondence``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching.engine import MatchResult, match_features, refine_photometric
from analysis.matching.features import Features, compute_features
from analysis.matching.geometry import apply_h

FOUND = "found"
NOT_FOUND = "not found"
DEFAULT_REGION_MIN_INLIERS = 12
CONFIDENCE_N50 = 14.0
CONFIDENCE_SCALE = 4.0
RETRY_BELOW_INLIERS = 50
MIN_TEXTURE_PX = 40  # the smallest box side the benchmark found (see the module docstring)


@dataclass(frozen=True, eq=False)
class RegionResult:
    """Where A's box lies in B.

    Attributes:
        verdict: "found" or "not found"; ``reason`` explains.
        quad_b_px: (4, 2) corners of the box in B's pixels (top-left, top-right,
            bottom-right, bottom-left of the box in A), or None when not found.
        confidence: calibrated probability that the quadrilateral is right (0 if not found).
        n_inliers: inliers of the context-to-B homography; ``min_inliers`` the threshold.
        homography: 3x3 mapping A's pixels (whole-image coordinates) to B's, or None.
        context_xywh: the part of A that was matched (box plus context), in A's pixels.
        match: the underlying MatchResult (in the context crop's coordinates).
        advice: for a box too small to match, what to do instead (else empty).
    """

    verdict: str
    reason: str
    quad_b_px: np.ndarray | None
    confidence: float
    n_inliers: int
    min_inliers: int
    homography: np.ndarray | None
    context_xywh: tuple[int, int, int, int]
    match: MatchResult
    advice: str = ""

    @property
    def found(self) -> bool:
        return self.verdict == FOUND

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "quad_b_px": None if self.quad_b_px is None else self.quad_b_px.tolist(),
            "confidence": self.confidence,
            "inliers": self.n_inliers,
            "min_inliers": self.min_inliers,
            "homography": None if self.homography is None else self.homography.tolist(),
            "context_xywh": list(self.context_xywh),
            "advice": self.advice,
        }


def size_advice(width_px: float, height_px: float) -> str:
    """Why a box this small is not found, and what to do ("" for a box large enough)."""
    if min(width_px, height_px) >= MIN_TEXTURE_PX:
        return ""
    return (
        f"the box is {width_px:.0f} x {height_px:.0f} px; feature matching needs some "
        f"{MIN_TEXTURE_PX} x {MIN_TEXTURE_PX} px of texture: mark the points by hand instead"
        " (correspondence figure)"
    )


def region_confidence(n_inliers: int) -> float:
    """Calibrated confidence of a found region from its inlier count (see module doc)."""
    return float(1.0 / (1.0 + np.exp(-(n_inliers - CONFIDENCE_N50) / CONFIDENCE_SCALE)))


def _context_box(roi, wh, context):
    x, y, w, h = roi
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > wh[0] or y + h > wh[1]:
        raise ValueError(f"box {roi} is empty or outside the {wh[0]}x{wh[1]} image")
    mx, my = context * w, context * h
    x0, y0 = int(max(0, np.floor(x - mx))), int(max(0, np.floor(y - my)))
    x1, y1 = int(min(wh[0], np.ceil(x + w + mx))), int(min(wh[1], np.ceil(y + h + my)))
    return x0, y0, x1 - x0, y1 - y0


def _search(a, roi, b, features_b, method, context, min_inliers, cancel):
    """Match the box with ``context`` around it against B: (MatchResult, context box)."""
    cx, cy, cw, ch = _context_box(roi, (a.shape[1], a.shape[0]), context)
    crop = a[cy : cy + ch, cx : cx + cw]
    f_crop = compute_features(crop, method, cancel=cancel)
    check(cancel)
    m = match_features(f_crop, features_b, min_inliers=min_inliers, cancel=cancel)
    return refine_photometric(m, crop, b), (cx, cy, cw, ch)


def find_region(
    a: np.ndarray,
    roi_xywh: tuple[float, float, float, float],
    b: np.ndarray,
    *,
    method: str = "sift",
    context: float = 2.0,
    features_b: Features | None = None,
    min_inliers: int = DEFAULT_REGION_MIN_INLIERS,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RegionResult:
    """Find the quadrilateral in B of the box ``roi_xywh`` drawn in A.

    Args:
        a, b: images (grey, BGR or BGRA).
        roi_xywh: the box in A: x, y of its top-left pixel edge, width, height, in pixels.
        method: feature method.
        context: margin around the box, as a multiple of its width/height, on each side;
            when fewer than ``RETRY_BELOW_INLIERS`` inliers are found, the search is repeated
            once with twice the margin and the result with more inliers is kept.
        features_b: B's features if cached (same method), else computed.
        min_inliers: "not found" below this many inliers.
        progress, cancel: job hooks.

    Returns:
        A RegionResult.

    Raises:
        ValueError: the box is empty or outside A.
    """
    wh_a = (a.shape[1], a.shape[0])
    _context_box(roi_xywh, wh_a, context)  # validates the box before any work
    if features_b is None:
        report(progress, 0.1, "features of B")
        features_b = compute_features(b, method, cancel=cancel)
    m, box = _search(a, roi_xywh, b, features_b, method, context, min_inliers, cancel)
    if m.n_inliers < RETRY_BELOW_INLIERS:
        report(progress, 0.6, "wider context")
        m2, box2 = _search(a, roi_xywh, b, features_b, method, 2 * context, min_inliers, cancel)
        if (m2.matched, m2.n_inliers) > (m.matched, m.n_inliers):
            m, box = m2, box2
    report(progress, 1.0, m.verdict)
    cx, cy = box[0], box[1]
    if not m.matched or m.homography is None:
        why = m.reason.removeprefix("no match: ")
        advice = size_advice(roi_xywh[2], roi_xywh[3])
        why = f"{why}; {advice}" if advice else why
        return RegionResult(
            NOT_FOUND, why, None, 0.0, m.n_inliers, min_inliers, None, box, m, advice
        )
    shift = np.array([[1.0, 0, -cx], [0, 1.0, -cy], [0, 0, 1.0]])
    h = m.homography @ shift
    h /= h[2, 2]
    x, y, w, hh = roi_xywh
    corners = np.array([[x, y], [x + w, y], [x + w, y + hh], [x, y + hh]], float) - 0.5
    quad = apply_h(h, corners)
    conf = region_confidence(m.n_inliers)
    reason = f"{m.n_inliers} inliers (needs {min_inliers}); confidence {conf:.2f}"
    return RegionResult(FOUND, reason, quad, conf, m.n_inliers, min_inliers, h, box, m)

"""Figures of a match, as BGR uint8 arrays drawn with OpenCV.

- :func:`side_by_side`: A and B next to each other at a common height, inlier lines in green,
  rejected tentative matches in faint red, and B's frame drawn into A (or a found region's
  quadrilateral drawn into B).
- :func:`warp_overlay`: B warped onto A's frame by the inverse homography and blended with A
  (alpha blend), with the outline of B's frame.

The figures carry no provenance text themselves: the caller (the case store, the CLI) records
evidence hashes, parameters and software version beside the file, as ARCHITECTURE requires.
"""

from __future__ import annotations

import cv2
import numpy as np

from analysis.matching.engine import MatchResult
from analysis.matching.geometry import apply_h, rect_corners

GREEN = (60, 200, 60)
RED = (60, 60, 220)
YELLOW = (0, 220, 255)
DEFAULT_FIGURE_HEIGHT_PX = 720
MAX_LINES = 150


def _bgr(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 2 or img.shape[2] == 1:
        return cv2.cvtColor(img.reshape(img.shape[0], img.shape[1]), cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return img.copy()


def _fit_height(img: np.ndarray, height: int) -> tuple[np.ndarray, float]:
    s = height / max(img.shape[0], 1)
    out = cv2.resize(img, (max(1, round(img.shape[1] * s)), height), interpolation=cv2.INTER_AREA)
    return out, s


def side_by_side(
    a: np.ndarray,
    b: np.ndarray,
    result: MatchResult,
    *,
    height_px: int = DEFAULT_FIGURE_HEIGHT_PX,
    quad_b_px: np.ndarray | None = None,
    max_lines: int = MAX_LINES,
) -> np.ndarray:
    """A and B side by side with match lines (inliers green, outliers red).

    Args:
        a, b: the two images; result: their MatchResult.
        height_px: height of the figure.
        quad_b_px: optional (4, 2) quadrilateral in B's pixels to outline (a found region).
        max_lines: at most this many lines of each kind (evenly subsampled, deterministic).

    Returns:
        A BGR uint8 image.
    """
    ia, sa = _fit_height(_bgr(a), height_px)
    ib, sb = _fit_height(_bgr(b), height_px)
    canvas = np.concatenate([ia, ib], axis=1)
    off = np.array([ia.shape[1], 0.0])
    pa = result.points_a * sa
    pb = result.points_b * sb + off
    # Without a verified model no line is an inlier: all are drawn as rejected.
    inliers = result.inlier_mask if result.matched else np.zeros(len(pa), bool)
    for inl, colour, thick in ((False, RED, 1), (True, GREEN, 1)):
        idx = np.flatnonzero(inliers == inl)
        if len(idx) > max_lines:
            idx = idx[np.linspace(0, len(idx) - 1, max_lines).astype(int)]
        for i in idx:
            p, q = np.round(pa[i]).astype(int), np.round(pb[i]).astype(int)
            cv2.line(canvas, tuple(p), tuple(q), colour, thick, cv2.LINE_AA)
            cv2.circle(canvas, tuple(p), 2, colour, -1, cv2.LINE_AA)
            cv2.circle(canvas, tuple(q), 2, colour, -1, cv2.LINE_AA)
    if result.homography is not None:
        frame_b_in_a = apply_h(np.linalg.inv(result.homography), rect_corners(result.image_b_wh))
        _poly(canvas, frame_b_in_a * sa, YELLOW)
    if quad_b_px is not None:
        _poly(canvas, np.asarray(quad_b_px) * sb + off, YELLOW)
    return canvas


def _poly(canvas: np.ndarray, pts: np.ndarray, colour: tuple[int, int, int]) -> None:
    ipts = np.round(pts).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [ipts], True, colour, 2, cv2.LINE_AA)


def warp_overlay(
    a: np.ndarray, b: np.ndarray, homography: np.ndarray, *, alpha: float = 0.5
) -> np.ndarray:
    """B warped onto A's frame by the inverse of ``homography`` (A to B), blended with A.

    Outside B's footprint A is shown alone; B's frame is outlined in yellow.
    """
    ia, ib = _bgr(a), _bgr(b)
    size = (ia.shape[1], ia.shape[0])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(ib, homography, size, flags=flags)
    valid = cv2.warpPerspective(np.full(ib.shape[:2], 255, np.uint8), homography, size, flags=flags)
    blend = cv2.addWeighted(ia, 1.0 - alpha, warped, alpha, 0.0)
    out = np.where(valid[:, :, None] > 0, blend, ia)
    _poly(out, apply_h(np.linalg.inv(homography), rect_corners((ib.shape[1], ib.shape[0]))), YELLOW)
    return out

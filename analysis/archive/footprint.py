"""Where one copy's picture lies in another's: the crop, the padding and the scale between two
keyframes of the same footage.

SIFT features on both keyframes (small: the archive keeps them 256 px wide), ratio-tested
matches, and a similarity transform (scale, rotation, shift) fitted by RANSAC map the copy's
picture into the original's. Its footprint there gives the share of the original the copy
still shows (a crop), and the share of the copy's frame that shows picture at all (bars).
Equal aspect ratios cannot tell a 10% crop from a 0.9x rescale: the footprint can.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.archive.phash import content_box

MIN_INLIERS = 12
RATIO = 0.75
OVERLAY_LEVEL = 40  # gray levels of difference after a 5 x 5 blur
COMPACT_SHARE = 0.6  # of the changed pixels, in one patch, for it to count as an overlay


@dataclass(frozen=True)
class Footprint:
    scale: float  # copy pixels per original pixel
    original_shown: float  # share of the original's picture inside the copy, 0..1
    copy_filled: float  # share of the copy's frame showing picture (not bars), 0..1
    inliers: int
    overlay_share: float  # share of the shared picture covered by one compact changed patch


def _polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def footprint(original: np.ndarray, copy: np.ndarray) -> Footprint | None:
    """The copy's picture located in the original's (gray or RGB uint8); None when too few
    features agree (a different frame of the shot, a blank picture)."""
    a = original if original.ndim == 2 else cv2.cvtColor(original, cv2.COLOR_RGB2GRAY)
    b = copy if copy.ndim == 2 else cv2.cvtColor(copy, cv2.COLOR_RGB2GRAY)
    sift = cv2.SIFT_create()
    ka, da = sift.detectAndCompute(a, None)
    kb, db = sift.detectAndCompute(b, None)
    if da is None or db is None or len(ka) < MIN_INLIERS or len(kb) < MIN_INLIERS:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(db, da, k=2)
    good = [m for m, n in (p for p in pairs if len(p) == 2) if m.distance < RATIO * n.distance]
    if len(good) < MIN_INLIERS:
        return None
    src = np.float32([kb[m.queryIdx].pt for m in good])
    dst = np.float32([ka[m.trainIdx].pt for m in good])
    matrix, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC,
                                               ransacReprojThreshold=2.0)  # fmt: skip
    if matrix is None or int(mask.sum()) < MIN_INLIERS:
        return None
    top, bottom, left, right = content_box(b)
    corners = np.float32([[left, top], [right, top], [right, bottom], [left, bottom]])
    mapped = cv2.transform(corners[None], matrix)[0]
    a_top, a_bottom, a_left, a_right = content_box(a)  # the original's picture, bars left out
    picture = np.float32([[a_left, a_top], [a_right, a_top], [a_right, a_bottom],
                          [a_left, a_bottom]])  # fmt: skip
    inside, _ = cv2.intersectConvexConvex(mapped, picture)
    scale = 1.0 / float(np.hypot(matrix[0, 0], matrix[1, 0]))
    filled = (bottom - top) * (right - left) / float(b.shape[0] * b.shape[1])
    shown = inside / float((a_bottom - a_top) * (a_right - a_left))
    overlay = _overlay_share(a, b, matrix)
    return Footprint(scale, min(1.0, shown), filled, int(mask.sum()), overlay)


def _overlay_share(a: np.ndarray, b: np.ndarray, matrix: np.ndarray) -> float:
    """The largest compact patch where the aligned copy differs from the original (a logo,
    a caption), as a share of the picture they share; 0 when the differences are spread
    (compression, motion between two different frames) rather than in one place."""
    h, w = a.shape
    warped = cv2.warpAffine(b, matrix, (w, h), flags=cv2.INTER_AREA, borderValue=0)
    seen = cv2.warpAffine(np.full_like(b, 255), matrix, (w, h), borderValue=0) > 0
    seen = cv2.erode(seen.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if seen.sum() < 0.2 * h * w:
        return 0.0
    diff = cv2.absdiff(cv2.GaussianBlur(a, (5, 5), 0), cv2.GaussianBlur(warped, (5, 5), 0))
    changed = ((diff > OVERLAY_LEVEL) & seen).astype(np.uint8)
    if changed.sum() == 0:
        return 0.0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(changed)
    largest = int(stats[1:, cv2.CC_STAT_AREA].max())
    if largest < COMPACT_SHARE * changed.sum():
        return 0.0  # spread out: not one overlay
    return largest / float(seen.sum())

"""Per-frame features for edit-cut detection, computed on small frames in one decode pass.

For every frame t: a tiny gray thumbnail (for the dissolve linearity test), the mean and
standard deviation of luma, the HSV colour-histogram distance to frame t-1 (half the L1
distance of normalised 8x4x4 histograms, in [0, 1]) and the mean absolute luma difference to
frame t-1 (in [0, 1]). Colour histograms ignore where things are, so they change little in a
fast pan; pixel differences see any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn
from analysis.video import iter_frames

ANALYSIS_WIDTH_PX = 96
THUMB_SIZE_PX = (48, 27)


@dataclass(frozen=True)
class CutFeatures:
    """Feature series of one video (arrays indexed by frame index)."""

    pts_s: np.ndarray  # float64, NaN where unknown
    luma_mean: np.ndarray  # float32, 0..255
    luma_std: np.ndarray
    hist_dist: np.ndarray  # float32, to previous frame; 0 for frame 0
    pixel_dist: np.ndarray  # float32, to previous frame, 0..1
    struct_dist: np.ndarray  # float32, 1 - normalised cross-correlation to previous, 0..2
    thumbs: np.ndarray  # uint8 (n, 27, 48) gray thumbnails, upright

    def __len__(self) -> int:
        return len(self.luma_mean)


def structure_distance(a: np.ndarray, b: np.ndarray, flat_std: float = 6.0) -> float:
    """1 - normalised cross-correlation of two gray images: blind to exposure and gain.

    When either picture is flat (std below ``flat_std``, e.g. black), the distance is the
    change of mean and contrast (saturating at 1.0 for 20 grey levels).
    """
    sa, sb = float(a.std()), float(b.std())
    if min(sa, sb) < flat_std:
        # correlation of noise is meaningless: compare brightness and contrast instead
        diff = abs(float(a.mean()) - float(b.mean())) + abs(sa - sb)
        return min(1.0, diff / 20.0)
    ncc = float(((a - a.mean()) * (b - b.mean())).mean()) / (sa * sb)
    return 1.0 - ncc


def _hist(small_rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2HSV)
    h = cv2.calcHist([hsv], [0, 1, 2], None, [8, 4, 4], [0, 180, 0, 256, 0, 256]).ravel()
    return h / max(float(h.sum()), 1.0)


def features_from_images(images: list[np.ndarray] | np.ndarray) -> CutFeatures:
    """Features of RGB uint8 images (for tests and callers that already hold frames)."""
    acc = _Accumulator()
    for img in images:
        acc.add(np.asarray(img), float("nan"))
    return acc.result()


class _Accumulator:
    def __init__(self) -> None:
        self.pts: list[float] = []
        self.mean: list[float] = []
        self.std: list[float] = []
        self.hd: list[float] = []
        self.pd: list[float] = []
        self.sd: list[float] = []
        self.thumbs: list[np.ndarray] = []
        self._prev_hist: np.ndarray | None = None
        self._prev_gray: np.ndarray | None = None

    def add(self, rgb: np.ndarray, pts_s: float) -> None:
        h, w = rgb.shape[:2]
        if w > ANALYSIS_WIDTH_PX:
            size = (ANALYSIS_WIDTH_PX, max(2, round(h * ANALYSIS_WIDTH_PX / w)))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        hist = _hist(rgb)
        g = gray.astype(np.float32)
        self.pts.append(pts_s)
        self.mean.append(float(g.mean()))
        self.std.append(float(g.std()))
        if self._prev_hist is None or self._prev_gray is None:
            self.hd.append(0.0)
            self.pd.append(0.0)
            self.sd.append(0.0)
        else:
            self.hd.append(0.5 * float(np.abs(hist - self._prev_hist).sum()))
            self.pd.append(float(np.abs(g - self._prev_gray).mean()) / 255.0)
            self.sd.append(structure_distance(g, self._prev_gray))
        self.thumbs.append(cv2.resize(gray, THUMB_SIZE_PX, interpolation=cv2.INTER_AREA))
        self._prev_hist, self._prev_gray = hist, g

    def result(self) -> CutFeatures:
        n = len(self.mean)
        thumbs = (
            np.stack(self.thumbs)
            if n
            else np.zeros((0, THUMB_SIZE_PX[1], THUMB_SIZE_PX[0]), np.uint8)
        )
        return CutFeatures(
            pts_s=np.asarray(self.pts, dtype=np.float64),
            luma_mean=np.asarray(self.mean, dtype=np.float32),
            luma_std=np.asarray(self.std, dtype=np.float32),
            hist_dist=np.asarray(self.hd, dtype=np.float32),
            pixel_dist=np.asarray(self.pd, dtype=np.float32),
            struct_dist=np.asarray(self.sd, dtype=np.float32),
            thumbs=thumbs,
        )


def extract_features(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> CutFeatures:
    """Decode ``path`` once (downscaled by the decoder's scaler, deblocking skipped: shot
    content does not need it) and compute the features."""
    acc = _Accumulator()
    frames = iter_frames(
        path, width_px=ANALYSIS_WIDTH_PX, fast=True, progress=progress, cancel=cancel
    )
    for f in frames:
        acc.add(f.image, float("nan") if f.pts_s is None else f.pts_s)
    return acc.result()

"""Per-frame features for edit-cut detection, computed on small frames in one decode pass.

For every frame t: a tiny gray thumbnail (for the dissolve linearity test), the mean and
standard deviation of luma, the HSV colour-histogram distance to frame t-1 (half the L1
distance of normalised 8x4x4 histograms, in [0, 1]) and the mean absolute luma difference to
frame t-1 (in [0, 1]). Colour histograms ignore where things are, so they change little in a
fast pan; pixel differences see any change.

Where the structure changes a lot (a cut, or a camera that jolted), the structure distance left
after the best shift of frame t-1 by up to ``SHIFT_MAX`` of its width and height is measured
too, by normalised cross-correlation over shifts (template matching): a jolt of the camera
leaves little more than noise, a cut most of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn
from analysis.video.decode import iter_frames

ANALYSIS_WIDTH_PX = 96
THUMB_SIZE_PX = (48, 27)
SHIFT_CHECK_FROM = 0.12  # structure distance from which the best-shift distance is measured
SHIFT_MAX = 0.2  # largest shift tried, as a fraction of the width (x) and the height (y)


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
    # float32, structure distance to the previous frame after its best shift (centre crop);
    # NaN where struct_dist < SHIFT_CHECK_FROM (not measured) or the crop is flat
    shift_dist: np.ndarray

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


def features_from_images(images: list[np.ndarray] | np.ndarray) -> CutFeatures:
    """Features of RGB uint8 images (for tests and callers that already hold frames)."""
    acc = FeatureAccumulator()
    for img in images:
        acc.add(np.asarray(img), float("nan"))
    return acc.result()


class FeatureAccumulator:
    """Collects small frames and computes their features in vectorised chunks (the per-frame
    Python overhead would otherwise cost more than decoding a small video)."""

    CHUNK = 128

    def __init__(self) -> None:
        self.pts: list[float] = []
        self.parts: list[dict[str, np.ndarray]] = []
        self.thumbs: list[np.ndarray] = []
        self._chunk: list[np.ndarray] = []
        self._prev: tuple[np.ndarray, np.ndarray] | None = None  # last gray, last hist

    def add(self, rgb: np.ndarray, pts_s: float) -> None:
        h, w = rgb.shape[:2]
        if w > ANALYSIS_WIDTH_PX:
            size = (ANALYSIS_WIDTH_PX, max(2, round(h * ANALYSIS_WIDTH_PX / w)))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        if self._chunk and rgb.shape != self._chunk[0].shape:
            self._flush()  # a stream that changes size mid-way
        self._chunk.append(rgb)
        self.pts.append(pts_s)
        if len(self._chunk) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._chunk:
            return
        rgb = np.stack(self._chunk)
        self._chunk = []
        n, h, w = rgb.shape[:3]
        flat_rgb = rgb.reshape(n * h, w, 3)
        gray8 = cv2.cvtColor(flat_rgb, cv2.COLOR_RGB2GRAY).reshape(n, h, w)
        hists = _hists(cv2.cvtColor(flat_rgb, cv2.COLOR_RGB2HSV).reshape(n, h, w, 3))
        g = gray8.astype(np.float32)
        self.thumbs.append(  # one array a chunk: 1.3 KB a frame, not an object each
            np.stack([cv2.resize(x, THUMB_SIZE_PX, interpolation=cv2.INTER_AREA) for x in gray8])
        )
        if self._prev is not None and self._prev[0].shape == g.shape[1:]:
            prev_g = np.concatenate([self._prev[0][None], g[:-1]])
            prev_h = np.concatenate([self._prev[1][None], hists[:-1]])
            first_valid = 0
        else:
            prev_g = np.concatenate([g[:1], g[:-1]])
            prev_h = np.concatenate([hists[:1], hists[:-1]])
            first_valid = 1  # no previous frame: distances 0
        part = {
            "mean": g.mean(axis=(1, 2)),
            "std": g.std(axis=(1, 2)),
            "hd": 0.5 * np.abs(hists - prev_h).sum(axis=1),
            "pd": np.abs(g - prev_g).mean(axis=(1, 2)) / 255.0,
            "sd": structure_distances(g, prev_g),
        }
        for key in ("hd", "pd", "sd"):
            part[key][:first_valid] = 0.0
        part["shift"] = np.full(n, np.nan, np.float32)
        for i in np.nonzero(part["sd"] >= SHIFT_CHECK_FROM)[0].tolist():
            part["shift"][i] = shifted_structure_distance(prev_g[i], g[i])
        self.parts.append(part)
        self._prev = (g[-1], hists[-1])

    def result(self) -> CutFeatures:
        self._flush()

        def cat(key: str) -> np.ndarray:
            if not self.parts:
                return np.zeros(0, np.float32)
            return np.concatenate([p[key] for p in self.parts]).astype(np.float32)

        n = len(self.pts)
        thumbs = (
            np.concatenate(self.thumbs)
            if n
            else np.zeros((0, THUMB_SIZE_PX[1], THUMB_SIZE_PX[0]), np.uint8)
        )
        self.thumbs = [thumbs]  # the chunks are let go as they are joined
        return CutFeatures(
            pts_s=np.asarray(self.pts, dtype=np.float64),
            luma_mean=cat("mean"),
            luma_std=cat("std"),
            hist_dist=cat("hd"),
            pixel_dist=cat("pd"),
            struct_dist=cat("sd"),
            thumbs=thumbs,
            shift_dist=cat("shift"),
        )

    def keep_last(self, count: int) -> CutFeatures:
        """The features so far (as ``result``); then all but the last ``count`` frames are
        forgotten. The kept frames' features stay as they were, and the next frame is
        compared with the last one, as before."""
        feats = self.result()
        start = max(0, len(feats) - count)
        self.pts = self.pts[start:]
        self.thumbs = [feats.thumbs[start:].copy()]
        self.parts = [{
            "mean": feats.luma_mean[start:].copy(), "std": feats.luma_std[start:].copy(),
            "hd": feats.hist_dist[start:].copy(), "pd": feats.pixel_dist[start:].copy(),
            "sd": feats.struct_dist[start:].copy(), "shift": feats.shift_dist[start:].copy(),
        }]  # fmt: skip
        return feats


def shifted_structure_distance(before: np.ndarray, after: np.ndarray) -> float:
    """1 - the best normalised cross-correlation of the centre crop of ``before`` (float32
    gray) over ``after``, for shifts up to SHIFT_MAX of the width and of the height.

    Returns NaN when the crop is too small or flat (no correlation to measure).
    """
    h, w = before.shape
    mx, my = max(1, round(SHIFT_MAX * w)), max(1, round(SHIFT_MAX * h))
    crop = before[my : h - my, mx : w - mx]
    if crop.shape[0] < 4 or crop.shape[1] < 4 or float(crop.std()) < 1.0:
        return float("nan")
    resp = cv2.matchTemplate(after, crop, cv2.TM_CCOEFF_NORMED)
    return max(0.0, 1.0 - float(resp.max()))


def _hists(hsv: np.ndarray) -> np.ndarray:
    """Normalised 8x4x4 HSV histograms of a stack (n, h, w, 3), OpenCV's hue range 0..179."""
    n = hsv.shape[0]
    hq = (hsv[..., 0].astype(np.int32) * 8) // 180
    idx = hq * 16 + (hsv[..., 1] >> 6).astype(np.int32) * 4 + (hsv[..., 2] >> 6)
    idx = idx.reshape(n, -1) + (np.arange(n, dtype=np.int32) * 128)[:, None]
    counts = np.bincount(idx.ravel(), minlength=n * 128).reshape(n, 128).astype(np.float32)
    return counts / float(idx.shape[1])


def structure_distances(a: np.ndarray, b: np.ndarray, flat_std: float = 6.0) -> np.ndarray:
    """``structure_distance`` for stacks (n, h, w) of float32 pictures, pairwise."""
    ma, mb = a.mean(axis=(1, 2)), b.mean(axis=(1, 2))
    sa, sb = a.std(axis=(1, 2)), b.std(axis=(1, 2))
    flat = np.minimum(sa, sb) < flat_std
    cov = ((a - ma[:, None, None]) * (b - mb[:, None, None])).mean(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        ncc_dist = 1.0 - cov / (sa * sb)
    flat_dist = np.minimum(1.0, (np.abs(ma - mb) + np.abs(sa - sb)) / 20.0)
    return np.where(flat, flat_dist, ncc_dist).astype(np.float32)


def extract_features(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> CutFeatures:
    """Decode ``path`` once (downscaled by the decoder's scaler, deblocking skipped: shot
    content does not need it) and compute the features."""
    acc = FeatureAccumulator()
    frames = iter_frames(
        path, width_px=ANALYSIS_WIDTH_PX, fast=True, progress=progress, cancel=cancel
    )
    for f in frames:
        acc.add(f.image, float("nan") if f.pts_s is None else f.pts_s)
    return acc.result()

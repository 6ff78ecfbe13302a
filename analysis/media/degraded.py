"""Degraded media: borders, static overlays, duplicated/blended/interlaced frames, quality.

Each detector is deliberately simple, so that an investigator can explain it:

* ``find_active_area``: black bars are rows/columns that stay dark and flat in every sampled
  frame; a blurred fill (a vertical phone video pasted over a blurred, enlarged copy of
  itself) is a band whose high-frequency energy (mean |Laplacian|) is far below the centre's.
  Coordinates in the active picture map back with ``ActiveArea.to_original``.
* ``find_static_overlay``: pixels whose value does not change over time while the picture
  around them does, and that have edges (a logo, a ticker, a time stamp).
* ``frame_flags``: a duplicate repeats the previous frame; a blended frame is the mean of its
  neighbours (frame-rate conversion by blending); combing (interlacing) makes neighbouring
  rows, which belong to different fields, differ more than rows two apart.
* ``effective_scale``: the highest spatial frequency that still carries power tells how much
  real detail the picture holds (an upscaled picture has an empty top band);
  ``blockiness``: the 8x8 block edges of JPEG/MPEG compression stand out from differences
  inside the blocks (Wang, Bovik & Evans, "Blind measurement of blocking artifacts in
  images", ICIP 2000, simplified).

Images are uint8 arrays, RGB (h, w, 3) or gray (h, w); pixel origin top-left, x right, y down.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from analysis.errors import MediaError
from analysis.jobs import CancelToken, ProgressFn, check, report

if TYPE_CHECKING:
    from analysis.video.decode import VideoReader

DARK_LEVEL = 24  # a bar pixel is at most this bright (8-bit luma) ...
DARK_STD = 6.0  # ... and the bar this flat
SCALES = (0.25, 0.33, 0.5, 0.67, 0.8)


def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img


@dataclass(frozen=True)
class ActiveArea:
    """The part of the frame that holds the picture, in original pixels."""

    x: int
    y: int
    width_px: int
    height_px: int
    frame_width_px: int
    frame_height_px: int
    kind: str  # "none", "letterbox", "pillarbox", "windowbox" or "blurred_fill"

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """Map a point of the cropped active picture to the full frame."""
        return x + self.x, y + self.y

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y : self.y + self.height_px, self.x : self.x + self.width_px]


def _dark_span(profile_max: np.ndarray, profile_std: np.ndarray) -> tuple[int, int]:
    """First and last index (inclusive) that is not a dark bar, scanning from both ends."""
    dark = (profile_max <= DARK_LEVEL) & (profile_std <= DARK_STD)
    lo, hi = 0, len(dark) - 1
    while lo < hi and dark[lo]:
        lo += 1
    while hi > lo and dark[hi]:
        hi -= 1
    return lo, hi


def _blur_span(gray_frames: Sequence[np.ndarray]) -> tuple[int, int] | None:
    """Columns (first, last) of the sharp centre when the sides are a blurred fill."""
    energy = np.mean(
        [np.abs(cv2.Laplacian(g.astype(np.float32), cv2.CV_32F)).mean(axis=0) for g in gray_frames],
        axis=0,
    )
    w = len(energy)
    smooth = np.convolve(energy, np.ones(9) / 9, mode="same")
    centre = float(np.median(smooth[w // 3 : 2 * w // 3]))
    if centre <= 0:
        return None
    sharp = smooth > 0.4 * centre
    lo, hi = int(np.argmax(sharp)), w - 1 - int(np.argmax(sharp[::-1]))
    # the box filter spreads the step: find it again in the raw energy (the step edge itself
    # lights the Laplacian one column outside the picture, hence the +1/-1)
    raw = energy > 0.4 * centre
    lo = next((x + 1 for x in range(max(lo - 6, 0), lo + 6) if raw[x]), lo)
    hi = next((x - 1 for x in range(min(hi + 6, w - 1), hi - 6, -1) if raw[x]), hi)
    side = np.concatenate([energy[: max(lo - 4, 0)], energy[min(hi + 5, w) :]])
    if lo < w * 0.08 or (w - 1 - hi) < w * 0.08 or len(side) == 0:
        return None
    if float(side.mean()) > 0.25 * centre:
        return None
    return lo, hi


def find_active_area(frames: Sequence[np.ndarray]) -> ActiveArea:
    """Find letterbox/pillarbox bars or a blurred fill from a few frames spread over a shot.

    Raises:
        MediaError: no frames given.
    """
    if not frames:
        raise MediaError("find_active_area needs at least one frame")
    grays = [_gray(f) for f in frames]
    h, w = grays[0].shape
    stack = np.stack(grays).astype(np.float32)
    col_max, col_std = stack.max(axis=(0, 1)), stack.std(axis=1).max(axis=0)
    row_max, row_std = stack.max(axis=(0, 2)), stack.std(axis=2).max(axis=0)
    x0, x1 = _dark_span(col_max, col_std)
    y0, y1 = _dark_span(row_max, row_std)
    bars_x, bars_y = (x0 > 1 or x1 < w - 2), (y0 > 1 or y1 < h - 2)
    if bars_x or bars_y:
        kind = {(True, False): "pillarbox", (False, True): "letterbox"}.get(
            (bars_x, bars_y), "windowbox"
        )
        return ActiveArea(x0, y0, x1 - x0 + 1, y1 - y0 + 1, w, h, kind)
    span = _blur_span(grays)
    if span is not None:
        return ActiveArea(span[0], 0, span[1] - span[0] + 1, h, w, h, "blurred_fill")
    return ActiveArea(0, 0, w, h, w, h, "none")


@dataclass(frozen=True)
class OverlayMask:
    """Pixels of a static overlay (True = overlay) and their bounding boxes (x, y, w, h)."""

    mask: np.ndarray  # bool (h, w)
    boxes: tuple[tuple[int, int, int, int], ...]
    reliable: bool  # False when most of the picture is static (fixed camera): no contrast


def find_static_overlay(
    frames: Sequence[np.ndarray], *, still_std: float = 3.0, min_area_px: int = 30
) -> OverlayMask:
    """Static, structured pixels over a moving picture (frames spread over the video)."""
    if len(frames) < 3:
        raise MediaError("find_static_overlay needs at least three frames")
    stack = np.stack([_gray(f).astype(np.float32) for f in frames])
    still = stack.std(axis=0) < still_std
    mean = stack.mean(axis=0)
    edges = np.abs(cv2.Laplacian(mean, cv2.CV_32F)) > 8.0
    near_edges = cv2.dilate(edges.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    mask = (still & near_edges).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros_like(mask, dtype=bool)
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if area >= min_area_px:
            keep |= labels == i
            boxes.append((x, y, bw, bh))
    return OverlayMask(keep, tuple(boxes), reliable=float(still.mean()) < 0.5)


@dataclass(frozen=True)
class FrameFlag:
    """Per-frame flags; timestamp spacing is not capture spacing where any is set."""

    index: int
    duplicate: bool  # same picture as the previous frame
    blended: bool  # the mean of the previous and the next frame
    combing: float  # > 1.2 suggests interlacing (adjacent rows from different fields)

    @property
    def interlaced(self) -> bool:
        return self.combing > 1.2


def combing_ratio(gray: np.ndarray) -> float:
    """Mean |row y - row y+1| over mean |row y - row y+2| (progressive pictures: below 1)."""
    g = gray.astype(np.float32)
    d1 = float(np.abs(g[1:] - g[:-1]).mean())
    d2 = float(np.abs(g[2:] - g[:-2]).mean())
    return d1 / d2 if d2 > 1e-6 else 0.0


def frame_flags(
    frames: Iterable[np.ndarray], *, dup_level: float = 0.6, blend_ratio: float = 0.15
) -> list[FrameFlag]:
    """Flag duplicated, blended and combed frames in a frame sequence (gray or RGB)."""
    return list(iter_frame_flags(frames, dup_level=dup_level, blend_ratio=blend_ratio))


def iter_frame_flags(
    frames: Iterable[np.ndarray], *, dup_level: float = 0.6, blend_ratio: float = 0.15
) -> Iterator[FrameFlag]:
    """Streaming ``frame_flags``: holds three frames at a time (for long videos)."""
    window: list[np.ndarray] = []  # previous, current
    i = -1
    for i, f in enumerate(frames):
        window.append(_gray(f).astype(np.float32))
        if len(window) == 3:
            yield _flag(i - 1, window[0], window[1], window[2], dup_level, blend_ratio)
            window.pop(0)
        elif i == 0:
            yield _flag(0, None, window[0], None, dup_level, blend_ratio)
    if i >= 1:
        yield _flag(i, window[-2], window[-1], None, dup_level, blend_ratio)


def _flag(
    i: int,
    prev: np.ndarray | None,
    g: np.ndarray,
    nxt: np.ndarray | None,
    dup_level: float,
    blend_ratio: float,
) -> FrameFlag:
    dup = prev is not None and float(np.abs(g - prev).mean()) < dup_level
    blended = False
    if prev is not None and nxt is not None and not dup:
        span = float(np.abs(nxt - prev).mean())
        resid = float(np.abs(g - 0.5 * (prev + nxt)).mean())
        # a real in-between picture of moving content is not the average of its neighbours
        blended = span > 2.0 and resid < blend_ratio * span and _ghosted(g, prev, nxt)
    return FrameFlag(i, bool(dup), bool(blended), round(combing_ratio(g), 3))


def scan_frame_flags(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[FrameFlag]:
    """``frame_flags`` over a whole video at full resolution (rows matter for combing)."""
    from analysis.video.frames import iter_frames

    frames = (f.image for f in iter_frames(path, gray=True, progress=progress, cancel=cancel))
    return list(iter_frame_flags(frames))


def _ghosted(g: np.ndarray, prev: np.ndarray, nxt: np.ndarray) -> bool:
    """A blend keeps both neighbours' edges: it correlates with each about equally."""
    a, b = _ncc(g, prev), _ncc(g, nxt)
    return a > 0.5 and b > 0.5 and abs(a - b) < 0.25


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / den if den > 0 else 0.0


def effective_scale(
    image: np.ndarray, *, empty_ratio: float = 0.15, scales: Sequence[float] = SCALES
) -> float:
    """Smallest scale s such that the spectrum above s (times Nyquist) is nearly empty.

    "Nearly empty": the power at normalised frequencies in (s, 1] is below ``empty_ratio``
    times the power in the octave (s/2, s]. Natural pictures hold about as much power per
    octave at every scale, so a picture enlarged from a smaller one is the only way to get
    an empty top band. Measured on pictures reduced with an area filter and enlarged with a
    cubic one, the ratio at the true scale is about 0.1 (the filters are not ideal), against
    0.25 and more for a sharp picture; hence 0.15. The answer is one of ``scales`` (coarse).
    Returns 1.0 when the picture is as sharp as its pixels.
    """
    g = _gray(image).astype(np.float32)
    h, w = g.shape
    win = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    power = np.abs(np.fft.fft2((g - g.mean()) * win)) ** 2
    fy = np.abs(np.fft.fftfreq(h))[:, None] / 0.5
    fx = np.abs(np.fft.fftfreq(w))[None, :] / 0.5
    r = np.maximum(fx, fy)  # Chebyshev radius: rows and columns are resampled separately
    for s in sorted(scales):
        above = float(power[r > s].sum())
        octave = float(power[(r > s / 2) & (r <= s)].sum())
        if octave > 0 and above < empty_ratio * octave:
            return s
    return 1.0


def blockiness(image: np.ndarray, block_px: int = 8) -> float:
    """Ratio of horizontal differences across 8-pixel block edges to those inside blocks.

    About 1 for an uncompressed picture; well above 1 for strong JPEG/MPEG blocking.
    """
    g = _gray(image).astype(np.float32)
    d = np.abs(np.diff(g, axis=1))  # d[:, x] = |g[:, x+1] - g[:, x]|
    cols = np.arange(d.shape[1])
    edge = (cols % block_px) == block_px - 1
    inside = float(d[:, ~edge].mean())
    return float(d[:, edge].mean()) / inside if inside > 1e-6 else 1.0


@dataclass(frozen=True)
class SegmentQuality:
    """Effective detail and compression of one segment, from sampled frames."""

    first_frame: int
    last_frame: int
    effective_width_px: int
    effective_height_px: int
    effective_scale: float  # median over the samples
    blockiness: float  # median over the samples


def segment_quality(
    first_frame: int, last_frame: int, samples: Sequence[np.ndarray]
) -> SegmentQuality:
    """Summarise a segment from a few of its frames (taken by the caller, e.g. VideoReader)."""
    if not samples:
        raise MediaError(f"segment {first_frame}-{last_frame}: no frames to measure")
    scales = [effective_scale(s) for s in samples]
    blocks = [blockiness(s) for s in samples]
    h, w = samples[0].shape[:2]
    scale = float(np.median(scales))
    return SegmentQuality(
        first_frame,
        last_frame,
        int(round(w * scale)),
        int(round(h * scale)),
        scale,
        round(float(np.median(blocks)), 3),
    )


def assess_segments(
    path: str | Path,
    segments: Sequence[tuple[int, int]],
    *,
    samples_per_segment: int = 3,
    reader: VideoReader | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[SegmentQuality]:
    """``segment_quality`` of each (first_frame, last_frame) segment of a video, from
    ``samples_per_segment`` exact frames spread evenly inside it (upright RGB)."""
    from analysis.video.decode import VideoReader

    own = reader is None
    rd = reader or VideoReader(path)
    try:
        out = []
        for k, (first, last) in enumerate(segments):
            check(cancel)
            count = max(1, min(samples_per_segment, last - first + 1))
            picks = np.linspace(first, last, count + 2)[1:-1].round().astype(int)
            samples = [rd.frame_at(int(i)).image for i in picks]
            out.append(segment_quality(first, last, samples))
            report(progress, (k + 1) / len(segments), f"segment {k + 1} of {len(segments)}")
        return out
    finally:
        if own:
            rd.close()

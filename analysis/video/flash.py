"""Finding a flash (an explosion, a muzzle flash) in a video: which frame, and where.

A flash is the frame whose mean brightness jumps most above the frame before it; where it is
is the brightness-weighted centroid of the pixels that brightened most in that jump. Both are
measured on the decoded pictures, at full resolution for the position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.errors import MediaError
from analysis.jobs import CancelToken, ProgressFn, report
from analysis.video.frames import iter_frames


@dataclass(frozen=True)
class Flash:
    frame_index: int  # first frame of the flash (0-based decode index)
    pts_s: float | None
    jump: float  # rise of the mean luma, 0-255 scale
    x_px: float  # centroid in the upright frame's pixels
    y_px: float
    area_px: int  # pixels that brightened by more than half the peak rise


def flash_frame(
    path: Path,
    *,
    max_frames: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> tuple[int, float | None, float]:
    """(index, pts_s, jump) of the largest rise in mean brightness between two frames."""
    best = (-1, None, 0.0)
    previous: float | None = None
    for frame in iter_frames(path, width_px=160, gray=True, fast=True, cancel=cancel):
        mean = float(frame.image.mean())
        if previous is not None and mean - previous > best[2]:
            best = (frame.index, frame.pts_s, mean - previous)
        previous = mean
        if max_frames:
            report(progress, (frame.index + 1) / max_frames, f"frame {frame.index}")
        if max_frames is not None and frame.index + 1 >= max_frames:
            break
    if best[0] < 0 or best[2] <= 0:
        raise MediaError(f"{path}: no brightness rise found; no flash to locate")
    return best


def locate_flash(before: np.ndarray, during: np.ndarray) -> tuple[float, float, int]:
    """Centroid (x, y) and area of the flash core between two RGB frames.

    A flash also washes out the whole picture (glare; the exposure cannot follow), which
    brightens dark pixels more than bright ones. That global change is modelled as affine in
    luma, ``during = a * before + b``, fitted by least squares and refitted without the 2 %
    largest residuals; the core is what brightened beyond it: the pixels whose excess is over
    half the peak excess. Their excess-weighted centroid is returned.
    """
    if before.shape != during.shape:
        raise ValueError("the two frames differ in size")
    luma = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    x = (before.astype(np.float32) @ luma).ravel()
    y = (during.astype(np.float32) @ luma).ravel()
    if float((y - x).max()) <= 0:
        raise ValueError("nothing brightened between the two frames")
    keep = np.ones_like(x, dtype=bool)
    for _ in range(2):
        a, b = np.polyfit(x[keep], y[keep], 1)
        excess = y - (a * x + b)
        keep = excess < np.quantile(excess, 0.98)
    excess = excess.reshape(before.shape[:2])
    peak = float(excess.max())
    if peak <= 0:
        raise ValueError("nothing brightened beyond the frame's overall change")
    mask = excess > 0.5 * peak
    ys, xs = np.nonzero(mask)
    weights = excess[mask]
    return (
        float((xs * weights).sum() / weights.sum()),
        float((ys * weights).sum() / weights.sum()),
        int(mask.sum()),
    )


def find_flash(
    path: Path,
    *,
    max_frames: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Flash:
    """The strongest flash of a video and where it is in the picture."""
    from analysis.video.decode import VideoReader

    index, pts_s, jump = flash_frame(path, max_frames=max_frames, progress=progress, cancel=cancel)
    with VideoReader(path, cancel=cancel) as reader:
        before = reader.frame_at(max(0, index - 1)).image
        during = reader.frame_at(index).image
    x, y, area = locate_flash(before, during)
    return Flash(index, pts_s, jump, x, y, area)

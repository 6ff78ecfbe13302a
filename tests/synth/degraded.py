"""A degraded video with exact truth: letterbox bars, a burnt-in logo and time stamp, and
duplicated and blended frames at known indices (for ``inspect`` and the video panel).

The picture is a sharp random texture moving ``STEP_PX`` pixels a frame (so that anything
still is an overlay), letterboxed; the logo ``LOGO_TEXT`` sits at the top right of the picture
and a time stamp at its bottom left (its date and minutes still, its seconds ticking once a
second). Frames in ``DUPLICATED`` repeat the frame before; frames in ``BLENDED`` are the mean
of the frames either side (frame-rate conversion by blending).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tests.synth.video import SynthSpec, write_video

STEP_PX = 5
LOGO_TEXT = "TV24"
FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class DegradedTruth:
    """Where everything is, in the full frame's pixels (x, y, w, h) and frame indices."""

    width_px: int = 480
    height_px: int = 360
    bar_px: int = 45  # letterbox bar above and below
    frames: int = 40
    fps: int = 25
    duplicated: tuple[int, ...] = (10, 25)
    blended: tuple[int, ...] = (18,)
    logo_org: tuple[int, int] = (390, 80)  # cv2.putText origin (baseline left)
    stamp_org: tuple[int, int] = (12, 300)
    soft: bool = False  # the picture enlarged from half its size (effective scale 0.5)
    content: list[int] = field(default_factory=list, compare=False)

    @property
    def active_xywh(self) -> tuple[int, int, int, int]:
        return (0, self.bar_px, self.width_px, self.height_px - 2 * self.bar_px)

    def ink_box(self, text: str, org: tuple[int, int], scale: float, thick: int):
        """The bounding box (x, y, w, h) of the pixels ``putText`` inks."""
        ink = np.zeros((self.height_px, self.width_px), np.uint8)
        cv2.putText(ink, text, org, FONT, scale, 255, thick)
        ys, xs = np.nonzero(ink)
        x0, y0 = int(xs.min()), int(ys.min())
        return x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1

    @property
    def logo_box(self) -> tuple[int, int, int, int]:
        return self.ink_box(LOGO_TEXT, self.logo_org, 0.9, 2)

    @property
    def stamp_box(self) -> tuple[int, int, int, int]:
        return self.ink_box(stamp_text(0), self.stamp_org, 0.6, 2)


def stamp_text(frame: int, fps: int = 25) -> str:
    return f"2016-10-26 07:32:{10 + frame // fps:02d}"


def _texture(w: int, h: int, seed: int = 3, sigma: float = 0.6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    big = rng.integers(0, 256, size=(h, w + 400, 3)).astype(np.uint8)
    big = cv2.GaussianBlur(big, (0, 0), sigma)
    return cv2.normalize(big, None, 0, 255, cv2.NORM_MINMAX)


def degraded_frames(truth: DegradedTruth) -> list[np.ndarray]:
    """The RGB frames, in order (the truth's duplicates and blends included)."""
    t = truth
    ax, ay, aw, ah = t.active_xywh
    tex = _texture(aw, ah)
    if t.soft:
        half = cv2.resize(tex, (tex.shape[1] // 2, ah // 2), interpolation=cv2.INTER_AREA)
        tex = cv2.resize(half, (tex.shape[1], ah), interpolation=cv2.INTER_CUBIC)
    content, k = [], 0
    for i in range(t.frames):
        if i not in t.duplicated and i > 0:
            k += 1
        content.append(k)

    def picture(i: int) -> np.ndarray:
        f = np.zeros((t.height_px, t.width_px, 3), np.uint8)
        x0 = STEP_PX * content[i]
        f[ay : ay + ah, ax : ax + aw] = tex[:, x0 : x0 + aw]
        cv2.putText(f, LOGO_TEXT, t.logo_org, FONT, 0.9, (255, 255, 255), 2)
        cv2.putText(f, stamp_text(i, t.fps), t.stamp_org, FONT, 0.6, (255, 255, 0), 2)
        return f

    out = [picture(i) for i in range(t.frames)]
    for i in t.blended:
        mean = (out[i - 1].astype(np.float32) + out[i + 1].astype(np.float32)) / 2
        out[i] = np.round(mean).astype(np.uint8)
    return out


def write_degraded_video(path: Path, truth: DegradedTruth | None = None) -> Path:
    """Encode the frames losslessly enough (x264, 4:4:4, crf 4) for exact duplicates."""
    truth = truth or DegradedTruth()
    frames = degraded_frames(truth)
    spec = SynthSpec(
        frames=truth.frames, width_px=truth.width_px, height_px=truth.height_px,
        fps=truth.fps, pix_fmt="yuv444p", b_frames=0,
        options=(("x264-params", "keyint=12:bframes=0:crf=4"),),
    )  # fmt: skip
    return write_video(path, spec, lambda i: frames[i], barcode=False)

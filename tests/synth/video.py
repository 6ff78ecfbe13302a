"""Synthetic test videos with exact truth: each frame carries its own number as a bar code.

Used by the tests and the benchmark (and usable by a demo scenario). The bar code is a row
of ``BARCODE_BITS`` black/white blocks across the top ``BARCODE_ROWS`` pixel rows, most
significant bit first, so ``read_barcode`` recovers the frame number from any decoded
picture, even after lossy compression. Below it, ``scene`` draws the picture content: a
textured pattern that drifts so the encoder makes real P and B frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BARCODE_BITS = 10
BARCODE_ROWS = 16

SceneFn = Callable[[int], np.ndarray]


@dataclass(frozen=True)
class SynthSpec:
    """How to encode a synthetic video."""

    codec: str = "libx264"
    width_px: int = 160
    height_px: int = 120
    frames: int = 60
    fps: int = 25
    gop: int = 12
    b_frames: int = 2
    pix_fmt: str = "yuv420p"
    options: tuple[tuple[str, str], ...] = ()
    start_pts: int = 0  # in time_base units
    time_base: Fraction | None = None  # default 1/fps
    durations: Sequence[int] | None = None  # per-frame pts steps (VFR), in time_base units
    rotation_deg: int | None = None  # display-matrix rotation, where the muxer supports it
    sar: Fraction | None = None  # sample aspect ratio (non-square pixels)


def textured(index: int, width_px: int = 160, height_px: int = 120, seed: int = 7) -> np.ndarray:
    """A smooth random texture drifting right by one pixel per frame (RGB uint8)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(height_px // 8 + 2, width_px // 8 + 4, 3), dtype=np.uint8)
    big = np.kron(base, np.ones((8, 8, 1), dtype=np.uint8)).astype(np.float32)
    # a 3x3 box blur keeps the picture encodable yet textured
    pad = np.pad(big, ((1, 1), (1, 1), (0, 0)), mode="edge")
    blur = sum(pad[i : i + big.shape[0], j : j + big.shape[1]] for i in range(3) for j in range(3))
    blur = (blur / 9.0).astype(np.uint8)
    x0 = index % 16
    return np.ascontiguousarray(blur[:height_px, x0 : x0 + width_px])


def draw_barcode(image: np.ndarray, number: int) -> np.ndarray:
    """Write ``number`` as a bar code over the top rows of an RGB image (in place)."""
    w = image.shape[1]
    block = w // BARCODE_BITS
    for bit in range(BARCODE_BITS):
        on = (number >> (BARCODE_BITS - 1 - bit)) & 1
        image[:BARCODE_ROWS, bit * block : (bit + 1) * block] = 255 if on else 0
    return image


def read_barcode(image: np.ndarray) -> int:
    """Recover the number ``draw_barcode`` wrote (image in the same orientation, RGB)."""
    w = image.shape[1]
    block = w // BARCODE_BITS
    value = 0
    for bit in range(BARCODE_BITS):
        patch = image[2 : BARCODE_ROWS - 2, bit * block + 2 : (bit + 1) * block - 2]
        value = (value << 1) | int(float(patch.mean()) > 127.5)
    return value


def write_video(
    path: str | Path, spec: SynthSpec, scene: SceneFn | None = None, *, barcode: bool = True
) -> Path:
    """Encode ``spec.frames`` frames of ``scene(i)`` (with a bar code), return the path."""
    path = Path(path)
    scene = scene or (lambda i: textured(i, spec.width_px, spec.height_px))
    tb = spec.time_base or Fraction(1, spec.fps)
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream(spec.codec, rate=spec.fps)
        stream.width, stream.height, stream.pix_fmt = spec.width_px, spec.height_px, spec.pix_fmt
        stream.time_base = tb
        stream.codec_context.time_base = tb
        cc = stream.codec_context
        cc.gop_size = spec.gop
        if spec.b_frames:
            cc.max_b_frames = spec.b_frames
        stream.options = dict(spec.options)
        if spec.sar is not None:
            cc.sample_aspect_ratio = spec.sar
        if spec.rotation_deg is not None:
            stream.set_display_rotation(spec.rotation_deg)
        pts = spec.start_pts
        for i in range(spec.frames):
            img = np.array(scene(i), dtype=np.uint8, copy=True)
            if barcode:
                draw_barcode(img, i)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format=spec.pix_fmt)
            frame.pts = pts
            frame.time_base = tb
            out.mux(stream.encode(frame))
            pts += spec.durations[i % len(spec.durations)] if spec.durations else 1
        out.mux(stream.encode(None))
    return path

"""Re-uploads of a clip, made as platforms and messengers make them: re-encoded at another
bitrate, scaled, cropped, letterboxed, mirrored, with a logo, trimmed, sped up, or concatenated
with other footage. Each variant's truth (what was done) is known exactly, for the archive's
near-duplicate tests and benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

Frames = Callable[[], Iterator[np.ndarray]]


def read_frames(path: Path, *, max_frames: int | None = None) -> list[np.ndarray]:
    """Every frame of a video as RGB arrays (small test clips only)."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            out.append(frame.to_ndarray(format="rgb24"))
            if max_frames and len(out) >= max_frames:
                break
    return out


def write_video(
    path: Path, frames: list[np.ndarray], *, fps: float = 25, bitrate: int = 800_000,
    codec: str = "libx264",
) -> Path:  # fmt: skip
    """Frames (RGB, even sizes are made so) encoded at a bitrate."""
    h, w = frames[0].shape[:2]
    w2, h2 = w - w % 2, h - h % 2
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=Fraction(fps).limit_denominator(1000))
        stream.width, stream.height = w2, h2
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bitrate
        for img in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[:h2, :w2]), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def scaled(frames: list[np.ndarray], factor: float) -> list[np.ndarray]:
    h, w = frames[0].shape[:2]
    size = (max(16, round(w * factor)), max(16, round(h * factor)))
    return [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]


def cropped(frames: list[np.ndarray], fraction: float) -> list[np.ndarray]:
    """``fraction`` of the width and height taken off, half on each side."""
    h, w = frames[0].shape[:2]
    dy, dx = round(h * fraction / 2), round(w * fraction / 2)
    return [f[dy : h - dy, dx : w - dx] for f in frames]


def letterboxed(frames: list[np.ndarray]) -> list[np.ndarray]:
    """Fitted into a square picture with black bars above and below."""
    h, w = frames[0].shape[:2]
    pad = max(0, (w - h) // 2)
    return [cv2.copyMakeBorder(f, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=0) for f in frames]


def mirrored(frames: list[np.ndarray]) -> list[np.ndarray]:
    return [np.ascontiguousarray(f[:, ::-1]) for f in frames]


def with_logo(frames: list[np.ndarray]) -> list[np.ndarray]:
    """A channel logo: a semi-opaque white badge with a dark mark, in the top-right corner."""
    out = []
    for f in frames:
        h, w = f.shape[:2]
        g = f.copy()
        x0, y0, x1, y1 = w - w // 6, h // 20, w - w // 40, h // 20 + h // 10
        g[y0:y1, x0:x1] = (0.35 * g[y0:y1, x0:x1] + 0.65 * 255).astype(np.uint8)
        cv2.putText(g, "TV", (x0 + 2, y1 - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (20, 20, 20), 1)
        out.append(g)
    return out


def trimmed(frames: list[np.ndarray], start: float, end: float) -> list[np.ndarray]:
    """The part from ``start`` to ``end`` (fractions of the length)."""
    n = len(frames)
    return frames[round(n * start) : round(n * end)]


def sped_up(frames: list[np.ndarray], factor: float) -> list[np.ndarray]:
    """Every ``factor``-th frame (played at the same rate: ``factor`` times faster)."""
    idx = np.arange(0, len(frames), factor).astype(int)
    return [frames[i] for i in idx]


def concatenated(*clips: list[np.ndarray]) -> list[np.ndarray]:
    """Clips one after another, each resized to the first one's size."""
    h, w = clips[0][0].shape[:2]
    out = []
    for clip in clips:
        out.extend(f if f.shape[:2] == (h, w) else cv2.resize(f, (w, h)) for f in clip)
    return out


@dataclass(frozen=True)
class Variant:
    name: str
    path: Path
    source: str  # the name of the original it was made from ("" for the original itself)


def make_variants(
    original: list[np.ndarray], name: str, out_dir: Path, *, fps: float = 25,
    filler: list[np.ndarray] | None = None, only: tuple[str, ...] | None = None,
) -> list[Variant]:  # fmt: skip
    """The original and its re-uploads, written to ``out_dir``. ``filler`` is unrelated footage
    for the concatenation."""
    recipes: dict[str, tuple[list[np.ndarray], int]] = {
        "original": (original, 2_000_000),
        "bitrate-high": (original, 1_200_000),
        "bitrate-mid": (original, 400_000),
        "bitrate-low": (original, 150_000),
        "scaled": (scaled(original, 0.5), 400_000),
        "cropped": (cropped(original, 0.10), 600_000),
        "letterboxed": (letterboxed(original), 600_000),
        "mirrored": (mirrored(original), 600_000),
        "logo": (with_logo(original), 600_000),
        "trimmed": (trimmed(original, 0.2, 0.75), 600_000),
    }
    if filler:
        recipes["concatenated"] = (concatenated(filler, trimmed(original, 0.0, 0.6)), 600_000)
    out_dir.mkdir(parents=True, exist_ok=True)
    variants = []
    for kind, (frames, bitrate) in recipes.items():
        if only is not None and kind not in only:
            continue
        path = write_video(out_dir / f"{name}.{kind}.mp4", frames, fps=fps, bitrate=bitrate)
        variants.append(Variant(f"{name}.{kind}", path, "" if kind == "original" else name))
    return variants

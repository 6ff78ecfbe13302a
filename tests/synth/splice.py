"""Real clips spliced into edits with exact truth: cuts between shots of similar colour.

Each splice takes pieces of one clip from tests/data/media/video (the copies described in its
README) that look alike: the same sky later, the same street or film shot at 1.5x zoom (a crop
of the upright picture, scaled back up). Truth: a cut at the first frame of every piece but the
first, and nowhere else. Re-encoded with PyAV (libx264, CRF 23) so that the decoder and its
artefacts are in the loop. Used by tests/analysis/test_cuts_same_light.py and
bench/bench_video.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.video.frames import iter_frames
from tests.synth.video import SynthSpec, write_video


@dataclass(frozen=True)
class Splice:
    """Pieces of one real clip, one after the other: (first, last) source frames, inclusive,
    and the crop (x, y, w, h, as fractions of the upright picture) shown (None: all of it)."""

    source: str
    pieces: tuple[tuple[int, int, tuple[float, float, float, float] | None], ...]
    size: tuple[int, int]  # of the re-encoded video
    note: str
    decode_width_px: int | None = None  # decode smaller (in the coded orientation), faster

    @property
    def cut_frames(self) -> list[int]:
        lengths = [last - first + 1 for first, last, _ in self.pieces]
        return [int(x) for x in np.cumsum(lengths)[:-1]]


SPLICES = (
    Splice(
        "drone-sky.mp4",
        ((0, 79, None), (120, 166, None)),
        (320, 180),
        "sky before and after: the same grey clouds; the whip-pan at 27-34 is not a cut",
        decode_width_px=320,
    ),
    Splice(
        "vtest.avi",
        ((0, 59, None), (60, 119, (0.0, 1 / 6, 2 / 3, 2 / 3)), (120, 179, None)),
        (384, 288),
        "a fixed street camera, then its left part at 1.5x zoom, then the street again",
        decode_width_px=384,
    ),
    Splice(
        "issue-134-rotate.mp4",
        ((0, 44, None), (45, 89, (1 / 3, 0.0, 2 / 3, 2 / 3))),
        (272, 640),
        "one film shot, then its upper right at 1.5x zoom (no cut in the source between)",
        decode_width_px=640,
    ),
)


def splice_frames(video_dir: Path, splice: Splice) -> list[np.ndarray]:
    """The spliced pictures (RGB, ``splice.size``), in order (pieces must not overlap)."""
    crops = {i: crop for first, last, crop in splice.pieces for i in range(first, last + 1)}
    out: dict[int, np.ndarray] = {}
    for frame in iter_frames(video_dir / splice.source, width_px=splice.decode_width_px):
        if frame.index > max(crops):
            break
        if frame.index not in crops:
            continue
        img, crop = frame.image, crops[frame.index]
        if crop is not None:
            ih, iw = img.shape[:2]
            x, y, w, h = (round(a * b) for a, b in zip(crop, (iw, ih, iw, ih), strict=True))
            img = img[y : y + h, x : x + w]
        out[frame.index] = cv2.resize(img, splice.size, interpolation=cv2.INTER_AREA)
    return [out[i] for first, last, _ in splice.pieces for i in range(first, last + 1)]


def write_splice(path: Path, video_dir: Path, splice: Splice) -> Path:
    """Encode the splice as H.264 (GOP 50, CRF 23) at ``path``."""
    frames = splice_frames(video_dir, splice)
    spec = SynthSpec(
        width_px=splice.size[0],
        height_px=splice.size[1],
        frames=len(frames),
        gop=50,
        options=(("crf", "23"), ("preset", "veryfast")),
    )
    return write_video(path, spec, scene=lambda i: frames[i], barcode=False)

"""Perceptual hashes of frames, for finding re-uploads of one video in an archive.

The hash is the DCT hash of pHash (Zauner 2010, "Implementation and benchmarking of perceptual
image hash functions"): the picture, gray, reduced to 32 x 32 with an area filter, its 2-D
DCT-II, the 8 x 8 lowest frequencies, one bit per coefficient (above the median of the 63 AC
coefficients or not). Low frequencies survive re-encoding, rescaling and small overlays. We
write it with OpenCV's DCT rather than take a hashing library: the library hashes (imagehash)
work on PIL images one at a time, cannot give the mirrored hash for free and would add a
dependency for twenty lines.

Two additions make it hold up on archive material:

* **Borders.** Letterboxing and pillarboxing (uniform bars added to fit another aspect, the
  same on both sides) are trimmed before hashing, so the padded copy hashes like the original.
* **Corners.** A channel's logo sits in a corner, and on a plain frame it is the strongest
  structure there is: measured on the archive bench's clips, a corner logo moved the hash
  4-20 bits. The four corner patches (1/6 of each side) are set to the picture's mean before
  the transform: the same logo then moves it 0-2 bits, while the closest frames of
  different clips stay 18 bits apart (20 before). The mask is symmetric, so mirroring
  still maps to the sign change below.
* **Mirroring.** Flipping a picture left-right multiplies its DCT coefficient of horizontal
  frequency v by (-1)^v; the mirrored picture's hash is therefore computed from the same
  coefficients (``FrameHash.mirrored``), with no second transform.

Hashes are 64-bit unsigned integers; the distance between two is the number of differing bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

HASH_SIDE = 8  # lowest frequencies kept per axis: 64 bits
DCT_SIDE = 32  # the picture is reduced to this square before the DCT
CORNER_FRACTION = 6  # a corner patch of 1/6 x 1/6 of the picture is set to its mean
BORDER_STD_MAX = 6.0  # a row or column this uniform (gray levels) may be a bar
BORDER_DIFF_MAX = 12.0  # ... if its mean is this close to the outermost row's or column's
BORDER_MAX_FRACTION = 0.35  # never trim more than this of a side: a dark scene is not a bar
_BIT_WEIGHTS = (np.uint64(1) << np.arange(64, dtype=np.uint64)).astype(np.uint64)
_MIRROR_SIGNS = np.tile(np.where(np.arange(HASH_SIDE) % 2 == 0, 1.0, -1.0), (HASH_SIDE, 1))


@dataclass(frozen=True)
class FrameHash:
    """The hash of a picture, and the hash its left-right mirror image would have."""

    value: int  # 64-bit, as a Python int (fits numpy uint64)
    mirrored: int


def to_gray(image: np.ndarray) -> np.ndarray:
    """A uint8 gray copy of an RGB (h, w, 3) or gray (h, w) picture."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    raise ValueError(f"expected a gray or RGB picture, got an array of shape {image.shape}")


def content_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """The picture without uniform bars at its edges: (top, bottom, left, right), exclusive
    ends. A bar is a run of uniform rows or columns, from the edge inwards, of one level.

    Bars come in pairs: letterboxing pads above and below alike, pillarboxing left and right.
    Each pair is trimmed by its shorter run, and only when both runs are of one level; so a
    clear sky along the top or a flat background is picture, not a bar (trimming it, as a
    one-sided rule does, hashed another part of the frame than its letterboxed copy's or its
    copy with a logo in that sky)."""
    g = gray.astype(np.float32)
    h, w = g.shape
    top, bottom = _bar_pair(g.mean(axis=1), g.std(axis=1), int(h * BORDER_MAX_FRACTION))
    left, right = _bar_pair(g.mean(axis=0), g.std(axis=0), int(w * BORDER_MAX_FRACTION))
    return top, h - bottom, left, w - right


def _bar_pair(means: np.ndarray, stds: np.ndarray, limit: int) -> tuple[int, int]:
    """The bars at both ends of one axis: the shorter of the two runs, when of one level."""
    first = _bar_length(means, stds, limit)
    last = _bar_length(means[::-1], stds[::-1], limit)
    if min(first, last) == 0 or abs(means[0] - means[-1]) > BORDER_DIFF_MAX:
        return 0, 0
    return min(first, last), min(first, last)


def _bar_length(means: np.ndarray, stds: np.ndarray, limit: int) -> int:
    """How many lines from the start are uniform and of the first line's level."""
    if limit <= 0 or stds[0] > BORDER_STD_MAX:
        return 0
    uniform = (stds <= BORDER_STD_MAX) & (np.abs(means - means[0]) <= BORDER_DIFF_MAX)
    stop = np.flatnonzero(~uniform[:limit])
    n = int(stop[0]) if stop.size else limit
    return n if n >= 2 else 0  # one dark line is a picture's edge, not a bar


def low_frequencies(gray: np.ndarray) -> np.ndarray:
    """The 8 x 8 lowest DCT coefficients of the picture inside its bars."""
    top, bottom, left, right = content_box(gray)
    if bottom - top < 8 or right - left < 8:  # all bar: a blank picture, hash it whole
        top, bottom, left, right = 0, gray.shape[0], 0, gray.shape[1]
    inner = gray[top:bottom, left:right]
    small = cv2.resize(inner, (DCT_SIDE, DCT_SIDE), interpolation=cv2.INTER_AREA)
    small = small.astype(np.float32)
    c = DCT_SIDE // CORNER_FRACTION  # the corners, where channels put their logos, say nothing
    mean = float(small.mean())
    for rows in (slice(0, c), slice(DCT_SIDE - c, DCT_SIDE)):
        for cols in (slice(0, c), slice(DCT_SIDE - c, DCT_SIDE)):
            small[rows, cols] = mean
    return cv2.dct(small)[:HASH_SIDE, :HASH_SIDE]


def _bits(coefficients: np.ndarray) -> int:
    flat = coefficients.reshape(-1)
    above = flat > np.median(flat[1:])
    return int((_BIT_WEIGHTS[above]).sum(dtype=np.uint64))


def frame_hash(image: np.ndarray) -> FrameHash:
    """The perceptual hash of one picture (RGB or gray uint8), and of its mirror image."""
    gray = to_gray(np.asarray(image))
    if gray.size == 0:
        raise ValueError("cannot hash an empty picture")
    coefficients = low_frequencies(gray)
    return FrameHash(_bits(coefficients), _bits(coefficients * _MIRROR_SIGNS))


def hamming(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Bits that differ between hashes (element-wise over uint64 arrays)."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64))
    return np.bitwise_count(x).astype(np.int64)

"""Points and boxes marked by hand on two images: the pairs of a correspondence figure.

Coordinates are the image's pixels with pixel centres at integers (OpenCV's convention, and
what ``ui.video.image_viewer.ImageViewer.pixel_clicked`` gives): x right, y down, origin at the
centre of the top-left pixel. A mark is a point (``w == h == 0``) or a box whose corners are
(x, y) and (x + w, y + h) in those coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.errors import WorkbenchError

SIDES = ("a", "b")
MAX_PAIRS = 60


class CorrespondenceError(WorkbenchError):
    """Marks that cannot make a figure: none, incomplete, off the image, not numbers."""


@dataclass(frozen=True)
class Mark:
    """A point (``w == h == 0``) or a box, in one image's pixels (see the module docstring)."""

    x: float
    y: float
    w: float = 0.0
    h: float = 0.0

    @property
    def is_box(self) -> bool:
        return self.w > 0 or self.h > 0

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    def moved_to(self, cx: float, cy: float) -> Mark:
        """The same mark with its centre at (cx, cy)."""
        return Mark(cx - self.w / 2, cy - self.h / 2, self.w, self.h)

    def to_list(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]

    @classmethod
    def from_list(cls, values: Sequence[float]) -> Mark:
        x, y, w, h = (float(v) for v in values)
        return cls(x, y, w, h)


@dataclass(frozen=True)
class Pair:
    """The same thing marked in A and in B; numbered by its place in the figure (from 1)."""

    a: Mark
    b: Mark


def pairs_to_json(pairs: Iterable[Pair]) -> list[dict[str, Any]]:
    """``[{"number": 1, "a": [x, y, w, h], "b": [...]}, ...]``."""
    return [{"number": k, "a": p.a.to_list(), "b": p.b.to_list()} for k, p in enumerate(pairs, 1)]


def pairs_from_json(items: Iterable[dict[str, Any]]) -> tuple[Pair, ...]:
    return tuple(Pair(Mark.from_list(d["a"]), Mark.from_list(d["b"])) for d in items)


def checked_pairs(
    pairs: Sequence[Pair], size_a: tuple[int, int], size_b: tuple[int, int]
) -> tuple[Pair, ...]:
    """The pairs, refused when there are none, too many, or a mark is not on its image.

    Args:
        pairs: the marks.
        size_a, size_b: (width, height) of A and B in pixels.

    Raises:
        CorrespondenceError: what is wrong, with the pair's number.
    """
    if not pairs:
        raise CorrespondenceError("mark at least one pair: click in A, then in B")
    if len(pairs) > MAX_PAIRS:
        raise CorrespondenceError(f"{len(pairs)} pairs: a figure holds at most {MAX_PAIRS}")
    for k, p in enumerate(pairs, 1):
        for side, mark, (w, h) in (("A", p.a, size_a), ("B", p.b, size_b)):
            values = mark.to_list()
            if not all(math.isfinite(v) for v in values) or mark.w < 0 or mark.h < 0:
                raise CorrespondenceError(f"pair {k}: the mark in {side} is not a valid shape")
            inside = mark.x >= -0.5 and mark.x + mark.w <= w - 0.5
            inside = inside and mark.y >= -0.5 and mark.y + mark.h <= h - 0.5
            if not inside:
                raise CorrespondenceError(
                    f"pair {k}: the mark in {side} at ({mark.x:.1f}, {mark.y:.1f}) is outside "
                    f"the {w} x {h} px image"
                )
    return tuple(pairs)

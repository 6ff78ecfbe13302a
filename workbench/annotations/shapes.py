"""The shapes an analyst draws on a frame, and the rules a shape must keep to be stored.

Pixels are the decoded, upright frame's (as the viewer shows it and the frame export writes
it): origin top-left, x right, y down, pixel centres at integer coordinates (OpenCV's
convention, as ``ui.video.image_viewer`` maps clicks), so a point lies inside a frame of
``width_px`` x ``height_px`` when -0.5 <= x <= width_px - 0.5 (and so for y).

Kinds and their points: ``point`` and ``text`` one (a text's anchor: its top-left);
``line`` and ``arrow`` two distinct points (an arrow points at its second); ``box`` two
opposite corners, stored as (left, top), (right, bottom); ``polygon`` three or more, not all
on one line. Every coordinate is finite; a text needs its label.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.errors import WorkbenchError

KINDS = ("point", "line", "arrow", "box", "polygon", "text")
MAX_LABEL_CHARS = 500
MAX_POLYGON_POINTS = 1000
_POINTS = {"point": (1, 1), "text": (1, 1), "line": (2, 2), "arrow": (2, 2), "box": (2, 2)}

Point = tuple[float, float]


class AnnotationError(WorkbenchError):
    """An annotation the case refuses (nothing is written), saying what is wrong."""


@dataclass(frozen=True)
class Shape:
    """A validated shape: its kind, its points in frame pixels and its label."""

    kind: str
    points: tuple[Point, ...]
    label: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "points": [[x, y] for x, y in self.points], "label": self.label}


def clean_label(label: str) -> str:
    """The label as stored: NFC, control characters (newlines too) made spaces, trimmed.

    Raises:
        AnnotationError: longer than MAX_LABEL_CHARS.
    """
    text = unicodedata.normalize("NFC", str(label))
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text).strip()
    if len(text) > MAX_LABEL_CHARS:
        raise AnnotationError(f"a label has at most {MAX_LABEL_CHARS} characters ({len(text)})")
    return text


def _count_checked(kind: str, points: Sequence[Point]) -> None:
    if kind == "polygon":
        if not 3 <= len(points) <= MAX_POLYGON_POINTS:
            raise AnnotationError(
                f"a polygon needs 3 to {MAX_POLYGON_POINTS} points, not {len(points)}"
            )
        return
    low, high = _POINTS[kind]
    if not low <= len(points) <= high:
        raise AnnotationError(f"a {kind} needs {low} point{'s' * (low > 1)}, not {len(points)}")


def _inside(points: Sequence[Point], width_px: int, height_px: int) -> None:
    for x, y in points:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise AnnotationError(f"a coordinate is not a finite number ({x}, {y})")
        if not (-0.5 <= x <= width_px - 0.5 and -0.5 <= y <= height_px - 0.5):
            raise AnnotationError(
                f"point ({x:.1f}, {y:.1f}) is outside the {width_px} x {height_px} frame"
            )


def polygon_area_px2(points: Sequence[Point]) -> float:
    """The shoelace area (absolute) of a closed polygon, in square pixels."""
    n = len(points)
    twice = sum(
        points[k][0] * points[(k + 1) % n][1] - points[(k + 1) % n][0] * points[k][1]
        for k in range(n)
    )
    return abs(twice) / 2


def make_shape(
    kind: str, points: Iterable[Sequence[float]], label: str, width_px: int, height_px: int
) -> Shape:
    """A shape checked against the rules above, for a frame of ``width_px`` x ``height_px``.

    Returns:
        The Shape with its label cleaned and a box's corners ordered (left, top), (right,
        bottom).

    Raises:
        AnnotationError: an unknown kind, a wrong number of points, a coordinate not finite or
            outside the frame, a zero-length line, an empty box, a polygon with no area, a
            text with no label.
    """
    if kind not in KINDS:
        raise AnnotationError(f"{kind!r} is not an annotation kind (one of {', '.join(KINDS)})")
    try:
        pts = [(float(p[0]), float(p[1])) for p in points]
    except (TypeError, ValueError, IndexError) as exc:
        raise AnnotationError(f"points must be pairs of numbers: {exc}") from exc
    _count_checked(kind, pts)
    _inside(pts, width_px, height_px)
    text = clean_label(label)
    if kind in ("line", "arrow") and pts[0] == pts[1]:
        raise AnnotationError(f"a {kind} needs two different points")
    if kind == "box":
        (x0, y0), (x1, y1) = pts
        if x0 == x1 or y0 == y1:
            raise AnnotationError("a box needs a width and a height (corners differing in x and y)")
        pts = [(min(x0, x1), min(y0, y1)), (max(x0, x1), max(y0, y1))]
    if kind == "polygon" and polygon_area_px2(pts) < 1e-6:
        raise AnnotationError("a polygon needs an area: its points all lie on one line")
    if kind == "text" and not text:
        raise AnnotationError("a text annotation needs its text (the label)")
    return Shape(kind, tuple(pts), text)

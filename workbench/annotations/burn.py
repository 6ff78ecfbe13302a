"""Annotations burned into a picture (Pillow), and the overlay record a sidecar lists.

The same drawing serves a frame export with ``--annotations`` and a contact sheet: each shape
in one colour with a dark edge, so it reads on sky and on rubble alike, its line width scaled
to the picture (1/300 of its shorter side, at least 2 px). Pixel centres at integer
coordinates (``workbench.annotations.shapes``), as Pillow draws. The drawing never touches
the caller's array: the clean frame (and its framemd5) stays what the sidecar names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from workbench.annotations.shapes import Shape

COLOUR = (255, 214, 0)  # the shapes
EDGE = (0, 0, 0)  # the dark edge around shapes and behind labels
OVERLAY_OP = "overlay"


def line_width_px(width_px: int, height_px: int) -> int:
    """The stroke width for a picture of this size."""
    return max(2, round(min(width_px, height_px) / 300))


def _font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size_px)


def _arrow_head(p0: tuple[float, float], p1: tuple[float, float], size: float) -> list:
    angle = math.atan2(p1[1] - p0[1], p1[0] - p0[0])
    return [p1] + [
        (p1[0] - size * math.cos(angle + s), p1[1] - size * math.sin(angle + s))
        for s in (0.45, -0.45)
    ]


def _label(draw: ImageDraw.ImageDraw, at: tuple[float, float], text: str, size: int) -> None:
    if not text:
        return
    font = _font(size)
    left, top, right, bottom = draw.textbbox(at, text, font=font)
    draw.rectangle([left - 2, top - 2, right + 2, bottom + 2], fill=EDGE)
    draw.text(at, text, fill=COLOUR, font=font)


def _draw_shape(draw: ImageDraw.ImageDraw, s: Shape, width: int, font_px: int) -> None:
    pts = list(s.points)
    edge = width + 2
    if s.kind == "point":
        (x, y), r = pts[0], 2 * width
        draw.ellipse([x - r - 1, y - r - 1, x + r + 1, y + r + 1], fill=EDGE)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=COLOUR)
    elif s.kind in ("line", "arrow"):
        draw.line(pts, fill=EDGE, width=edge)
        draw.line(pts, fill=COLOUR, width=width)
        if s.kind == "arrow":
            head = _arrow_head(pts[0], pts[1], 5 * width)
            draw.polygon(head, fill=COLOUR, outline=EDGE)
    elif s.kind == "box":
        (x0, y0), (x1, y1) = pts
        draw.rectangle([x0 - 1, y0 - 1, x1 + 1, y1 + 1], outline=EDGE, width=width + 2)
        draw.rectangle([x0, y0, x1, y1], outline=COLOUR, width=width)
    elif s.kind == "polygon":
        draw.line([*pts, pts[0]], fill=EDGE, width=edge, joint="curve")
        draw.line([*pts, pts[0]], fill=COLOUR, width=width, joint="curve")
    if s.kind == "text":
        _label(draw, pts[0], s.label, font_px)
    else:
        x, y = min(p[0] for p in pts), min(p[1] for p in pts)
        _label(draw, (x, max(0.0, y - font_px - 6)), s.label, font_px)


def burn_in(image: np.ndarray, shapes: Sequence[Shape]) -> np.ndarray:
    """A copy of the RGB ``image`` with ``shapes`` drawn in (see the module docstring)."""
    picture = Image.fromarray(np.ascontiguousarray(image)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    width = line_width_px(picture.width, picture.height)
    font_px = max(12, round(min(picture.width, picture.height) / 40))
    for s in shapes:
        _draw_shape(draw, s, width, font_px)
    return np.asarray(picture).copy()


def overlay_operation(records: Sequence[dict[str, Any]], width_px: int, height_px: int) -> dict:
    """The ``overlay`` operation of a sidecar: the annotations burned in, as stored."""
    return {
        "op": OVERLAY_OP,
        "kind": "annotations",
        "burned_in": True,
        "line_width_px": line_width_px(width_px, height_px),
        "colour_rgb": list(COLOUR),
        "annotations": list(records),
    }

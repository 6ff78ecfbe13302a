"""Drawing a correspondence figure: A and B side by side with numbered marks, a loupe per pair.

What investigators publish when a landmark is too small or too far for feature matching (the
water tower 8 x 14 px in a frame filmed 2.8 km away): the same points marked by hand on both
pictures, numbered, each with a magnified crop so that a reader can judge the match pixel by
pixel. Layout, top to bottom: the title; A and B at one height (``panel_height_px``, shrunk
with an area filter, enlarged with nearest neighbours so that no detail is invented) with a
ring (point) or an outline (box) and the pair's number; one loupe cell per pair (A's crop and
B's crop around the mark, enlarged by an integer factor with nearest neighbours, the mark
shown by four ticks that leave the marked pixel itself visible); the analyst's note; the
provenance lines (hashes, frames, audit head, software). Drawn with Pillow; the same inputs
give the same pixels.

The two loupes of a pair show about the same part of the scene: the landmark may be 8 px wide
in A and 40 px in B, so B's crop is larger than A's by the scale of B against A, estimated from
the marks themselves (:func:`scale_b_over_a`: the median of the ratios of the distances
between marks, and of the boxes' sizes). A crop larger than the loupe is shrunk with an area
filter instead of enlarged.

Coordinates: marks as in ``workbench.correspondence.model`` (pixel centres at integers); the
:class:`FigureLayout` returned says where everything went, so a test (or a reader) can map an
image point to the figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from workbench.correspondence.model import Mark, Pair

PANEL_MAX_HEIGHT_PX = 900
MARGIN_PX = 16
GAP_PX = 24
RING_RADIUS_PX = 11
RING_WIDTH_PX = 2
LOUPE_PX = 168  # side of a loupe on the figure
LOUPE_SOURCE_PX = 21  # pixels of the image a point's loupe shows (odd: the mark in the middle)
LOUPE_BOX_MARGIN_PX = 4  # around a box, in the image's pixels
LOUPE_MAX_SOURCE_PX = 1025  # the largest crop a loupe shows (shrunk to LOUPE_PX)
MAX_SCALE_RATIO = 16.0  # scale of B against A taken into account, either way
TICK_GAP_PX, TICK_PX = 6, 20  # a point's ticks in a loupe: gap and length (figure pixels)
LOUPE_PAD = (96, 96, 96)  # beyond the image's edge
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
FAINT = (90, 90, 90)
# distinct colours, in order of the pairs' numbers (Sasha Trubetskoy's list of 20, first 8)
COLOURS = (
    (230, 25, 75),
    (60, 180, 75),
    (255, 200, 0),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 220, 220),
    (240, 50, 230),
)
TITLE_PT, TEXT_PT, SMALL_PT = 20, 15, 12


@dataclass(frozen=True)
class Panel:
    """Where one image went: the figure pixel of its top-left pixel's top-left edge, and the
    scale (figure pixels per image pixel)."""

    x: int
    y: int
    scale: float
    width_px: int
    height_px: int

    def to_figure(self, x: float, y: float) -> tuple[float, float]:
        """An image point (pixel centres at integers) on the figure (same convention)."""
        return self.x + (x + 0.5) * self.scale - 0.5, self.y + (y + 0.5) * self.scale - 0.5


@dataclass(frozen=True)
class Loupe:
    """One side of a pair's loupe: the image's square at (x0, y0) of ``size`` pixels, drawn
    at figure pixel (fig_x, fig_y) enlarged ``magnification`` times (an integer with nearest
    neighbours; below 1 when a large crop is shrunk)."""

    x0: int
    y0: int
    size: int
    fig_x: int
    fig_y: int
    magnification: float

    def to_figure(self, x: float, y: float) -> tuple[float, float]:
        """The centre of image pixel (x, y) in the loupe, in figure pixels."""
        m = self.magnification
        return self.fig_x + (x - self.x0 + 0.5) * m - 0.5, self.fig_y + (
            y - self.y0 + 0.5
        ) * m - 0.5


@dataclass(frozen=True)
class FigureLayout:
    width_px: int
    height_px: int
    a: Panel
    b: Panel
    loupes: tuple[tuple[Loupe, Loupe], ...]  # (A, B) per pair, in number order
    scale_b_over_a: float  # what the loupes' sizes follow (``scale_b_over_a``)


def colour_of(number: int) -> tuple[int, int, int]:
    return COLOURS[(number - 1) % len(COLOURS)]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(image: np.ndarray, height: int) -> tuple[np.ndarray, float]:
    s = height / image.shape[0]
    if s == 1.0:
        return image, 1.0
    w = max(1, int(round(image.shape[1] * s)))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_NEAREST
    return cv2.resize(image, (w, height), interpolation=interp), w / image.shape[1]


def scale_b_over_a(pairs: Sequence[Pair]) -> float:
    """How much larger the scene is in B than in A, from the marks: the median of the ratios
    of distances between marks (of pairs at least 2 px apart in both) and of boxes' sizes;
    1 when the marks say nothing (one point pair), within 1/MAX_SCALE_RATIO..MAX_SCALE_RATIO."""
    ratios = [
        math.sqrt((p.b.w * p.b.h) / (p.a.w * p.a.h))
        for p in pairs
        if p.a.w * p.a.h > 0 and p.b.w * p.b.h > 0
    ]
    for i, p in enumerate(pairs):
        for q in pairs[i + 1 :]:
            da = math.dist(p.a.centre, q.a.centre)
            db = math.dist(p.b.centre, q.b.centre)
            if da >= 2 and db >= 2:
                ratios.append(db / da)
    ratio = float(np.median(ratios)) if ratios else 1.0
    return min(MAX_SCALE_RATIO, max(1 / MAX_SCALE_RATIO, ratio))


def _needed(mark: Mark) -> float:
    """The crop a mark needs on its own: a point's neighbourhood, or a box with a margin."""
    if mark.is_box:
        return math.ceil(max(mark.w, mark.h)) + 1 + 2 * LOUPE_BOX_MARGIN_PX
    return LOUPE_SOURCE_PX


def _odd(size: float) -> int:
    return min(LOUPE_MAX_SOURCE_PX, int(math.ceil(size - 1e-9)) | 1)


def loupe_sources(pair: Pair, ratio: float) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(x0, y0, size) of A's and B's crops: each at least what its mark needs, B's ``ratio``
    times A's so that both show about the same part of the scene, and the smaller at least
    LOUPE_SOURCE_PX (odd sizes: the mark's pixel is the centre)."""
    size_a = max(_needed(pair.a), _needed(pair.b) / ratio)
    size_b = size_a * ratio
    grow = max(1.0, LOUPE_SOURCE_PX / min(size_a, size_b))
    size_a, size_b = _odd(size_a * grow), _odd(size_b * grow)
    out = []
    for mark, size in ((pair.a, size_a), (pair.b, size_b)):
        cx, cy = (int(round(v)) for v in mark.centre)
        out.append((cx - size // 2, cy - size // 2, size))
    return out[0], out[1]


def _crop(image: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    out = np.empty((size, size, 3), np.uint8)
    out[:] = LOUPE_PAD
    h, w = image.shape[:2]
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + size), min(h, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
    return out


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _label(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    number: int,
    font,
    inside: Panel | None = None,
) -> None:
    """The pair's number on a tag of its colour, its top-left corner at ``xy`` (moved inside
    ``inside`` when it would stick out of that panel)."""
    text = str(number)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x, y = xy
    if inside is not None:
        x = min(max(x, inside.x), inside.x + inside.width_px - (right - left + 7))
        y = min(max(y, inside.y), inside.y + inside.height_px - (bottom - top + 7))
    draw.rectangle([x, y, x + right - left + 6, y + bottom - top + 6], fill=colour_of(number))
    draw.text((x + 3 - left, y + 3 - top), text, fill=(0, 0, 0), font=font)


def _draw_mark(draw, panel: Panel, mark: Mark, number: int, font) -> None:
    colour = colour_of(number)
    if mark.is_box:
        x0, y0 = panel.to_figure(mark.x, mark.y)
        x1, y1 = panel.to_figure(mark.x + mark.w, mark.y + mark.h)
        draw.rectangle([x0 - 1, y0 - 1, x1 + 1, y1 + 1], outline=INK, width=RING_WIDTH_PX + 2)
        draw.rectangle([x0, y0, x1, y1], outline=colour, width=RING_WIDTH_PX)
        _label(draw, (x0, y0 - 24), number, font, panel)
        return
    cx, cy = panel.to_figure(mark.x, mark.y)
    r = RING_RADIUS_PX
    # a dark edge either side of the coloured ring: it shows on any picture
    draw.ellipse([cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1], outline=INK, width=4)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=RING_WIDTH_PX)
    _label(draw, (cx + r * 0.7, cy - r * 0.7 - 22), number, font, panel)


def _draw_loupe(
    canvas: Image.Image, image: np.ndarray, mark: Mark, number: int, at, source
) -> Loupe:
    x0, y0, size = source
    if size <= LOUPE_PX:
        m: float = LOUPE_PX // size
        side = size * int(m)
        crop = cv2.resize(_crop(image, x0, y0, size), (side, side), interpolation=cv2.INTER_NEAREST)
    else:  # a large crop (the near view of a far landmark) is shrunk, not enlarged
        m, side = LOUPE_PX / size, LOUPE_PX
        crop = cv2.resize(_crop(image, x0, y0, size), (side, side), interpolation=cv2.INTER_AREA)
    fx, fy = at[0] + (LOUPE_PX - side) // 2, at[1] + (LOUPE_PX - side) // 2
    canvas.paste(Image.fromarray(crop), (fx, fy))
    loupe = Loupe(x0, y0, size, fx, fy, m)
    draw = ImageDraw.Draw(canvas)
    colour = colour_of(number)
    if mark.is_box:
        bx0, by0 = loupe.to_figure(mark.x, mark.y)
        bx1, by1 = loupe.to_figure(mark.x + mark.w, mark.y + mark.h)
        half = max(0.0, (m - 1) / 2)
        outline = [bx0 - half, by0 - half, bx1 + half, by1 + half]
        draw.rectangle([v + d for v, d in zip(outline, (-1, -1, 1, 1), strict=True)], outline=INK,
                       width=4)  # fmt: skip
        draw.rectangle(outline, outline=colour, width=2)
    else:
        cx, cy = loupe.to_figure(mark.x, mark.y)
        # the ticks stop short of the marked pixel itself
        gap, length = max(1.5 * m, TICK_GAP_PX), TICK_PX
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ends = [
                (cx + dx * gap, cy + dy * gap),
                (cx + dx * (gap + length), cy + dy * (gap + length)),
            ]
            draw.line(ends, fill=INK, width=4)
            draw.line(ends, fill=colour, width=2)
    draw.rectangle([fx - 1, fy - 1, fx + side, fy + side], outline=INK, width=1)
    return loupe


def _zoom_text(loupe: Loupe) -> str:
    if loupe.magnification >= 1:
        return f"{loupe.size} px x{loupe.magnification:.0f}"
    return f"{loupe.size} px shrunk"


def draw_figure(
    image_a: np.ndarray,
    image_b: np.ndarray,
    pairs: Sequence[Pair],
    *,
    title: str,
    captions: tuple[str, str],
    note: str,
    provenance_lines: Sequence[str],
    panel_height_px: int | None = None,
) -> tuple[np.ndarray, FigureLayout]:
    """Draw the figure (see the module docstring).

    Args:
        image_a, image_b: RGB uint8 pictures.
        pairs: the marks, numbered from 1 in order (``model.checked_pairs`` first).
        title: the figure's title; captions: a line above A and one above B.
        note: the analyst's note (wrapped); provenance_lines: printed small at the bottom.
        panel_height_px: the height of A and B on the figure (default: the taller image's,
            at most PANEL_MAX_HEIGHT_PX).

    Returns:
        The figure (RGB uint8) and where everything went.
    """
    height = panel_height_px or min(PANEL_MAX_HEIGHT_PX, max(image_a.shape[0], image_b.shape[0]))
    pa, sa = _fit(image_a, height)
    pb, sb = _fit(image_b, height)
    f_title, f_text, f_small = _font(TITLE_PT), _font(TEXT_PT), _font(SMALL_PT)
    cell_w = 2 * LOUPE_PX + 3 * MARGIN_PX
    width = max(pa.shape[1] + pb.shape[1] + GAP_PX, cell_w) + 2 * MARGIN_PX
    per_row = max(1, (width - MARGIN_PX) // cell_w)
    rows = math.ceil(len(pairs) / per_row)
    cell_h = LOUPE_PX + 2 * 22
    top = MARGIN_PX + 32
    panel_top = top + 24
    loupes_top = panel_top + height + MARGIN_PX
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    note_lines = _wrap(probe, note, f_text, width - 2 * MARGIN_PX) if note.strip() else []
    text_top = loupes_top + rows * cell_h + MARGIN_PX
    total_h = text_top + 20 * len(note_lines) + 16 * len(provenance_lines) + 2 * MARGIN_PX
    canvas = Image.new("RGB", (width, total_h), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    draw.text((MARGIN_PX, MARGIN_PX), title, fill=INK, font=f_title)
    panel_a = Panel(MARGIN_PX, panel_top, sa, pa.shape[1], height)
    panel_b = Panel(MARGIN_PX + pa.shape[1] + GAP_PX, panel_top, sb, pb.shape[1], height)
    for panel, pic, caption in ((panel_a, pa, captions[0]), (panel_b, pb, captions[1])):
        canvas.paste(Image.fromarray(np.ascontiguousarray(pic)), (panel.x, panel.y))
        draw.text((panel.x, top), caption, fill=INK, font=f_text)
    for k, p in enumerate(pairs, 1):
        _draw_mark(draw, panel_a, p.a, k, f_text)
        _draw_mark(draw, panel_b, p.b, k, f_text)
    loupes = []
    ratio = scale_b_over_a(pairs)
    for k, p in enumerate(pairs, 1):
        row, col = divmod(k - 1, per_row)
        x, y = MARGIN_PX + col * cell_w, loupes_top + row * cell_h
        _label(draw, (x, y), k, f_text)
        draw.text((x + 36, y + 2), "A", fill=FAINT, font=f_small)
        draw.text((x + LOUPE_PX + MARGIN_PX + 36, y + 2), "B", fill=FAINT, font=f_small)
        src_a, src_b = loupe_sources(p, ratio)
        la = _draw_loupe(canvas, image_a, p.a, k, (x, y + 24), src_a)
        lb = _draw_loupe(canvas, image_b, p.b, k, (x + LOUPE_PX + MARGIN_PX, y + 24), src_b)
        loupes.append((la, lb))
        draw = ImageDraw.Draw(canvas)
        zoom = f"{_zoom_text(la)} / {_zoom_text(lb)}"
        draw.text((x, y + 24 + LOUPE_PX + 4), zoom, fill=FAINT, font=f_small)
    y = text_top
    for line in note_lines:
        draw.text((MARGIN_PX, y), line, fill=INK, font=f_text)
        y += 20
    y += MARGIN_PX // 2
    for line in provenance_lines:
        draw.text((MARGIN_PX, y), line, fill=FAINT, font=f_small)
        y += 16
    layout = FigureLayout(width, total_h, panel_a, panel_b, tuple(loupes), ratio)
    return np.asarray(canvas), layout

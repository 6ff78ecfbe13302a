"""Procedural ground texture for the scenario's orthophoto: fields, olive groves, roads.

Everything is drawn in orthophoto pixels (north up, ``gsd_m`` metres per pixel) from a seeded
``numpy.random.Generator``, so the same seed gives the same bytes. The look follows the
farmland of the Idlib plain in autumn: dry soil, ploughed parcels, olive groves, stubble.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

FIELD_PALETTE_RGB: tuple[tuple[int, int, int], ...] = (
    (178, 152, 114),  # dry soil
    (146, 116, 86),  # ploughed, dark
    (196, 178, 136),  # stubble
    (124, 132, 78),  # green crop
    (160, 138, 104),  # fallow
)
OLIVE_GROUND_RGB = (168, 146, 110)
OLIVE_TREE_RGB = (96, 104, 68)
TOWN_GROUND_RGB = (192, 178, 152)
STREET_RGB = (170, 160, 144)
ASPHALT_RGB = (98, 98, 100)

ToPixel = Callable[[float, float], tuple[float, float]]


def value_noise(shape: tuple[int, int], cell_px: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in [-1, 1]: a coarse random grid upsampled with bicubic interpolation."""
    h, w = shape
    gh = max(2, int(np.ceil(h / cell_px)) + 2)
    gw = max(2, int(np.ceil(w / cell_px)) + 2)
    grid = rng.uniform(-1.0, 1.0, size=(gh, gw)).astype(np.float32)
    big = cv2.resize(grid, (int(gw * cell_px), int(gh * cell_px)), interpolation=cv2.INTER_CUBIC)
    return np.clip(big[:h, :w], -1.0, 1.0)


def paint_fields(img: np.ndarray, gsd_m: float, rng: np.random.Generator) -> None:
    """Fill ``img`` with rectangular parcels in rows, some of them olive groves."""
    h, w = img.shape[:2]
    row_top = 0.0
    while row_top < h:
        row_h = rng.uniform(60.0, 170.0) / gsd_m
        col_left = 0.0
        while col_left < w:
            col_w = rng.uniform(80.0, 260.0) / gsd_m
            x0, y0 = int(col_left), int(row_top)
            x1, y1 = int(col_left + col_w), int(row_top + row_h)
            if rng.uniform() < 0.28:
                _paint_olive_grove(img, (x0, y0, x1, y1), gsd_m, rng)
            else:
                base = np.array(FIELD_PALETTE_RGB[rng.integers(len(FIELD_PALETTE_RGB))], float)
                base = 0.6 * base + 0.4 * np.array([168.0, 150.0, 116.0])  # autumn: muted
                colour = np.clip(base + rng.normal(0.0, 5.0, 3), 0, 255)
                cv2.rectangle(img, (x0, y0), (x1, y1), tuple(int(c) for c in colour), -1)
                if rng.uniform() < 0.5:
                    _paint_furrows(img, (x0, y0, x1, y1), gsd_m, rng)
            # a thin earth track between parcels
            cv2.rectangle(img, (x0, y0), (x1, y1), (150, 134, 108), max(1, int(1.5 / gsd_m)))
            col_left += col_w
        row_top += row_h


def _paint_furrows(
    img: np.ndarray, box: tuple[int, int, int, int], gsd_m: float, rng: np.random.Generator
) -> None:
    x0, y0, x1, y1 = box
    spacing = max(2, int(rng.uniform(3.0, 6.0) / gsd_m))
    shade = -14 if rng.uniform() < 0.5 else 12
    roi = img[max(y0, 0) : y1, max(x0, 0) : x1]
    if roi.size == 0:
        return
    view = roi[:, ::spacing] if rng.uniform() < 0.5 else roi[::spacing, :]
    view[...] = np.clip(view.astype(np.int16) + shade, 0, 255).astype(np.uint8)


def _paint_olive_grove(
    img: np.ndarray, box: tuple[int, int, int, int], gsd_m: float, rng: np.random.Generator
) -> None:
    x0, y0, x1, y1 = box
    cv2.rectangle(img, (x0, y0), (x1, y1), OLIVE_GROUND_RGB, -1)
    step = 7.0 / gsd_m
    radius = max(1, int(round(2.2 / gsd_m)))
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / 2, y1, step)
    if xs.size == 0 or ys.size == 0:
        return
    gx, gy = np.meshgrid(xs, ys)
    jitter = rng.normal(0.0, 1.6 / gsd_m, size=(2, *gx.shape))
    keep = rng.uniform(size=gx.shape) > 0.06
    for x, y in zip(
        (gx + jitter[0])[keep].astype(int), (gy + jitter[1])[keep].astype(int), strict=True
    ):
        cv2.circle(img, (int(x), int(y)), radius, OLIVE_TREE_RGB, -1, cv2.LINE_AA)


def draw_road(
    img: np.ndarray,
    points_en_m: list[tuple[float, float]],
    width_m: float,
    colour: tuple[int, int, int],
    to_pixel: ToPixel,
    gsd_m: float,
) -> None:
    """Draw a polyline road given in ENU metres (east, north)."""
    pts = np.array([to_pixel(e, n) for e, n in points_en_m], dtype=np.float64)
    pts_fixed = np.round(pts * 16).astype(np.int32).reshape(-1, 1, 2)
    thickness = max(1, int(round(width_m / gsd_m)))
    cv2.polylines(img, [pts_fixed], False, colour, thickness, cv2.LINE_AA, shift=4)


def add_grain(img: np.ndarray, gsd_m: float, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative low-frequency variation plus fine grain, as on aerial imagery."""
    h, w = img.shape[:2]
    small = (max(2, h // 4), max(2, w // 4))
    low = value_noise(small, 55.0 / gsd_m, rng) * 0.07
    mid = value_noise(small, 6.0 / gsd_m, rng) * 0.05
    gain_small = np.clip((1.0 + low + mid) * 128.0, 0, 255).astype(np.uint8)
    gain = cv2.resize(gain_small, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(img, cv2.merge([gain, gain, gain]), scale=1.0 / 128.0)
    tile = rng.integers(0, 7, size=(256, 256), dtype=np.uint8)
    plus = cv2.repeat(tile, h // 256 + 1, w // 256 + 1)[:h, :w]
    plus3 = cv2.merge([plus, plus, plus])
    out = cv2.add(out, plus3)
    return cv2.subtract(out, cv2.merge([np.full_like(plus, 3)] * 3))

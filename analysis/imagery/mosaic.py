"""A mosaic: one raster with its georeference, built from georeferenced pieces or XYZ tiles.

Web-Mercator tile arithmetic follows the XYZ ("slippy map") scheme of OpenStreetMap: EPSG:3857,
256-px tiles, y = 0 at the north edge, zoom z has 2**z tiles a side (OSM wiki, "Slippy map
tilenames"). Reading the tiles is the caller's (workbench.tiles); this module does the maths.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.imagery.errors import GeoreferenceError
from analysis.imagery.georef import Georef
from analysis.jobs import CancelToken, ProgressFn, check, report

TILE_PX = 256
ORIGIN_SHIFT_M = 2 * math.pi * 6378137.0 / 2.0  # half the Web-Mercator world width
MAX_LAT = 85.0511287798066
MAX_MOSAIC_PX = 12000


@dataclass(frozen=True, eq=False)
class Mosaic:
    """A raster (grey, BGR or BGRA, uint8) and where it lies."""

    image: np.ndarray
    georef: Georef

    def crop_bbox(self, south: float, west: float, north: float, east: float) -> Mosaic:
        """The part inside a lat/lon box (whole pixels, clipped to the mosaic)."""
        xs, ys = self.georef.latlon_to_pixel(
            np.array([north, north, south, south]), np.array([west, east, east, west])
        )
        h, w = self.image.shape[:2]
        x0, x1 = max(0, int(np.floor(xs.min() + 0.5))), min(w, int(np.ceil(xs.max() + 0.5)))
        y0, y1 = max(0, int(np.floor(ys.min() + 0.5))), min(h, int(np.ceil(ys.max() + 0.5)))
        if x1 - x0 < 2 or y1 - y0 < 2:
            raise GeoreferenceError(
                f"box S {south} W {west} N {north} E {east} does not overlap the reference"
            )
        return self.crop_px(x0, y0, x1 - x0, y1 - y0)

    def crop_px(self, x0: int, y0: int, w: int, h: int) -> Mosaic:
        a = self.georef.affine
        gx, gy = self.georef.pixel_to_crs(np.array([x0 - 0.5]), np.array([y0 - 0.5]))
        aff = (float(gx[0]), a[1], a[2], float(gy[0]), a[4], a[5])
        return Mosaic(self.image[y0 : y0 + h, x0 : x0 + w], Georef(self.georef.crs, aff, w, h))


def latlon_to_tile(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates (x, y) of a point at zoom ``z``."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 2.0**z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_to_mercator(x: float, y: float, z: int) -> tuple[float, float]:
    """EPSG:3857 metres of the tile coordinate (x, y) at zoom ``z`` (corner at integers)."""
    size = 2 * ORIGIN_SHIFT_M / 2.0**z
    return -ORIGIN_SHIFT_M + x * size, ORIGIN_SHIFT_M - y * size


def tile_range(
    south: float, west: float, north: float, east: float, z: int
) -> tuple[int, int, int, int]:
    """(x_min, y_min, x_max, y_max) inclusive: the tiles that cover the box at zoom ``z``."""
    if not (south < north and west < east):
        raise GeoreferenceError(f"box S {south} W {west} N {north} E {east} is empty")
    n = 2**z
    x0, y0 = latlon_to_tile(north, west, z)
    x1, y1 = latlon_to_tile(south, east, z)
    clamp = lambda v: min(n - 1, max(0, int(math.floor(v))))  # noqa: E731
    return clamp(x0), clamp(y0), clamp(x1 - 1e-9), clamp(y1 - 1e-9)


TileReader = Callable[[int, int, int], "np.ndarray | None"]


def mosaic_from_tiles(
    bbox: tuple[float, float, float, float],
    z: int,
    read_tile: TileReader,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Mosaic:
    """Assemble the XYZ tiles covering ``bbox`` (S, W, N, E) at zoom ``z`` into one BGR raster.

    ``read_tile(z, x, y)`` returns a decoded BGR tile or None (missing tiles stay black).
    The georeference is EPSG:3857; crop it with :meth:`Mosaic.crop_bbox` for the exact box.

    Raises:
        GeoreferenceError: the mosaic would exceed MAX_MOSAIC_PX a side, or no tile exists.
    """
    tx0, ty0, tx1, ty1 = tile_range(*bbox, z)
    nx, ny = tx1 - tx0 + 1, ty1 - ty0 + 1
    if max(nx, ny) * TILE_PX > MAX_MOSAIC_PX:
        raise GeoreferenceError(
            f"{nx}x{ny} tiles at zoom {z} exceed {MAX_MOSAIC_PX} px a side: choose a lower zoom"
        )
    canvas = np.zeros((ny * TILE_PX, nx * TILE_PX, 3), np.uint8)
    found = 0
    for i, (ty, tx) in enumerate(
        (ty, tx) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)
    ):
        check(cancel)
        tile = read_tile(z, tx, ty)
        report(progress, (i + 1) / (nx * ny), f"tile {z}/{tx}/{ty}")
        if tile is None:
            continue
        found += 1
        if tile.ndim == 2:
            tile = cv2.cvtColor(tile, cv2.COLOR_GRAY2BGR)
        tile = cv2.resize(tile[:, :, :3], (TILE_PX, TILE_PX), interpolation=cv2.INTER_AREA)
        r, c = (ty - ty0) * TILE_PX, (tx - tx0) * TILE_PX
        canvas[r : r + TILE_PX, c : c + TILE_PX] = tile
    if found == 0:
        raise GeoreferenceError(f"no tile at zoom {z} covers the box {bbox}")
    mx, my = tile_to_mercator(tx0, ty0, z)
    size = 2 * ORIGIN_SHIFT_M / 2.0**z / TILE_PX
    georef = Georef("EPSG:3857", (mx, size, 0.0, my, 0.0, -size), canvas.shape[1], canvas.shape[0])
    return Mosaic(canvas, georef).crop_bbox(*bbox)


def mosaic_from_pieces(pieces: list[Mosaic], *, pixel_size: float | None = None) -> Mosaic:
    """Resample north-up pieces in one CRS onto one grid (finest pixel size by default).

    Later pieces are painted over earlier ones where they overlap. BGR out (alpha dropped,
    transparent parts left black).

    Raises:
        GeoreferenceError: no pieces, pieces in different CRSs, or rotated pieces.
    """
    if not pieces:
        raise GeoreferenceError("no georeferenced image to make a mosaic of")
    crs = pieces[0].georef.crs
    for p in pieces:
        a = p.georef.affine
        if p.georef.crs != crs or a[2] != 0 or a[4] != 0 or a[1] <= 0 or a[5] >= 0:
            raise GeoreferenceError("mosaic pieces must be north-up and in one coordinate system")
    step_x = pixel_size or min(p.georef.affine[1] for p in pieces)
    step_y = pixel_size or min(-p.georef.affine[5] for p in pieces)
    west = min(p.georef.affine[0] for p in pieces)
    north = max(p.georef.affine[3] for p in pieces)
    east = max(p.georef.affine[0] + p.georef.affine[1] * p.georef.width for p in pieces)
    south = min(p.georef.affine[3] + p.georef.affine[5] * p.georef.height for p in pieces)
    w, h = round((east - west) / step_x), round((north - south) / step_y)
    if max(w, h) > MAX_MOSAIC_PX:
        raise GeoreferenceError(f"mosaic of {w}x{h} px exceeds {MAX_MOSAIC_PX} px a side")
    canvas = np.zeros((h, w, 3), np.uint8)
    target = Georef(crs, (west, step_x, 0.0, north, 0.0, -step_y), w, h)
    for p in pieces:
        _paint(canvas, target, p)
    return Mosaic(canvas, target)


def _paint(canvas: np.ndarray, target: Georef, piece: Mosaic) -> None:
    """Warp one north-up piece into the canvas (bilinear; alpha > 0 decides what is painted)."""
    a, t = piece.georef.affine, target.affine
    # canvas pixel (centre convention) -> piece pixel (centre convention), both affine
    sx, sy = t[1] / a[1], t[5] / a[5]
    ox = (t[0] - a[0]) / a[1] + 0.5 * sx - 0.5
    oy = (t[3] - a[3]) / a[5] + 0.5 * sy - 0.5
    m = np.array([[sx, 0.0, ox], [0.0, sy, oy]])
    img = piece.image
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA)
    elif img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)
    size = (canvas.shape[1], canvas.shape[0])
    # Colour with the edge replicated (no black bled in at the piece's border); coverage by
    # nearest neighbour, so an edge pixel is the piece's or the neighbour's, never a blend.
    colour = cv2.warpAffine(img[:, :, :3], m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                            borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    alpha = cv2.warpAffine(img[:, :, 3], m, size, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0)  # fmt: skip
    opaque = alpha > 127
    canvas[opaque] = colour[opaque]

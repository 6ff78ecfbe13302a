"""The georeference of a raster: an affine grid in a coordinate reference system.

Pixel convention (ARCHITECTURE.md, "Geometry conventions", as OpenCV uses it): x right, y
down, the *centre* of the top-left pixel at (0, 0); its outer corner at (-0.5, -0.5). The
affine is GDAL's (``GT`` of the GDAL data model), which counts from the outer corner:
``X = a0 + a1*col + a2*row``, ``Y = a3 + a4*col + a5*row`` with ``col = x + 0.5``.
CRS strings are anything pyproj reads (``EPSG:4326``, ``EPSG:32634``, WKT); latitude and
longitude are WGS84 degrees, transformed with ``always_xy`` so axis order never flips.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from analysis.imagery.errors import GeoreferenceError

WGS84 = "EPSG:4326"


@functools.lru_cache(maxsize=32)
def _transformers(crs: str) -> tuple[Transformer, Transformer]:
    """(to the CRS from WGS84, from the CRS to WGS84), cached per CRS string."""
    try:
        target = CRS.from_user_input(crs)
        fwd = Transformer.from_crs(WGS84, target, always_xy=True)
        inv = Transformer.from_crs(target, WGS84, always_xy=True)
    except (CRSError, ProjError) as exc:
        raise GeoreferenceError(f"coordinate system {crs[:60]!r} is not known ({exc})") from exc
    return fwd, inv


def check_crs(crs: str, source: str = "") -> str:
    """Return ``crs`` if pyproj can carry it to and from WGS84, else raise GeoreferenceError."""
    try:
        _transformers(crs)
    except GeoreferenceError as exc:
        raise GeoreferenceError(f"{source}: {exc}" if source else str(exc)) from exc
    return crs


def to_crs(crs: str, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 latitude/longitude to (X, Y) in ``crs``."""
    fwd, _ = _transformers(crs)
    x, y = fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def from_crs(crs: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) in ``crs`` to WGS84 (lat, lon)."""
    _, inv = _transformers(crs)
    lon, lat = inv.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat, float), np.asarray(lon, float)


@dataclass(frozen=True)
class Georef:
    """Where each pixel of a ``width`` x ``height`` raster lies on the Earth.

    Attributes:
        crs: the coordinate reference system of the affine's output (pyproj input string).
        affine: GDAL geotransform (a0, a1, a2, a3, a4, a5), counted from the outer corner.
        width, height: the raster's size in pixels.
    """

    crs: str
    affine: tuple[float, float, float, float, float, float]
    width: int
    height: int

    def __post_init__(self) -> None:
        a = self.affine
        if len(a) != 6 or not all(math.isfinite(v) for v in a):
            raise GeoreferenceError(f"geotransform {a!r} is not six finite numbers")
        if abs(a[1] * a[5] - a[2] * a[4]) < 1e-30:
            raise GeoreferenceError(f"geotransform {a!r} is singular (zero pixel size)")
        if self.width < 1 or self.height < 1:
            raise GeoreferenceError(f"raster size {self.width}x{self.height} is empty")

    def pixel_to_crs(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = self.affine
        col, row = np.asarray(x, float) + 0.5, np.asarray(y, float) + 0.5
        return a[0] + a[1] * col + a[2] * row, a[3] + a[4] * col + a[5] * row

    def crs_to_pixel(self, gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = self.affine
        det = a[1] * a[5] - a[2] * a[4]
        dx, dy = np.asarray(gx, float) - a[0], np.asarray(gy, float) - a[3]
        col = (a[5] * dx - a[2] * dy) / det
        row = (-a[4] * dx + a[1] * dy) / det
        return col - 0.5, row - 0.5

    def pixel_to_latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel (x, y) to WGS84 (lat, lon), vectorised."""
        return from_crs(self.crs, *self.pixel_to_crs(x, y))

    def latlon_to_pixel(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 (lat, lon) to pixel (x, y), vectorised."""
        return self.crs_to_pixel(*to_crs(self.crs, lat, lon))

    def corners_latlon(self) -> list[tuple[float, float]]:
        """The outer corners as (lat, lon): top-left, top-right, bottom-right, bottom-left."""
        w, h = self.width - 0.5, self.height - 0.5
        lat, lon = self.pixel_to_latlon(np.array([-0.5, w, w, -0.5]), np.array([-0.5, -0.5, h, h]))
        return [(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]

    def pixel_size_m(self) -> float:
        """Ground size of one pixel at the centre (metres, mean of the two axes)."""
        from geographiclib.geodesic import Geodesic

        cx, cy = self.width / 2, self.height / 2
        lat, lon = self.pixel_to_latlon(np.array([cx, cx + 1, cx]), np.array([cy, cy, cy + 1]))
        g = Geodesic.WGS84
        dx = g.Inverse(lat[0], lon[0], lat[1], lon[1])["s12"]
        dy = g.Inverse(lat[0], lon[0], lat[2], lon[2])["s12"]
        return float((dx + dy) / 2)

    def scaled(self, factor: float, width: int, height: int) -> Georef:
        """The georeference of the same raster resampled by ``factor`` (0.5: half size)."""
        a = self.affine
        s = 1.0 / factor
        return Georef(self.crs, (a[0], a[1] * s, a[2] * s, a[3], a[4] * s, a[5] * s), width, height)

    def to_json(self) -> dict:
        return {
            "crs": self.crs,
            "affine": list(self.affine),
            "width": self.width,
            "height": self.height,
        }

    @classmethod
    def from_json(cls, data: dict | str) -> Georef:
        d = json.loads(data) if isinstance(data, str) else data
        return cls(
            str(d["crs"]), tuple(float(v) for v in d["affine"]), int(d["width"]), int(d["height"])
        )


def north_up_from_corners(
    top_left: tuple[float, float], bottom_right: tuple[float, float], width: int, height: int
) -> Georef:
    """A north-up lat/lon grid from the outer corners typed by the analyst ((lat, lon) each).

    Linear in latitude and longitude, which is exact to centimetres over a few hundred metres
    (the ../shared/data/satellite tiles, 200 m across, curve by well under a millimetre).
    """
    (lat0, lon0), (lat1, lon1) = top_left, bottom_right
    vals = (lat0, lon0, lat1, lon1)
    if not all(math.isfinite(v) for v in vals):
        raise GeoreferenceError(f"corner coordinates {vals} are not all numbers")
    if not (-90 <= lat1 < lat0 <= 90) or not (-180 <= lon0 < lon1 <= 180):
        raise GeoreferenceError(
            f"corners {top_left} / {bottom_right} are not a top-left north-west of a "
            "bottom-right (latitude falls southward, longitude grows eastward)"
        )
    dx = (lon1 - lon0) / width
    dy = (lat1 - lat0) / height
    return Georef(WGS84, (lon0, dx, 0.0, lat0, 0.0, dy), width, height)

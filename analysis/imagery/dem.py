"""Digital elevation models: the height of any point, profiles and line of sight.

A DEM is a single-band GeoTIFF (SRTM, Copernicus GLO-30, or any raster in a CRS pyproj knows),
read with rasterio. Heights are the DEM's own (SRTM: EGM96 geoid; GLO-30: EGM2008), in metres.
Interpolation is bilinear between pixel centres; outside the raster, or next to a no-data
pixel, the height is NaN (the caller decides what "unknown" means, never a made-up zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.imagery.errors import DemError, GeoreferenceError
from analysis.imagery.georef import Georef, check_crs


@dataclass(frozen=True)
class Dem:
    """An elevation grid with its georeference. ``heights_m`` is float64, NaN where no data."""

    heights_m: np.ndarray
    georef: Georef
    source: str = ""

    @classmethod
    def open(cls, path: Path | str) -> Dem:
        """Read a DEM GeoTIFF (band 1).

        Raises:
            DemError: unreadable, no CRS, a CRS pyproj does not know, or no valid height.
        """
        import rasterio
        from rasterio.errors import RasterioError

        path = Path(path)
        if not path.is_file():
            raise DemError(f"{path}: no such elevation file")
        try:
            with rasterio.open(path) as ds:
                band = ds.read(1, masked=True).astype(np.float64)
                crs = ds.crs
                transform = ds.transform
        except RasterioError as exc:
            raise DemError(f"{path}: not a readable elevation GeoTIFF ({exc})") from exc
        if crs is None:
            raise DemError(f"{path}: the elevation model has no coordinate system")
        wkt = crs.to_wkt()
        check_crs_or_dem_error(wkt, path)
        heights = np.ma.filled(band, np.nan)
        if not np.isfinite(heights).any():
            raise DemError(f"{path}: the elevation model holds no valid height")
        gt = (transform.c, transform.a, transform.b, transform.f, transform.d, transform.e)
        georef = Georef(wkt, gt, heights.shape[1], heights.shape[0])
        return cls(heights, georef, str(path))

    def height_m(self, lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
        """Bilinear terrain height at WGS84 points (vectorised; NaN outside or at no-data)."""
        lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
        x, y = self.georef.latlon_to_pixel(lat_a, lon_a)
        return bilinear(self.heights_m, x, y)

    def covers(self, lat: float, lon: float) -> bool:
        return bool(np.isfinite(self.height_m(lat, lon)))


def check_crs_or_dem_error(crs: str, path: Path) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        check_crs(crs, str(path))
        parsed = CRS.from_user_input(crs)
    except (GeoreferenceError, CRSError) as exc:
        raise DemError(f"{path}: the elevation model's coordinate system is unknown") from exc
    if parsed.is_engineering or not (parsed.is_geographic or parsed.is_projected):
        raise DemError(
            f"{path}: the elevation model's coordinate system is a local one "
            f"({parsed.name}), not tied to the Earth"
        )


def bilinear(grid: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample ``grid`` at pixel-centre coordinates (x, y); NaN outside the centres' hull."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    h, w = grid.shape
    out = np.full(x.shape, np.nan)
    inside = np.isfinite(x) & np.isfinite(y) & (x >= 0) & (y >= 0) & (x <= w - 1) & (y <= h - 1)
    if not inside.any():
        return out
    xi, yi = x[inside], y[inside]
    x0 = np.minimum(np.floor(xi).astype(int), max(w - 2, 0))
    y0 = np.minimum(np.floor(yi).astype(int), max(h - 2, 0))
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = xi - x0, yi - y0
    top = grid[y0, x0] * (1 - fx) + grid[y0, x1] * fx
    bottom = grid[y1, x0] * (1 - fx) + grid[y1, x1] * fx
    out[inside] = top * (1 - fy) + bottom * fy
    return out

"""The scenario's elevation model and its orthophoto as GeoTIFFs (written with rasterio).

Terrain: the renderer's ground is the plane up = 0 of the world's ENU frame; the elevation
model gives, at every node of a WGS84 latitude/longitude grid (about 11 m), the ellipsoidal
height of that plane there (it rises by d^2 / 2R away from the origin: 0.6 m at 2.8 km) plus
a gentle hill (a Gaussian, 35 m high, 450 m wide) north-west of the town. The hill stands
where no rendered view looks (checked in the tests), so the flat rendered ground stays the
truth wherever a camera sees. Heights are above the WGS84 ellipsoid (no geoid): say so to
any reader that assumes SRTM's EGM96.

Orthophoto: the rendered north-up orthophoto in the ellipsoidal orthographic projection
centred on the world origin (PROJ ``ortho`` on WGS84), whose x, y are the ENU east and north
of points on the ellipsoid; the rendered ground lies 430 m above it, so a pixel's true
position differs by at most 430 m x d / R (0.2 m at the corner 3.5 km away, a fifth of a
pixel). The capture time goes in the TIFF DateTime tag and in GDAL metadata.
"""

from __future__ import annotations

import math
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from geographiclib.constants import Constants

from workbench.scenario.world import EXTENT_EN_M, World

HILL = {"centre_en_m": (-2000.0, 2400.0), "peak_m": 35.0, "radius_m": 450.0}
DEM_NORTH_MAX_M = 3000.0  # the grid reaches past the hill
DEM_STEP_DEG = (1e-4, 1.25e-4)  # latitude, longitude (about 11 m each at 35.6 N)
_A, _F = Constants.WGS84_a, Constants.WGS84_f
_E2 = _F * (2.0 - _F)


def hill_m(e: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The hill's height above the plane at ENU (east, north), metres."""
    (ce, cn), peak, r = HILL["centre_en_m"], HILL["peak_m"], HILL["radius_m"]
    return peak * np.exp(-((e - ce) ** 2 + (n - cn) ** 2) / r**2)


def _ecef(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ECEF of (lat, lon) on the ellipsoid and the unit normal there (h moves along it)."""
    la, lo = np.radians(lat), np.radians(lon)
    n = _A / np.sqrt(1.0 - _E2 * np.sin(la) ** 2)
    normal = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], -1)
    x = np.stack(
        [n * np.cos(la) * np.cos(lo), n * np.cos(la) * np.sin(lo), n * (1 - _E2) * np.sin(la)], -1
    )
    return x, normal


def terrain_heights(world: World, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Ellipsoidal heights of the ground (the plane up = 0, plus the hill) at WGS84 points."""
    o = world.origin_lat_deg, world.origin_lon_deg, world.origin_height_m
    x0, n0 = _ecef(np.array(o[0]), np.array(o[1]))
    x0 = x0 + o[2] * n0
    la, lo = math.radians(o[0]), math.radians(o[1])
    rows = np.array(
        [
            [-math.sin(lo), math.cos(lo), 0.0],
            [-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)],
            [math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)],
        ]
    )
    x, normal = _ecef(lat, lon)
    enu0 = (x - x0) @ rows.T
    h = -enu0[..., 2] / (normal @ rows[2])  # where the normal through (lat, lon) meets up = 0
    enu = enu0 + h[..., None] * (normal @ rows.T)
    return h + hill_m(enu[..., 0], enu[..., 1])


def _write_tiff(
    path: Path, array: np.ndarray, profile: dict[str, Any], tags: dict[str, str]
) -> None:
    import rasterio

    tmp = path.with_name(path.name + ".part.tif")
    bands = array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    with rasterio.open(tmp, "w", **profile, count=bands.shape[0]) as ds:
        ds.write(bands)
        ds.update_tags(**tags)
    os.replace(tmp, path)


def write_terrain(world: World, path: Path) -> dict[str, Any]:
    """Write the elevation GeoTIFF (EPSG:4326, float32); returns its truth."""
    from affine import Affine

    e_min, n_min, e_max, _ = EXTENT_EN_M
    corners = [
        world.enu_to_geodetic(e, n, 0.0) for e in (e_min, e_max) for n in (n_min, DEM_NORTH_MAX_M)
    ]
    south, north = min(c[0] for c in corners), max(c[0] for c in corners)
    west, east = min(c[1] for c in corners), max(c[1] for c in corners)
    dlat, dlon = DEM_STEP_DEG
    rows, cols = int(math.ceil((north - south) / dlat)), int(math.ceil((east - west) / dlon))
    lat = north - (np.arange(rows) + 0.5) * dlat
    lon = west + (np.arange(cols) + 0.5) * dlon
    heights = terrain_heights(
        world, lat[:, None] * np.ones((1, cols)), np.ones((rows, 1)) * lon[None, :]
    )
    profile = {
        "driver": "GTiff", "width": cols, "height": rows, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(dlon, 0.0, west, 0.0, -dlat, north),
        "nodata": -9999.0,
    }  # fmt: skip
    _write_tiff(path, heights.astype(np.float32), profile, {"VERTICAL_DATUM": "WGS84 ellipsoid"})
    lat_h, lon_h, _ = world.enu_to_geodetic(*HILL["centre_en_m"], 0.0)
    return {
        "file": path.name,
        "crs": "EPSG:4326",
        "width_px": cols,
        "height_px": rows,
        "box_deg": [south, west, north, east],
        "heights": "WGS84 ellipsoidal metres (no geoid); pixel values are pixel-centre heights",
        "ground": "the world frame's plane up = 0 plus the hill",
        "hill": {**HILL, "lat_deg": lat_h, "lon_deg": lon_h},
    }


def ortho_crs(world: World) -> str:
    return (
        f"+proj=ortho +lat_0={world.origin_lat_deg} +lon_0={world.origin_lon_deg} "
        "+ellps=WGS84 +units=m +no_defs"
    )


def write_orthophoto_geotiff(
    world: World, rgb: np.ndarray, when: datetime, path: Path
) -> dict[str, Any]:
    """Write the orthophoto as an RGB GeoTIFF with its capture time; returns its truth."""
    from affine import Affine

    g = world.gsd_m
    rows, cols = rgb.shape[:2]
    profile = {
        "driver": "GTiff", "width": cols, "height": rows, "dtype": "uint8",
        "crs": ortho_crs(world), "compress": "deflate", "photometric": "RGB",
        "transform": Affine(g, 0.0, world.east_min_m - g / 2, 0.0, -g, world.north_max_m + g / 2),
    }  # fmt: skip
    tags = {
        "TIFFTAG_DATETIME": when.strftime("%Y:%m:%d %H:%M:%S"),
        "ACQUISITION_DATETIME": when.isoformat(),
        "SOURCE": "geoworkbench scenario (synthetic orthophoto)",
    }
    _write_tiff(path, rgb, profile, tags)
    return {"file": path.name, "crs": ortho_crs(world), "acquired_utc": when.isoformat()}

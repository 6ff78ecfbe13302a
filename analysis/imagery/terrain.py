"""Terrain profiles along a line of sight and "is the target visible from the camera".

Earth curvature and refraction (stated): over a chord of length D, the ground at distance d
from the camera lies ``d * (D - d) / (2 * R_eff)`` below the straight sight line's reference,
with ``R_eff = R / (1 - k)``, R = 6 371 000 m (mean Earth radius) and k = 0.13, the standard
atmospheric refraction coefficient used in geodetic levelling and radio planning (light bends
down with about 1/7.7 of the Earth's curvature). Distances are WGS84 geodesics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic

from analysis.imagery.dem import Dem
from analysis.imagery.errors import DemError

EARTH_RADIUS_M = 6_371_000.0
REFRACTION_K = 0.13


@dataclass(frozen=True)
class Profile:
    """Terrain heights sampled along the geodesic from camera to target."""

    distance_m: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ground_m: np.ndarray


@dataclass(frozen=True)
class Visibility:
    """The line-of-sight verdict with the point that blocks it (if any)."""

    visible: bool
    clearance_m: float  # the smallest sight-line height above the (curved) ground; < 0 blocked
    blocked_at_m: float | None  # distance from the camera of the worst obstruction when blocked
    camera_alt_m: float
    target_alt_m: float
    distance_m: float
    refraction_k: float = REFRACTION_K


def profile(
    dem: Dem, camera: tuple[float, float], target: tuple[float, float], step_m: float | None = None
) -> Profile:
    """Terrain heights every ``step_m`` (default: half a DEM pixel) from camera to target."""
    line = Geodesic.WGS84.InverseLine(camera[0], camera[1], target[0], target[1])
    total = line.s13
    step = step_m if step_m else max(dem.georef.pixel_size_m() / 2, 0.5)
    n = max(int(np.ceil(total / step)) + 1, 2)
    dist = np.linspace(0.0, total, n)
    pts = [line.Position(s) for s in dist]
    lat = np.array([p["lat2"] for p in pts])
    lon = np.array([p["lon2"] for p in pts])
    return Profile(dist, lat, lon, dem.height_m(lat, lon))


def curvature_drop_m(d: np.ndarray, total_m: float, k: float = REFRACTION_K) -> np.ndarray:
    """How far the ground bulges above a chord of length ``total_m`` at distance ``d``."""
    r_eff = EARTH_RADIUS_M / (1.0 - k)
    return d * (total_m - d) / (2.0 * r_eff)


def line_of_sight(
    dem: Dem,
    camera: tuple[float, float],
    target: tuple[float, float],
    *,
    camera_agl_m: float = 1.6,
    target_agl_m: float = 0.0,
    k: float = REFRACTION_K,
    step_m: float | None = None,
) -> Visibility:
    """Whether the target is visible from the camera over the DEM's bare terrain.

    Heights above ground (``*_agl_m``) are added to the DEM at both ends. Buildings and trees
    are not in a DEM (a DSM would hold them): "visible" means "not hidden by the terrain".

    Raises:
        DemError: an end point or part of the line lies outside the DEM or on no-data.
    """
    prof = profile(dem, camera, target, step_m)
    if not np.isfinite(prof.ground_m).all():
        bad = float(prof.distance_m[~np.isfinite(prof.ground_m)][0])
        raise DemError(
            f"{dem.source or 'elevation model'}: no height {bad:.0f} m along the line of sight "
            "(outside the model or no data)"
        )
    total = float(prof.distance_m[-1])
    cam_alt = float(prof.ground_m[0]) + camera_agl_m
    tgt_alt = float(prof.ground_m[-1]) + target_agl_m
    if total <= 0:
        return Visibility(True, min(camera_agl_m, target_agl_m), None, cam_alt, tgt_alt, 0.0, k)
    frac = prof.distance_m / total
    sight = cam_alt + (tgt_alt - cam_alt) * frac
    ground = prof.ground_m + curvature_drop_m(prof.distance_m, total, k)
    inner = slice(1, -1) if len(frac) > 2 else slice(0, 0)
    margin = (sight - ground)[inner]
    if margin.size == 0:
        return Visibility(True, min(camera_agl_m, target_agl_m), None, cam_alt, tgt_alt, total, k)
    worst = int(np.argmin(margin))
    clearance = float(margin[worst])
    blocked_at = float(prof.distance_m[inner][worst]) if clearance < 0 else None
    return Visibility(clearance >= 0, clearance, blocked_at, cam_alt, tgt_alt, total, k)

"""Shadow geometry of a vertical object under the sun.

A vertical pole of height H on ground that slopes at ``slope_deg`` with its steepest
descent towards ``slope_aspect_deg`` (the downhill azimuth) casts a shadow along the horizontal
direction opposite the sun (the vertical plane through the sun contains the shadow on any
plane ground). On level ground its length is H / tan(elevation). On a slope, the shadow runs
along the line where that vertical plane meets the ground plane; its length measured along the
ground follows from the tip where the sun ray through the pole top meets the plane.

Conventions: azimuth clockwise from true north, degrees; elevation the apparent elevation
(shadows are cast by refracted light).
"""

from __future__ import annotations

import numpy as np

from analysis.sun.errors import SunBelowHorizonError, SunInputError


def shadow_azimuth_deg(sun_azimuth_deg: np.ndarray | float) -> np.ndarray:
    """The direction a vertical object's shadow points: the sun's azimuth plus 180."""
    return (np.asarray(sun_azimuth_deg, dtype=float) + 180.0) % 360.0


def shadow_ratio(
    sun_azimuth_deg: np.ndarray | float,
    apparent_elevation_deg: np.ndarray | float,
    *,
    slope_deg: float = 0.0,
    slope_aspect_deg: float = 0.0,
) -> np.ndarray:
    """Shadow length along the ground divided by the object's height.

    Args:
        sun_azimuth_deg: Sun azimuth.
        apparent_elevation_deg: Sun apparent elevation; must be above 0.
        slope_deg: Ground slope, 0 for level ground, below 90.
        slope_aspect_deg: Azimuth of the ground's steepest descent.

    Raises:
        SunBelowHorizonError: If the sun is at or below the horizon (no shadow).
        SunInputError: If the slope is not in [0, 90), or the shadow never meets the ground
            (the ground falls away more steeply than the sun's rays).
    """
    el = np.asarray(apparent_elevation_deg, dtype=float)
    if np.any(el <= 0.0):
        raise SunBelowHorizonError(
            "the sun is at or below the horizon: there is no shadow to measure"
        )
    if not 0.0 <= slope_deg < 90.0:
        raise SunInputError(f"ground slope {slope_deg} deg is not in [0, 90)")
    shadow_az = np.radians(shadow_azimuth_deg(sun_azimuth_deg))
    # Rise of the ground per metre along the shadow's horizontal direction.
    grade = -np.tan(np.radians(slope_deg)) * np.cos(shadow_az - np.radians(slope_aspect_deg))
    tan_el = np.tan(np.radians(el))
    # Tip: the ray from the top (height 1) falls tan_el per metre; the ground rises by grade.
    denom = tan_el + grade
    if np.any(denom <= 0.0):
        raise SunInputError(
            "the ground falls away more steeply than the sun's rays: the shadow does not end on it"
        )
    horizontal = 1.0 / denom
    return horizontal * np.sqrt(1.0 + grade * grade)


def elevation_from_ratio_deg(ratio: np.ndarray | float) -> np.ndarray:
    """Sun elevation from a shadow length / height ratio measured on level ground.

    Raises:
        SunInputError: If the ratio is not positive and finite.
    """
    r = np.asarray(ratio, dtype=float)
    if not np.all(np.isfinite(r)) or np.any(r <= 0):
        raise SunInputError(f"shadow length / height ratio {ratio} must be a positive number")
    return np.degrees(np.arctan2(1.0, r))


def elevation_sigma_from_ratio_deg(ratio: float, ratio_sigma: float) -> float:
    """One sigma of elevation implied by one sigma of the ratio (first order)."""
    return float(np.degrees(ratio_sigma / (1.0 + ratio * ratio)))

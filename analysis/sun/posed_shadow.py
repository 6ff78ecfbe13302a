"""Time from a shadow seen in a posed frame, and "same time" for two frames from it.

Seen obliquely, a shadow's direction on the ground is squeezed by the perspective (from a
rooftop 20 m up and 2.6 km away, 1 pixel spans tens of metres in depth), so its ground azimuth
cannot be read. What can be read is where the shadow's tip falls in the picture. With the
frame's ground-to-image homography (a posed camera, K [r1 r2 t], or the continuity homography
times another frame's) and the object's base on the ground and height, the tip's pixel is
predicted for every instant of the day from SPA:

    tip(t) = base - height / tan(elevation(t)) * (sin az_s(t), cos az_s(t)),  az_s = az + 180

and compared with the clicked tip: chi2(t) = |pixel(tip(t)) - clicked|^2 / sigma^2. The 95%
intervals are {t : chi2(t) <= min chi2 + 3.84} (one unknown, the time; as in
``time_from_shadows``). Two frames are the same time of day when their intervals overlap; the
answer's "within" is the largest time apart two overlapping intervals allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from analysis.sun.errors import SunInputError
from analysis.sun.time_from_shadows import CHI2_1_95, accepted_intervals, day_grid


@dataclass(frozen=True)
class PosedShadow:
    """A shadow's tip clicked in a frame whose ground homography is known.

    Attributes:
        base_en_m: The object's base on the ground, (east, north) metres in the homography's
            ground frame.
        height_m: The object's height above the ground.
        tip_px: The clicked tip (pixels).
        click_sigma_px: One sigma of the click.
        image_from_ground: 3x3 homography from (east, north, 1) metres to pixels.
    """

    base_en_m: tuple[float, float]
    height_m: float
    tip_px: tuple[float, float]
    click_sigma_px: float
    image_from_ground: np.ndarray


@dataclass(frozen=True)
class PosedTime:
    """The 95% intervals (start, end, best UTC) that fit one posed shadow."""

    intervals: tuple[tuple[datetime, datetime, datetime], ...]
    min_chi2: float


@dataclass(frozen=True)
class SameTimeAnswer:
    """Same time of day for two frames? ``within_min`` bounds the time between them."""

    same_time: bool
    within_min: float | None
    message: str


def time_from_posed_shadow(
    day: date, lat_deg: float, lon_deg: float, shadow: PosedShadow
) -> PosedTime:
    """The instants of ``day`` at which the shadow's tip falls where it was clicked.

    Raises:
        SunInputError: On a bad height, sigma or homography.
        SunBelowHorizonError: In polar night.
    """
    if not shadow.height_m > 0 or not shadow.click_sigma_px > 0:
        raise SunInputError("the object's height and the click sigma must be above 0")
    h = np.asarray(shadow.image_from_ground, dtype=float)
    if h.shape != (3, 3) or not np.all(np.isfinite(h)):
        raise SunInputError("the frame's ground homography must be a finite 3x3 matrix")
    grid = day_grid(day, lat_deg, lon_deg)
    up = grid.elevation_deg > 0.5
    if not np.any(up):
        from analysis.sun.errors import SunBelowHorizonError

        raise SunBelowHorizonError("polar night: no sun shadow on this day at this place")
    el = np.radians(np.where(up, grid.elevation_deg, 45.0))
    az_s = np.radians(grid.azimuth_deg + 180.0)
    reach = shadow.height_m / np.tan(el)
    e = shadow.base_en_m[0] + reach * np.sin(az_s)
    n = shadow.base_en_m[1] + reach * np.cos(az_s)
    v = h @ np.vstack([e, n, np.ones_like(e)])
    with np.errstate(divide="ignore", invalid="ignore"):
        px, py = v[0] / v[2], v[1] / v[2]
    dist2 = (px - shadow.tip_px[0]) ** 2 + (py - shadow.tip_px[1]) ** 2
    chi2 = np.where(up & (v[2] > 0) & np.isfinite(dist2), dist2 / shadow.click_sigma_px**2, np.inf)
    floor = float(np.min(chi2))
    if not np.isfinite(floor):
        raise SunInputError("the shadow's tip never falls in front of this camera on this day")
    return PosedTime(tuple(accepted_intervals(grid, chi2, floor + CHI2_1_95)), floor)


def same_time_of_day(first: PosedTime, second: PosedTime) -> SameTimeAnswer:
    """Whether two frames' shadow intervals overlap, and by how many minutes they can differ."""
    within = None
    for a0, a1, _ in first.intervals:
        for b0, b1, _ in second.intervals:
            if a0 <= b1 and b0 <= a1:
                span = max((b1 - a0).total_seconds(), (a1 - b0).total_seconds()) / 60.0
                within = span if within is None else max(within, span)
    if within is None:
        return SameTimeAnswer(False, None, "the shadows fit no common time of day")
    return SameTimeAnswer(True, within, f"same time of day, within {within:.0f} minutes")

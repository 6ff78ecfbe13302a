"""The sun over one day at a place: rise, set, solar noon and the path.

Rise and set are the instants when the sun's upper limb touches the horizon: the centre's
topocentric elevation is minus the sun's radius (0.26667 deg) and the refraction at the
horizon (0.5667 deg at 1010 hPa and 10 C, scaled by pressure and temperature as in SPA's eq.
42); with the standard atmosphere this is SPA's -0.8333 deg. Noon is the transit (local
hour angle zero). All three are roots of SPA positions found by sampling every ten minutes and
bisecting to a millisecond, not the paper's interpolation (section A.2), so they carry SPA's
own accuracy.

The "day" of a date at a place is the local mean solar day: from 00:00 UTC minus
longitude/15 hours, 24 hours long, so the noon of that date falls inside it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from analysis.sun.spa import (
    STANDARD_REFRACTION_DEG,
    SUN_RADIUS_DEG,
    check_place,
    sun_positions,
)

_STEP_S = 600.0


@dataclass(frozen=True)
class SunDay:
    """Rise, noon and set of one local solar day (UTC datetimes).

    Attributes:
        sunrise_utc: None when the sun does not rise that day (polar day or night).
        sunset_utc: None when the sun does not set that day.
        noon_utc: The transit (hour angle zero).
        noon_elevation_deg: Apparent elevation at noon.
        polar: "day" when the sun stays up all day, "night" when it never rises, else None.
    """

    sunrise_utc: datetime | None
    sunset_utc: datetime | None
    noon_utc: datetime
    noon_elevation_deg: float
    polar: str | None


def day_window(day: date, lon_deg: float) -> tuple[float, float]:
    """POSIX seconds (start, end) of the local mean solar day of ``day`` at ``lon_deg``."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    start = midnight - lon_deg / 15.0 * 3600.0
    return start, start + 86400.0


def find_roots(
    fn: Callable[[np.ndarray], np.ndarray], start_s: float, end_s: float, step_s: float = _STEP_S
) -> tuple[np.ndarray, np.ndarray]:
    """Instants where ``fn`` changes sign in [start, end], bisected to 1 ms.

    Returns:
        The roots (POSIX seconds) and whether ``fn`` rises through each.
    """
    t = np.arange(start_s, end_s + step_s / 2, step_s)
    v = fn(t)
    idx = np.nonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0)[0]
    lo, hi = t[idx], t[idx + 1]
    rising = v[idx] < 0
    while lo.size and np.max(hi - lo) > 1e-3:
        mid = (lo + hi) / 2
        vm = fn(mid)
        below = (vm < 0) == rising
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2, rising


def sun_day(
    day: date,
    lat_deg: float,
    lon_deg: float,
    *,
    pressure_hpa: float = 1010.0,
    temperature_c: float = 10.0,
) -> SunDay:
    """Sunrise, solar noon and sunset (NREL SPA positions; see the module notes).

    Args:
        day: The calendar date (local mean solar day at the place).
        lat_deg: Latitude north.
        lon_deg: Longitude east.
        pressure_hpa: Pressure for refraction.
        temperature_c: Temperature for refraction.

    Raises:
        SunInputError: On a latitude beyond 90 or a longitude beyond 180.
    """
    check_place(lat_deg, lon_deg)
    start, end = day_window(day, lon_deg)
    atm = {"pressure_hpa": pressure_hpa, "temperature_c": temperature_c}

    def hour_angle(t: np.ndarray) -> np.ndarray:
        ha = sun_positions(t, lat_deg, lon_deg, **atm).hour_angle_deg
        return np.where(np.abs(ha) > 170.0, np.nan, ha)  # the midnight wrap is no root

    horizon_refraction = STANDARD_REFRACTION_DEG * (pressure_hpa / 1010.0) * 283.0
    horizon_refraction /= 273.0 + temperature_c

    def limb(t: np.ndarray) -> np.ndarray:
        e0 = sun_positions(t, lat_deg, lon_deg, **atm).elevation_deg
        return e0 + SUN_RADIUS_DEG + horizon_refraction

    noons, _ = find_roots(hour_angle, start - 3600.0, end + 3600.0)
    noons = noons[(noons >= start) & (noons < end)]
    noon = float(noons[0]) if noons.size else (start + end) / 2
    roots, rising = find_roots(limb, start, end)
    rises = roots[rising]
    sets = roots[~rising]
    noon_el = float(sun_positions(noon, lat_deg, lon_deg, **atm).apparent_elevation_deg)
    polar = None
    if not roots.size:
        polar = "day" if noon_el > 0 else "night"
    return SunDay(
        sunrise_utc=_utc(rises[0]) if rises.size else None,
        sunset_utc=_utc(sets[-1]) if sets.size else None,
        noon_utc=_utc(noon),
        noon_elevation_deg=noon_el,
        polar=polar,
    )


@dataclass(frozen=True)
class SunPath:
    """The sun over a day: instants and positions (apparent elevation, refraction included)."""

    t_posix_s: np.ndarray
    azimuth_deg: np.ndarray
    apparent_elevation_deg: np.ndarray


def sun_path(day: date, lat_deg: float, lon_deg: float, *, step_s: float = 300.0) -> SunPath:
    """Positions over the local mean solar day, every ``step_s`` seconds."""
    start, end = day_window(day, lon_deg)
    t = np.arange(start, end + 1e-6, step_s)
    pos = sun_positions(t, lat_deg, lon_deg)
    return SunPath(t, pos.azimuth_deg, pos.apparent_elevation_deg)


def _utc(t: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=float(t))

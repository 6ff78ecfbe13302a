"""Solar azimuth and elevation for a UTC time and a place.

Algorithm: the NOAA Solar Calculator (Global Monitoring Laboratory), which implements the
low-precision formulas of Jean Meeus, *Astronomical Algorithms* (2nd ed., 1998), chapters
22 and 25: geometric mean longitude and anomaly of the sun, equation of centre, apparent
longitude, obliquity of the ecliptic, equation of time; then the hour angle and the local
horizontal coordinates. The atmospheric refraction correction is NOAA's piecewise fit.
Stated accuracy is about 0.01 deg for years 1800-2100, far better than the ~0.1 deg this
scenario needs.

Conventions: azimuth clockwise from true north in degrees, elevation above the horizon in
degrees (``elevation_deg`` includes refraction, as NOAA's calculator reports it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class SunPosition:
    """Where the sun stands for an observer.

    Attributes:
        azimuth_deg: Clockwise from true north, [0, 360).
        elevation_deg: Apparent elevation, corrected for atmospheric refraction.
        elevation_geometric_deg: Elevation without refraction.
        declination_deg: Apparent declination of the sun.
        equation_of_time_min: Apparent minus mean solar time, minutes.
    """

    azimuth_deg: float
    elevation_deg: float
    elevation_geometric_deg: float
    declination_deg: float
    equation_of_time_min: float

    def direction_enu(self) -> np.ndarray:
        """Unit vector pointing from the observer towards the sun (east, north, up)."""
        az = math.radians(self.azimuth_deg)
        el = math.radians(self.elevation_deg)
        return np.array([math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)])


def julian_day(when_utc: datetime) -> float:
    """Julian day of an aware datetime (Unix epoch is JD 2440587.5)."""
    if when_utc.tzinfo is None or when_utc.utcoffset() is None:
        raise ValueError(f"solar position needs an aware datetime, got naive {when_utc!r}")
    return 2440587.5 + when_utc.timestamp() / 86400.0


def _refraction_deg(elevation_deg: float) -> float:
    """NOAA's refraction correction (degrees) for a geometric elevation."""
    e = elevation_deg
    if e > 85.0:
        return 0.0
    te = math.tan(math.radians(e))
    if e > 5.0:
        arcsec = 58.1 / te - 0.07 / te**3 + 0.000086 / te**5
    elif e > -0.575:
        arcsec = 1735.0 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711)))
    else:
        arcsec = -20.772 / te
    return arcsec / 3600.0


def _sun_declination_and_eot(jd: float) -> tuple[float, float]:
    """Apparent declination (deg) and equation of time (min), Meeus ch. 25 / NOAA."""
    t = (jd - 2451545.0) / 36525.0
    l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360.0
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    ecc = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = math.radians(m)
    centre = (
        math.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * mr) * (0.019993 - 0.000101 * t)
        + math.sin(3 * mr) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    app_long = math.radians(l0 + centre - 0.00569 - 0.00478 * math.sin(omega))
    eps0 = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    eps = math.radians(eps0 + 0.00256 * math.cos(omega))
    decl = math.asin(math.sin(eps) * math.sin(app_long))
    y = math.tan(eps / 2.0) ** 2
    l0r = math.radians(l0)
    eot_rad = (
        y * math.sin(2 * l0r)
        - 2 * ecc * math.sin(mr)
        + 4 * ecc * y * math.sin(mr) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * ecc * ecc * math.sin(2 * mr)
    )
    return math.degrees(decl), 4.0 * math.degrees(eot_rad)


def solar_position(when_utc: datetime, lat_deg: float, lon_deg: float) -> SunPosition:
    """Solar azimuth and elevation (NOAA Solar Calculator / Meeus 1998).

    Args:
        when_utc: An aware datetime (any offset; converted to UTC).
        lat_deg: Observer latitude, degrees north.
        lon_deg: Observer longitude, degrees east.

    Returns:
        The sun's position; azimuth clockwise from true north.

    Raises:
        ValueError: If ``when_utc`` is naive.
    """
    jd = julian_day(when_utc)
    decl_deg, eot_min = _sun_declination_and_eot(jd)
    day_fraction = (jd + 0.5) % 1.0
    true_solar_min = (day_fraction * 1440.0 + eot_min + 4.0 * lon_deg) % 1440.0
    hour_angle = true_solar_min / 4.0 - 180.0
    lat = math.radians(lat_deg)
    decl = math.radians(decl_deg)
    ha = math.radians(hour_angle)
    cos_zen = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(ha)
    zen = math.acos(max(-1.0, min(1.0, cos_zen)))
    elev_geo = 90.0 - math.degrees(zen)
    denom = math.cos(lat) * math.sin(zen)
    if abs(denom) < 1e-12:
        az = 180.0 if lat_deg > decl_deg else 0.0
    else:
        cos_az = (math.sin(lat) * math.cos(zen) - math.sin(decl)) / denom
        az0 = math.degrees(math.acos(max(-1.0, min(1.0, cos_az))))
        az = (az0 + 180.0) % 360.0 if hour_angle > 0 else (540.0 - az0) % 360.0
    return SunPosition(
        azimuth_deg=az,
        elevation_deg=elev_geo + _refraction_deg(elev_geo),
        elevation_geometric_deg=elev_geo,
        declination_deg=decl_deg,
        equation_of_time_min=eot_min,
    )

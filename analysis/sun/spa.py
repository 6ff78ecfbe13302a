"""Solar position to NREL SPA accuracy, vectorised over times and places.

Algorithm: I. Reda and A. Andreas, "Solar Position Algorithm for Solar Radiation
Applications", Solar Energy 76(5), 577-589 (2004); NREL/TP-560-34302, revised January 2008
(the constants and equations of section 3, steps 3.1-3.14; the periodic terms in
``spa_tables``). Stated uncertainty +/-0.0003 deg for the years -2000 to 6000. The code follows
the paper's equations, written for NumPy arrays.

Conventions: azimuth clockwise from true north in degrees (the paper's "astronomers' azimuth"
plus 180); elevation above the horizon in degrees; times are UTC, given as POSIX seconds; UT1 is
taken equal to UTC (|UT1 - UTC| < 0.9 s, at most 0.004 deg of hour angle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analysis.sun import spa_tables as tables
from analysis.sun.errors import SunInputError

SUN_RADIUS_DEG = 0.26667
STANDARD_REFRACTION_DEG = 0.5667  # at the horizon, for 1010 hPa and 10 C
STANDARD_PRESSURE_HPA = 1010.0
STANDARD_TEMPERATURE_C = 10.0
_CHUNK = 65536


@dataclass(frozen=True)
class SunPositions:
    """Topocentric sun positions, arrays broadcast from the inputs.

    Attributes:
        azimuth_deg: Clockwise from true north, [0, 360).
        elevation_deg: Topocentric elevation without refraction.
        apparent_elevation_deg: With the refraction of the given (or standard) atmosphere.
        declination_deg: Topocentric declination.
        hour_angle_deg: Topocentric local hour angle, (-180, 180], negative before noon.
    """

    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    apparent_elevation_deg: np.ndarray
    declination_deg: np.ndarray
    hour_angle_deg: np.ndarray


def posix_seconds(when: datetime) -> float:
    """POSIX seconds of an aware datetime.

    Raises:
        SunInputError: If ``when`` has no time zone (say which zone, e.g. ``+00:00``).
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise SunInputError(
            f"the time {when.isoformat()} has no time zone: add its offset "
            "(for example +03:00, or Z for UTC)"
        )
    return when.timestamp()


def delta_t_s(year: np.ndarray | float) -> np.ndarray:
    """TT - UT in seconds: Espenak and Meeus's polynomials (NASA, 2006), by decimal year.

    An error of a few seconds here moves the sun by under 0.0001 deg (it shifts only the
    ephemeris, not the Earth's rotation, which SPA takes from UT).
    """
    y = np.asarray(year, dtype=float)
    u = (y - 1820.0) / 100.0
    out = -20.0 + 32.0 * u * u  # long-term parabola outside the fitted spans
    t = y - 2000.0
    pieces = [
        (
            (y >= 1900) & (y < 1920),
            lambda t: _poly(t + 100, (-2.79, 1.494119, -0.0598939, 0.0061966, -0.000197)),
        ),
        ((y >= 1920) & (y < 1941), lambda t: _poly(t + 80, (21.20, 0.84493, -0.0761, 0.0020936))),
        ((y >= 1941) & (y < 1961), lambda t: _poly(t + 50, (29.07, 0.407, -1 / 233, 1 / 2547))),
        ((y >= 1961) & (y < 1986), lambda t: _poly(t + 25, (45.45, 1.067, -1 / 260, -1 / 718))),
        (
            (y >= 1986) & (y < 2005),
            lambda t: _poly(t, (63.86, 0.3345, -0.060374, 0.0017275, 0.000651814, 0.00002373599)),
        ),
        ((y >= 2005) & (y < 2050), lambda t: _poly(t, (62.92, 0.32217, 0.005589))),
        (
            (y >= 2050) & (y < 2150),
            lambda t: -20.0 + 32.0 * ((t + 180) / 100) ** 2 - 0.5628 * (150 - t),
        ),
    ]
    for mask, fn in pieces:
        out = np.where(mask, fn(t), out)
    return out


def _poly(x: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    total = np.zeros_like(x)
    for c in reversed(coeffs):
        total = total * x + c
    return total


def _series(terms: tuple[np.ndarray, ...], jme: np.ndarray) -> np.ndarray:
    """Sum_i (Sum_rows A cos(B + C JME)) JME^i / 1e8 (eqs. 9-11), in radians or AU."""
    total = np.zeros_like(jme)
    for power, rows in reversed(list(enumerate(terms))):
        a, b, c = rows[:, 0], rows[:, 1], rows[:, 2]
        part = np.cos(b[None, :] + c[None, :] * jme[:, None]) @ a
        total = total * jme + part if power < len(terms) - 1 else part
    return total / 1e8


def _nutation_deg(jce: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nutation in longitude and obliquity, degrees (eqs. 15-23)."""
    x = np.stack(
        [
            297.85036 + jce * (445267.111480 + jce * (-0.0019142 + jce / 189474.0)),
            357.52772 + jce * (35999.050340 + jce * (-0.0001603 - jce / 300000.0)),
            134.96298 + jce * (477198.867398 + jce * (0.0086972 + jce / 56250.0)),
            93.27191 + jce * (483202.017538 + jce * (-0.0036825 + jce / 327270.0)),
            125.04452 + jce * (-1934.136261 + jce * (0.0020708 + jce / 450000.0)),
        ],
        axis=1,
    )
    arg = np.radians(x @ tables.NUTATION_Y.T)
    abcd = tables.NUTATION_ABCD
    dpsi = np.sum((abcd[:, 0] + abcd[:, 1] * jce[:, None]) * np.sin(arg), axis=1)
    deps = np.sum((abcd[:, 2] + abcd[:, 3] * jce[:, None]) * np.cos(arg), axis=1)
    return dpsi / 36e6, deps / 36e6


def _mean_obliquity_arcsec(jme: np.ndarray) -> np.ndarray:
    u = jme / 10.0
    c = (84381.448, -4680.93, -1.55, 1999.25, -51.38, -249.67, -39.05, 7.12, 27.87, 5.79, 2.45)
    return _poly(u, c)


def ephemeris(t_posix_s: np.ndarray, delta_t: np.ndarray | float | None = None) -> dict:
    """The slow, time-only part of SPA (eqs. 3-24): Earth's heliocentric series and nutation.

    Returns:
        Arrays: ``lam`` apparent sun longitude (deg, unwrapped), ``beta`` geocentric latitude
        (deg), ``eps`` true obliquity (deg), ``dpsi`` nutation in longitude (deg), ``r_au``.
    """
    t = np.atleast_1d(np.asarray(t_posix_s, dtype=float))
    jd = 2440587.5 + t / 86400.0
    if delta_t is None:
        delta_t = delta_t_s(2000.0 + (jd - 2451544.5) / 365.2425)
    jce = (jd + np.asarray(delta_t, dtype=float) / 86400.0 - 2451545.0) / 36525.0
    jme = jce / 10.0
    lon_helio = np.degrees(_series(tables.L_TERMS, jme))
    r_au = _series(tables.R_TERMS, jme)
    dpsi, deps = _nutation_deg(jce)
    lam = np.unwrap(lon_helio + 180.0 + dpsi - 20.4898 / (3600.0 * r_au), period=360.0)
    return {
        "lam": lam,
        "beta": -np.degrees(_series(tables.B_TERMS, jme)),
        "eps": _mean_obliquity_arcsec(jme) / 3600.0 + deps,
        "dpsi": dpsi,
        "r_au": r_au,
    }


def _ephemeris_dense(t: np.ndarray, delta_t: float | None) -> dict:
    """``ephemeris`` for many sorted instants: exact on an hourly grid, cubic between.

    The fastest terms of the series have periods of days (the shortest nutation term 5.5 days,
    the Earth's 14 days), so a 4-point Lagrange cubic on a 1-hour grid is off by under 1e-9
    deg (``tests/analysis/test_sun_spa.py`` checks 1e-8); it saves computing 320 periodic terms
    per instant.
    """
    step = 3600.0
    g0 = np.floor(t[0] / step) * step - step
    n = int(np.ceil((t[-1] - g0) / step)) + 3
    grid_t = g0 + step * np.arange(n)
    eph = ephemeris(grid_t, delta_t)
    x = (t - g0) / step
    i = np.clip(np.floor(x).astype(int), 1, n - 3)
    u = x - i
    w = (
        -u * (u - 1) * (u - 2) / 6,
        (u + 1) * (u - 1) * (u - 2) / 2,
        -(u + 1) * u * (u - 2) / 2,
        (u + 1) * u * (u - 1) / 6,
    )
    return {k: sum(wk * v[i - 1 + k] for k, wk in enumerate(w)) for k, v in eph.items()}


def geocentric_sun(t_posix_s: np.ndarray, delta_t: np.ndarray | float | None = None) -> dict:
    """Geocentric apparent right ascension, declination and sidereal time (eqs. 3-28).

    Args:
        t_posix_s: UTC instants as POSIX seconds (1-D).
        delta_t: TT - UT seconds; default ``delta_t_s`` of the year.

    Returns:
        Arrays in degrees: ``ra``, ``dec``, ``nu`` (apparent sidereal time at Greenwich) and
        ``r_au`` (Earth-sun distance).
    """
    t = np.atleast_1d(np.asarray(t_posix_s, dtype=float))
    span_h = (t.max() - t.min()) / 3600.0 if t.size else 0.0
    dense = t.size > 64 and span_h + 4 < t.size / 4 and np.all(np.diff(t) >= 0)
    if dense and (delta_t is None or np.ndim(delta_t) == 0):
        eph = _ephemeris_dense(t, None if delta_t is None else float(delta_t))
    else:
        eph = ephemeris(t, delta_t)
    jd = 2440587.5 + t / 86400.0
    jc = (jd - 2451545.0) / 36525.0
    eps = np.radians(eph["eps"])
    lam = np.radians(eph["lam"])
    b = np.radians(eph["beta"])
    nu0 = (
        280.46061837
        + 360.98564736629 * (jd - 2451545.0)
        + jc * jc * (0.000387933 - jc / 38710000.0)
    ) % 360.0
    nu = nu0 + eph["dpsi"] * np.cos(eps)
    ra = np.degrees(np.arctan2(np.sin(lam) * np.cos(eps) - np.tan(b) * np.sin(eps), np.cos(lam)))
    dec = np.degrees(np.arcsin(np.sin(b) * np.cos(eps) + np.cos(b) * np.sin(eps) * np.sin(lam)))
    return {"ra": ra % 360.0, "dec": dec, "nu": nu, "r_au": eph["r_au"]}


def refraction_deg(
    elevation_deg: np.ndarray, pressure_hpa: float, temperature_c: float
) -> np.ndarray:
    """Refraction to add to a topocentric elevation (eq. 42); zero once the sun has set."""
    e0 = np.asarray(elevation_deg, dtype=float)
    corr = (
        (pressure_hpa / 1010.0)
        * (283.0 / (273.0 + temperature_c))
        * 1.02
        / (60.0 * np.tan(np.radians(e0 + 10.3 / (e0 + 5.11))))
    )
    return np.where(e0 >= -(SUN_RADIUS_DEG + STANDARD_REFRACTION_DEG), corr, 0.0)


def check_place(lat_deg: np.ndarray | float, lon_deg: np.ndarray | float) -> None:
    """Refuse latitudes beyond +/-90 and longitudes beyond +/-180 (or not finite)."""
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if not np.all(np.isfinite(lat)) or np.any(np.abs(lat) > 90.0):
        bad = lat[~(np.abs(lat) <= 90.0)].ravel()[0]
        raise SunInputError(f"latitude {bad} is not between -90 and 90 degrees")
    if not np.all(np.isfinite(lon)) or np.any(np.abs(lon) > 180.0):
        bad = lon[~(np.abs(lon) <= 180.0)].ravel()[0]
        raise SunInputError(f"longitude {bad} is not between -180 and 180 degrees")


def sun_positions(
    t_posix_s: np.ndarray | float,
    lat_deg: np.ndarray | float,
    lon_deg: np.ndarray | float,
    *,
    height_m: float = 0.0,
    pressure_hpa: float = STANDARD_PRESSURE_HPA,
    temperature_c: float = STANDARD_TEMPERATURE_C,
    delta_t: float | None = None,
) -> SunPositions:
    """Topocentric sun positions (NREL SPA, Reda & Andreas 2004/2008), vectorised.

    Times, latitudes and longitudes broadcast against one another (one place over many
    times, many places at one time, or pairs).

    Args:
        t_posix_s: UTC instants, POSIX seconds.
        lat_deg: Latitude north, degrees.
        lon_deg: Longitude east, degrees.
        height_m: Observer height above the ellipsoid, metres (parallax; eq. 26).
        pressure_hpa: Mean local pressure for the refraction correction.
        temperature_c: Mean local temperature for the refraction correction.
        delta_t: TT - UT in seconds; default Espenak-Meeus for the year.

    Returns:
        Arrays of the broadcast shape; azimuth clockwise from north.

    Raises:
        SunInputError: On a latitude beyond 90, a longitude beyond 180, non-finite times or an
            impossible atmosphere.
    """
    check_place(lat_deg, lon_deg)
    if not (0.0 < pressure_hpa < 5000.0) or not (-273.0 < temperature_c < 100.0):
        raise SunInputError(
            f"atmosphere {pressure_hpa} hPa, {temperature_c} C is impossible: give the "
            "pressure in hPa (about 1010 at sea level) and the temperature in Celsius"
        )
    t, lat, lon = np.broadcast_arrays(
        np.asarray(t_posix_s, dtype=float), np.asarray(lat_deg, float), np.asarray(lon_deg, float)
    )
    if not np.all(np.isfinite(t)):
        raise SunInputError("a time given to the sun model is not a finite number")
    # The ephemeris depends on time only: compute it once per distinct instant.
    t_given = np.asarray(t_posix_s, dtype=float)
    unique_t, inverse = np.unique(t_given.ravel(), return_inverse=True)
    parts = [
        geocentric_sun(unique_t[i : i + _CHUNK], None if delta_t is None else delta_t)
        for i in range(0, unique_t.size, _CHUNK)
    ]
    geo = {
        k: np.broadcast_to(
            np.concatenate([p[k] for p in parts])[inverse].reshape(t_given.shape), t.shape
        )
        for k in parts[0]
    }
    return _topocentric(geo, lat, lon, height_m, pressure_hpa, temperature_c)


def _topocentric(
    geo: dict, lat: np.ndarray, lon: np.ndarray, height_m: float, p_hpa: float, t_c: float
) -> SunPositions:
    """Parallax, hour angle, elevation and azimuth (eqs. 29-46)."""
    h = np.radians((geo["nu"] + lon - geo["ra"]) % 360.0)
    phi = np.radians(lat)
    dec = np.radians(geo["dec"])
    xi = np.radians(8.794 / (3600.0 * geo["r_au"]))
    u = np.arctan(0.99664719 * np.tan(phi))
    x = np.cos(u) + height_m / 6378140.0 * np.cos(phi)
    y = 0.99664719 * np.sin(u) + height_m / 6378140.0 * np.sin(phi)
    denom = np.cos(dec) - x * np.sin(xi) * np.cos(h)
    d_alpha = np.arctan2(-x * np.sin(xi) * np.sin(h), denom)
    dec_t = np.arctan2((np.sin(dec) - y * np.sin(xi)) * np.cos(d_alpha), denom)
    h_t = h - d_alpha
    e0 = np.degrees(
        np.arcsin(
            np.clip(np.sin(phi) * np.sin(dec_t) + np.cos(phi) * np.cos(dec_t) * np.cos(h_t), -1, 1)
        )
    )
    gamma = np.degrees(
        np.arctan2(np.sin(h_t), np.cos(h_t) * np.sin(phi) - np.tan(dec_t) * np.cos(phi))
    )
    hour = (np.degrees(h_t) + 180.0) % 360.0 - 180.0
    return SunPositions(
        azimuth_deg=(gamma + 180.0) % 360.0,
        elevation_deg=e0,
        apparent_elevation_deg=e0 + refraction_deg(e0, p_hpa, t_c),
        declination_deg=np.degrees(dec_t),
        hour_angle_deg=hour,
    )


def sun_at(when: datetime, lat_deg: float, lon_deg: float, **kwargs: float) -> SunPositions:
    """``sun_positions`` for one aware datetime; arrays of shape ()."""
    return sun_positions(posix_seconds(when), lat_deg, lon_deg, **kwargs)


def angle_diff_deg(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """a - b wrapped to [-180, 180)."""
    return (np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0


DEG_PER_HOUR = 360.0 / 24.0
RAD = math.pi / 180.0

"""UTM and MGRS from WGS84 and back, between 80 S and 84 N.

Transverse Mercator by Krüger's series to sixth order in the third flattening n (Karney,
"Transverse Mercator with an accuracy of a few nanometers", J. Geodesy 85, 2011, eqs. 7-36):
sub-millimetre within a UTM zone. MGRS letters follow the "AA" lettering used with WGS84
(NGA.SIG.0012): 100 km columns A-H, J-R, S-Z by zone mod 3, rows A-V (no I, O) starting at F
in even zones. The Norway (32V) and Svalbard (31X, 33X, 35X, 37X) zone exceptions are applied.
The polar regions (UPS) are refused with :class:`GeometryError`, not approximated.

Coordinates: latitude and longitude in degrees (WGS84), easting and northing in metres; an MGRS
reference is truncated, not rounded, to its precision (a square's south-west corner), as the
standard says.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from analysis.errors import GeometryError
from analysis.geometry.geodesy import WGS84, LatLon

K0 = 0.9996
FALSE_EASTING_M = 500_000.0
FALSE_NORTHING_SOUTH_M = 10_000_000.0
BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8 degrees each from 80 S; X spans 72-84 N
COLUMN_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
ROWS = "ABCDEFGHJKLMNPQRSTUV"
MIN_LAT_DEG, MAX_LAT_DEG = -80.0, 84.0

_N = WGS84.f / (2.0 - WGS84.f)
_E = 2.0 * math.sqrt(_N) / (1.0 + _N)  # first eccentricity
_A = WGS84.a / (1.0 + _N) * (1.0 + _N**2 / 4.0 + _N**4 / 64.0 + _N**6 / 256.0)


def _series(coefficients: tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
    return tuple(sum(c * _N ** (k + 1) for k, c in enumerate(row)) for row in coefficients)


# Karney 2011, eq. 35 (alpha, forward) and eq. 36 (beta, inverse); rows j = 1..6, powers n^1..6.
_ALPHA = _series(
    (
        (1 / 2, -2 / 3, 5 / 16, 41 / 180, -127 / 288, 7891 / 37800),
        (0, 13 / 48, -3 / 5, 557 / 1440, 281 / 630, -1983433 / 1935360),
        (0, 0, 61 / 240, -103 / 140, 15061 / 26880, 167603 / 181440),
        (0, 0, 0, 49561 / 161280, -179 / 168, 6601661 / 7257600),
        (0, 0, 0, 0, 34729 / 80640, -3418889 / 1995840),
        (0, 0, 0, 0, 0, 212378941 / 319334400),
    )
)
_BETA = _series(
    (
        (1 / 2, -2 / 3, 37 / 96, -1 / 360, -81 / 512, 96199 / 604800),
        (0, 1 / 48, 1 / 15, -437 / 1440, 46 / 105, -1118711 / 3870720),
        (0, 0, 17 / 480, -37 / 840, -209 / 4480, 5569 / 90720),
        (0, 0, 0, 4397 / 161280, -11 / 504, -830251 / 7257600),
        (0, 0, 0, 0, 4583 / 161280, -108847 / 3991680),
        (0, 0, 0, 0, 0, 20648693 / 638668800),
    )
)


@dataclass(frozen=True)
class Utm:
    """A UTM position: zone 1-60, hemisphere, easting and northing in metres."""

    zone: int
    north: bool
    easting_m: float
    northing_m: float
    band: str  # the MGRS latitude band letter


def _check(point: LatLon) -> None:
    lat, lon = point.lat_deg, point.lon_deg
    if not (math.isfinite(lat) and math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise GeometryError(f"position {lat}, {lon} is not a valid latitude and longitude")
    if not MIN_LAT_DEG <= lat <= MAX_LAT_DEG:
        raise GeometryError(
            f"latitude {lat:.4f} is outside UTM/MGRS (80 S to 84 N); polar positions use UPS, "
            "which is not supported: give decimal degrees instead"
        )


def zone_of(point: LatLon) -> int:
    """The UTM zone of a position, with the Norway and Svalbard exceptions."""
    lat, lon = point.lat_deg, point.lon_deg
    lon = -180.0 if lon >= 180.0 else lon
    zone = int((lon + 180.0) // 6.0) + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        return 32
    if lat >= 72.0 and 0.0 <= lon < 42.0:
        return 31 if lon < 9.0 else 33 if lon < 21.0 else 35 if lon < 33.0 else 37
    return min(zone, 60)


def band_of(lat_deg: float) -> str:
    """The MGRS latitude band letter (C to X) of a latitude in [-80, 84]."""
    return BANDS[min(int((lat_deg + 80.0) // 8.0), len(BANDS) - 1)]


def to_utm(point: LatLon, zone: int | None = None) -> Utm:
    """UTM of a WGS84 position (in its own zone, or in ``zone`` when given).

    Raises:
        GeometryError: outside 80 S to 84 N, or for an invalid position.
    """
    _check(point)
    zone = zone_of(point) if zone is None else zone
    phi = math.radians(point.lat_deg)
    dlon = (point.lon_deg - (zone * 6 - 183) + 180.0) % 360.0 - 180.0
    lam = math.radians(dlon)
    tau = math.tan(phi)
    sigma = math.sinh(_E * math.atanh(_E * tau / math.sqrt(1.0 + tau * tau)))
    tau_p = tau * math.sqrt(1.0 + sigma * sigma) - sigma * math.sqrt(1.0 + tau * tau)
    xi_p = math.atan2(tau_p, math.cos(lam))
    eta_p = math.asinh(math.sin(lam) / math.sqrt(tau_p * tau_p + math.cos(lam) ** 2))
    xi, eta = xi_p, eta_p
    for j, a in enumerate(_ALPHA, start=1):
        xi += a * math.sin(2 * j * xi_p) * math.cosh(2 * j * eta_p)
        eta += a * math.cos(2 * j * xi_p) * math.sinh(2 * j * eta_p)
    north = point.lat_deg >= 0.0
    easting = FALSE_EASTING_M + K0 * _A * eta
    northing = K0 * _A * xi + (0.0 if north else FALSE_NORTHING_SOUTH_M)
    return Utm(zone, north, easting, northing, band_of(point.lat_deg))


def from_utm(zone: int, north: bool, easting_m: float, northing_m: float) -> LatLon:
    """The WGS84 position of a UTM coordinate (Karney 2011, inverse series and Newton on tau)."""
    if not 1 <= zone <= 60:
        raise GeometryError(f"UTM zone {zone} is not in 1-60")
    xi = (northing_m - (0.0 if north else FALSE_NORTHING_SOUTH_M)) / (K0 * _A)
    eta = (easting_m - FALSE_EASTING_M) / (K0 * _A)
    xi_p, eta_p = xi, eta
    for j, b in enumerate(_BETA, start=1):
        xi_p -= b * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_p -= b * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    tau_p = math.sin(xi_p) / math.sqrt(math.sinh(eta_p) ** 2 + math.cos(xi_p) ** 2)
    lam = math.atan2(math.sinh(eta_p), math.cos(xi_p))
    tau = tau_p
    for _ in range(5):  # Newton (Karney 2011, eqs. 19-21); converges in 2-3 steps
        sigma = math.sinh(_E * math.atanh(_E * tau / math.sqrt(1.0 + tau * tau)))
        tau_i = tau * math.sqrt(1.0 + sigma * sigma) - sigma * math.sqrt(1.0 + tau * tau)
        slope = (
            (1.0 - _E * _E)
            * math.sqrt(1.0 + tau_i * tau_i)
            * math.sqrt(1.0 + tau * tau)
            / (1.0 + (1.0 - _E * _E) * tau * tau)
        )
        tau += (tau_p - tau_i) / slope
    lon = (math.degrees(lam) + zone * 6 - 183 + 180.0) % 360.0 - 180.0
    return LatLon(math.degrees(math.atan(tau)), lon)


def to_mgrs(point: LatLon, digits: int = 5) -> str:
    """The MGRS reference of a position, e.g. ``31U DQ 48251 11932`` (zone
    with two digits, ``04Q``, as GeoTrans writes it) (``digits`` per axis:
    5 is 1 m, 4 is 10 m ... 0 is the 100 km square).

    Raises:
        GeometryError: outside 80 S to 84 N (UPS is not supported).
    """
    if not 0 <= digits <= 5:
        raise GeometryError(f"MGRS precision {digits} is not 0-5 digits")
    utm = to_utm(point)
    col = int(utm.easting_m // 100_000)
    row = int(utm.northing_m // 100_000)
    offset = 5 if utm.zone % 2 == 0 else 0
    letters = COLUMN_SETS[(utm.zone - 1) % 3][col - 1] + ROWS[(row + offset) % 20]
    scale = 10 ** (5 - digits)
    e = int((utm.easting_m % 100_000) // scale)
    n = int((utm.northing_m % 100_000) // scale)
    tail = f" {e:0{digits}d} {n:0{digits}d}" if digits else ""
    return f"{utm.zone:02d}{utm.band} {letters}{tail}"


_MGRS = re.compile(
    r"^\s*(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])\s*([A-HJ-NP-V])\s*(\d*)\s*(\d*)\s*$",
    re.IGNORECASE,
)


def parse_mgrs(text: str) -> LatLon:
    """The position of an MGRS reference (the centre of the square it names).

    Accepts ``37S BV 50000 43000``, ``37SBV5000043000`` and partial precisions.

    Raises:
        GeometryError: text that is not an MGRS reference, or a square outside its band.
    """
    m = _MGRS.match(text)
    if not m:
        raise GeometryError(f"{text.strip()!r} is not an MGRS reference (e.g. 37S BV 50000 43000)")
    zone, band, col, row = int(m[1]), m[2].upper(), m[3].upper(), m[4].upper()
    digits = m[5] + m[6]
    if not 1 <= zone <= 60:
        raise GeometryError(f"MGRS zone {zone} is not in 1-60")
    if len(digits) % 2 or len(digits) > 10:
        raise GeometryError(f"MGRS {text.strip()!r}: easting and northing need equal digits (0-5)")
    half = len(digits) // 2
    scale = 10 ** (5 - half)
    e = int(digits[:half] or 0) * scale + scale / 2.0
    n = int(digits[half:] or 0) * scale + scale / 2.0
    columns = COLUMN_SETS[(zone - 1) % 3]
    if col not in columns:
        raise GeometryError(f"MGRS column letter {col} does not exist in zone {zone}")
    easting = (columns.index(col) + 1) * 100_000 + e
    north = band >= "N"
    row_m = ((ROWS.index(row) - (5 if zone % 2 == 0 else 0)) % 20) * 100_000 + n
    band_south = -80.0 + 8.0 * BANDS.index(band)
    edge = to_utm(LatLon(band_south, zone * 6 - 183), zone).northing_m
    northing = row_m
    while northing < math.floor(edge / 100_000) * 100_000:
        northing += 2_000_000
    point = from_utm(zone, north, easting, northing)
    top = 84.0 if band == "X" else band_south + 8.0
    if not band_south - 0.5 <= point.lat_deg <= top + 0.5:
        raise GeometryError(f"MGRS {text.strip()!r}: square {col}{row} is not in band {band}")
    return point

"""A local east-north-up (ENU) tangent-plane frame on the WGS84 ellipsoid.

geographiclib's Python package (2.x) has no ``LocalCartesian`` (only the C++ library does),
so this is the textbook transformation: geodetic -> earth-centred earth-fixed (ECEF) with the
WGS84 constants from ``geographiclib.constants``, then the rotation to ENU at the origin
(e.g. Hofmann-Wellenhof, Lichtenegger & Wasle, *GNSS*, 2008, sec. 10.2.3). The inverse uses
Bowring's (1976) iteration for latitude, which reaches sub-micrometre agreement after a few
steps at the heights used here.
"""

from __future__ import annotations

import math

import numpy as np
from geographiclib.constants import Constants

_A = Constants.WGS84_a
_F = Constants.WGS84_f
_E2 = _F * (2.0 - _F)
_B = _A * (1.0 - _F)
_EP2 = _E2 / (1.0 - _E2)


def geodetic_to_ecef(lat_deg: float, lon_deg: float, h_m: float) -> np.ndarray:
    """WGS84 geodetic coordinates to ECEF metres."""
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    n = _A / math.sqrt(1.0 - _E2 * math.sin(lat) ** 2)
    return np.array(
        [
            (n + h_m) * math.cos(lat) * math.cos(lon),
            (n + h_m) * math.cos(lat) * math.sin(lon),
            (n * (1.0 - _E2) + h_m) * math.sin(lat),
        ]
    )


def ecef_to_geodetic(xyz: np.ndarray) -> tuple[float, float, float]:
    """ECEF metres to WGS84 (lat_deg, lon_deg, h_m) by Bowring's iteration."""
    x, y, z = (float(v) for v in xyz)
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    beta = math.atan2(z * _A, p * _B)
    lat = 0.0
    for _ in range(6):
        lat = math.atan2(z + _EP2 * _B * math.sin(beta) ** 3, p - _E2 * _A * math.cos(beta) ** 3)
        beta = math.atan((1.0 - _F) * math.tan(lat))
    n = _A / math.sqrt(1.0 - _E2 * math.sin(lat) ** 2)
    h = p / math.cos(lat) - n if abs(lat) < math.radians(80) else z / math.sin(lat) - n * (1 - _E2)
    return math.degrees(lat), math.degrees(lon), h


class LocalFrame:
    """ENU tangent plane at a geodetic origin (WGS84)."""

    def __init__(self, lat0_deg: float, lon0_deg: float, h0_m: float) -> None:
        self.origin = (lat0_deg, lon0_deg, h0_m)
        self._o = geodetic_to_ecef(lat0_deg, lon0_deg, h0_m)
        lat, lon = math.radians(lat0_deg), math.radians(lon0_deg)
        sl, cl, sp, cp = math.sin(lon), math.cos(lon), math.sin(lat), math.cos(lat)
        # rows: east, north, up unit vectors in ECEF
        self._r = np.array([[-sl, cl, 0.0], [-sp * cl, -sp * sl, cp], [cp * cl, cp * sl, sp]])

    def forward(self, lat_deg: float, lon_deg: float, h_m: float) -> tuple[float, float, float]:
        """Geodetic to ENU metres."""
        e, n, u = self._r @ (geodetic_to_ecef(lat_deg, lon_deg, h_m) - self._o)
        return float(e), float(n), float(u)

    def reverse(self, e: float, n: float, u: float) -> tuple[float, float, float]:
        """ENU metres to geodetic (lat_deg, lon_deg, h_m)."""
        return ecef_to_geodetic(self._o + self._r.T @ np.array([e, n, u], dtype=float))

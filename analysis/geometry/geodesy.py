"""Typed wrappers over geographiclib on the WGS84 ellipsoid.

Every distance here is a geodesic length on the ellipsoid and every azimuth is measured
clockwise from true north in degrees, normalised to [0, 360). The algorithms are Karney's
(C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43-55, 2013), as implemented
by geographiclib; this module only adds types, validation and a few compositions (a local
east-north-up frame (ECEF rotated to the tangent plane), the outline of a field-of-view wedge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

from analysis.errors import GeometryError

WGS84 = Geodesic.WGS84
"""The WGS84 ellipsoid's geodesic solver (a = 6378137 m, f = 1/298.257223563)."""

_INVERSE_MASK = Geodesic.DISTANCE | Geodesic.AZIMUTH | Geodesic.REDUCEDLENGTH
_INVERSE_MASK |= Geodesic.GEODESICSCALE


@dataclass(frozen=True)
class LatLon:
    """A WGS84 position in degrees (latitude north positive, longitude east positive)."""

    lat_deg: float
    lon_deg: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat_deg) and math.isfinite(self.lon_deg)):
            raise GeometryError(f"position ({self.lat_deg}, {self.lon_deg}) is not finite")
        if not -90.0 <= self.lat_deg <= 90.0:
            raise GeometryError(f"latitude {self.lat_deg} is outside [-90, 90] degrees")
        if not -540.0 <= self.lon_deg <= 540.0:
            raise GeometryError(f"longitude {self.lon_deg} is outside [-540, 540] degrees")


@dataclass(frozen=True)
class GeodesicInverse:
    """The inverse problem's answer for the geodesic from point 1 to point 2.

    ``azimuth2_deg`` is the forward azimuth at point 2 (the direction of travel on
    arrival). ``reduced_length_m`` (m12) and ``scale21`` (M21) give the first-order
    sensitivity of the azimuths to moving an end point (Karney 2013, section 3).
    """

    distance_m: float
    azimuth1_deg: float
    azimuth2_deg: float
    reduced_length_m: float
    scale21: float


def normalize_azimuth_deg(azimuth_deg: float) -> float:
    """Return the azimuth wrapped into [0, 360)."""
    wrapped = math.fmod(azimuth_deg, 360.0)
    if wrapped < 0.0:
        wrapped += 360.0
    return 0.0 if wrapped == 360.0 else wrapped


def angle_difference_deg(a_deg: float, b_deg: float) -> float:
    """Return ``a - b`` wrapped into [-180, 180)."""
    return math.remainder(a_deg - b_deg, 360.0)


def inverse(p1: LatLon, p2: LatLon) -> GeodesicInverse:
    """Solve the inverse geodesic problem from ``p1`` to ``p2`` on WGS84.

    Args:
        p1: Start point.
        p2: End point.

    Returns:
        Distance, azimuths at both ends (clockwise from north, [0, 360)), m12 and M21.
    """
    r = WGS84.Inverse(p1.lat_deg, p1.lon_deg, p2.lat_deg, p2.lon_deg, _INVERSE_MASK)
    return GeodesicInverse(
        distance_m=r["s12"],
        azimuth1_deg=normalize_azimuth_deg(r["azi1"]),
        azimuth2_deg=normalize_azimuth_deg(r["azi2"]),
        reduced_length_m=r["m12"],
        scale21=r["M21"],
    )


def distance_m(p1: LatLon, p2: LatLon) -> float:
    """Geodesic distance in metres between two points on WGS84."""
    return WGS84.Inverse(p1.lat_deg, p1.lon_deg, p2.lat_deg, p2.lon_deg, Geodesic.DISTANCE)["s12"]


def azimuth_deg(p1: LatLon, p2: LatLon) -> float:
    """Initial azimuth of the geodesic from ``p1`` to ``p2``, clockwise from north, [0, 360)."""
    r = WGS84.Inverse(p1.lat_deg, p1.lon_deg, p2.lat_deg, p2.lon_deg, Geodesic.AZIMUTH)
    return normalize_azimuth_deg(r["azi1"])


@dataclass(frozen=True)
class GeodesicDirect:
    """The direct problem's answer: where the geodesic ends and its azimuth there."""

    point: LatLon
    azimuth2_deg: float


def direct(origin: LatLon, azimuth_deg: float, distance_m: float) -> GeodesicDirect:
    """Solve the direct geodesic problem on WGS84.

    Args:
        origin: Start point.
        azimuth_deg: Initial azimuth, clockwise from north.
        distance_m: Length of the geodesic (negative goes backwards).

    Returns:
        The end point (longitude wrapped to [-180, 180]) and the forward azimuth there.
    """
    r = WGS84.Direct(origin.lat_deg, origin.lon_deg, azimuth_deg, distance_m)
    return GeodesicDirect(LatLon(r["lat2"], r["lon2"]), normalize_azimuth_deg(r["azi2"]))


def destination(origin: LatLon, azimuth_deg: float, distance_m: float) -> LatLon:
    """The point at ``distance_m`` along the geodesic leaving ``origin`` at ``azimuth_deg``."""
    return direct(origin, azimuth_deg, distance_m).point


def offset(point: LatLon, east_m: float, north_m: float) -> LatLon:
    """Move ``point`` by a small east/north displacement, along the geodesic in that direction."""
    step = math.hypot(east_m, north_m)
    if step == 0.0:
        return point
    return destination(point, math.degrees(math.atan2(east_m, north_m)), step)


def geodetic_to_ecef(point: LatLon, height_m: float = 0.0) -> tuple[float, float, float]:
    """Earth-centred, Earth-fixed X, Y, Z in metres of a WGS84 position and height."""
    a, f = WGS84.a, WGS84.f
    e2 = f * (2.0 - f)
    phi, lam = math.radians(point.lat_deg), math.radians(point.lon_deg)
    sin_phi, cos_phi = math.sin(phi), math.cos(phi)
    n = a / math.sqrt(1.0 - e2 * sin_phi * sin_phi)
    return (
        (n + height_m) * cos_phi * math.cos(lam),
        (n + height_m) * cos_phi * math.sin(lam),
        (n * (1.0 - e2) + height_m) * sin_phi,
    )


def ecef_to_geodetic(x: float, y: float, z: float) -> tuple[LatLon, float]:
    """Invert :func:`geodetic_to_ecef` (fixed-point iteration on latitude, sub-mm in 5 steps).

    Valid away from the Earth's centre (any point within a few hundred km of the surface).
    """
    a, f = WGS84.a, WGS84.f
    e2 = f * (2.0 - f)
    p = math.hypot(x, y)
    lam = math.atan2(y, x)
    phi = math.atan2(z, p * (1.0 - e2))
    h = 0.0
    for _ in range(8):
        sin_phi = math.sin(phi)
        n = a / math.sqrt(1.0 - e2 * sin_phi * sin_phi)
        h = p / math.cos(phi) - n if abs(phi) < math.radians(80.0) else z / sin_phi - n * (1 - e2)
        phi = math.atan2(z, p * (1.0 - e2 * n / (n + h)))
    return LatLon(math.degrees(phi), math.degrees(lam)), h


class EnuFrame:
    """A local east-north-up Cartesian frame tangent to WGS84 at an origin.

    Geocentric (ECEF) coordinates rotated to the tangent plane at the origin: exact
    3-D coordinates, not a map projection (the same construction as GeographicLib's
    C++ ``LocalCartesian``, which the Python geographiclib 2.1 does not ship).
    Heights are above the ellipsoid in metres.
    """

    def __init__(self, origin: LatLon, height_m: float = 0.0) -> None:
        self.origin = origin
        self.height_m = height_m
        self._x0 = geodetic_to_ecef(origin, height_m)
        phi, lam = math.radians(origin.lat_deg), math.radians(origin.lon_deg)
        sp, cp, sl, cl = math.sin(phi), math.cos(phi), math.sin(lam), math.cos(lam)
        # Rows: east, north, up unit vectors expressed in ECEF.
        self._rows = ((-sl, cl, 0.0), (-sp * cl, -sp * sl, cp), (cp * cl, cp * sl, sp))

    def to_enu(self, point: LatLon, height_m: float = 0.0) -> tuple[float, float, float]:
        """Return (east_m, north_m, up_m) of ``point`` at ``height_m`` above the ellipsoid."""
        x = geodetic_to_ecef(point, height_m)
        d = (x[0] - self._x0[0], x[1] - self._x0[1], x[2] - self._x0[2])
        e, n, u = (r[0] * d[0] + r[1] * d[1] + r[2] * d[2] for r in self._rows)
        return e, n, u

    def from_enu(self, east_m: float, north_m: float, up_m: float = 0.0) -> tuple[LatLon, float]:
        """Return the position and its height above the ellipsoid for local coordinates."""
        enu = (east_m, north_m, up_m)
        x = [self._x0[i] + sum(self._rows[k][i] * enu[k] for k in range(3)) for i in range(3)]
        return ecef_to_geodetic(*x)


def wedge_polygon(
    origin: LatLon,
    azimuth_deg: float,
    hfov_deg: float,
    range_m: float,
    *,
    arc_points: int = 16,
) -> list[LatLon]:
    """Outline of a horizontal field-of-view wedge as a closed ring of positions.

    The wedge has its apex at ``origin``, is centred on ``azimuth_deg`` and spans
    ``hfov_deg``; its far edge is the locus of points ``range_m`` away along geodesics.

    Args:
        origin: Camera position (the apex).
        azimuth_deg: Azimuth of the optical axis, clockwise from north.
        hfov_deg: Full horizontal field of view in degrees, in (0, 360).
        range_m: Radius of the wedge in metres, > 0.
        arc_points: Number of points along the far arc, >= 2.

    Returns:
        The ring [apex, arc..., apex] (first point repeated at the end).

    Raises:
        GeometryError: if the field of view, range or arc resolution is out of range.
    """
    if not 0.0 < hfov_deg < 360.0:
        raise GeometryError(f"field of view {hfov_deg} deg is not in (0, 360)")
    if not (range_m > 0.0 and math.isfinite(range_m)):
        raise GeometryError(f"wedge range {range_m} m is not a positive distance")
    if arc_points < 2:
        raise GeometryError(f"a wedge arc needs at least 2 points, got {arc_points}")
    start = azimuth_deg - hfov_deg / 2.0
    step = hfov_deg / (arc_points - 1)
    arc = [destination(origin, start + i * step, range_m) for i in range(arc_points)]
    return [origin, *arc, origin]

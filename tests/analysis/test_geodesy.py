"""Geodesy wrappers against published geographiclib values and exact identities."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import EnuFrame, LatLon


@dataclass(frozen=True)
class GeodCase:
    """One line of Karney's geodesic test set (GeodTest.dat, WGS84).

    Fields: lat1, lon1, azi1, lat2, lon2, azi2 (degrees), s12 (m), m12 (m), M21. The
    numbers are quoted from the test set published with GeographicLib
    (https://geographiclib.sourceforge.io/C++/doc/geodesic.html#testgeod), as reproduced
    in geographiclib's own Python test suite.
    """

    lat1: float
    lon1: float
    azi1: float
    lat2: float
    lon2: float
    azi2: float
    s12: float
    m12: float
    m21: float


GEODTEST = [
    GeodCase(35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921,
             129.289270889708762, 8935244.5604818305, 6273170.2055303837,
             0.16479116945612937),
    GeodCase(55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234,
             109.112041110671519, 4105086.1713924406, 3828869.3344387607,
             0.80101006984201008),
    GeodCase(-21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635,
             -41.84359951440466, 8394328.894657671, 6161154.5773110616,
             0.24930251203627892),
    GeodCase(-66.99028, 112.2363, 173.73491240878403, -12.70631, 285.90344,
             2.512956620913668, 11150344.2312080241, 6289939.5670446687,
             -0.17722569526345708),
]  # fmt: skip


def _same_angle(a_deg: float, b_deg: float, tol_deg: float) -> bool:
    return abs(geodesy.angle_difference_deg(a_deg, b_deg)) <= tol_deg


@pytest.mark.parametrize("case", GEODTEST)
def test_inverse_matches_karney_test_set(case: GeodCase) -> None:
    g = geodesy.inverse(LatLon(case.lat1, case.lon1), LatLon(case.lat2, case.lon2))
    assert g.distance_m == pytest.approx(case.s12, abs=1e-8)
    assert _same_angle(g.azimuth1_deg, case.azi1, 1e-12)
    assert _same_angle(g.azimuth2_deg, case.azi2, 1e-12)
    assert g.reduced_length_m == pytest.approx(case.m12, abs=1e-8)
    assert g.scale21 == pytest.approx(case.m21, abs=1e-14)
    assert 0.0 <= g.azimuth1_deg < 360.0 and 0.0 <= g.azimuth2_deg < 360.0


@pytest.mark.parametrize("case", GEODTEST)
def test_direct_matches_karney_test_set(case: GeodCase) -> None:
    d = geodesy.direct(LatLon(case.lat1, case.lon1), case.azi1, case.s12)
    assert d.point.lat_deg == pytest.approx(case.lat2, abs=1e-12)
    assert _same_angle(d.point.lon_deg, case.lon2, 1e-12)
    assert _same_angle(d.azimuth2_deg, case.azi2, 1e-12)


def test_wellington_to_salamanca_documented_example() -> None:
    # GeographicLib's documentation example: 19959679.267 m, azi1 161.067669986160,
    # azi2 18.825195123247 (Karney, geographiclib Python docs, "Examples").
    a, b = LatLon(-41.32, 174.81), LatLon(40.96, -5.50)
    assert geodesy.distance_m(a, b) == pytest.approx(19959679.267, abs=1e-3)
    assert geodesy.azimuth_deg(a, b) == pytest.approx(161.067669986160, abs=1e-11)
    assert geodesy.inverse(a, b).azimuth2_deg == pytest.approx(18.825195123247, abs=1e-11)


def test_destination_lies_at_distance_and_azimuth() -> None:
    origin = LatLon(35.62, 36.55)
    p = geodesy.destination(origin, 117.0, 2800.0)
    assert geodesy.distance_m(origin, p) == pytest.approx(2800.0, abs=1e-6)
    assert geodesy.azimuth_deg(origin, p) == pytest.approx(117.0, abs=1e-9)


def test_ecef_of_reference_points() -> None:
    a, f = 6378137.0, 1 / 298.257223563
    x, y, z = geodesy.geodetic_to_ecef(LatLon(0.0, 0.0))
    assert (x, y, z) == pytest.approx((a, 0.0, 0.0), abs=1e-9)
    x, y, z = geodesy.geodetic_to_ecef(LatLon(90.0, 0.0), 100.0)
    assert z == pytest.approx(a * (1 - f) + 100.0, abs=1e-6)
    assert math.hypot(x, y) < 1e-6


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-85.0, 85.0),
    lon=st.floats(-180.0, 180.0),
    h=st.floats(-500.0, 9000.0),
)
def test_ecef_round_trip(lat: float, lon: float, h: float) -> None:
    p, h2 = geodesy.ecef_to_geodetic(*geodesy.geodetic_to_ecef(LatLon(lat, lon), h))
    assert p.lat_deg == pytest.approx(lat, abs=1e-10)
    assert _same_angle(p.lon_deg, lon, 1e-10)
    assert h2 == pytest.approx(h, abs=1e-5)


def test_enu_frame_axes_and_round_trip() -> None:
    origin = LatLon(35.62, 36.55)
    frame = EnuFrame(origin)
    east = frame.to_enu(geodesy.destination(origin, 90.0, 100.0))
    north = frame.to_enu(geodesy.destination(origin, 0.0, 100.0))
    assert east[0] == pytest.approx(100.0, abs=1e-3) and abs(east[1]) < 1e-3
    assert north[1] == pytest.approx(100.0, abs=1e-3) and abs(north[0]) < 1e-9
    # The surface curves away below the tangent plane by about d^2 / (2R).
    assert east[2] == pytest.approx(-(100.0**2) / (2 * 6.38e6), rel=0.01)
    # 400 m above the ellipsoid the same geodesic spans (R + h) / R more (radial scaling).
    high = EnuFrame(origin, 400.0).to_enu(geodesy.destination(origin, 0.0, 100.0), 400.0)
    assert high[1] == pytest.approx(100.0 * (1 + 400.0 / 6.356e6), abs=2e-4)
    high_frame = EnuFrame(origin, 400.0)
    p, h = high_frame.from_enu(-4528.3, 3329.9, 117.5)
    assert high_frame.to_enu(p, h) == pytest.approx((-4528.3, 3329.9, 117.5), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lon=st.floats(-180.0, 180.0),
    azi=st.floats(0.0, 360.0),
    dist=st.floats(1.0, 50_000.0),
)
def test_direct_then_inverse_round_trip(lat: float, lon: float, azi: float, dist: float) -> None:
    origin = LatLon(lat, lon)
    p = geodesy.destination(origin, azi, dist)
    g = geodesy.inverse(origin, p)
    assert g.distance_m == pytest.approx(dist, abs=1e-6)
    assert _same_angle(g.azimuth1_deg, azi, math.degrees(1e-8 / dist))  # 10 nm across


def test_wedge_polygon_outline() -> None:
    origin = LatLon(35.62, 36.55)
    ring = geodesy.wedge_polygon(origin, 80.0, 60.0, 1500.0, arc_points=7)
    assert ring[0] == origin and ring[-1] == origin and len(ring) == 9
    azimuths = [geodesy.azimuth_deg(origin, p) for p in ring[1:-1]]
    assert azimuths == pytest.approx([50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0], abs=1e-9)
    for p in ring[1:-1]:
        assert geodesy.distance_m(origin, p) == pytest.approx(1500.0, abs=1e-6)


@pytest.mark.parametrize(
    ("hfov", "range_m", "arc"), [(0.0, 100.0, 5), (360.0, 100.0, 5), (50.0, -1.0, 5), (50, 10, 1)]
)
def test_wedge_polygon_rejects_bad_input(hfov: float, range_m: float, arc: int) -> None:
    with pytest.raises(GeometryError):
        geodesy.wedge_polygon(LatLon(0.0, 0.0), 0.0, hfov, range_m, arc_points=arc)


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 600.0), (math.nan, 0.0)])
def test_latlon_rejects_invalid(lat: float, lon: float) -> None:
    with pytest.raises(GeometryError):
        LatLon(lat, lon)


def test_angle_helpers() -> None:
    assert geodesy.normalize_azimuth_deg(-10.0) == pytest.approx(350.0)
    assert geodesy.normalize_azimuth_deg(720.5) == pytest.approx(0.5)
    assert geodesy.angle_difference_deg(1.0, 359.0) == pytest.approx(2.0)
    assert geodesy.angle_difference_deg(359.0, 1.0) == pytest.approx(-2.0)

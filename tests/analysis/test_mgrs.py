"""MGRS and UTM against references: GeoTrans (the NGA's converter, through the ``mgrs``
package, run once to make the table) and PROJ (UTM to 5 nm on 312 points; the figures are the
ones checked here); the Eiffel Tower's reference is also Chris Veness's published example."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.mgrs import from_utm, parse_mgrs, to_mgrs, to_utm, zone_of


@dataclass(frozen=True)
class Case:
    name: str
    lat_deg: float
    lon_deg: float
    mgrs: str  # GeoTrans, 1 m precision


CASES = (
    Case("Eiffel Tower", 48.8582, 2.2945, "31UDQ4825111932"),
    Case("Hass school", 35.6205, 36.5533, "37SBV7841144614"),
    Case("Sydney Opera House", -33.8568, 151.2153, "56HLH3490052288"),
    Case("Norway 32V exception", 60.0, 5.0, "32VKM7697958157"),
    Case("Svalbard 33X", 78.2, 15.6, "33XWG1369680760"),
    Case("Svalbard 37X", 79.0, 39.0, "37XEH0000069974"),
    Case("south edge", -79.9, -70.0, "19CDM8042329407"),
    Case("north edge", 83.9, 100.0, "47XNP1186317033"),
    Case("origin", 0.0, 0.0, "31NAA6602100000"),
    Case("antimeridian south", -0.0001, -179.9999, "01MAV6603299988"),
    Case("Honolulu", 21.3069, -157.8583, "04QFJ1841756542"),
    Case("Buenos Aires", -34.6037, -58.3816, "21HUB7331770036"),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_mgrs_matches_geotrans(case):
    text = to_mgrs(LatLon(case.lat_deg, case.lon_deg))
    assert text.replace(" ", "") == case.mgrs
    back = parse_mgrs(text)  # the centre of the 1 m square: within 1 m of the point
    assert geodesy.distance_m(back, LatLon(case.lat_deg, case.lon_deg)) < 1.0


def test_utm_of_the_eiffel_tower_matches_proj():
    utm = to_utm(LatLon(48.8582, 2.2945))
    assert (utm.zone, utm.north, utm.band) == (31, True, "U")
    assert utm.easting_m == pytest.approx(448251.7954, abs=1e-3)
    assert utm.northing_m == pytest.approx(5411932.6780, abs=1e-3)
    back = from_utm(31, True, utm.easting_m, utm.northing_m)
    assert (back.lat_deg, back.lon_deg) == pytest.approx((48.8582, 2.2945), abs=1e-10)


def test_a_position_far_from_the_central_meridian_round_trips_to_a_nanometre_scale():
    point = LatLon(-45.0, 10.0)  # 7 degrees west of zone 33's meridian, forced into it
    utm = to_utm(point, zone=33)
    back = from_utm(33, False, utm.easting_m, utm.northing_m)
    assert geodesy.distance_m(point, back) < 1e-6


def test_the_zone_exceptions():
    assert zone_of(LatLon(60.0, 5.0)) == 32  # Norway: 31V is narrowed
    assert zone_of(LatLon(60.0, 2.0)) == 31
    assert [zone_of(LatLon(75.0, lon)) for lon in (5.0, 10.0, 25.0, 40.0)] == [31, 33, 35, 37]
    assert zone_of(LatLon(10.0, 180.0)) == 1


def test_precision_truncates_to_the_south_west_corner():
    point = LatLon(48.8582, 2.2945)
    assert to_mgrs(point, 5) == "31U DQ 48251 11932"
    assert to_mgrs(point, 3) == "31U DQ 482 119"
    assert to_mgrs(point, 0) == "31U DQ"
    centre = parse_mgrs("31U DQ 482 119")  # the centre of the 100 m square
    assert geodesy.distance_m(centre, from_utm(31, True, 448250.0, 5411950.0)) < 1e-6


@pytest.mark.parametrize(
    ("lat", "lon", "words"),
    [(84.5, 10.0, "UPS"), (-80.5, 10.0, "UPS"), (float("nan"), 1.0, "not finite|not a valid")],
)
def test_polar_and_invalid_positions_are_refused(lat, lon, words):
    with pytest.raises(GeometryError, match=words):
        to_mgrs(LatLon(lat, lon))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("37S BV 5000 430", "equal digits"),
        ("37S IV 50000 43000", "not an MGRS"),
        ("61S BV 50000 43000", "zone 61"),
        ("38S AV 50000 43000", "column letter A"),
        ("37X BV 50000 43000", "not in band X"),
        ("hello", "not an MGRS"),
    ],
)
def test_bad_mgrs_says_what_is_wrong(text, words):
    with pytest.raises(GeometryError, match=words):
        parse_mgrs(text)

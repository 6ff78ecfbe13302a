"""Typed and pasted positions: a table of inputs and the position each one means."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.coordinates import parse_position
from analysis.geometry.geodesy import LatLon

DMS_LON = 36 + 33 / 60 + 11.9 / 3600  # 36°33'11.9"


@dataclass(frozen=True)
class Case:
    text: str
    lat_deg: float
    lon_deg: float
    tol_m: float = 0.01


CASES = (
    Case("35.6205, 36.5533", 35.6205, 36.5533),
    Case("  35.6205 36.5533 ", 35.6205, 36.5533),
    Case("35.6205;36.5533", 35.6205, 36.5533),
    Case("-33.86, 151.2", -33.86, 151.2),
    Case("35.6205N 36.5533E", 35.6205, 36.5533),
    Case("N35.6205 E36.5533", 35.6205, 36.5533),
    Case("33.86S, 151.2E", -33.86, 151.2),
    Case("35°37'13.8\"N 36°33'11.9\"E", 35.6205, DMS_LON),
    Case("35°37′13.8″N, 36°33′11.9″E", 35.6205, DMS_LON),
    Case("35 37 13.8 N, 36 33 11.9 E", 35.6205, DMS_LON),
    Case("36°33'11.9\"E 35°37'13.8\"N", 35.6205, DMS_LON),  # longitude first, and labelled
    Case("S 33 51 24.5 E 151 12 55.1", -(33 + 51 / 60 + 24.5 / 3600), 151 + 12 / 60 + 55.1 / 3600),
    Case("35°37.23'N 36°33.198'E", 35.6205, 36.5533),
    # MGRS: the centre of the square (GeoTrans gives 35.599190583, 36.240405894)
    Case("37S BV 50000 43000", 35.599190583, 36.240405894, 0.6),
    Case("37SBV5000043000", 35.599190583, 36.240405894, 0.6),
    Case("37s bv 7841144614", 35.6205, 36.5533, 1.0),
    Case("https://www.google.com/maps/@35.62,36.55,17z", 35.62, 36.55),
    Case("https://www.google.com/maps/place/Sydney/@-33.86,151.2,12z/data=x", -33.86, 151.2),
    Case("https://maps.google.com/?q=35.62,36.55", 35.62, 36.55),
    Case("https://www.google.com/maps/search/?api=1&query=35.62%2C36.55", 35.62, 36.55),
    Case("https://www.openstreetmap.org/#map=17/35.62/36.55", 35.62, 36.55),
    Case("https://www.openstreetmap.org/?mlat=35.63&mlon=36.56#map=17/35.62/36.55", 35.62, 36.55),
    Case("www.openstreetmap.org/#map=17/-35.62/-36.55", -35.62, -36.55),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.text)
def test_each_form_gives_its_position(case):
    got = parse_position(case.text)
    assert geodesy.distance_m(got, LatLon(case.lat_deg, case.lon_deg)) < case.tol_m


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "type or paste"),
        ("hello", "cannot read"),
        ("35.62", "cannot read"),
        ("95.1, 36", "latitude 95.1 is not in -90 to 90 .is it longitude"),
        ("35.1, 200", "longitude 200"),
        ("36.55E 35.62E", "one latitude .N/S. and one longitude"),
        ("35.1N, 36.2S", "one latitude"),
        ("35°61'N 36°E", "below 60"),
        ("-35.1S 36", "minus sign and a hemisphere"),
        ("https://example.org/page", "no coordinates in the link"),
        ("37S IV 50000 43000", "not an MGRS"),
        ("85N AA", "zone 85 is not in 1-60"),
    ],
)
def test_bad_input_says_what_was_wrong(text, words):
    with pytest.raises(GeometryError, match=words):
        parse_position(text)

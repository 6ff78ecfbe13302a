"""KML/GeoJSON writers and placemark readers: round trips, escaping, refusal of bad files."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import GeoDataError, GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse, chi2_2dof_quantile
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.geoexport import (
    KML_NS,
    GeoLine,
    GeoPoint,
    GeoPolygon,
    ellipse_polygon,
    ray_line,
    region_polygon,
    to_geojson,
    to_kml,
    wedge_feature,
    write_geojson,
    write_kml,
)
from analysis.geometry.geoimport import parse_geojson_points, parse_kml_points, read_placemarks
from analysis.geometry.triangulation import BearingRay

SCHOOL = LatLon(35.6209, 36.5531)
HOSTILE = '<img src=x onerror=alert(1)> & "quotes" ]]> مدرسة'


def _features() -> list:
    rooftop = geodesy.destination(SCHOOL, 270.0, 2800.0)
    return [
        GeoPoint("school", SCHOOL, "target of the strike", 380.0),
        GeoPoint(HOSTILE, geodesy.destination(SCHOOL, 135.0, 170.0), HOSTILE),
        GeoLine("ray", (rooftop, SCHOOL), "bearing 90 deg"),
        # Clockwise on purpose: writers must emit counter-clockwise exterior rings.
        GeoPolygon("square", (LatLon(35.63, 36.54), LatLon(35.63, 36.56), LatLon(35.61, 36.56),
                              LatLon(35.61, 36.54))),
    ]  # fmt: skip


def _signed_area(coords: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(coords, coords[1:], strict=False))


def test_geojson_round_trip_and_rfc7946_layout(tmp_path: Path) -> None:
    path = tmp_path / "out.geojson"
    write_geojson(path, _features())
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4
    school = doc["features"][0]["geometry"]["coordinates"]
    assert school == [36.5531, 35.6209, 380.0]  # [lon, lat, height]
    ring = doc["features"][3]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert _signed_area(ring) > 0.0  # counter-clockwise exterior
    got = read_placemarks(path)
    assert [p.name for p in got.points] == ["school", HOSTILE]
    assert got.points[1].description == HOSTILE
    assert got.points[0].height_m == 380.0
    assert geodesy.distance_m(got.points[1].position, _features()[1].position) < 1e-3
    assert got.skipped == 2  # the line and the polygon are not placemarks


def test_kml_round_trip_escapes_user_text(tmp_path: Path) -> None:
    path = tmp_path / "out.kml"
    write_kml(path, _features(), document_name=HOSTILE)
    text = path.read_text(encoding="utf-8")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    root = ET.fromstring(text.encode())
    assert root.tag == f"{{{KML_NS}}}kml"
    names = [e.text for e in root.iter(f"{{{KML_NS}}}name")]
    assert names == [HOSTILE, "school", HOSTILE, "ray", "square"]
    coords = [e.text for e in root.iter(f"{{{KML_NS}}}coordinates")]
    assert coords[0] == "36.5531,35.6209,380"
    ring = [[float(v) for v in t.split(",")] for t in coords[3].split()]
    assert _signed_area(ring) > 0.0
    got = read_placemarks(path)
    assert [p.name for p in got.points] == ["school", HOSTILE]
    assert got.points[0].position == SCHOOL and got.skipped == 2


def test_ray_line_follows_the_geodesic() -> None:
    origin = geodesy.destination(SCHOOL, 270.0, 2800.0)
    line = ray_line(BearingRay(origin, 91.0, 0.5), 10_000.0, "ray", step_m=1000.0)
    assert len(line.points) == 11 and line.points[0] == origin
    for i, p in enumerate(line.points[1:], start=1):
        assert geodesy.distance_m(origin, p) == pytest.approx(1000.0 * i, abs=1e-6)
        assert geodesy.azimuth_deg(origin, p) == pytest.approx(91.0, abs=1e-9)


def test_ellipse_polygon_vertices_lie_on_the_ellipse() -> None:
    cov = np.array([[900.0, 300.0], [300.0, 200.0]])
    vals, vecs = np.linalg.eigh(cov)
    k2 = chi2_2dof_quantile(0.95)
    major_az = math.degrees(math.atan2(vecs[0, 1], vecs[1, 1])) % 180.0
    ell = ErrorEllipse(math.sqrt(k2 * vals[1]), math.sqrt(k2 * vals[0]), major_az, 0.95)
    poly = ellipse_polygon(SCHOOL, ell, "95%", vertices=36)
    frame = EnuFrame(SCHOOL)
    inv = np.linalg.inv(cov)
    for p in poly.ring:
        e, n, _ = frame.to_enu(p)
        d = np.array([e, n])
        assert float(d @ inv @ d) == pytest.approx(k2, rel=1e-6)
    assert poly.ring[0] == poly.ring[-1]


def test_wedge_feature_is_a_closed_polygon() -> None:
    wedge = wedge_feature(SCHOOL, 45.0, 60.0, 500.0, "fov")
    assert wedge.ring[0] == wedge.ring[-1] == SCHOOL
    doc = to_geojson([wedge])
    assert doc["features"][0]["geometry"]["type"] == "Polygon"
    assert "fov" in to_kml([wedge])


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&lol2;</name>
<Point><coordinates>36.5,35.6</coordinates></Point></Placemark></kml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml><Placemark><name>&xxe;</name><Point><coordinates>1,2</coordinates></Point></Placemark></kml>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_kml_with_doctype_or_entities_is_refused(data: bytes) -> None:
    with pytest.raises(GeoDataError, match="DOCTYPE"):
        parse_kml_points(data, "evil.kml")
    utf16 = data.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    with pytest.raises(GeoDataError, match="DOCTYPE"):
        parse_kml_points(utf16.encode("utf-16"), "evil16.kml")


def test_kml_variants_google_earth_style() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://earth.google.com/kml/2.1"><Document><Folder>
<Placemark><name>water tower</name><description>next to the blast</description>
<Point><coordinates> 36.5531,35.6209,0 </coordinates></Point></Placemark>
<Placemark><name>pair</name><MultiGeometry>
<Point><coordinates>36.5,35.6</coordinates></Point>
<Point><coordinates>36.6,35.7</coordinates></Point></MultiGeometry></Placemark>
<Placemark><LineString><coordinates>36.5,35.6 36.6,35.7</coordinates></LineString></Placemark>
</Folder></Document></kml>"""
    got = parse_kml_points(data, "ge.kml")
    assert [p.name for p in got.points] == ["water tower", "pair (1)", "pair (2)"]
    assert got.points[0].position == SCHOOL and got.points[0].description == "next to the blast"
    assert got.points[2].position == LatLon(35.7, 36.6)
    assert got.skipped == 1


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"<kml><Placemark>", "line 1"),
        (b"<gpx></gpx>", "not a KML"),
        (b"<kml><Placemark><name>x</name><Point><coordinates>36.5</coordinates></Point>"
         b"</Placemark></kml>", "'x'"),
        (b"<kml><Placemark><name>y</name><Point><coordinates>36.5,95.0</coordinates></Point>"
         b"</Placemark></kml>", "latitude"),
        (b"<kml><Placemark><name>z</name><Point><coordinates>a,b</coordinates></Point>"
         b"</Placemark></kml>", "'z'"),
    ],
)  # fmt: skip
def test_bad_kml_gives_a_clear_error(data: bytes, match: str) -> None:
    with pytest.raises(GeoDataError, match=match) as info:
        parse_kml_points(data, "bad.kml")
    assert "bad.kml" in str(info.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"type": "FeatureCollection", "features": [', "line 1"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [NaN, 1]}}', "NaN"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 91]}}', "latitude"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": ["1", 2]}}', "position"),
        ('{"type": "Topology"}', "not GeoJSON"),
        ('{"type": "FeatureCollection", "features": [42]}', "feature 1"),
    ],
)
def test_bad_geojson_gives_a_clear_error(text: str, match: str) -> None:
    with pytest.raises(GeoDataError, match=match) as info:
        parse_geojson_points(text.encode(), "bad.geojson")
    assert "bad.geojson" in str(info.value)


def test_geojson_multipoint_and_bare_geometry() -> None:
    multi = {
        "type": "Feature",
        "properties": {"name": "craters"},
        "geometry": {"type": "MultiPoint", "coordinates": [[36.55, 35.62], [36.56, 35.63, 12]]},
    }
    got = parse_geojson_points(json.dumps(multi).encode(), "m.geojson")
    assert [p.name for p in got.points] == ["craters (1)", "craters (2)"]
    assert got.points[1].height_m == 12.0
    bare = parse_geojson_points(b'{"type": "Point", "coordinates": [36.5531, 35.6209]}', "b.json")
    assert bare.points[0].position == SCHOOL and bare.points[0].name == "feature 1"


def test_kmz_and_file_level_errors(tmp_path: Path) -> None:
    kmz = tmp_path / "places.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", to_kml([GeoPoint("school", SCHOOL)]))
    assert read_placemarks(kmz).points[0].position == SCHOOL
    (tmp_path / "junk.kmz").write_bytes(b"not a zip")
    with pytest.raises(GeoDataError, match="junk.kmz"):
        read_placemarks(tmp_path / "junk.kmz")
    (tmp_path / "notes.txt").write_text("36.5,35.6")
    with pytest.raises(GeoDataError, match="unsupported"):
        read_placemarks(tmp_path / "notes.txt")
    with pytest.raises(GeoDataError, match="missing.kml"):
        read_placemarks(tmp_path / "missing.kml")


NAMES = (
    st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=40, deadline=None)
@given(name=NAMES, description=NAMES, lat=st.floats(-89.9, 89.9), lon=st.floats(-180.0, 180.0))
def test_any_printable_text_survives_both_formats(name, description, lat, lon) -> None:
    point = GeoPoint(name, LatLon(lat, lon), description)
    for parse, text in (
        (parse_kml_points, to_kml([point], name)),
        (parse_geojson_points, json.dumps(to_geojson([point]), ensure_ascii=False)),
    ):
        (got,) = parse(text.encode("utf-8"), "prop").points
        assert (got.name, got.description) == (name, description)
        assert geodesy.distance_m(got.position, point.position) < 1e-3


def test_control_characters_and_surrogates_do_not_break_the_files(tmp_path: Path) -> None:
    nasty = "bell\x07 nul\x00 lone\ud800 end"
    write_kml(tmp_path / "n.kml", [GeoPoint(nasty, SCHOOL, nasty)], nasty)
    write_geojson(tmp_path / "n.geojson", [GeoPoint(nasty, SCHOOL, nasty)])
    expected = "bell\ufffd nul\ufffd lone\ufffd end"
    assert read_placemarks(tmp_path / "n.kml").points[0].name == expected
    geo = read_placemarks(tmp_path / "n.geojson").points[0]
    assert geo.name == "bell\x07 nul\x00 lone\ufffd end"  # JSON escapes controls losslessly


def test_region_polygon_is_the_hull_of_the_central_samples() -> None:
    frame = EnuFrame(SCHOOL)
    grid = [(e, n) for e in range(-200, 201, 50) for n in range(-100, 101, 50)]  # 45 points
    outliers = [(5000.0, 0.0), (0.0, -4000.0)]
    samples = [frame.from_enu(float(e), float(n))[0] for e, n in [*grid, *outliers]]
    poly = region_polygon(samples, "region", keep_fraction=45 / 47)
    corners = sorted(tuple(round(v) for v in frame.to_enu(p)[:2]) for p in poly.ring[:-1])
    assert corners == [(-200, -100), (-200, 100), (200, -100), (200, 100)]
    assert poly.ring[0] == poly.ring[-1]
    wide = region_polygon(samples, "all")  # 95 % of 47 keeps 45: the same two outliers go
    assert len(wide.ring) == 5
    with pytest.raises(GeometryError):
        region_polygon(samples[:2], "too few")
    line = [geodesy.destination(SCHOOL, 90.0, d) for d in (10.0, 20.0, 30.0, 40.0)]
    with pytest.raises(GeometryError):
        region_polygon(line, "flat", keep_fraction=1.0)

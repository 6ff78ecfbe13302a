"""Reading tagged features from a small hand-written OSM XML file: nodes, ways at the mean of
their nodes (a closed ring's repeated node once), multipolygon relations at their outer ring,
edit-only tags ignored, and files that are not OSM refused."""

from __future__ import annotations

import pytest

from analysis.osm.reader import OsmError, read_features

XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="35.0" lon="36.0"/>
  <node id="2" version="1" lat="35.0" lon="36.002"/>
  <node id="3" version="1" lat="35.002" lon="36.002"/>
  <node id="4" version="1" lat="35.002" lon="36.0"/>
  <node id="5" version="1" lat="35.1" lon="36.1"><tag k="man_made" v="water_tower"/></node>
  <node id="6" version="1" lat="35.2" lon="36.2"><tag k="created_by" v="JOSM"/></node>
  <node id="7" version="1" lat="35.3" lon="36.3"/>
  <node id="8" version="1" lat="35.3" lon="36.306"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
  </way>
  <way id="11" version="1"><nd ref="7"/><nd ref="8"/><tag k="highway" v="residential"/></way>
  <relation id="20" version="1">
    <member type="way" ref="10" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="amenity" v="school"/><tag k="name" v="École"/>
  </relation>
</osm>
"""


def test_nodes_ways_and_multipolygons_are_read_at_their_centres(tmp_path):
    path = tmp_path / "small.osm"
    path.write_text(XML, encoding="utf-8")
    seen = []
    found = {
        (f.osm_type, f.osm_id): f for f in read_features(path, progress=lambda f, m: seen.append(f))
    }
    assert set(found) == {("node", 5), ("way", 11), ("relation", 20)}  # node 6: edit tag only
    school = found[("relation", 20)]
    assert (school.lat_deg, school.lon_deg) == pytest.approx((35.001, 36.001), abs=1e-9)
    assert school.tag("name") == "École" and school.tag("amenity") == "school"
    road = found[("way", 11)]
    assert (road.lat_deg, road.lon_deg) == pytest.approx((35.3, 36.303), abs=1e-9)
    assert seen[-1] == 1.0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.osm", b"<html><body>not a map</body></html>", "not a readable"),
        ("bad.osm.pbf", b"\x00\x01garbage" * 100, "not a readable"),
        ("map.geojson", b"{}", "not an OpenStreetMap extract name"),
    ],
)
def test_what_is_not_osm_is_refused_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(OsmError, match=message) as caught:
        list(read_features(path))
    assert name in str(caught.value)

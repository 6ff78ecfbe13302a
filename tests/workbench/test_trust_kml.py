"""KML stays well-formed and user text stays text (issue 12: control characters in a case
title or folder name made the KML invalid, with the broken file's hash in its audit row, and
a rationale's ``<img onerror=...>`` would have become live markup in Google Earth, which
renders ``<description>`` as HTML)."""

from __future__ import annotations

import hashlib
import html
import json
import xml.etree.ElementTree as ET

import pytest

from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import KML_NS, GeoPoint, kml_description, to_kml
from analysis.geometry.geoimport import parse_kml_points, read_placemarks
from workbench import cli, geodata
from workbench.case import audit, create_case, open_case
from workbench.hypotheses import add_hypothesis

HOSTILE = '<img src=x onerror="alert(1)"> & <script>alert(2)</script>'
CONTROLS = "bell\x07 esc\x1b vt\x0b nul\x00 del\x7f"
NS = {"k": KML_NS}


def _descriptions(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{{{KML_NS}}}description")]


@pytest.fixture
def hostile_case(tmp_path):
    path = tmp_path / "case\x01\x1b name.gwcase"
    with create_case(path, title=f"Hass {CONTROLS} <b>bold</b>") as case:
        geodata.add_landmark(case, f"tower {CONTROLS}", 35.62, 36.55, notes=HOSTILE).result()
        add_hypothesis(case, f"site {CONTROLS}", 35.621, 36.551, rationale=HOSTILE).result()
    return path


def test_a_case_with_control_characters_exports_well_formed_kml(hostile_case, tmp_path, capsys):
    out = tmp_path / "out.kml"
    assert cli.main(["export", str(hostile_case), "--kml", str(out)]) == 0
    data = out.read_bytes()
    root = ET.fromstring(data)  # well-formed: no invalid token
    assert root.tag == f"{{{KML_NS}}}kml"
    names = [e.text or "" for e in root.iter(f"{{{KML_NS}}}name")]
    assert names[0].startswith("Hass bell\ufffd esc\ufffd vt\ufffd nul\ufffd del\x7f <b>bold</b>")
    assert "case\ufffd\ufffd name.gwcase" in names[0]
    assert any(n.startswith("tower bell\ufffd") for n in names)
    # The audit row records the hash of the file as written, which parses.
    with open_case(hostile_case, read_only=True) as case:
        row = audit.entries(case.read())[-1]
    assert row.action == "geodata.export"
    assert row.details["sha256"] == hashlib.sha256(data).hexdigest()


def test_descriptions_display_as_text_in_an_html_reader(hostile_case, tmp_path, capsys):
    out = tmp_path / "out.kml"
    assert cli.main(["export", str(hostile_case), "--kml", str(out)]) == 0
    root = ET.fromstring(out.read_bytes())
    descriptions = _descriptions(root)
    assert len(descriptions) >= 3  # the document's, the landmark's, the hypothesis'
    for text in descriptions:  # what Google Earth hands its HTML renderer
        assert "<" not in text and ">" not in text, text
    hostile = [d for d in descriptions if "onerror" in d]
    assert hostile and all("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in d for d in hostile)
    assert all(HOSTILE in html.unescape(d) for d in hostile)  # the same text, shown as text
    assert "case\ufffd\ufffd name.gwcase" in descriptions[0]


def test_the_provenance_record_in_kml_reads_back_and_holds_no_markup(hostile_case, tmp_path):
    out = tmp_path / "out.kml"
    assert cli.main(["export", str(hostile_case), "--kml", str(out)]) == 0
    root = ET.fromstring(out.read_bytes())
    values = {d.get("name"): d.find("k:value", NS).text for d in root.iterfind(".//k:Data", NS)}
    record = values["provenance"]
    assert "<" not in record and ">" not in record and "&" not in record
    prov = json.loads(record)
    assert prov["details"]["title"] == f"Hass {CONTROLS} <b>bold</b>"  # JSON keeps it exactly
    assert prov["details"]["case"] == "case\x01\x1b name.gwcase"


def test_landmark_notes_round_trip_through_kml_as_text(hostile_case, tmp_path, capsys):
    out = tmp_path / "out.kml"
    assert cli.main(["export", str(hostile_case), "--kml", str(out)]) == 0
    [tower] = [p for p in read_placemarks(out).points if p.name.startswith("tower")]
    assert tower.description.endswith(HOSTILE)


def test_kml_description_is_html_escaped_text():
    assert kml_description("a < b & c\x07") == "a &lt; b &amp; c\ufffd"
    text = to_kml([GeoPoint("p", LatLon(1.0, 2.0), HOSTILE)], "doc\x00")
    [point] = parse_kml_points(text.encode("utf-8"), "t").points
    assert point.description == HOSTILE
    assert "<img" not in text and "&amp;lt;img" in text

"""``geoworkbench export CASE --kml|--geojson``: the file, its audit head, the audit row."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoimport import read_placemarks
from workbench import cli, geodata, geodata_records
from workbench.case import audit, create_case, open_case

SCHOOL = LatLon(35.62, 36.55)


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "cli.gwcase"
    with create_case(path) as case:
        cam = geodesy.destination(SCHOOL, 270.0, 2800.0)
        geodata.add_landmark(case, "rooftop", cam.lat_deg, cam.lon_deg, kind="camera").result()
        geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg, kind="target").result()
        geodata.add_landmark(case, "مدرسة", 35.6191, 36.5516).result()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["export", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_geojson_export_json_fields_match_the_file_and_the_log(capsys, case_path, tmp_path):
    with open_case(case_path, read_only=True) as case:
        head_seq, head_hash = case.audit_head()
    out = tmp_path / "case.geojson"
    code, stdout, _ = run(capsys, str(case_path), "--geojson", str(out), "--json")
    assert code == 0
    d = json.loads(stdout)
    assert d == {
        "path": str(out),
        "format": "geojson",
        "feature_count": 3,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "audit_head_seq": head_seq,
        "audit_head_hash": head_hash,
        "recorded": True,
    }
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["geoworkbench"]["audit_head"] == f"{head_seq}:{head_hash}"
    names = {f["properties"]["name"] for f in doc["features"]}
    assert names == {"rooftop", "school", "مدرسة"}
    with open_case(case_path, read_only=True) as case:
        last = audit.entries(case.read())[-1]
    assert last.action == "geodata.export" and last.details["sha256"] == d["sha256"]


def test_kml_export_opens_as_placemarks(capsys, case_path, tmp_path):
    out = tmp_path / "case.kml"
    code, stdout, _ = run(capsys, str(case_path), "--kml", str(out))
    assert code == 0 and "wrote 3 features" in stdout
    points = {p.name: p.position for p in read_placemarks(out).points}
    assert geodesy.distance_m(points["school"], SCHOOL) < 1e-3
    assert "audit head" in out.read_text(encoding="utf-8")


def test_usage_errors_exit_2(capsys, case_path, tmp_path):
    assert run(capsys, str(case_path))[0] == 2  # no destination
    code, _, err = run(capsys, str(case_path), "--kml", str(tmp_path / "no" / "x.kml"))
    assert code == 2 and "no such folder" in err
    both = ("--kml", str(tmp_path / "a.kml"), "--geojson", str(tmp_path / "a.geojson"))
    assert run(capsys, str(case_path), *both)[0] == 2


def test_a_held_case_is_exported_read_only_without_its_row_and_no_case_exits_1(
    capsys, case_path, tmp_path
):
    with open_case(case_path) as held:  # as the GUI holds it
        rows = len(audit.entries(held.read()))
        code, out, err = run(capsys, str(case_path), "--kml", str(tmp_path / "held.kml"), "--json")
        assert code == 0 and json.loads(out)["recorded"] is False
        assert "already open" in err and "does not record this export" in err
        assert len(audit.entries(held.read())) == rows
    assert '<Data name="audit_head">' in (tmp_path / "held.kml").read_text(encoding="utf-8")
    code, _, err = run(capsys, str(tmp_path / "nothing.gwcase"), "--kml", str(tmp_path / "x.kml"))
    assert code == 1 and "nothing.gwcase" in err
    assert not (tmp_path / "x.kml").exists()


def test_registering_the_command_imports_nothing_heavy():
    code = (
        "import sys; import workbench.commands.geo_export_commands as m; "
        "heavy = {'folium', 'cv2', 'av', 'numpy', 'PySide6', 'geographiclib'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["kml", "geojson"])
def test_an_export_is_rebuilt_byte_for_byte_at_an_earlier_head(capsys, case_path, tmp_path, fmt):
    first = tmp_path / f"then.{fmt}"
    code, out, _ = run(capsys, str(case_path), f"--{fmt}", str(first), "--json")
    seq = json.loads(out)["audit_head_seq"]
    assert code == 0
    with open_case(case_path) as case:  # the case moves on: a landmark moves, another is added
        [moved] = [lm for lm in geodata_records.list_landmarks(case.read()) if lm.name == "school"]
        geodata.move_landmark(case, moved.id, 35.63, 36.56).result()
        geodata.add_landmark(case, "later", 35.60, 36.50).result()
    now = tmp_path / f"now.{fmt}"
    assert run(capsys, str(case_path), f"--{fmt}", str(now))[0] == 0
    assert now.read_bytes() != first.read_bytes()
    again = tmp_path / f"again.{fmt}"
    assert run(capsys, str(case_path), f"--{fmt}", str(again), "--at", str(seq))[0] == 0
    assert again.read_bytes() == first.read_bytes()


def test_export_at_a_head_outside_the_chain_is_refused(capsys, case_path, tmp_path):
    code, _, err = run(capsys, str(case_path), "--kml", str(tmp_path / "x.kml"), "--at", "999")
    assert code == 1 and "audit row 999 is not in the chain" in err


def test_map_page_export_is_deterministic_logged_and_holds_the_layers(capsys, case_path, tmp_path):
    pages = []
    for name in ("a.html", "b.html"):
        out = tmp_path / name
        code, stdout, _ = run(capsys, str(case_path), "--map", str(out), "--json")
        d = json.loads(stdout)
        assert code == 0 and d["recorded"] is True
        assert d["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        pages.append((out.read_text(encoding="utf-8"), d["audit_head_seq"]))
    (first, seq_a), (second, seq_b) = pages
    assert "مدرسة" in first and "rooftop" in first and "leaflet" in first.lower()
    # offline: no script or style sheet is fetched from anywhere
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']https?://", first)
    # the second export quotes a later head (the first export's own row), so its bytes differ
    # only where the head is quoted
    assert seq_b == seq_a + 1
    with open_case(case_path, read_only=True) as case:
        last = audit.entries(case.read())[-1]
    assert last.action == "geodata.export" and last.details["format"] == "map"

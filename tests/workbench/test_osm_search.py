"""OSM search on a real clip of Vaduz (tests/data/osm, answers checked by hand in its README):
the index built once and cached by SHA-256, the CLI, a search stored in a case and recomputed,
a candidate made a hypothesis linked to it, and bad extracts and queries refused."""

from __future__ import annotations

import json
from pathlib import Path

import osmium
import pytest

from analysis.jobs import CancelToken, JobCancelled
from workbench import cli, geodata_records, observations
from workbench.case import create_case
from workbench.geolayers import build_layers
from workbench.hypotheses import get_hypothesis
from workbench.osm.index import open_index
from workbench.osm.run import OsmQuery, run_search
from workbench.osm.store import add_search, candidate_hypothesis

CLIP = Path(__file__).resolve().parents[1] / "data" / "osm" / "vaduz.osm.pbf"
QUERY = ["--find", "amenity=school", "--near", "amenity=place_of_worship:300"]
QUERY += ["--near", "man_made=mast:500"]


def test_the_index_is_built_once_and_keyed_by_the_extract(tmp_path):
    first = open_index(CLIP, tmp_path)
    assert first.built and first.feature_count == 2471
    again = open_index(CLIP, tmp_path)
    assert not again.built and again.path == first.path and first.sha256 in first.path.name
    xml = tmp_path / "vaduz.osm"  # the same data as XML: another file, another index
    with osmium.SimpleWriter(str(xml)) as out:
        for obj in osmium.FileProcessor(str(CLIP)):
            out.add(obj)
    other = open_index(xml, tmp_path)
    assert other.built and other.sha256 != first.sha256 and other.feature_count == 2471
    assert len(list(tmp_path.glob("*.osmindex.sqlite"))) == 2


def test_the_command_ranks_the_schools_as_checked_by_hand(tmp_path, capsys):
    argv = ["osm-search", str(CLIP), *QUERY, "--cache", str(tmp_path), "--json"]
    assert cli.main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["anchors_total"] == 2 and d["index_built"]
    first, second = d["candidates"]
    assert (first["anchor"]["type"], first["anchor"]["id"]) == ("node", 3577175472)
    assert first["anchor"]["tags"]["name"] == "Liechtensteinische Musikschule"
    assert (first["lat"], first["lon"]) == pytest.approx((47.1367152, 9.5231677), abs=1e-6)
    cathedral, mast = first["matches"]
    assert cathedral["feature"]["id"] == 28712150 and cathedral["feature"]["type"] == "way"
    assert cathedral["distance_m"] == pytest.approx(61, abs=1.5)
    assert mast["feature"]["id"] == 4690540125 and mast["distance_m"] == pytest.approx(230, abs=1.5)
    assert first["complete"] and first["score"] > second["score"]
    assert second["anchor"]["id"] == 486233681 and second["met"] == 1
    assert second["matches"][0]["feature"] is None  # the cathedral is 312 m away
    assert second["matches"][1]["distance_m"] == pytest.approx(204, abs=1.5)
    assert cli.main(argv[:-1]) == 0
    text = capsys.readouterr().out
    assert "#1 47.136715, 9.523168" in text and "from the cache" in text


def test_a_box_limits_the_candidates(tmp_path, capsys):
    box = "47.1375,9.518,47.139,9.521"  # around the Primarschule Aeule only
    argv = ["osm-search", str(CLIP), *QUERY, "--bbox", box, "--cache", str(tmp_path), "--json"]
    assert cli.main(argv) == 0
    [only] = json.loads(capsys.readouterr().out)["candidates"]
    assert only["anchor"]["id"] == 486233681 and only["met"] == 1  # the mast outside the box


def test_a_stored_search_recomputes_equal_and_a_candidate_becomes_a_hypothesis(tmp_path):
    case = create_case(tmp_path / "osm.gwcase")
    try:
        query = OsmQuery.parse("amenity=school", ["amenity=place_of_worship:300"])
        outcome = run_search(CLIP, query, tmp_path / "cache")
        obs_id = add_search(case, outcome).result()
        row = geodata_records.get_observation(case.read(), obs_id)
        assert observations.result_json("osm_search", row.inputs) == row.result
        assert row.inputs["extract"]["sha256"] == outcome.index.sha256
        h_id = candidate_hypothesis(case, obs_id, 1).result()
        h = get_hypothesis(case.read(), h_id)
        assert h.observation_ids == (obs_id,) and "Musikschule" in h.title
        assert (h.lat_deg, h.lon_deg) == pytest.approx((47.1367152, 9.5231677), abs=1e-6)
        layers = build_layers(case.read())
        targets = [f["properties"]["id"] for f in layers["targets"]["features"]]
        assert f"observation:{obs_id}:candidate:1" in targets
        with pytest.raises(Exception, match="no candidate #9"):
            candidate_hypothesis(case, obs_id, 9).result()
    finally:
        case.close()


def test_the_command_stores_into_a_case_and_indexes_in_its_derived_folder(tmp_path, capsys):
    create_case(tmp_path / "c.gwcase").close()
    argv = ["osm-search", str(CLIP), *QUERY, "--case", str(tmp_path / "c.gwcase"), "--json"]
    assert cli.main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert Path(d["index"]).parent == (tmp_path / "c.gwcase" / "derived" / "osm").resolve()
    assert d["observation_id"] >= 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "none.osm.pbf", "no such OpenStreetMap extract"),
        (lambda p: _write(p / "junk.osm.pbf", b"not osm at all" * 50), "not a readable"),
        (lambda p: _write(p / "junk.osm", b"<html>no</html>"), "not a readable"),
        (lambda p: _write(p / "notes.txt", b"x"), "not an OpenStreetMap extract name"),
    ],
)
def test_what_is_not_an_extract_gets_one_line_naming_it(tmp_path, capsys, make, message):
    path = make(tmp_path)
    assert cli.main(["osm-search", str(path), *QUERY, "--cache", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert message in err and path.name in err and err.count("\n") == 1
    assert not any((tmp_path / "c").glob("*")) if (tmp_path / "c").exists() else True


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_malformed_query_is_a_usage_error(tmp_path, capsys):
    argv = ["osm-search", str(CLIP), "--find", "amenity=school", "--near", "amenity=x"]
    assert cli.main(argv) == 2
    assert "METRES" in capsys.readouterr().err


def test_a_cancelled_build_leaves_no_index(tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        open_index(CLIP, tmp_path, cancel=token)
    assert list(tmp_path.iterdir()) == []

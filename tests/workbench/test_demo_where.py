"""The sample case's "where is it" steps on a small scenario: the true tower ranks first among
the decoys, the rooftop frame is posed where the camera stood, the strike pixel lands on the
strike point, and everything stored recomputes from its inputs."""

from __future__ import annotations

import json

import pytest

from analysis.geometry.geodesy import LatLon, distance_m
from tests.workbench.test_scenario_commands import TINY
from workbench import geodata_records, observations
from workbench.case import create_case
from workbench.demo_where import run_where_demo
from workbench.scenario import generate_scenario


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    result = generate_scenario(tmp_path_factory.mktemp("where"), seed=7, config=TINY)
    return json.loads(result.truth_path.read_text(encoding="utf-8"))


def test_where_demo_finds_the_tower_poses_the_rooftop_and_lands_the_strike(tmp_path, truth):
    case = create_case(tmp_path / "where.gwcase")
    try:
        found = run_where_demo(case, {"video_rooftop": None}, truth)
        rows = {r.kind: r for r in geodata_records.list_observations(case.read())}
        for kind in ("osm_search", "pose"):
            assert observations.result_json(kind, rows[kind].inputs) == rows[kind].result
        assert (case.derived_dir / "scenario_maps" / "town.osm").is_file()
    finally:
        case.close()
    assert found.true_place_rank == 1
    assert found.camera_miss_m < 0.05  # the clicks are the true projections
    assert found.strike_miss_m < 0.5
    pose = rows["pose"].result
    camera = truth["videos"]["video_rooftop"]["segments"][0]["camera"]
    assert pose["hfov_deg"] == pytest.approx(camera["hfov_deg"], abs=1e-3)
    assert rows["pose"].frame_index == truth["videos"]["video_rooftop"]["flash"]["frames"][0]
    [candidate, *_] = rows["osm_search"].result["candidates"]
    tower = truth["landmarks"]["water_tower"]
    here = LatLon(candidate["lat"], candidate["lon"])
    assert distance_m(here, LatLon(tower["lat_deg"], tower["lon_deg"])) < 0.01

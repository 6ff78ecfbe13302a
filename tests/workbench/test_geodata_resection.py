"""Resection observations against the scenario's exact truth.

The scenario generator knows each camera (position, K, R) and the landmarks of the town; the
pixels of the landmarks and of two points on the true horizon are projected with that truth,
levelled and turned into directions the way the Resection tool does it, and the stored fix
must be the camera's true position.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis import geodesy
from analysis.camera import PinholeCamera, level_from_horizon
from analysis.errors import GeometryError
from analysis.geodesy import LatLon
from analysis.resection import frame_directions_deg
from tests.workbench.test_scenario_commands import TINY
from tests.workbench.test_scenario_media import enu_of, project
from workbench import geodata
from workbench.case import audit, create_case
from workbench.geodata_resection import Sighting, add_resection
from workbench.geoexchange import export_geodata
from workbench.geolayers import build_layers
from workbench.scenario import generate_scenario

SEEN = ("school", "minaret", "water_tower_tank_centre", "building_se", "strike_point")


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    result = generate_scenario(tmp_path_factory.mktemp("scenario"), seed=3, config=TINY)
    return json.loads(result.truth_path.read_text(encoding="utf-8"))


@pytest.fixture
def case(tmp_path, truth):
    c = create_case(tmp_path / "resection.gwcase")
    ids = {}
    for name in SEEN:
        mark = truth["landmarks"][name]
        ids[name] = geodata.add_landmark(c, name, mark["lat_deg"], mark["lon_deg"]).result()
    yield c, ids
    c.close()


def sightings_seen_by(truth: dict, camera: dict, ids: dict[str, int]) -> list[Sighting]:
    """The tool's path: truth pixels, levelled on the true horizon, made directions."""
    points = np.array([enu_of(truth, truth["landmarks"][n]) for n in SEEN])
    pixels = [tuple(p) for p in project(truth, camera, points)]
    centre, yaw = enu_of(truth, camera), math.radians(camera["yaw_deg"])
    far = [
        centre + 1e5 * np.array([math.sin(yaw + d), math.cos(yaw + d), 0.0]) for d in (-0.2, 0.2)
    ]
    horizon = [tuple(p) for p in project(truth, camera, np.array(far))]
    level = level_from_horizon(
        PinholeCamera(camera["width_px"], camera["height_px"], camera["hfov_deg"]), *horizon
    )
    assert (level.pitch_deg, level.roll_deg) == pytest.approx(
        (camera["pitch_deg"], camera["roll_deg"]), abs=0.05
    )
    directions = frame_directions_deg(level, pixels)
    return [Sighting(ids[n], d, 0.2, p) for n, d, p in zip(SEEN, directions, pixels, strict=True)]


def test_second_camera_is_found_where_it_stood_and_the_fix_is_drawn_and_exported(
    case, truth, tmp_path
):
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    obs_id = add_resection(
        c, sightings_seen_by(truth, camera, ids), extra_inputs={"tool": "test"}
    ).result()
    obs = geodata.get_observation(c.read(), obs_id)
    r = obs.result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert geodesy.distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.05
    # The optical axis: the render's ENU frame is tangent at the town, 0.01 deg of meridian
    # convergence away from the camera's north.
    assert r["orientation_deg"] == pytest.approx(camera["yaw_deg"], abs=0.02)
    assert r["well_conditioned"] and r["degrees_of_freedom"] == 2
    assert max(abs(x["residual_deg"]) for x in r["residuals"]) < 1e-4
    assert [x["landmark"] for x in r["residuals"]] == list(SEEN)
    assert 0 < r["ellipse"]["semi_minor_m"] <= r["ellipse"]["semi_major_m"] < 300
    seen = obs.inputs["sightings"]
    assert [s["landmark_id"] for s in seen] == [ids[n] for n in SEEN]
    assert all(s["pixel"] is not None and s["sigma_deg"] == 0.2 for s in seen)
    assert obs.inputs["tool"] == "test" and "analysis.resection" in obs.inputs["method"]
    entry = audit.entries(c.read())[-1]
    assert entry.action == "observation.resection" and entry.target == f"observation:{obs_id}"

    layers = build_layers(c.read())
    ellipses = [
        f
        for f in layers["ellipses"]["features"]
        if f["properties"]["id"].startswith(f"observation:{obs_id}")
    ]
    assert {f["geometry"]["type"] for f in ellipses} == {"Point", "Polygon"}
    lines = [f for f in layers["sightlines"]["features"] if ":sighting:" in f["properties"]["id"]]
    assert len(lines) == len(SEEN)
    start = lines[0]["geometry"]["coordinates"][0]
    assert geodesy.distance_m(LatLon(start[1], start[0]), stood) < 0.05
    export_geodata(c, tmp_path / "out.geojson", "geojson")
    features = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))["features"]
    assert sum(":sighting:" in f["properties"]["id"] for f in features) == len(SEEN)


def test_distant_rooftop_is_solved_but_flagged_as_weak(case, truth):
    # From 2.8 km the five landmarks span a few degrees: the fix is right when the clicks
    # are exact, but a 0.2 deg sigma spreads it over hundreds of metres, and it says so.
    c, ids = case
    camera = truth["videos"]["video_rooftop"]["segments"][0]["camera"]
    r = geodata.get_observation(
        c.read(), add_resection(c, sightings_seen_by(truth, camera, ids)).result()
    ).result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert geodesy.distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.5
    assert not r["well_conditioned"] and "weak geometry" in r["message"]
    assert r["ellipse"]["semi_major_m"] > 300


def test_bad_sightings_are_refused_and_nothing_is_stored(case, truth):
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    good = sightings_seen_by(truth, camera, ids)
    before = len(audit.entries(c.read()))
    with pytest.raises(GeometryError, match="at least three"):
        add_resection(c, good[:2])
    with pytest.raises(GeometryError, match="twice"):
        add_resection(c, [good[0], good[1], good[0]])
    with pytest.raises(GeometryError, match="does not exist"):
        add_resection(c, [*good[:2], Sighting(999, 10.0, 0.2)])
    with pytest.raises(GeometryError, match="not usable"):
        add_resection(c, [*good[:2], Sighting(good[2].landmark_id, math.nan, 0.2)])
    assert geodata.list_observations(c.read(), "resection") == []
    assert len(audit.entries(c.read())) == before

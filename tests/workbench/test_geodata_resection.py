"""Resection observations against the scenario's exact truth.

The scenario generator knows each camera (position, K, R) and the landmarks of the town; the
pixels of the landmarks and of two points on the true horizon are projected with that truth,
and the stored fix must be the camera's true position, recomputable from the stored inputs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel
from tests.workbench.test_scenario_commands import TINY
from tests.workbench.test_scenario_media import enu_of, project
from workbench import geodata, geodata_records
from workbench.case import audit, create_case
from workbench.geodata_resection import Sighting, add_resection
from workbench.geoexchange import export_geodata
from workbench.geolayers import build_layers
from workbench.resection_record import resection_from_inputs
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


def seen_by(
    truth: dict, camera: dict, ids: dict[str, int], hfov_deg: float | None = None
) -> tuple[FrameModel, list[Sighting]]:
    """What the analyst clicks: the landmarks' truth pixels and two on the true horizon."""
    points = np.array([enu_of(truth, truth["landmarks"][n]) for n in SEEN])
    pixels = [(float(x), float(y)) for x, y in project(truth, camera, points)]
    centre, yaw = enu_of(truth, camera), math.radians(camera["yaw_deg"])
    far = [
        centre + 1e5 * np.array([math.sin(yaw + d), math.cos(yaw + d), 0.0]) for d in (-0.2, 0.2)
    ]
    (h1, h2) = [(float(x), float(y)) for x, y in project(truth, camera, np.array(far))]
    frame = FrameModel(
        camera["width_px"], camera["height_px"], hfov_deg or camera["hfov_deg"], 1.0, (h1, h2)
    )
    return frame, [Sighting(ids[n], p) for n, p in zip(SEEN, pixels, strict=True)]


def test_second_camera_is_found_where_it_stood_and_the_fix_is_drawn_and_exported(
    case, truth, tmp_path
):
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    frame, seen = seen_by(truth, camera, ids)
    obs_id = add_resection(c, frame, seen, sigma_deg=0.2, extra_inputs={"tool": "test"}).result()
    obs = geodata_records.get_observation(c.read(), obs_id)
    r = obs.result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert geodesy.distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.05
    # The optical axis: the render's ENU frame is tangent at the town, 0.01 deg of meridian
    # convergence away from the camera's north.
    assert r["orientation_deg"] == pytest.approx(camera["yaw_deg"], abs=0.02)
    assert (r["pitch_deg"], r["roll_deg"]) == pytest.approx(
        (camera["pitch_deg"], camera["roll_deg"]), abs=0.05
    )
    assert r["well_conditioned"] and r["degrees_of_freedom"] == 2
    assert max(abs(x["residual_deg"]) for x in r["residuals"]) < 1e-4
    assert [x["landmark"] for x in r["residuals"]] == list(SEEN)
    assert 0 < r["ellipse"]["semi_minor_m"] <= r["ellipse"]["semi_major_m"] < 300
    stored = obs.inputs["sightings"]
    assert [s["landmark_id"] for s in stored] == [ids[n] for n in SEEN]
    assert [tuple(s["pixel"]) for s in stored] == [s.pixel for s in seen]
    assert obs.inputs["frame"]["hfov_deg"] == camera["hfov_deg"] and obs.inputs["sigma_deg"] == 0.2
    assert obs.inputs["tool"] == "test" and "resect_frame" in obs.inputs["method"]
    assert resection_from_inputs(obs.inputs) == r  # another investigator gets the same figures
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
    frame, seen = seen_by(truth, camera, ids)
    stored = add_resection(c, frame, seen, sigma_deg=0.2).result()
    r = geodata_records.get_observation(c.read(), stored).result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert geodesy.distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.5
    assert not r["well_conditioned"] and "weak geometry" in r["message"]
    assert r["ellipse"]["semi_major_m"] > 300


def test_unknown_field_of_view_is_estimated_from_five_landmarks(case, truth):
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    frame, seen = seen_by(truth, camera, ids, hfov_deg=30.0)  # a wrong start
    stored = add_resection(c, frame, seen, sigma_deg=0.05, estimate_hfov=True).result()
    r = geodata_records.get_observation(c.read(), stored).result
    assert r["hfov_deg"] == pytest.approx(camera["hfov_deg"], abs=0.01)
    assert r["hfov_sigma_deg"] > 0 and r["degrees_of_freedom"] == 1
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert geodesy.distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.5


def test_bad_sightings_are_refused_and_nothing_is_stored(case, truth):
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    frame, good = seen_by(truth, camera, ids)
    before = len(audit.entries(c.read()))
    with pytest.raises(GeometryError, match="at least three"):
        add_resection(c, frame, good[:2], sigma_deg=0.2)
    with pytest.raises(GeometryError, match="four landmarks"):
        add_resection(c, frame, good[:3], sigma_deg=0.2, estimate_hfov=True)
    with pytest.raises(GeometryError, match="twice"):
        add_resection(c, frame, [good[0], good[1], good[0]], sigma_deg=0.2)
    with pytest.raises(GeometryError, match="does not exist"):
        add_resection(c, frame, [*good[:2], Sighting(999, (10.0, 20.0))], sigma_deg=0.2)
    with pytest.raises(GeometryError, match="not finite"):
        add_resection(
            c, frame, [*good[:2], Sighting(good[2].landmark_id, (math.nan, 3.0))], sigma_deg=0.2
        )
    with pytest.raises(GeometryError, match="sigma"):
        add_resection(c, frame, good, sigma_deg=0.0)
    assert geodata_records.list_observations(c.read(), "resection") == []
    assert len(audit.entries(c.read())) == before


def test_four_bunched_landmarks_leave_the_field_of_view_ambiguous_and_say_so(case, truth):
    # Without the strike point the four landmarks fit a 6 deg field of view from 7 km about
    # as well as the true one: the fit keeps the valley nearest the start value, and flags
    # the result as weak and ambiguous instead of quoting a tight ellipse.
    c, ids = case
    camera = truth["videos"]["video_second"]["segments"][0]["camera"]
    frame, seen = seen_by(truth, camera, ids)
    four = [s for s in seen if s.landmark_id != ids["strike_point"]]
    stored = add_resection(c, frame, four, sigma_deg=0.05, estimate_hfov=True).result()
    r = geodata_records.get_observation(c.read(), stored).result
    assert r["hfov_deg"] == pytest.approx(camera["hfov_deg"], abs=0.01)
    assert not r["well_conditioned"] and "ambiguous" in r["message"]
    assert r["ellipse"]["semi_major_m"] > 100

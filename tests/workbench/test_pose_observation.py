"""Pose observations in a case and ``geoworkbench pose``, against the scenario's truth.

The control points are the truth's landmarks projected through the truth's camera (the
independent numpy pinhole of tests/analysis/test_pose.py); the stored pose must be the
camera, recompute equal from its inputs, draw its camera, cone, lines and target, and refuse
bad input without writing anything.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon, distance_m
from tests.analysis.test_pose import SIZE, cameras, control_points, pixels, world_frame
from tests.analysis.test_pose import truth as truth  # noqa: F401 (the module fixture)
from workbench import cli, geodata_records, observations
from workbench.case import audit, create_case
from workbench.geolayers import build_layers
from workbench.observations import pose_model as m
from workbench.pose_record import add_pose, build_inputs


def points_and_target(truth):
    camera = cameras(truth)["second"]
    pts = [
        m.PosePoint(p.name, p.x_px, p.y_px, p.lat_deg, p.lon_deg, p.height_m)
        for p in control_points(truth, camera)
    ]
    strike = truth["landmarks"]["strike_point"]
    (x, y) = pixels(camera, truth, np.array([strike["enu_m"]]))[0]
    return camera, pts, m.TargetPixel("strike", float(x), float(y)), strike


def plane_height(truth):
    frame = world_frame(truth)

    def height(lat, lon):
        lat, lon = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
        out = np.empty(lat.shape)
        for k, (a, b) in enumerate(zip(lat.ravel(), lon.ravel(), strict=True)):
            e, n, _ = frame.to_enu(LatLon(float(a), float(b)), 0.0)
            out.ravel()[k] = frame.from_enu(e, n, 0.0)[1]
        return out

    return height


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "pose.gwcase")
    yield c
    c.close()


def test_a_stored_pose_is_the_camera_recomputes_equal_and_is_drawn(case, truth):
    camera, pts, target, strike = points_and_target(truth)
    inputs = build_inputs(
        SIZE, pts, sigma_px=0.5, dem_height=plane_height(truth), targets=[target],
        target_sigma_px=0.5, other={"tool": "test"},
    )  # fmt: skip
    assert inputs.terrain is not None and inputs.terrain.rows == 61
    obs_id = add_pose(case, inputs).result()
    row = geodata_records.get_observation(case.read(), obs_id)
    r = row.result
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert distance_m(LatLon(r["lat_deg"], r["lon_deg"]), stood) < 0.01
    assert r["height_m"] == pytest.approx(camera["height_m"], abs=0.01)
    assert r["hfov_deg"] == pytest.approx(camera["hfov_deg"], abs=1e-4)
    [t] = r["targets"]
    # the grid's bilinear ground is within centimetres of the plane at 1 km
    assert (
        distance_m(LatLon(t["lat_deg"], t["lon_deg"]), LatLon(strike["lat_deg"], strike["lon_deg"]))
        < 2.0
    )
    assert m.result_to_json(observations.recompute(row)) == r
    assert row.inputs["tool"] == "test" and row.inputs["schema"] == 1
    entry = audit.entries(case.read())[-1]
    assert entry.action == "observation.pose" and entry.target == f"observation:{obs_id}"
    layers = build_layers(case.read())
    ids = {
        layer: [f["properties"]["id"] for f in layers[layer]["features"]]
        for layer in ("cameras", "wedges", "sightlines", "ellipses")
    }
    prefix = f"observation:{obs_id}"
    assert f"{prefix}:camera" in ids["cameras"] and f"{prefix}:footprint" in ids["wedges"]
    assert sum(i.startswith(f"{prefix}:point:") for i in ids["sightlines"]) == len(pts)
    assert sum(i.startswith(prefix) for i in ids["ellipses"]) == 2  # the point and its ellipse
    section = observations.report_section(row)
    assert "strike" in section.as_text() and "control points" in section.as_text()


def test_bad_poses_are_refused_and_nothing_is_stored(case, truth):
    _, pts, target, _ = points_and_target(truth)
    before = len(audit.entries(case.read()))
    with pytest.raises(GeometryError, match="at least 4"):
        build_inputs(SIZE, pts[:3], estimate_k1=False)
    good = build_inputs(SIZE, pts, ground_height_m=430.0)
    outside = m.TargetPixel("off", SIZE[0] + 5.0, 10.0)
    with pytest.raises(GeometryError, match="outside the 1920 x 1080 frame"):
        add_pose(case, m.PoseInputs(**{**good.__dict__, "targets": (outside,)})).result()
    with pytest.raises(GeometryError, match="needs its ground"):
        add_pose(case, m.PoseInputs(**{**good.__dict__, "ground_height_m": None})).result()
    sky = m.TargetPixel("sky", SIZE[0] / 2, 0.0)
    with pytest.raises(GeometryError, match="does not reach the ground"):
        add_pose(case, m.PoseInputs(**{**good.__dict__, "targets": (sky,)})).result()
    assert geodata_records.list_observations(case.read(), "pose") == []
    assert len(audit.entries(case.read())) == before


def gcp_args(pts, limit=None):
    out = []
    for p in pts[:limit]:
        out += [
            "--gcp",
            f"{p.x_px!r},{p.y_px!r},{p.lat_deg!r},{p.lon_deg!r},{p.height_m!r},{p.name}",
        ]
    return out


def test_the_pose_command_gives_the_camera_and_the_target(tmp_path, truth, capsys):
    camera, pts, target, strike = points_and_target(truth)
    frame = tmp_path / "frame.png"
    Image.new("RGB", SIZE).save(frame)
    argv = ["pose", str(frame), *gcp_args(pts), "--target", f"{target.x_px},{target.y_px},strike"]
    argv += ["--ground-height", str(strike["height_m"]), "--sigma-px", "0.5", "--json"]
    assert cli.main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert (
        distance_m(LatLon(d["lat_deg"], d["lon_deg"]), LatLon(camera["lat_deg"], camera["lon_deg"]))
        < 0.01
    )
    assert d["hfov_deg"] == pytest.approx(50.0, abs=1e-4) and "k1" in d["estimated"]
    assert {"yaw_deg", "pitch_deg", "roll_deg", "height_m"} <= set(d["sigmas"])
    assert [r["name"] for r in d["residuals_px"]] == [p.name for p in pts]
    [t] = d["targets"]
    assert (
        distance_m(LatLon(t["lat_deg"], t["lon_deg"]), LatLon(strike["lat_deg"], strike["lon_deg"]))
        < 0.5
    )
    assert cli.main(argv[:-1]) == 0
    assert "strike:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--limit3"], "at least 4"),
        (["--missing"], "no such file"),
        (["--noheight"], "has no height: give H or --dem"),
        (["--dem", "nowhere.tif"], "no such elevation file"),
    ],
)
def test_the_pose_command_refuses_bad_input_in_one_line(tmp_path, truth, capsys, extra, message):
    _, pts, _, _ = points_and_target(truth)
    frame = tmp_path / "frame.png"
    Image.new("RGB", SIZE).save(frame)
    gcps = gcp_args(pts, 3 if extra == ["--limit3"] else None)
    if extra == ["--noheight"]:
        gcps[1] = ",".join(gcps[1].split(",")[:4])
    target = str(tmp_path / "none.png") if extra == ["--missing"] else str(frame)
    more = extra if extra[0] == "--dem" else []
    assert (
        cli.main(
            ["pose", target, *gcps, *[str(tmp_path / a) if a.endswith(".tif") else a for a in more]]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_heights_and_ground_come_from_the_elevation_model(tmp_path, truth, capsys):
    from workbench.scenario.osm_town import write_map_files

    dem = tmp_path / write_map_files(tmp_path, int(truth["seed"]))["terrain"]["file"]
    camera, pts, target, strike = points_and_target(truth)
    frame = tmp_path / "frame.png"
    Image.new("RGB", SIZE).save(frame)
    argv = ["pose", str(frame), "--dem", str(dem), "--json", "--sigma-px", "0.5"]
    for p in pts:  # the points on the ground take the model's height
        on_ground = p.name in ("school", "water_tower", "descent_ground_point") or "wall" in p.name
        h = "" if on_ground else repr(p.height_m)
        argv += ["--gcp", f"{p.x_px!r},{p.y_px!r},{p.lat_deg!r},{p.lon_deg!r},{h},{p.name}"]
    argv += ["--target", f"{target.x_px},{target.y_px},strike"]
    assert cli.main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["ground"].startswith("elevation model")
    stood = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert distance_m(LatLon(d["lat_deg"], d["lon_deg"]), stood) < 0.5
    [t] = d["targets"]
    hit = LatLon(t["lat_deg"], t["lon_deg"])
    assert distance_m(hit, LatLon(strike["lat_deg"], strike["lon_deg"])) < 2.0


def test_the_pose_command_stores_into_a_case(tmp_path, truth, capsys):
    camera, pts, target, strike = points_and_target(truth)
    frame = tmp_path / "frame.png"
    Image.new("RGB", SIZE).save(frame)
    create_case(tmp_path / "c.gwcase").close()
    argv = ["pose", str(frame), *gcp_args(pts), "--target", f"{target.x_px},{target.y_px},strike"]
    argv += ["--ground-height", "430", "--case", str(tmp_path / "c.gwcase"), "--json"]
    assert cli.main(argv) == 0
    obs_id = json.loads(capsys.readouterr().out)["observation_id"]
    from workbench.case import open_case

    with open_case(tmp_path / "c.gwcase", read_only=True) as case:
        row = geodata_records.get_observation(case.read(), obs_id)
    assert row.kind == "pose" and row.inputs["ground_height_m"] == 430.0
    assert m.result_to_json(observations.recompute(row)) == row.result

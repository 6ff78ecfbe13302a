"""Full 3-D pose against the scenario's exact truth, with an independent pinhole projection.

The scenario generator writes every camera (position, R, field of view) and the town's
landmarks to truth.json. The pixels of the landmarks are projected here with the truth's R
and camera centre (plain numpy, neither the scenario's nor analysis's camera code), at a
1920 x 1080 frame, and the solve must give the camera back.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry.geodesy import EnuFrame, LatLon, distance_m
from analysis.geometry.pose import K1_MIN_POINTS, ControlPoint, solve_pose
from tests.workbench.test_scenario_commands import TINY
from workbench.scenario import generate_scenario

SIZE = (1920, 1080)


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    result = generate_scenario(tmp_path_factory.mktemp("pose"), seed=3, config=TINY)
    return json.loads(result.truth_path.read_text(encoding="utf-8"))


def world_frame(truth: dict) -> EnuFrame:
    o = truth["world"]["origin"]
    return EnuFrame(LatLon(o["lat_deg"], o["lon_deg"]), o["height_m"])


def cameras(truth: dict) -> dict[str, dict]:
    rooftop = truth["videos"]["video_rooftop"]["segments"]
    return {
        "rooftop_wide": rooftop[0]["camera"],
        "rooftop_zoomed": rooftop[1]["camera"],
        "second": truth["videos"]["video_second"]["segments"][0]["camera"],
        "reference_photo": truth["photos"]["reference_tower_photo"]["camera"],
        "drone": truth["photos"]["drone_still"]["camera"],
    }


def ground_points(truth: dict) -> list[tuple[str, np.ndarray]]:
    """The landmarks plus the south-east building's roof and foot corners (world ENU)."""
    frame = world_frame(truth)
    out = []
    for name, m in truth["landmarks"].items():
        enu = frame.to_enu(LatLon(m["lat_deg"], m["lon_deg"]), m["height_m"])
        out.append((name, np.array(enu)))
    se = truth["landmarks"]["building_se"]
    for k, (e, n) in enumerate(se["footprint_en_m"]):
        for z in (0.0, se["height_above_ground_m"]):
            out.append((f"se corner {k} at {z:.0f} m", np.array([e, n, z])))
    school = truth["landmarks"]["school"]
    out.append(("school roof", np.array([*school["enu_m"][:2], school["main_block_roof_m"]])))
    for de, dn in ((-45, -35), (45, -35), (45, 35), (-45, 35)):  # the ground is up = 0
        e, n = school["enu_m"][0] + de, school["enu_m"][1] + dn
        out.append((f"school wall {de} {dn}", np.array([e, n, 0.0])))
    return out


def pixels(camera: dict, truth: dict, points: np.ndarray, k1: float = 0.0) -> np.ndarray:
    """x_cam = R (X - C); pixel = f x/z (1 + k1 r^2) + c. NaN behind the camera."""
    frame = world_frame(truth)
    centre = np.array(
        frame.to_enu(LatLon(camera["lat_deg"], camera["lon_deg"]), camera["height_m"])
    )
    cam = (points - centre) @ np.array(camera["R"]).T
    f = (SIZE[0] / 2) / math.tan(math.radians(camera["hfov_deg"]) / 2)
    z = np.where(cam[:, 2] > 0, cam[:, 2], np.nan)
    x, y = cam[:, 0] / z, cam[:, 1] / z
    s = 1 + k1 * (x * x + y * y)
    return np.stack([f * x * s + (SIZE[0] - 1) / 2, f * y * s + (SIZE[1] - 1) / 2], 1)


def control_points(truth, camera, *, noise_px=0.0, rng=None, k1=0.0, limit=None):
    named = ground_points(truth)
    frame = world_frame(truth)
    pts = np.array([p for _, p in named])
    px = pixels(camera, truth, pts, k1)
    out = []
    for (name, enu), (x, y) in zip(named, px, strict=True):
        if not (np.isfinite(x) and 0 <= x < SIZE[0] and 0 <= y < SIZE[1]):
            continue
        if noise_px:
            x, y = x + rng.normal(0, noise_px), y + rng.normal(0, noise_px)
        ll, h = frame.from_enu(*enu)
        out.append(ControlPoint(float(x), float(y), ll.lat_deg, ll.lon_deg, h, name))
    return out[:limit]


def control_centre(camera: dict, truth: dict) -> tuple[float, float, float]:
    ll = LatLon(camera["lat_deg"], camera["lon_deg"])
    return world_frame(truth).to_enu(ll, camera["height_m"])


def errors(pose, camera, truth) -> tuple[float, float, tuple[float, ...]]:
    """(position error / range, height error, angle errors in the world frame)."""
    o = truth["world"]["origin"]
    ypr = pose.orientation_in(LatLon(o["lat_deg"], o["lon_deg"]))
    want = (camera["yaw_deg"], camera["pitch_deg"], camera["roll_deg"])
    d_ang = tuple(abs((a - b + 180) % 360 - 180) for a, b in zip(ypr, want, strict=True))
    cam_ll = LatLon(camera["lat_deg"], camera["lon_deg"])
    tower = truth["landmarks"]["water_tower"]
    rng = distance_m(cam_ll, LatLon(tower["lat_deg"], tower["lon_deg"]))
    return distance_m(pose.position, cam_ll) / rng, pose.height_m - camera["height_m"], d_ang


@pytest.mark.parametrize(
    "name", ["rooftop_wide", "rooftop_zoomed", "second", "reference_photo", "drone"]
)
def test_exact_pixels_give_every_scenario_camera_back(truth, name):
    camera = cameras(truth)[name]
    pts = control_points(truth, camera)
    assert len(pts) >= K1_MIN_POINTS
    pose = solve_pose(pts, SIZE, sigma_px=0.5)
    rel, dh, d_ang = errors(pose, camera, truth)
    assert rel < 1e-6 and abs(dh) < 0.01
    if name == "drone":  # straight down: roll is folded into yaw (roll 0, as the truth has)
        assert pose.roll_deg == 0.0
    assert max(d_ang) < 1e-4, d_ang
    assert pose.hfov_deg == pytest.approx(camera["hfov_deg"], abs=1e-5)
    assert abs(pose.k1) < 1e-6 and pose.rms_px < 1e-4
    assert "k1" in pose.estimated and "hfov_deg" in pose.estimated


@pytest.mark.parametrize("name", ["rooftop_zoomed", "second", "reference_photo"])
def test_noisy_clicks_land_within_the_reported_covariance(truth, name):
    """Half-pixel clicks on a 1920 px frame, field of view unknown, no k1 (5 seeds).

    How close a noisy solve comes depends on the geometry, not on the solver: with the town
    in a corner of a 15 deg frame 2.8 km away, half a pixel moves the camera by 1-2% of the
    range. What must hold is that the covariance says so.
    """
    camera = cameras(truth)[name]
    frame = world_frame(truth)
    for seed in range(5):
        rng = np.random.default_rng(seed)
        pts = control_points(truth, camera, noise_px=0.5, rng=rng)
        pose = solve_pose(pts, SIZE, sigma_px=0.5, estimate_k1=False)
        rel, _, d_ang = errors(pose, camera, truth)
        assert rel < 0.03 and max(d_ang) < 0.3, (seed, rel, d_ang)
        assert pose.reduced_chi_square is not None and pose.reduced_chi_square < 4
        fit = pose.frame()
        got = np.array(fit.to_enu(pose.position, pose.height_m))
        want = np.array(fit.to_enu(*frame.from_enu(*control_centre(camera, truth))))
        cov = np.array(pose.covariance)[:3, :3]
        assert (got - want) @ np.linalg.solve(cov, got - want) < 16.3  # chi2(3) 0.999


def test_four_points_are_enough_and_k1_needs_six(truth):
    camera = cameras(truth)["second"]
    pts = control_points(truth, camera, limit=4)
    pose = solve_pose(pts, SIZE)
    assert "k1" not in pose.estimated and pose.reduced_chi_square is not None
    rel, _, d_ang = errors(pose, camera, truth)
    assert rel < 1e-5 and max(d_ang) < 1e-3
    with pytest.raises(GeometryError, match="at least 6"):
        solve_pose(pts, SIZE, estimate_k1=True)


def test_radial_distortion_is_recovered(truth):
    camera = cameras(truth)["reference_photo"]
    pts = control_points(truth, camera, k1=-0.08)
    pose = solve_pose(pts, SIZE)
    assert pose.k1 == pytest.approx(-0.08, abs=1e-5)
    assert errors(pose, camera, truth)[0] < 1e-5


def test_a_known_field_of_view_is_kept(truth):
    camera = cameras(truth)["second"]
    pose = solve_pose(control_points(truth, camera), SIZE, hfov_deg=camera["hfov_deg"])
    assert pose.hfov_deg == camera["hfov_deg"] and pose.sigmas["hfov_deg"] is None


def test_covariance_matches_the_scatter_of_noisy_solves(truth):
    """The reported sigma of the height is the spread of 40 noisy solves (within 35%)."""
    camera = cameras(truth)["reference_photo"]
    heights, sigmas = [], []
    for seed in range(40):
        pts = control_points(truth, camera, noise_px=1.0, rng=np.random.default_rng(seed))
        pose = solve_pose(pts, SIZE, sigma_px=1.0, estimate_k1=False)
        heights.append(pose.height_m)
        sigmas.append(pose.sigmas["height_m"])
    assert np.std(heights) == pytest.approx(np.mean(sigmas), rel=0.35)


def bad(n: int, line: bool = False) -> list[ControlPoint]:
    out = []
    for k in range(n):
        y = 500.0 if line else 400.0 + 37.0 * (k % 3)
        out.append(ControlPoint(100.0 + 150.0 * k, y, 35.6 + 0.001 * k, 36.5, 300.0 + 5 * k))
    return out


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (bad(3), "at least 4"),
        (
            [
                ControlPoint(100.0 * k, 50.0 * k + 3 * (k % 2), 35.6, 36.5 + 0.001 * k, 300.0)
                for k in range(5)
            ],
            "control points are collinear",
        ),
        (
            [
                ControlPoint(100.0 * k, 50.0 * (k % 2), 35.6 + 0.001 * (k % 2), 36.5, 300.0)
                for k in range(1)
            ]
            * 4,
            "coincide",
        ),
        (
            [
                ControlPoint(
                    100.0 + k, 400.0 + 2 * k, 35.6 + 0.001 * k, 36.5 + 0.002 * (k % 2), 300
                )
                for k in range(5)
            ],
            "pixels are collinear",
        ),
        ([*bad(4)[:3], ControlPoint(float("nan"), 1.0, 35.6, 36.5, 1.0)], "not a number"),
    ],
)
def test_degenerate_input_is_refused_with_its_reason(points, message):
    with pytest.raises(GeometryError, match=message):
        solve_pose(points, SIZE)


def test_bad_sigma_and_size_are_refused():
    with pytest.raises(GeometryError, match="sigma"):
        solve_pose(bad(5), SIZE, sigma_px=0.0)
    with pytest.raises(GeometryError, match="size"):
        solve_pose(bad(5), (0, 10))

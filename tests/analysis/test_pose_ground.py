"""A posed frame's pixels on the ground: exact on flat ground and on a hill, and 95% ellipses
that hold the truth in 92-98% of noisy trials (the scenario's second camera, 1 km away)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon, distance_m
from analysis.geometry.pose import solve_pose
from analysis.geometry.pose_ground import footprint, project_pixel
from tests.analysis.test_pose import SIZE, cameras, control_points, pixels, world_frame
from tests.analysis.test_pose import truth as truth  # noqa: F401 (the module fixture)


def plane(truth):
    """The scenario's ground: the world frame's plane up = 0, as heights above WGS84."""
    frame = world_frame(truth)

    def height(lat: float, lon: float) -> float:
        e, n, _ = frame.to_enu(LatLon(lat, lon), 0.0)
        return frame.from_enu(e, n, 0.0)[1]

    return height


def hill(truth, centre_en, peak_m=40.0, radius_m=300.0):
    frame = world_frame(truth)

    def up(e, n):
        return peak_m * np.exp(-((e - centre_en[0]) ** 2 + (n - centre_en[1]) ** 2) / radius_m**2)

    def height(lat: float, lon: float) -> float:
        e, n, _ = frame.to_enu(LatLon(lat, lon), 0.0)
        for _ in range(3):  # the up axis is not the local normal: settle e, n at the height
            h = frame.from_enu(e, n, float(up(e, n)))[1]
            e, n, _ = frame.to_enu(LatLon(lat, lon), h)
        return frame.from_enu(e, n, float(up(e, n)))[1]

    return height, up


def test_the_strike_pixel_lands_on_the_strike_point(truth):
    camera = cameras(truth)["second"]
    pose = solve_pose(control_points(truth, camera), SIZE, sigma_px=0.5)
    strike = truth["landmarks"]["strike_point"]
    (x, y) = pixels(camera, truth, np.array([strike["enu_m"]]))[0]
    ground = project_pixel(pose, x, y, plane(truth), pixel_sigma_px=0.5)
    assert distance_m(ground.position, LatLon(strike["lat_deg"], strike["lon_deg"])) < 0.01
    assert ground.height_m == pytest.approx(strike["height_m"], abs=0.01)
    assert ground.ellipse.semi_major_m > ground.ellipse.semi_minor_m > 0.0
    # the ellipse is long along the line of sight (a grazing ray)
    az = (camera["yaw_deg"] + 360) % 180
    assert abs((ground.ellipse.azimuth_deg - az + 90) % 180 - 90) < 25


def first_crossing(truth, camera, up, x, y) -> np.ndarray:
    """The truth's own ray through a pixel, sampled every 0.5 m to its first crossing."""
    frame = world_frame(truth)
    centre = np.array(
        frame.to_enu(LatLon(camera["lat_deg"], camera["lon_deg"]), camera["height_m"])
    )
    f = (SIZE[0] / 2) / math.tan(math.radians(camera["hfov_deg"]) / 2)
    ray = np.array(camera["R"]).T @ [(x - (SIZE[0] - 1) / 2) / f, (y - (SIZE[1] - 1) / 2) / f, 1]
    ray /= np.linalg.norm(ray)
    s = np.arange(0.0, 5000.0, 0.5)
    pts = centre + s[:, None] * ray
    below = np.flatnonzero(pts[:, 2] <= up(pts[:, 0], pts[:, 1]))[0]
    lo, hi = s[below - 1], s[below]
    for _ in range(40):
        mid = (lo + hi) / 2
        p = centre + mid * ray
        lo, hi = (mid, hi) if p[2] > up(p[0], p[1]) else (lo, mid)
    return centre + lo * ray


def test_a_pixel_on_a_hill_meets_the_hill_first(truth):
    camera = cameras(truth)["second"]
    pose = solve_pose(control_points(truth, camera), SIZE, sigma_px=0.5)
    school = truth["landmarks"]["school"]["enu_m"]
    height, up = hill(truth, (school[0] + 20, school[1] - 30))
    for x, y in ((SIZE[0] / 2, SIZE[1] * 0.7), (300.0, 800.0), (1600.0, 900.0)):
        want_enu = first_crossing(truth, camera, up, x, y)
        on_hill = project_pixel(pose, x, y, height)
        want, want_h = world_frame(truth).from_enu(*want_enu)
        assert distance_m(on_hill.position, want) < 0.05
        assert on_hill.height_m == pytest.approx(want_h, abs=0.05)
        flat = project_pixel(pose, x, y, plane(truth))  # without the hill: farther away
        assert flat.range_m > on_hill.range_m


def test_ellipses_hold_the_truth_in_92_to_98_percent_of_noisy_trials(truth):
    camera = cameras(truth)["second"]
    strike = truth["landmarks"]["strike_point"]
    (x, y) = pixels(camera, truth, np.array([strike["enu_m"]]))[0]
    ground_fn = plane(truth)
    rng = np.random.default_rng(16)
    inside, trials = 0, 200
    for _ in range(trials):
        pts = control_points(truth, camera, noise_px=0.7, rng=rng)
        pose = solve_pose(pts, SIZE, sigma_px=0.7, estimate_k1=False)
        clicked = (x + rng.normal(0, 0.7), y + rng.normal(0, 0.7))
        g = project_pixel(pose, *clicked, ground_fn, pixel_sigma_px=0.7)
        fit = pose.frame()
        d = np.subtract(
            fit.to_enu(LatLon(strike["lat_deg"], strike["lon_deg"]), strike["height_m"])[:2],
            fit.to_enu(g.position, g.height_m)[:2],
        )
        inside += d @ np.linalg.solve(np.array(g.covariance_en_m2), d) <= 5.991
    assert 0.92 <= inside / trials <= 0.98, inside / trials


def test_the_footprint_holds_what_the_frame_shows(truth):
    from matplotlib.path import Path as PolyPath

    camera = cameras(truth)["second"]
    pose = solve_pose(control_points(truth, camera), SIZE)
    ring = footprint(pose, plane(truth), far_m=3000.0)
    assert ring[0] == ring[-1] and len(ring) > 20
    poly = PolyPath([(p.lon_deg, p.lat_deg) for p in ring])
    for name in ("strike_point", "school"):
        m = truth["landmarks"][name]
        assert poly.contains_point((m["lon_deg"], m["lat_deg"])), name
    behind = truth["landmarks"]["water_tower"]
    cam_ll = LatLon(camera["lat_deg"], camera["lon_deg"])
    assert max(distance_m(cam_ll, p) for p in ring) <= 3000.0 + 1.0
    del behind


def test_a_pixel_above_the_horizon_never_lands(truth):
    camera = cameras(truth)["second"]
    pose = solve_pose(control_points(truth, camera), SIZE)
    with pytest.raises(GeometryError, match="does not reach the ground"):
        project_pixel(pose, SIZE[0] / 2, 0.0, plane(truth))
    with pytest.raises(GeometryError, match="below the ground"):
        project_pixel(pose, SIZE[0] / 2, SIZE[1] / 2, pose.height_m + 5.0)
    with pytest.raises(GeometryError, match="leaves the elevation model"):
        project_pixel(pose, SIZE[0] / 2, SIZE[1] - 1.0, lambda lat, lon: float("nan"))

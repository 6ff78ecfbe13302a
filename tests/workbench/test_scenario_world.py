"""World georeference, the pinhole camera and shadows, checked with independent code.

geographiclib's Python package has no LocalCartesian, so the independent ENU reference here is
a separate textbook ECEF implementation plus geographiclib's geodesic (Karney 2013).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
from geographiclib.constants import Constants
from geographiclib.geodesic import Geodesic

from workbench.scenario.camera import PinholeCamera
from workbench.scenario.render import render_orthophoto, shadow_polygon_en
from workbench.scenario.scene import (
    ScenarioConfig,
    reference_camera,
    rooftop_cameras,
    second_camera,
)
from workbench.scenario.sun import SunPosition, solar_position
from workbench.scenario.town import SITES, WATER_TOWER_TANK, box
from workbench.scenario.world import build_world


def enu_reference(
    lat0: float, lon0: float, h0: float, lat: float, lon: float, h: float
) -> np.ndarray:
    """ENU by the book: ECEF difference rotated into the origin's tangent plane."""
    a, f = Constants.WGS84_a, Constants.WGS84_f
    e2 = f * (2 - f)

    def ecef(la: float, lo: float, hh: float) -> np.ndarray:
        p, q = math.radians(la), math.radians(lo)
        n = a / math.sqrt(1 - e2 * math.sin(p) ** 2)
        return np.array(
            [
                (n + hh) * math.cos(p) * math.cos(q),
                (n + hh) * math.cos(p) * math.sin(q),
                (n * (1 - e2) + hh) * math.sin(p),
            ]
        )

    d = ecef(lat, lon, h) - ecef(lat0, lon0, h0)
    p, q = math.radians(lat0), math.radians(lon0)
    east = np.array([-math.sin(q), math.cos(q), 0.0])
    north = np.array([-math.sin(p) * math.cos(q), -math.sin(p) * math.sin(q), math.cos(p)])
    up = np.array([math.cos(p) * math.cos(q), math.cos(p) * math.sin(q), math.sin(p)])
    return np.array([d @ east, d @ north, d @ up])


@pytest.fixture(scope="module")
def world():
    return build_world(7, gsd_m=4.0)


def test_enu_round_trip_and_independent_reference(world) -> None:
    for enu in [(-2800.0, 30.0, 20.8), (95.0, 62.0, 28.0), (1200.0, -1300.0, 0.0)]:
        lat, lon, h = world.enu_to_geodetic(*enu)
        assert world.geodetic_to_enu(lat, lon, h) == pytest.approx(enu, abs=1e-6)
        ref = enu_reference(
            world.origin_lat_deg, world.origin_lon_deg, world.origin_height_m, lat, lon, h
        )
        assert ref == pytest.approx(enu, abs=1e-6)


def test_ground_points_agree_with_geodesics(world) -> None:
    lat, lon, _ = world.enu_to_geodetic(-2800.0, 30.0, 0.0)
    inv = Geodesic.WGS84.Inverse(world.origin_lat_deg, world.origin_lon_deg, lat, lon)
    assert inv["s12"] == pytest.approx(math.hypot(2800.0, 30.0), abs=0.5)
    assert inv["azi1"] % 360 == pytest.approx(math.degrees(math.atan2(-2800, 30)) % 360, abs=0.01)


def test_orthophoto_pixels_are_exactly_georeferenced(world) -> None:
    col, row = world.enu_to_pixel(0.0, 0.0)
    assert (col, row) == (-world.east_min_m / world.gsd_m, world.north_max_m / world.gsd_m)
    lat, lon = world.pixel_to_latlon(123.25, 456.5)
    assert world.latlon_to_pixel(lat, lon) == pytest.approx((123.25, 456.5), abs=1e-6)
    e, n = world.pixel_to_enu(col + 10, row + 20)
    assert (e, n) == pytest.approx((10 * world.gsd_m, -20 * world.gsd_m))


@pytest.mark.parametrize(
    "yaw,pitch,roll", [(0, 0, 0), (90.6, -1.5, 0.4), (233, 12, -7), (20, -90, 0), (310, -35, 15)]
)
def test_projection_matches_opencv(yaw: float, pitch: float, roll: float) -> None:
    cam = PinholeCamera((10.0, -20.0, 30.0), yaw, pitch, roll, 55.0, 640, 360)
    r = cam.R
    assert r @ r.T == pytest.approx(np.eye(3), abs=1e-12)
    assert np.linalg.det(r) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    forward = r[2]
    pts = np.asarray(cam.position_enu_m) + forward * 200 + rng.normal(0, 40, (20, 3))
    rvec, _ = cv2.Rodrigues(r)
    expected, _ = cv2.projectPoints(pts, rvec, cam.t, cam.K, None)
    got, depth = cam.project(pts)
    assert np.all(depth > 0)
    assert got == pytest.approx(expected.reshape(-1, 2), abs=1e-6)


def test_angle_conventions() -> None:
    # yaw 90 looks east: a point due east at eye level lands on the principal point.
    cam = PinholeCamera((0.0, 0.0, 10.0), 90.0, 0.0, 0.0, 60.0, 641, 361)
    pix, _ = cam.project(np.array([[500.0, 0.0, 10.0]]))
    assert pix[0] == pytest.approx([320.0, 180.0])
    # pitch up: the horizon point drops in the image; roll right-side-down: right side rises.
    up = cam.with_changes(pitch_deg=5.0).project(np.array([[500.0, 0.0, 10.0]]))[0][0]
    assert up[1] > 180.0
    right = np.array([[500.0, -50.0, 10.0]])  # east-looking camera: south is to the right
    rolled = cam.with_changes(roll_deg=10.0).project(right)[0][0]
    assert rolled[0] > 320.0 and rolled[1] < 180.0
    # straight down with yaw 0: north is up in the image.
    down = PinholeCamera((0.0, 0.0, 100.0), 0.0, -90.0, 0.0, 60.0, 641, 481)
    north = down.project(np.array([[0.0, 10.0, 0.0]]))[0][0]
    assert north[0] == pytest.approx(320.0) and north[1] < 240.0


def test_shadow_length_and_direction() -> None:
    sun = SunPosition(
        azimuth_deg=150.0,
        elevation_deg=30.0,
        elevation_geometric_deg=30.0,
        declination_deg=0.0,
        equation_of_time_min=0.0,
    )
    pole = box("pole", (0.0, 0.0), (0.02, 0.02), 10.0, (0, 0, 0), (0, 0, 0), "test")
    poly = shadow_polygon_en(pole, sun.direction_enu())
    tip = poly[np.argmax(np.hypot(poly[:, 0], poly[:, 1]))]
    assert math.hypot(*tip) == pytest.approx(10.0 / math.tan(math.radians(30.0)), abs=0.05)
    assert math.degrees(math.atan2(tip[0], tip[1])) % 360 == pytest.approx(330.0, abs=0.2)


def test_layout_follows_the_worked_example(world) -> None:
    geod = Geodesic.WGS84
    school = world.enu_to_geodetic(*SITES["school"], 0.0)

    def from_school(e: float, n: float) -> tuple[float, float]:
        lat, lon, _ = world.enu_to_geodetic(e, n, 0.0)
        inv = geod.Inverse(school[0], school[1], lat, lon)
        return inv["s12"], inv["azi1"] % 360

    cfg = ScenarioConfig()
    roof = rooftop_cameras(world, cfg)[0].position_enu_m
    dist, az = from_school(roof[0], roof[1])
    assert dist == pytest.approx(2800.0, abs=100.0) and az == pytest.approx(270.0, abs=3.0)
    dist, az = from_school(*SITES["building_se"])
    assert dist == pytest.approx(170.0, abs=3.0) and az == pytest.approx(135.0, abs=2.0)
    second = second_camera(world, cfg).position_enu_m
    dist, az = from_school(second[0], second[1])
    assert 900.0 < dist < 1100.0 and az == pytest.approx(225.0, abs=10.0)
    ref = reference_camera(world, cfg).position_enu_m
    tower = SITES["water_tower"]
    assert math.hypot(ref[0] - tower[0], ref[1] - tower[1]) == pytest.approx(300.0, abs=1e-6)


def test_orthophoto_shows_tower_and_its_shadow_where_geometry_says(world) -> None:
    """The tank's roof at the tower's pixel; the ground darkened where the sun puts the shadow."""
    from dataclasses import replace

    when = datetime(2016, 9, 30, 8, 10, tzinfo=UTC)
    sun = solar_position(when, world.origin_lat_deg, world.origin_lon_deg)
    tower_only = replace(world, prisms=tuple(p for p in world.prisms if p.kind == "tower"))
    ortho = render_orthophoto(tower_only, sun).astype(float)
    bare = world.ground_rgb.astype(float)
    lat, lon, h = world.enu_to_geodetic(*SITES["water_tower"], 0.0)
    e, n, _ = enu_reference(
        world.origin_lat_deg, world.origin_lon_deg, world.origin_height_m, lat, lon, h
    )

    def rc(east: float, north: float) -> tuple[int, int]:
        col = (east - world.east_min_m) / world.gsd_m
        row = (world.north_max_m - north) / world.gsd_m
        return int(round(row)), int(round(col))

    r, g, b = ortho[rc(e, n)]
    assert g - r > 60 and b - r > 60  # the teal tank seen from above
    az, el = math.radians(sun.azimuth_deg), math.radians(sun.elevation_deg)
    mid = (WATER_TOWER_TANK["base_m"] + WATER_TOWER_TANK["top_m"]) / 2
    reach = mid / math.tan(el)  # the tank's mid-height pushed away from the sun onto the ground
    shadow = rc(e - reach * math.sin(az), n - reach * math.cos(az))
    sunny = rc(e + reach * math.sin(az), n + reach * math.cos(az))
    assert ortho[shadow].sum() < 0.7 * bare[shadow].sum()
    assert ortho[sunny].sum() == pytest.approx(bare[sunny].sum(), rel=0.02)

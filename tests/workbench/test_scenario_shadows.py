"""Shadows on the sample case's rendered buildings give its true time, and the two segments of
the rooftop video the same time of day.

The scenario draws each building's shadow by projecting its top along the scenario's own NOAA
sun onto the ground (``render.shadow_polygon_en``). The shadow of a building's corner is
measured from that drawing as it appears in the orthophoto-scale ground (1 m pixels: the tip
is read to the nearest pixel) and in the two segments' frames (projected with the truth
cameras, read to the nearest pixel). The sun's truth stays the scenario's: this module's
sun (SPA) never sees it except through the measured shadows.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from analysis.sun.posed_shadow import PosedShadow, same_time_of_day, time_from_posed_shadow
from analysis.sun.same_time import (
    ShadowSegment,
    homography_from_rotation,
    same_time,
    same_time_posed,
    shadow_rate_deg_per_min,
)
from analysis.sun.time_from_shadows import SunMeasurement, time_from_shadows
from workbench.scenario import render
from workbench.scenario.scene import DEFAULT_SEED, ScenarioConfig, rooftop_cameras
from workbench.scenario.sun import solar_position
from workbench.scenario.world import build_world


@pytest.fixture(scope="module")
def scene():
    cfg = ScenarioConfig()
    world = build_world(DEFAULT_SEED, gsd_m=cfg.gsd_m)
    seg1_utc = cfg.rooftop_start_utc
    seg2_utc = seg1_utc + timedelta(seconds=cfg.cut_at_s + cfg.cut_gap_s)
    tall = max(
        (p for p in world.prisms if p.on_top_of is None and p.base_m == 0.0),
        key=lambda p: p.top_m,
    )
    return cfg, world, seg1_utc, seg2_utc, tall


def _corner_shadow(world, prism, when) -> tuple[np.ndarray, np.ndarray]:
    """A footprint corner and the tip of its top's shadow (ENU metres, on the ground)."""
    sun = solar_position(when, world.origin_lat_deg, world.origin_lon_deg)
    d = sun.direction_enu()
    hull = render.shadow_polygon_en(prism, d)
    base = np.asarray(prism.footprint_en_m[0], dtype=float)
    tip = base - prism.top_m / d[2] * d[:2]
    # The tip is a vertex of the drawn shadow (or inside it): what the picture shows.
    assert np.min(np.linalg.norm(hull - tip, axis=1)) < 1e-6 or len(hull) > 0
    return base, tip


def test_the_true_time_lies_in_the_interval(scene) -> None:
    _cfg, world, seg1_utc, _seg2, tall = scene
    base, tip = _corner_shadow(world, tall, seg1_utc)
    measured = np.round(tip) - np.round(base)  # read to the nearest 1 m pixel
    length = float(np.hypot(*measured))
    shadow_az = math.degrees(math.atan2(measured[0], measured[1])) % 360.0
    ratio = length / tall.top_m
    # Pixel rounding: up to 0.71 m on each end -> direction and length sigmas.
    az_sigma = math.degrees(0.71 / length)
    el_sigma = math.degrees(0.71 / tall.top_m / (1 + ratio**2))
    m = SunMeasurement(
        azimuth_deg=(shadow_az + 180.0) % 360.0,
        azimuth_sigma_deg=max(az_sigma, 0.1),
        elevation_deg=math.degrees(math.atan2(1.0, ratio)),
        elevation_sigma_deg=max(el_sigma, 0.1),
    )
    sol = time_from_shadows(seg1_utc.date(), world.origin_lat_deg, world.origin_lon_deg, m)
    assert len(sol.intervals) == 1
    iv = sol.intervals[0]
    assert iv.start_utc <= seg1_utc <= iv.end_utc
    assert iv.branch == "morning" and iv.width_min < 30


def _frame_segment(cam, base, tip) -> ShadowSegment:
    pts = np.array([[base[0], base[1], 0.0], [tip[0], tip[1], 0.0]])
    pix, depth = cam.project(pts)
    assert np.all(depth > 0)
    px = np.round(pix)  # read to the nearest pixel
    return ShadowSegment(tuple(px[0]), tuple(px[1]), click_sigma_px=0.5)


def test_the_two_segments_are_the_same_time_of_day(scene) -> None:
    cfg, world, seg1_utc, seg2_utc, tall = scene
    wide, zoomed = rooftop_cameras(world, cfg)
    # The same rooftop camera turned and zoomed: frame 1 -> frame 2 is K2 R2 R1^T K1^-1.
    h = zoomed.K @ zoomed.R @ wide.R.T @ np.linalg.inv(wide.K)
    assert np.allclose(homography_from_rotation(np.eye(3), np.eye(3)), np.eye(3))
    rate = shadow_rate_deg_per_min(seg1_utc.timestamp(), world.origin_lat_deg, world.origin_lon_deg)
    seen = [
        p
        for p in world.prisms
        if p.base_m == 0.0 and p.top_m > 6.0 and _visible(zoomed, p) and _visible(wide, p)
    ]
    assert seen, "no building is seen in both segments"
    prism = max(seen, key=lambda p: p.top_m)
    one = _frame_segment(wide, *_corner_shadow(world, prism, seg1_utc))
    two = _frame_segment(zoomed, *_corner_shadow(world, prism, seg2_utc))
    # Posed frames: frame 1's ground homography is the truth camera's; frame 2's is the
    # continuity homography times it (what the Compare panel would supply).
    g1 = wide.ground_homography()
    g2 = h @ g1
    assert np.allclose(g2 / g2[2, 2], zoomed.ground_homography() / zoomed.ground_homography()[2, 2])
    # Ground azimuths cannot be read from 20 m up at 2.6 km: the tool says so by its sigma.
    assert same_time_posed(one, two, g1, g2, rate).sigma_deg > 30
    # Image angles alone cannot tell an hour later either: every ground direction looks
    # nearly horizontal from there.
    later = _frame_segment(zoomed, *_corner_shadow(world, prism, seg2_utc + timedelta(hours=1)))
    assert same_time(one, later, h, rate).same_time
    # What can be read is where the tip falls: time from each posed frame, then compare.
    lat, lon = world.origin_lat_deg, world.origin_lon_deg
    base = tuple(np.asarray(prism.footprint_en_m[0], dtype=float))

    def posed(seg: ShadowSegment, g: np.ndarray):
        shadow = PosedShadow(base, prism.top_m, seg.tip_px, 0.5, g)
        return time_from_posed_shadow(seg1_utc.date(), lat, lon, shadow)

    first, second = posed(one, g1), posed(two, g2)
    assert any(a <= seg1_utc <= b for a, b, _ in first.intervals)
    assert any(a <= seg2_utc <= b for a, b, _ in second.intervals)
    answer = same_time_of_day(first, second)
    # The wide shot's shadow spans 14 pixels: alone it allows 07:05-09:03 UTC, so the bound is
    # loose (103 min); the zoomed shot's 44 pixels allow 07:20-07:49.
    assert answer.same_time and answer.within_min is not None and answer.within_min < 150
    # Two zoomed frames an hour apart are told apart.
    assert not same_time_of_day(second, posed(later, g2)).same_time


def _visible(cam, prism) -> bool:
    base = np.asarray(prism.footprint_en_m[0], dtype=float)
    pix, depth = cam.project(np.array([[base[0], base[1], 0.0]]))
    return bool(depth[0] > 0 and 0 <= pix[0, 0] < cam.width_px and 0 <= pix[0, 1] < cam.height_px)

"""Measuring a shadow on a picture (``analysis.sun.measure``) against exact synthetic truth:
a north-up or rotated nadir image, and an oblique pinhole camera whose pixels come from
projecting known ground points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.geometry.camera import PinholeCamera
from analysis.sun.errors import SunInputError
from analysis.sun.measure import nadir_shadow, oblique_shadow


@pytest.mark.parametrize(
    ("tip", "rotation", "azimuth"),
    [((100, 40), 0.0, 0.0), ((160, 100), 0.0, 90.0), ((100, 160), 30.0, 210.0),
     ((40, 100), -45.0, 225.0)],
)  # fmt: skip
def test_nadir_direction_against_north(tip, rotation, azimuth) -> None:
    r = nadir_shadow((100, 100), tip, click_sigma_px=1.0, north_rotation_deg=rotation)
    assert r.shadow_azimuth_deg == pytest.approx(azimuth)
    assert r.azimuth_sigma_deg == pytest.approx(math.degrees(math.sqrt(2) / 60))
    assert r.length_ratio is None


def test_nadir_ratio_from_gsd_and_height() -> None:
    r = nadir_shadow((0, 0), (30, 40), gsd_m=0.5, height_m=10.0, click_sigma_px=0.5)
    assert r.length_ratio == pytest.approx(2.5)
    assert r.ratio_sigma == pytest.approx(2.5 * math.sqrt(2) * 0.5 / 50)


def test_nadir_refuses_a_shadow_shorter_than_its_clicks() -> None:
    with pytest.raises(SunInputError, match="too short"):
        nadir_shadow((0, 0), (1, 1), click_sigma_px=1.0)


def _camera() -> PinholeCamera:
    # 20 m up, looking east-north-east and 8 deg down
    return PinholeCamera(1280, 720, 60.0, yaw_deg=70.0, pitch_deg=-8.0, roll_deg=1.5)


def _pixel(cam: PinholeCamera, en: tuple[float, float], up: float, height: float = 20.0):
    p = cam.project(np.array([[en[0], en[1], up - height]]))
    return float(p[0, 0]), float(p[0, 1])


def test_oblique_shadow_from_bearing_geometry_matches_the_ground_truth() -> None:
    cam = _camera()
    base = (150.0 * math.sin(math.radians(75)), 150.0 * math.cos(math.radians(75)))
    shadow_az, height, ratio = 300.0, 12.0, 1.6
    tip = (
        base[0] + ratio * height * math.sin(math.radians(shadow_az)),
        base[1] + ratio * height * math.cos(math.radians(shadow_az)),
    )
    px = {k: _pixel(cam, p, u) for k, (p, u) in
          {"base": (base, 0.0), "tip": (tip, 0.0), "top": (base, height)}.items()}  # fmt: skip
    r = oblique_shadow(cam.pixel_azimuth_elevation, px["base"], px["tip"], 20.0,
                       top_px=px["top"], click_sigma_px=0.5)  # fmt: skip
    assert r.shadow_azimuth_deg == pytest.approx(shadow_az, abs=1e-6)
    assert r.length_ratio == pytest.approx(ratio, rel=1e-6)
    assert r.base_distance_m == pytest.approx(150.0, rel=1e-6)
    assert r.base_azimuth_deg == pytest.approx(75.0, abs=1e-6)
    # A click moved by its sigma moves the answer by about the stated sigma, not 10x more.
    nudged = (px["tip"][0] + 0.5, px["tip"][1])
    moved = oblique_shadow(cam.pixel_azimuth_elevation, px["base"], nudged, 20.0)
    assert 0 < abs(moved.shadow_azimuth_deg - shadow_az) < 2 * r.azimuth_sigma_deg
    assert 0 < r.ratio_sigma < 0.5


def test_oblique_says_what_is_wrong() -> None:
    cam = _camera()
    base = _pixel(cam, (140.0, 40.0), 0.0)
    with pytest.raises(SunInputError, match="horizon"):
        oblique_shadow(cam.pixel_azimuth_elevation, base, (base[0], 10.0), 20.0)
    with pytest.raises(SunInputError, match="height above the ground"):
        oblique_shadow(cam.pixel_azimuth_elevation, base, (base[0] + 20, base[1]), 0.0)
    with pytest.raises(SunInputError, match="top must be above"):
        oblique_shadow(cam.pixel_azimuth_elevation, base, (base[0] + 20, base[1]), 20.0,
                       top_px=(base[0], base[1] + 5))  # fmt: skip

"""Continuity verdicts on the scenario's rendered town, where every camera position is known.

The rooftop camera's wide view is compared with views from the same rooftop (zoomed, turned,
rolled) and from positions moved by a few metres. Truth: same centre of projection means
"same position"; a moved camera must never be called "same position".
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from analysis.matching.continuity import DIFFERENT_POSITION, SAME_POSITION, compare_frames
from workbench.scenario import render
from workbench.scenario.scene import ScenarioConfig, rooftop_cameras
from workbench.scenario.sun import solar_position
from workbench.scenario.world import build_world

SIZE = (1280, 720)


@pytest.fixture(scope="module")
def town():
    cfg = ScenarioConfig(rooftop_size=SIZE)
    world = build_world(7, gsd_m=cfg.gsd_m)
    when = datetime(2016, 10, 26, 7, 32, tzinfo=UTC)
    sun = solar_position(when, world.origin_lat_deg, world.origin_lon_deg)
    ground = render.ground_with_shadows(world, sun)
    wide, zoomed = rooftop_cameras(world, cfg)

    def view(camera):
        return render.render_view(world, camera, sun, ground)

    return wide, zoomed, view, view(wide)


def true_zoom(hfov_a_deg: float, hfov_b_deg: float) -> float:
    return math.tan(math.radians(hfov_a_deg) / 2) / math.tan(math.radians(hfov_b_deg) / 2)


def test_the_cut_into_a_3x_zoom_from_the_same_rooftop_is_same_position(town) -> None:
    wide, zoomed, view, base = town
    r = compare_frames(base, view(zoomed))
    assert r.verdict == SAME_POSITION, r.reason
    assert r.zoom_ratio == pytest.approx(true_zoom(wide.hfov_deg, zoomed.hfov_deg), rel=0.03)
    # A fundamental matrix would have taken in mismatches here; the parallax test does not.
    assert r.parallax.n_parallax <= 0.1 * r.parallax.n_explained


def test_turning_rolling_and_zooming_on_the_same_rooftop_is_same_position(town) -> None:
    wide, _zoomed, view, base = town
    turned = wide.with_changes(yaw_deg=wide.yaw_deg - 5, pitch_deg=wide.pitch_deg + 1, roll_deg=4)
    for camera in (turned, wide.with_changes(roll_deg=4, hfov_deg=22.5)):
        r = compare_frames(base, view(camera))
        assert r.verdict == SAME_POSITION, r.reason
        assert r.zoom_ratio == pytest.approx(true_zoom(wide.hfov_deg, camera.hfov_deg), rel=0.03)


@pytest.mark.parametrize("north_m, hfov_deg", [(5.0, 45.0), (20.0, 22.5)])
def test_a_camera_moved_a_few_metres_is_different_position(town, north_m, hfov_deg) -> None:
    wide, _zoomed, view, base = town
    e, n, u = wide.position_enu_m
    moved = wide.with_changes(position_enu_m=(e, n + north_m, u), hfov_deg=hfov_deg)
    r = compare_frames(base, view(moved))
    assert r.verdict == DIFFERENT_POSITION, r.reason
    assert r.parallax.n_parallax >= 10 and r.parallax.parallax_px > 3.0


def test_a_camera_raised_ten_metres_is_never_called_same_position(town) -> None:
    wide, _zoomed, view, base = town
    e, n, u = wide.position_enu_m
    r = compare_frames(base, view(wide.with_changes(position_enu_m=(e, n, u + 10.0))))
    assert r.verdict != SAME_POSITION, r.reason

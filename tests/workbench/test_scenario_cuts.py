"""Cuts between shots of one place in one light, measured against the scenario's edit.

The edit (``workbench.scenario.edits.same_light_shots``) splices seven shots of the scenario's
town at the strike's moment: the rooftop camera wide and zoomed 3x, the same rooftop 8 m
further north turned 10 degrees (the same scene from another angle), the rooftop turned 12
degrees (the same place, another pan) and the second camera 1 km south-west, wide and zoomed.
Truth: the first frame of every shot but the first is a cut, and nothing else is: not the slow
pan, the flash and plume, the zoom-in or the whip-pan inside the shots.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from analysis.video.cuts import CUT_SCORE_MIN, detect_cuts
from analysis.video.cuts_features import extract_features
from workbench.scenario import render
from workbench.scenario.edits import Shot, render_edit, same_light_shots
from workbench.scenario.media import write_mp4
from workbench.scenario.scene import ScenarioConfig
from workbench.scenario.sun import solar_position
from workbench.scenario.town import SITES
from workbench.scenario.world import build_world

SIZE = (256, 144)
FPS = 25


@pytest.fixture(scope="module")
def edit(tmp_path_factory):
    world = build_world(7, gsd_m=2.0)
    sun = solar_position(ScenarioConfig().strike_utc, world.origin_lat_deg, world.origin_lon_deg)
    shots = same_light_shots(world, SIZE)
    edited = render_edit(
        world,
        shots,
        sun,
        fps=FPS,
        strike_enu=(*SITES["strike_point"], 0.0),
        rng=np.random.default_rng(7),
    )
    path = tmp_path_factory.mktemp("edit") / "same_light.mp4"
    write_mp4(path, edited.frames, fps=Fraction(FPS), size=SIZE, audio=None, sample_rate=48000)
    return world, sun, shots, edited, path


def test_every_cut_between_same_light_shots_is_found_and_nothing_else(edit) -> None:
    *_, edited, path = edit
    result = detect_cuts(path)
    assert [(c.frame, c.kind) for c in result.cuts] == [(f, "cut") for f in edited.cut_frames]
    assert result.cuts[0].pts_s == pytest.approx(edited.cut_frames[0] / FPS)
    assert all(0 < c.score <= 1 for c in result.cuts)


def test_the_edit_holds_cuts_that_colour_cannot_find(edit) -> None:
    """The class under test: at some cuts the colours barely change (below what the rule
    that needs colour and structure to agree asks for), while inside the shots the camera
    moves, zooms and sees the flash."""
    *_, edited, path = edit
    feats = extract_features(path)
    faint = [f for f in edited.cut_frames if feats.hist_dist[f] / 0.5 < CUT_SCORE_MIN]
    assert len(faint) >= 2, [round(float(feats.hist_dist[f]), 3) for f in edited.cut_frames]
    moving = [f for s in edited.shots for f in s["moving_frames"]]
    assert len(moving) >= 20 and any(s["flash_frames"] for s in edited.shots)


def test_the_edit_truth_is_the_frames(edit) -> None:
    """Shots tile the video, cuts start shots, and a frame warped from a shot's master view
    is the picture that camera renders directly (up to resampling and sensor noise)."""
    world, sun, shots, edited, _ = edit
    firsts = [s["first_frame"] for s in edited.shots]
    assert firsts[0] == 0 and tuple(firsts[1:]) == edited.cut_frames
    assert edited.shots[-1]["last_frame"] == len(edited.frames) - 1
    ground = render.ground_with_shadows(world, sun)
    for shot, truth in zip(shots, edited.shots, strict=True):
        if shot.end_camera is None:
            continue
        last = shot.frames - 1
        direct = render.render_view(world, shot.camera_at(last), sun, ground).astype(float)
        got = edited.frames[truth["first_frame"] + last].astype(float)
        assert np.abs(direct - got).mean() < 3.5, truth["name"]
    flash = [f for s in edited.shots for f in s["flash_frames"]]
    means = np.array([f.mean() for f in edited.frames])
    assert int(np.argmax(means)) == flash[0]


def test_a_shot_cannot_move_its_camera_centre(edit) -> None:
    """Warping one master view is exact only for a camera turning or zooming about its centre."""
    world, *_ = edit
    shot = same_light_shots(world, SIZE)[0]
    e, n, u = shot.camera.position_enu_m
    moved = shot.camera.with_changes(position_enu_m=(e + 5.0, n, u))
    with pytest.raises(ValueError, match="centre"):
        Shot("walking", shot.camera, 10, end_camera=moved)

"""Flash to bang: the scenario's videos, synthetic bangs at known distances over real sound."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from analysis.audio.decode import decode_audio
from analysis.audio.flashbang import (
    FlashBangError,
    default_air_temperature_c,
    flash_bang,
    speed_of_sound_mps,
)
from analysis.audio.measure import AudioTooShortError, measure_flash_bang
from analysis.audio.onset import strongest_onset
from tests.synth import audio as synth
from workbench.scenario import ScenarioConfig, generate_scenario

SR = 48000
SMALL = ScenarioConfig(
    rooftop_size=(320, 180), rooftop_fps=Fraction(10), second_size=(320, 180),
    second_fps=Fraction(10), still_size=(160, 120), photo_size=(320, 240), gsd_m=4.0,
    write_orthophoto=False, crf=28,
)  # fmt: skip


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    generate_scenario(out, seed=11, config=SMALL)
    return out


@dataclass(frozen=True)
class Trial:
    """One bang: where, when, the camera's frame grid, how loud, and the true air."""

    distance_m: float
    flash_s: float
    fps: float
    phase_s: float
    gain: float
    temperature_c: float  # the truth; the analysis is told 20 +/- 1 C


def _trial(rng: np.random.Generator) -> Trial:
    fps = float(rng.choice([24.0, 25.0, 30.0, 29.97]))
    return Trial(rng.uniform(150, 1600), rng.uniform(0.3, 0.8), fps, rng.uniform(0, 1 / fps),
                 rng.uniform(0.15, 1.0), rng.normal(20.0, 1.0))  # fmt: skip


def _run(trial: Trial, background: np.ndarray, tmp: Path, rng: np.random.Generator):
    c = speed_of_sound_mps(trial.temperature_c)
    bang_at = trial.flash_s + trial.distance_m / c
    bang_samples = round(bang_at * SR)
    sound = synth.with_bang(background, SR, bang_samples / SR, rng, gain=trial.gain)
    path = synth.write_audio(tmp / "bang.m4a", sound, SR)
    track = decode_audio(path)
    # the first frame at or after the flash, on a frame grid with a random phase
    dt = 1.0 / trial.fps
    n = math.ceil((trial.flash_s - trial.phase_s) / dt - 1e-12)
    pts = trial.phase_s + n * dt
    onset = strongest_onset(track, after_s=pts)
    got = flash_bang(flash_frame=n, flash_pts_s=pts, frame_duration_s=dt, bang=onset,
                     temperature_c=20.0, temperature_sigma_c=1.0)  # fmt: skip
    true_m = (bang_samples / SR - trial.flash_s) * c
    return got, true_m


def _trials(count: int, seed: int, tmp: Path) -> int:
    background = synth.drone_background(SR)
    rng = np.random.default_rng(seed)
    held = 0
    for _ in range(count):
        trial = _trial(rng)
        got, true_m = _run(trial, background, tmp, rng)
        frame_m = got.speed_of_sound_mps / trial.fps
        assert abs(got.distance_m - true_m) <= 0.03 * true_m + frame_m, (trial, got)
        lo, hi = got.distance_ci95_m
        held += lo <= true_m <= hi
    return held


def test_synthetic_bangs_over_drone_sound_are_within_3_percent(tmp_path):
    _trials(20, 7, tmp_path)


@pytest.mark.slow
def test_the_95_percent_interval_holds_the_truth_in_92_to_98_percent_of_trials(tmp_path):
    trials = 200
    held = _trials(trials, 18, tmp_path)
    assert 0.92 * trials <= held <= 0.98 * trials, held


def test_scenario_second_camera(scenario_dir):
    import json

    truth = json.loads((scenario_dir / "truth.json").read_text())["videos"]["video_second"]
    got = measure_flash_bang(scenario_dir / truth["file"], truth["flash"]["frames"][0],
                             temperature_c=truth["bang"]["air_temperature_c"])  # fmt: skip
    true_m = truth["bang"]["slant_distance_m"]
    assert abs(got.bang_s - truth["bang"]["file_time_s"]) < 0.002
    assert abs(got.distance_m - true_m) <= 0.03 * true_m + 343.0 / truth["fps"]
    # The scenario's flash starts exactly at its first frame's time (the edge of the frame
    # interval the model draws from) and its sound travels at a flat 343.0 m/s: check the
    # delay, which the frame interval must hold.
    earliest = got.bang_s - got.flash_pts_s
    assert earliest - 0.002 <= truth["bang"]["delay_s"] <= earliest + got.frame_duration_s


def test_scenario_rooftop_refuses_a_cut_between_flash_and_bang(scenario_dir):
    import json

    truth = json.loads((scenario_dir / "truth.json").read_text())["videos"]["video_rooftop"]
    with pytest.raises(FlashBangError, match="edit cut"):
        measure_flash_bang(scenario_dir / truth["file"], truth["flash"]["frames"][0],
                           temperature_c=20.0)  # fmt: skip


def test_video_with_a_flash_frame_end_to_end(tmp_path):
    rng = np.random.default_rng(3)
    background = synth.drone_background(SR)
    fps, flash = 25, 10
    distance = 900.0
    bang_at = flash / fps + distance / speed_of_sound_mps(20.0)
    sound = synth.with_bang(background, SR, bang_at, rng)
    frames = int(len(background) / SR * fps) - 2
    path = synth.write_flash_video(tmp_path / "v.mp4", sound, SR, frames=frames, fps=fps,
                                   flash_frame=flash)  # fmt: skip
    got = measure_flash_bang(path, flash, temperature_c=20.0)
    assert abs(got.distance_m - distance) <= 0.03 * distance + 343 / fps
    assert got.distance_ci95_m[0] <= distance <= got.distance_ci95_m[1]


def test_bad_input(tmp_path):
    rng = np.random.default_rng(4)
    background = synth.drone_background(SR)
    sound = synth.with_bang(background, SR, 1.0, rng)
    fps = 25
    frames = int(len(background) / SR * fps) - 2
    path = synth.write_flash_video(tmp_path / "late.mp4", sound, SR, frames=frames, fps=fps,
                                   flash_frame=50)  # fmt: skip
    with pytest.raises(FlashBangError, match="after its bang"):
        measure_flash_bang(path, 50, temperature_c=20.0, check_cuts=False)
    with pytest.raises(FlashBangError, match="300 C"):
        measure_flash_bang(path, 5, temperature_c=300.0)
    short = synth.write_flash_video(tmp_path / "short.mp4", sound[: SR], SR, frames=frames,
                                    fps=fps, flash_frame=5)  # fmt: skip
    with pytest.raises(AudioTooShortError, match="audio ends"):
        measure_flash_bang(short, 5, temperature_c=20.0, check_cuts=False)


def test_speed_and_default_temperature():
    assert speed_of_sound_mps(20.0) == pytest.approx(343.2, abs=0.1)
    assert speed_of_sound_mps(0.0) == pytest.approx(331.3)
    from datetime import datetime

    summer = default_air_temperature_c(35.6, datetime(2016, 7, 20))
    winter = default_air_temperature_c(35.6, datetime(2016, 1, 20))
    assert 20 < summer < 35 and 0 < winter < 15
    assert default_air_temperature_c(None, None) == 15.0


def test_the_analyst_picks_the_bang_among_the_proposed_ones(tmp_path):
    rng = np.random.default_rng(4)
    background = synth.drone_background(SR)
    fps, flash = 25, 10
    near, far = 600.0, 1500.0  # two bangs: the louder one first
    c = speed_of_sound_mps(20.0)
    sound = synth.with_bang(background, SR, flash / fps + near / c, rng)
    sound = synth.with_bang(sound, SR, flash / fps + far / c, rng, gain=0.5)
    frames = int(len(background) / SR * fps) - 2
    path = synth.write_flash_video(tmp_path / "v.mp4", sound, SR, frames=frames, fps=fps,
                                   flash_frame=flash)  # fmt: skip
    first = measure_flash_bang(path, flash, temperature_c=20.0, check_cuts=False)
    picked = measure_flash_bang(path, flash, temperature_c=20.0, check_cuts=False,
                                bang_near_s=flash / fps + far / c + 0.1)  # fmt: skip
    assert abs(first.distance_m - near) <= 0.03 * near + c / fps
    assert abs(picked.distance_m - far) <= 0.03 * far + c / fps
    with pytest.raises(FlashBangError, match="not after the flash"):
        measure_flash_bang(path, flash, temperature_c=20.0, check_cuts=False, bang_near_s=0.1)
    with pytest.raises(FlashBangError, match="no sharp sound within"):
        measure_flash_bang(path, flash, temperature_c=20.0, check_cuts=False,
                           bang_near_s=flash / fps + 2.5)  # fmt: skip

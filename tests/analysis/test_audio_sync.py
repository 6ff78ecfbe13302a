"""Syncing two recordings by sound: cuts of one recording, re-encoded differently."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analysis.audio.decode import NoAudioError, SilentAudioError, decode_audio
from analysis.audio.sync import offset_from_shared_event, sync_videos
from tests.synth import audio as synth

SR = 48000


@dataclass(frozen=True)
class Encoding:
    suffix: str
    codec: str
    bitrate: int
    rate_hz: int


ENCODINGS = (
    Encoding(".m4a", "aac", 128_000, 48000),
    Encoding(".mp3", "libmp3lame", 64_000, 22050),
    Encoding(".ogg", "libopus", 32_000, 48000),
    Encoding(".m4a", "aac", 48_000, 44100),
    Encoding(".wav", "pcm_s16le", 0, 16000),
)


def _pair(rng: np.random.Generator, tmp: Path, k: int) -> tuple[Path, Path, float]:
    rec = synth.recording(18.0, SR, rng)
    start_b = int(round(rng.uniform(0.3, 6.0) * SR))
    a = rec[: int(rng.uniform(8, 11) * SR)]
    b = rec[start_b : start_b + int(rng.uniform(8, 11) * SR)].copy()
    b += rng.normal(0, rng.uniform(0.01, 0.08), len(b)).astype(np.float32)
    ea, eb = rng.choice(len(ENCODINGS), 2, replace=False)
    ea, eb = ENCODINGS[ea], ENCODINGS[eb]
    pa = synth.write_audio(tmp / f"a{k}{ea.suffix}", a, SR, codec=ea.codec, bitrate=ea.bitrate,
                           out_rate_hz=ea.rate_hz)  # fmt: skip
    pb = synth.write_audio(tmp / f"b{k}{eb.suffix}", b, SR, codec=eb.codec, bitrate=eb.bitrate,
                           out_rate_hz=eb.rate_hz)  # fmt: skip
    # A sound at A's time t was recorded at t; in B it is at t - start_b.
    return pa, pb, -start_b / SR


def test_offset_within_one_frame_in_95_percent_of_trials(tmp_path):
    rng = np.random.default_rng(2016)
    trials, good = 24, 0
    for k in range(trials):
        pa, pb, truth = _pair(rng, tmp_path, k)
        got = sync_videos(pa, pb)
        if got.matched and abs(got.offset_s - truth) <= 1 / 30:
            good += 1
    assert good >= 0.95 * trials


def test_interval_is_tight_and_holds(tmp_path):
    rng = np.random.default_rng(5)
    pa, pb, truth = _pair(rng, tmp_path, 0)
    got = sync_videos(pa, pb)
    assert got.matched
    assert got.offset_ci95_s[0] - 0.002 <= truth <= got.offset_ci95_s[1] + 0.002
    assert got.offset_ci95_s[1] - got.offset_ci95_s[0] < 0.02


def test_unrelated_audio_is_no_match(tmp_path):
    for seed in range(4):
        a = synth.recording(10.0, SR, np.random.default_rng(100 + seed), drone=False)
        b = synth.recording(10.0, SR, np.random.default_rng(200 + seed), drone=False)
        pa = synth.write_audio(tmp_path / f"u{seed}a.m4a", a, SR)
        pb = synth.write_audio(tmp_path / f"u{seed}b.m4a", b, SR)
        got = sync_videos(pa, pb)
        assert not got.matched, got
        assert got.offset_s is None


def test_shared_event_offset():
    offset, ci = offset_from_shared_event(1.0, 0.01, 0.6, 0.01)
    assert offset == pytest.approx(-0.4)
    assert ci[0] < -0.4 < ci[1]


def test_decode_is_aligned_and_bad_tracks_are_named(tmp_path):
    rng = np.random.default_rng(1)
    bg = synth.drone_background(SR)
    sound = synth.with_bang(bg * 0.1, SR, 2.0, rng)
    path = synth.write_flash_video(tmp_path / "v.mp4", sound, SR, frames=100, fps=25,
                                   flash_frame=None)  # fmt: skip
    track = decode_audio(path)
    assert track.sample_rate_hz == SR and track.samples.dtype == np.float32
    onset = int(np.argmax(np.abs(track.samples) > 0.3))
    assert abs(track.time_of(onset) - 2.0) < 0.002
    silent = synth.write_flash_video(tmp_path / "s.mp4", np.zeros(SR * 4, np.float32), SR,
                                     frames=100, fps=25, flash_frame=None)  # fmt: skip
    with pytest.raises(SilentAudioError, match="silent"):
        decode_audio(silent)
    mute = synth.write_flash_video(tmp_path / "m.mp4", None, SR, frames=25, fps=25,
                                   flash_frame=None)  # fmt: skip
    with pytest.raises(NoAudioError, match="no audio track"):
        decode_audio(mute)


def test_a_video_clock_starts_at_its_first_frame(tmp_path):
    # drone-sky.mp4: sound from 0.0566 s, first frame at 0.1343 s on the container clock, so
    # its sound starts 0.0777 s before the video's time 0; the same sound alone starts at 0.
    alone = synth.write_audio(tmp_path / "alone.m4a", synth.drone_background(SR), SR)
    got = sync_videos(synth.DRONE, alone)
    assert got.matched
    assert got.offset_s == pytest.approx(0.134333 - 0.056644, abs=0.0005)

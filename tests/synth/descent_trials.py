"""One randomised descent trial end to end: render, track, register, fit, judge.

Used by tests/analysis/test_descent_trials.py (a few dozen trials, marked slow) and by
bench/bench_track.py (200 trials). The analyst's mark is the truth at frame 0 (a point); the
scale given is exact (frame 0's pixels per metre).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from analysis.descent.analyse import INCONCLUSIVE, DescentInputError, TrackSample, analyse_descent
from analysis.descent.scale import stated
from analysis.tracking.video_track import Mark, track_frames
from tests.synth.descent import G, random_spec, render


@dataclass(frozen=True)
class TrialResult:
    kind: str
    verdict: str
    reason: str
    rate_m_s: float
    rate_ci95: tuple[float, float]
    truth_rate_m_s: float
    accel_m_s2: float
    errors_px: np.ndarray  # per truth frame; inf where the track has no point
    seconds: float
    frames: int
    px_per_m: float = 0.0
    duration_s: float = 0.0
    accel_ci95: tuple[float, float] = (0.0, 0.0)

    @property
    def right(self) -> bool:
        return self.verdict == self.kind

    @property
    def wrong(self) -> bool:
        return self.verdict not in (self.kind, INCONCLUSIVE)


def run_trial(
    seed: int, kind: str, background: np.ndarray, *, size=(640, 360), method: str = "template"
) -> TrialResult:
    rng = np.random.default_rng(seed)
    spec = random_spec(rng, kind, size=size)
    r = render(spec, background, rng)
    x0, y0 = r.truth_xy[0]
    started = time.perf_counter()
    track = track_frames(r.frames, [Mark(0, float(x0), float(y0))], r.times_s, method=method)
    seconds = time.perf_counter() - started
    errors = np.full(len(r.truth_xy), np.inf)
    for p in track.points:
        errors[p.frame_index] = float(
            np.hypot(p.x_px - r.truth_xy[p.frame_index, 0], p.y_px - r.truth_xy[p.frame_index, 1])
        )
    samples = [
        TrackSample(p.frame_index, p.pts_s, p.bg_x_px, p.bg_y_px)
        for p in track.points
        if p.bg_x_px is not None and p.usable_for_rates
    ]
    t_mid = (samples[-1].pts_s - samples[0].pts_s) / 2 + samples[0].pts_s if samples else 0.0
    truth_rate = spec.rate0_m_s + (G * t_mid if kind == "free fall" else 0.0)
    try:
        d = analyse_descent(samples, scale=stated(r.ref_px_per_m), frames_spanned=len(r.truth_xy))
    except DescentInputError as exc:
        return TrialResult(
            kind,
            INCONCLUSIVE,
            str(exc),
            0.0,
            (0.0, 0.0),
            truth_rate,
            0.0,
            errors,
            seconds,
            len(r.frames),
        )
    return TrialResult(
        kind,
        d.verdict,
        d.reason,
        d.rate.value,
        (d.rate.low, d.rate.high),
        truth_rate,
        d.acceleration.value,
        errors,
        seconds,
        len(r.frames),
        r.ref_px_per_m,
        d.duration_s,
        (d.acceleration.low, d.acceleration.high),
    )

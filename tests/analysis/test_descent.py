"""Descent fits, scale and verdict on exact synthetic heights (no video): the maths alone."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.descent.analyse import (
    FREE_FALL,
    INCONCLUSIVE,
    RETARDED,
    DescentInputError,
    TrackSample,
    analyse_descent,
)
from analysis.descent.fit import CV, DRAG, G_M_S2, fit_models, t_quantile_975
from analysis.descent.scale import ScaleInputError, from_camera, from_length, stated, up_vector


def samples(t: np.ndarray, down_px: np.ndarray, roll_deg: float = 0.0) -> list[TrackSample]:
    ux, uy = up_vector(roll_deg)
    return [
        TrackSample(i, float(tt), float(100 - d * ux), float(50 - d * uy))
        for i, (tt, d) in enumerate(zip(t, down_px, strict=True))
    ]


@dataclass(frozen=True)
class Case:
    name: str
    rate0_m_s: float
    accel_m_s2: float
    duration_s: float
    expected: str


CASES = [
    Case("canopy 8 m/s", 8.0, 0.0, 4.0, RETARDED),
    Case("canopy 25 m/s", 25.0, 0.0, 3.0, RETARDED),
    Case("bomb released", 0.0, G_M_S2, 3.0, FREE_FALL),
    Case("bomb at 40 m/s", 40.0, G_M_S2, 2.0, FREE_FALL),
    Case("bomb near terminal velocity", 250.0, 0.0, 3.0, INCONCLUSIVE),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_verdicts_with_exact_scale(case: Case) -> None:
    rng = np.random.default_rng(7)
    t = np.arange(0, case.duration_s, 1 / 30)
    s = 2.0
    down = s * (case.rate0_m_s * t + 0.5 * case.accel_m_s2 * t * t) + rng.normal(0, 0.3, len(t))
    d = analyse_descent(samples(t, down, roll_deg=8.0), scale=stated(s), roll_deg=8.0)
    assert d.verdict == case.expected, d.reason
    truth = case.rate0_m_s + case.accel_m_s2 * t[-1] / 2
    assert d.rate.low <= truth <= d.rate.high
    assert abs(d.rate.value - truth) < 0.02 * truth
    assert d.unit == "m" and all(math.isfinite(v) for v in d.heights)


def test_no_scale_gives_px_and_says_why() -> None:
    t = np.arange(0, 3, 1 / 25)
    d = analyse_descent(samples(t, 30 * t), scale=None)
    assert d.unit == "px" and d.verdict == INCONCLUSIVE
    assert "no metric scale" in d.reason
    assert abs(d.rate.value - 30) < 1e-6


def test_aicc_prefers_the_true_model() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0, 6, 1 / 30)
    vt, g = 30.0, G_M_S2
    h = -(vt * vt / g) * np.log(np.cosh(g * t / vt)) + rng.normal(0, 0.05, len(t))
    best = fit_models(t, h, metric=True)[0]
    assert best.name == DRAG
    assert abs(best.param("terminal_velocity")[0] - vt) < 0.5
    flat = fit_models(t, -12 * t + rng.normal(0, 0.05, len(t)), metric=True)
    assert flat[0].name == CV or flat[0].aicc - min(f.aicc for f in flat) < 2


def test_t_quantile() -> None:
    assert t_quantile_975(10) == pytest.approx(2.228, abs=2e-3)
    assert t_quantile_975(30) == pytest.approx(2.042, abs=1e-3)
    assert t_quantile_975(1000) == pytest.approx(1.962, abs=1e-3)


def test_camera_scale_with_pitch_and_its_uncertainty() -> None:
    s = from_camera(1000.0, 60.0, 1280, pitch_deg=30.0, distance_sigma_m=50.0)
    focal = 640 / math.tan(math.radians(30))
    assert s.px_per_m == pytest.approx(focal * math.cos(math.radians(30)) / 1000)
    assert s.relative_sigma == pytest.approx(0.05)
    assert from_length(2.0, 10.0).px_per_m == 5.0


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: from_camera(-5, 60, 640), "positive"),
        (lambda: from_camera(500, 200, 640), "between 0 and 180"),
        (lambda: from_camera(500, 60, 640, pitch_deg=95), "pitch"),
        (lambda: from_camera(float("nan"), 60, 640), "positive"),
        (lambda: stated(0), "positive"),
        (lambda: from_length(3, -1), "positive"),
    ],
)
def test_absurd_scale_inputs_are_refused(call, words: str) -> None:
    with pytest.raises(ScaleInputError, match=words):
        call()


def test_bad_tracks_are_refused_with_a_reason() -> None:
    t = np.arange(0, 3, 1 / 30)
    with pytest.raises(DescentInputError, match="at least 8"):
        analyse_descent(samples(t[:5], 10 * t[:5]), scale=None)
    s = samples(t, 10 * t)
    s[10], s[11] = s[11], s[10]
    with pytest.raises(DescentInputError, match="out of order"):
        analyse_descent(s, scale=None)
    with pytest.raises(DescentInputError, match="lost on most"):
        analyse_descent(samples(t, 10 * t), scale=None, frames_spanned=1000)
    with pytest.raises(DescentInputError, match="lasts"):
        analyse_descent(samples(t[:12], 10 * t[:12]), scale=None)

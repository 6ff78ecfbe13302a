"""From a stabilised track to a descent rate, an acceleration and a verdict.

Heights are the track's background coordinates projected on the world's up direction (roll),
relative to the first usable point, scaled to metres when a scale is known. Frames flagged as
duplicated or blended, and points without a time or a registered background, are left out.
Times are pts seconds. The models of analysis.descent.fit are compared by AICc; the rate is
the chosen model's descent speed at the middle of the track, its interval widened by a
systematic position error (``SYSTEMATIC_PX``) at both ends; the acceleration always comes
from the constant-acceleration fit (downward positive) so that the verdict rests on one
measured number with its interval:

- free fall: the acceleration's 95% interval lies above ``FREE_FALL_MIN_G`` g;
- retarded: the interval lies within +-``CONSTANT_MAX_G`` g (or wholly below it: slowing
  down) and the rate's interval lies below ``RETARDED_MAX_M_S``, far from the speeds a
  free-falling bomb reaches;
- inconclusive otherwise, saying why: too few frames, no metric scale, an interval too wide,
  or a constant speed fast enough to be a bomb at terminal velocity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from analysis.descent.fit import CA, G_M_S2, ModelFit, fit_models, t_quantile_975
from analysis.descent.scale import Scale, up_vector
from analysis.errors import WorkbenchError

MIN_POINTS = 8
MIN_DURATION_S = 0.8
FREE_FALL_MIN_G = 0.3
CONSTANT_MAX_G = 0.3
RETARDED_MAX_M_S = 60.0
SYSTEMATIC_PX = 0.1
"""One-sigma error of a track position that does not average out over frames (template
drift with the object's changing size, registration of a slowly zooming background):
calibrated on the synthetic trials (tests/synth/descent_trials.py), where the bulk of the
end-to-end displacement errors were 0.1-0.2 px while the fit alone claimed 0.03."""
FREE_FALL, RETARDED, INCONCLUSIVE = "free fall", "retarded", "inconclusive"


class DescentInputError(WorkbenchError):
    """A track that cannot be fitted, saying what is missing."""


@dataclass(frozen=True)
class TrackSample:
    """One usable point: time, background position, frame."""

    frame_index: int
    pts_s: float
    bg_x_px: float
    bg_y_px: float


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def to_list(self) -> list[float]:
        return [self.low, self.high]


@dataclass(frozen=True)
class Descent:
    """The measured descent (units: "m" or "px"; rates per second)."""

    unit: str
    n_points: int
    duration_s: float
    t0_pts_s: float
    models: tuple[ModelFit, ...]  # best first
    rate: Interval  # descent speed at mid-track, unit/s, downward positive
    acceleration: Interval  # unit/s^2, downward positive (constant-acceleration fit)
    verdict: str
    reason: str
    carried_by: tuple[str, ...]
    scale: Scale | None
    times_s: tuple[float, ...]
    heights: tuple[float, ...]  # unit, upward positive, relative to the first point
    frames: tuple[int, ...]


def _interval(value: float, se: float, df: int, extra_rel: float = 0.0) -> Interval:
    se_total = math.hypot(se, abs(value) * extra_rel)
    q = t_quantile_975(df)
    return Interval(value, value - q * se_total, value + q * se_total)


def velocity(fit: ModelFit, t: float) -> tuple[float, float]:
    """Descent speed of ``fit`` at time ``t`` and its standard error (numerical delta)."""
    p = np.asarray(fit.params)

    def v(q: np.ndarray) -> float:
        dt = 1e-4
        a = replace(fit, params=tuple(q)).predict(np.array([t - dt, t + dt]))
        return float(-(a[1] - a[0]) / (2 * dt))

    value = v(p)
    grad = np.zeros(len(p))
    for i in range(len(p)):
        d = np.zeros(len(p))
        d[i] = max(1e-6, 1e-6 * abs(p[i]))
        grad[i] = (v(p + d) - v(p - d)) / (2 * d[i])
    var = float(grad @ np.asarray(fit.cov) @ grad)
    return value, math.sqrt(max(0.0, var))


def check_samples(samples: list[TrackSample], frames_spanned: int) -> None:
    """Refuse a track that cannot carry a fit (message says what is missing)."""
    if len(samples) < MIN_POINTS:
        raise DescentInputError(
            f"the track has {len(samples)} usable points; at least {MIN_POINTS} are needed "
            "(track more frames, or correct the tracker where it lost the object)"
        )
    for a, b in zip(samples, samples[1:], strict=False):
        if not b.pts_s > a.pts_s:
            raise DescentInputError(
                f"timestamps out of order: frame {b.frame_index} at {b.pts_s:g} s does not "
                f"follow frame {a.frame_index} at {a.pts_s:g} s"
            )
    if frames_spanned > 0 and len(samples) < 0.5 * frames_spanned:
        raise DescentInputError(
            f"the object was found on {len(samples)} of the {frames_spanned} frames it spans: "
            "lost on most of them; correct the track before measuring"
        )
    if samples[-1].pts_s - samples[0].pts_s < MIN_DURATION_S:
        raise DescentInputError(
            f"the track lasts {samples[-1].pts_s - samples[0].pts_s:.2f} s; at least "
            f"{MIN_DURATION_S} s is needed to tell a speed from an acceleration"
        )


def analyse_descent(
    samples: list[TrackSample],
    *,
    scale: Scale | None,
    roll_deg: float = 0.0,
    frames_spanned: int = 0,
) -> Descent:
    """Fit the models and give the verdict (see the module docstring).

    Raises:
        DescentInputError: too few points, timestamps out of order, object lost on most frames.
    """
    check_samples(samples, frames_spanned)
    ux, uy = up_vector(roll_deg)
    t0 = samples[0].pts_s
    t = np.array([s.pts_s - t0 for s in samples])
    x = np.array([s.bg_x_px for s in samples])
    y = np.array([s.bg_y_px for s in samples])
    h = (x - x[0]) * ux + (y - y[0]) * uy
    k = 1.0 / scale.px_per_m if scale is not None else 1.0
    rel = scale.relative_sigma if scale is not None else 0.0
    h = h * k
    models = tuple(fit_models(t, h, metric=scale is not None))
    if not models:
        raise DescentInputError("no model could be fitted to the track (degenerate times)")
    best = models[0]
    t_mid = float(t[-1] / 2)
    v, v_se = velocity(best, t_mid)
    # Both ends of the track carry the systematic error: a rate error of sqrt(2) sigma / T.
    sys_se = math.sqrt(2) * SYSTEMATIC_PX * k / float(t[-1])
    rate = _interval(v, math.hypot(v_se, sys_se), best.n - best.k, rel)
    ca = next(m for m in models if m.name == CA)
    a, a_se = ca.param("acceleration")
    accel = _interval(a, a_se, ca.n - ca.k, rel)
    verdict, reason, carried = _verdict(scale, rate, accel, len(samples), float(t[-1]))
    return Descent(
        unit="m" if scale is not None else "px",
        n_points=len(samples),
        duration_s=float(t[-1]),
        t0_pts_s=t0,
        models=models,
        rate=rate,
        acceleration=accel,
        verdict=verdict,
        reason=reason,
        carried_by=carried,
        scale=scale,
        times_s=tuple(float(v) for v in t),
        heights=tuple(float(v) for v in h),
        frames=tuple(s.frame_index for s in samples),
    )


def _verdict(
    scale: Scale | None, rate: Interval, accel: Interval, n: int, duration_s: float
) -> tuple[str, str, tuple[str, ...]]:
    basis = f"{n} frames over {duration_s:.2f} s"
    if scale is None:
        return (
            INCONCLUSIVE,
            "no metric scale: rates are in px/s and cannot be compared with g; give the "
            "distance and field of view, a reference length or the object's size",
            (basis,),
        )
    acc = f"acceleration {accel.value:.2f} m/s2 (95%: {accel.low:.2f} to {accel.high:.2f})"
    spd = f"rate {rate.value:.1f} m/s (95%: {rate.low:.1f} to {rate.high:.1f})"
    carried = (acc, spd, f"scale {scale.px_per_m:.4g} px/m from the {scale.source}", basis)
    if accel.low > FREE_FALL_MIN_G * G_M_S2:
        return FREE_FALL, f"accelerating downward: {acc}, near g = 9.81 m/s2", carried
    steady = accel.high < CONSTANT_MAX_G * G_M_S2 and accel.low > -3 * G_M_S2
    if steady and rate.high < RETARDED_MAX_M_S and rate.low > 0:
        return (
            RETARDED,
            f"near-constant speed well below free-fall speeds: {spd}, {acc}",
            carried,
        )
    if steady:
        return (
            INCONCLUSIVE,
            f"constant speed, but fast ({spd}): a bomb near terminal velocity also looks constant",
            carried,
        )
    return (
        INCONCLUSIVE,
        f"{acc} neither excludes free fall nor a constant speed; a longer track or a "
        "closer view would decide",
        carried,
    )

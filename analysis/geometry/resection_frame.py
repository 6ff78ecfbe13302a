"""Resection from pixels: landmarks clicked in one frame, optionally with an unknown field of view.

``analysis.geometry.resection`` works on horizontal directions. Here the directions come from the
pixels: the frame's pinhole camera (size, horizontal field of view, pixel aspect) is levelled
on two horizon pixels when given (``analysis.geometry.camera.level_from_horizon``), and each pixel's
ray gives the azimuth it would have if the optical axis pointed north
(``frame_directions_deg``); a resection's orientation is then the optical axis's azimuth.

The field of view of a phone video is rarely known (no EXIF, digital zoom). With four or more
landmarks it can be estimated with the position: the directions scale with the field of view,
so the fit minimises the chi-square of the resection over it (a log-spaced grid from 2 to
150 degrees, every valley refined by golden-section search; of valleys that fit equally well
the one nearest the start value is taken and the ambiguity reported), and the covariance of
(east, north, orientation, field of view) comes from the joint Jacobian: the resection's own
columns plus the derivative of every direction with respect to the field of view (central
differences). The position's ellipse then includes what the field of view's uncertainty adds.
With exactly four landmarks there is no redundancy left: the residuals are zero and only the
a priori sigmas speak for the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry.camera import PinholeCamera, level_from_horizon
from analysis.geometry.ellipse import error_ellipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection import DirectionObservation, Resection, linearise, resect

Pixel = tuple[float, float]
HFOV_RANGE_DEG = (2.0, 150.0)
_GRID_POINTS = 60
_GOLDEN_STEPS = 40
_RIVAL_CHI_SQUARE = 4.0  # another valley within this chi-square of the best is a rival
_HFOV_STEP_DEG = 1e-4


@dataclass(frozen=True)
class FrameModel:
    """The picture the pixels were clicked in: size, field of view, aspect, horizon."""

    width_px: int
    height_px: int
    hfov_deg: float  # the known value, or the start when it is estimated
    pixel_aspect: float = 1.0
    horizon_px: tuple[Pixel, Pixel] | None = None

    def __post_init__(self) -> None:
        if self.width_px <= 0 or self.height_px <= 0:
            raise GeometryError(f"image size {self.width_px}x{self.height_px} is not positive")
        if not 0.0 < self.hfov_deg < 180.0:
            raise GeometryError(f"horizontal field of view {self.hfov_deg} deg not in (0, 180)")

    def camera(self, hfov_deg: float | None = None) -> PinholeCamera:
        """The camera at ``hfov_deg`` (default: the model's), levelled when a horizon is set.

        Raises:
            GeometryError: for an impossible field of view or coincident horizon pixels.
        """
        hfov = self.hfov_deg if hfov_deg is None else hfov_deg
        cam = PinholeCamera(self.width_px, self.height_px, hfov, pixel_aspect=self.pixel_aspect)
        return cam if self.horizon_px is None else level_from_horizon(cam, *self.horizon_px)


@dataclass(frozen=True)
class FrameResection:
    """A resection from pixels, with the field of view and the levelling it used."""

    resection: Resection
    hfov_deg: float
    hfov_sigma_deg: float | None  # None when the field of view was given
    pitch_deg: float
    roll_deg: float
    directions_deg: tuple[float, ...]


def frame_directions_deg(camera: PinholeCamera, pixels: Sequence[Pixel]) -> list[float]:
    """Horizontal directions of pixels of one frame (see the module doc).

    The camera's pitch and roll are kept and its yaw set to zero. A tilted camera that was not
    levelled bends the directions of pixels far from the image centre.
    """
    level = camera.oriented(0.0, camera.pitch_deg, camera.roll_deg)
    return [level.pixel_azimuth_elevation(x, y)[0] for x, y in pixels]


def resect_frame(
    frame: FrameModel,
    landmarks: Sequence[LatLon],
    pixels: Sequence[Pixel],
    *,
    sigma_deg: float,
    names: Sequence[str] | None = None,
    estimate_hfov: bool = False,
    confidence: float = 0.95,
) -> FrameResection:
    """The camera position from landmarks clicked in one frame (see the module doc).

    Raises:
        GeometryError: for too few landmarks (three, four to estimate the field of view), a
            geometry with no solution, or no field of view in range that gives one.
    """
    if len(landmarks) != len(pixels):
        raise GeometryError(f"{len(landmarks)} landmarks but {len(pixels)} pixels")
    labels = list(names) if names is not None else [f"landmark {k + 1}" for k in range(len(pixels))]

    def observations(hfov: float) -> list[DirectionObservation]:
        directions = frame_directions_deg(frame.camera(hfov), pixels)
        return [
            DirectionObservation(m, d, sigma_deg, n)
            for m, d, n in zip(landmarks, directions, labels, strict=True)
        ]

    if not estimate_hfov:
        obs = observations(frame.hfov_deg)
        fix = resect(obs, confidence=confidence)
        return _result(frame, fix, frame.hfov_deg, None, obs)
    if len(pixels) < 4:
        raise GeometryError(
            f"estimating the field of view needs at least four landmarks, got {len(pixels)}"
        )
    hfov, rival = _best_hfov(lambda h: _chi_square(observations, h, confidence), frame.hfov_deg)
    obs = observations(hfov)
    fix = resect(obs, confidence=confidence)
    fix, hfov_sigma = _with_hfov_uncertainty(fix, obs, observations, hfov, confidence)
    if rival is not None:
        fix = replace(
            fix,
            well_conditioned=False,
            message=f"{fix.message}; ambiguous: a field of view of {rival:.1f} deg fits "
            "nearly as well (add a landmark or give the field of view)",
        )
    return _result(frame, fix, hfov, hfov_sigma, obs)


def _result(
    frame: FrameModel,
    fix: Resection,
    hfov: float,
    hfov_sigma: float | None,
    obs: Sequence[DirectionObservation],
) -> FrameResection:
    cam = frame.camera(hfov)
    return FrameResection(
        fix, hfov, hfov_sigma, cam.pitch_deg, cam.roll_deg, tuple(o.direction_deg for o in obs)
    )


def _chi_square(observations, hfov: float, confidence: float) -> float:
    try:
        return resect(observations(hfov), confidence=confidence).chi_square
    except GeometryError:
        return math.inf


def _best_hfov(cost, start_deg: float) -> tuple[float, float | None]:
    """The field of view that fits best, and a rival that fits nearly as well (or None).

    A log-spaced grid finds the valleys; every interior local minimum is refined by
    golden-section search (the true valley can be narrower than the grid step, so the
    lowest grid point is not enough). A minimum at either end of the range is a degenerate
    fit (the camera running off to infinity as the field of view narrows) and is not used.
    Valleys within ``_RIVAL_CHI_SQUARE`` of the lowest fit equally well: the one nearest the
    start value (EXIF or the analyst's) is taken and the nearest other one is the rival.
    """
    lo, hi = (math.log(v) for v in HFOV_RANGE_DEG)
    grid = np.linspace(lo, hi, _GRID_POINTS)
    costs = np.array([cost(math.exp(g)) for g in grid])
    valleys = [
        k
        for k in range(1, len(grid) - 1)
        if math.isfinite(costs[k]) and costs[k] <= costs[k - 1] and costs[k] <= costs[k + 1]
    ]
    if not valleys:
        raise GeometryError(
            "no field of view between "
            f"{HFOV_RANGE_DEG[0]:g} and {HFOV_RANGE_DEG[1]:g} deg fits these landmarks"
        )
    # the refined minimum, or the grid point itself if the search found nothing better
    refined = [
        min(_golden(cost, grid[k - 1], grid[k + 1]), (costs[k], math.exp(grid[k]))) for k in valleys
    ]
    lowest = min(c for c, _ in refined)
    fitting = sorted(
        (abs(math.log(h / start_deg)), h) for c, h in refined if c - lowest < _RIVAL_CHI_SQUARE
    )
    return fitting[0][1], (fitting[1][1] if len(fitting) > 1 else None)


def _golden(cost, a: float, b: float) -> tuple[float, float]:
    """(chi-square, hfov) at the minimum of ``cost`` between log-hfovs ``a`` and ``b``."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = cost(math.exp(c)), cost(math.exp(d))
    for _ in range(_GOLDEN_STEPS):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = cost(math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = cost(math.exp(d))
    h = math.exp((a + b) / 2.0)
    return cost(h), h


def _with_hfov_uncertainty(
    fix: Resection,
    obs: Sequence[DirectionObservation],
    observations,
    hfov: float,
    confidence: float,
) -> tuple[Resection, float]:
    """The fix with the covariance of the joint fit (east, north, orientation, hfov)."""
    jac, _res, geos = linearise(obs, fix.position, math.radians(fix.orientation_deg))
    step = _HFOV_STEP_DEG
    up = [o.direction_deg for o in observations(hfov + step)]
    down = [o.direction_deg for o in observations(hfov - step)]
    # The observed directions move with the field of view; in linearise's convention (the
    # derivative of what is subtracted from them) its column is minus their derivative.
    d_dir = [
        ((u - w + 180.0) % 360.0 - 180.0) / (2.0 * step) for u, w in zip(up, down, strict=True)
    ]
    full = np.column_stack([jac, -np.radians(d_dir)])
    weights = np.array([1.0 / math.radians(o.sigma_deg) ** 2 for o in obs])
    normal = (full.T * weights) @ full
    scale = 1.0 / np.sqrt(np.diag(normal))  # metres, radians and degrees side by side
    if np.linalg.cond(normal * np.outer(scale, scale)) > 1e12:
        raise GeometryError(
            "the field of view cannot be told apart from the position with these landmarks"
        )
    cov = np.linalg.inv(normal)
    ellipse = error_ellipse(cov[:2, :2], confidence)
    mean_range = float(np.mean([g.distance_m for g in geos]))
    ok = ellipse.semi_major_m <= 0.25 * mean_range
    message = (
        f"resection from {len(obs)} landmarks with the field of view estimated"
        if ok
        else "weak geometry: with the field of view unknown the landmarks do not fix the "
        f"camera; the {confidence:.0%} extent is {ellipse.semi_major_m:.0f} m"
    )
    joint = replace(
        fix,
        orientation_sigma_deg=math.degrees(math.sqrt(float(cov[2, 2]))),
        covariance_enu_m2=(
            (float(cov[0, 0]), float(cov[0, 1])),
            (float(cov[1, 0]), float(cov[1, 1])),
        ),
        ellipse=ellipse,
        degrees_of_freedom=len(obs) - 4,
        well_conditioned=ok,
        message=message,
    )
    return joint, math.sqrt(float(cov[3, 3]))

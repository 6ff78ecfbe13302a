"""Camera position from the horizontal directions to three or more known landmarks.

The surveyor's three-point problem (Snellius-Pothenot), solved as least squares with
directions rather than angles: each landmark i seen in one frame gives a horizontal direction
d_i (degrees, clockwise, any common zero, e.g. from ``analysis.geometry.camera``), and
az(camera -> landmark_i) = omega + d_i with an unknown orientation omega. Unknowns are the
camera's east/north position and omega; measuring directions keeps the observations
independent (the angles between landmarks share errors). Three landmarks fix the camera
exactly, more give redundancy and residuals.

The start comes from a search over omega: for each omega the camera is the least-squares
crossing of the lines through the landmarks (tangent plane), keeping only crossings with
every landmark in front. Gauss-Newton then works on geodesic azimuths on WGS84. Moving the
camera (end point 2 of the geodesic landmark -> camera) by d metres to the right of the
arrival azimuth alpha2 turns alpha2 by d * M21 / m12 (Karney, J. Geodesy 2013, section 3).
The covariance is the inverse weighted normal matrix with the a priori sigmas. When the
camera lies near the circle through three landmarks ("danger circle") the position is
undetermined: the fit raises GeometryError or reports ``well_conditioned`` False.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse, error_ellipse
from analysis.geometry.geodesy import EnuFrame, LatLon

_MAX_ITER = 60
_STEP_TOL_M = 1e-5
_GRID_STEP_DEG = 0.25


@dataclass(frozen=True)
class DirectionObservation:
    """A landmark of known position and its measured horizontal direction in the frame."""

    landmark: LatLon
    direction_deg: float  # clockwise, common arbitrary zero for all observations of a frame
    sigma_deg: float = 0.2
    name: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.direction_deg):
            raise GeometryError(f"direction to {self.name or 'a landmark'} is not finite")
        if not (self.sigma_deg > 0.0 and math.isfinite(self.sigma_deg)):
            raise GeometryError(f"direction sigma {self.sigma_deg} deg must be positive")


@dataclass(frozen=True)
class Resection:
    """The camera position and orientation that best explain the observed directions.

    ``orientation_deg`` is the azimuth of direction zero: azimuth = orientation + direction.
    """

    position: LatLon
    orientation_deg: float
    orientation_sigma_deg: float
    covariance_enu_m2: tuple[tuple[float, float], tuple[float, float]]
    ellipse: ErrorEllipse
    residuals_deg: tuple[float, ...]  # observed minus computed direction, per observation
    chi_square: float
    degrees_of_freedom: int
    well_conditioned: bool
    message: str


def resect(
    observations: Sequence[DirectionObservation],
    *,
    initial: LatLon | None = None,
    confidence: float = 0.95,
    max_relative_extent: float = 0.25,
) -> Resection:
    """Camera position from directions to three or more landmarks (least squares).

    Args:
        observations: Three or more landmarks with directions measured in one frame.
        initial: Optional start position; by default a search over the orientation finds it.
        confidence: Probability content of the position ellipse.
        max_relative_extent: ``well_conditioned`` is False when the ellipse's semi-major axis
            exceeds this fraction of the mean distance to the landmarks.

    Returns:
        The Resection; check ``well_conditioned`` before quoting the ellipse.

    Raises:
        GeometryError: for fewer than three landmarks, coincident landmarks, no position
            with every landmark in front, or a singular (danger-circle) geometry.
    """
    if len(observations) < 3:
        raise GeometryError(f"resection needs at least three landmarks, got {len(observations)}")
    start, omega = _start(observations) if initial is None else (initial, None)
    if omega is None:
        omega = _orientation_at(observations, start)
    position, omega, jac, res, geos = _gauss_newton(observations, start, omega)
    weights = np.array([1.0 / math.radians(o.sigma_deg) ** 2 for o in observations])
    normal = (jac.T * weights) @ jac
    if np.linalg.cond(normal) > 1e14:
        raise GeometryError("the camera lies on the circle through the landmarks (danger circle)")
    cov = np.linalg.inv(normal)
    ellipse = error_ellipse(cov[:2, :2], confidence)
    mean_range = float(np.mean([g.distance_m for g in geos]))
    ok = ellipse.semi_major_m <= max_relative_extent * mean_range
    message = (
        f"resection from {len(observations)} landmarks"
        if ok
        else "weak geometry: the camera is near the circle through the landmarks or the "
        f"directions are too close; the {confidence:.0%} extent is {ellipse.semi_major_m:.0f} m"
    )
    return Resection(
        position=position,
        orientation_deg=geodesy.normalize_azimuth_deg(math.degrees(omega)),
        orientation_sigma_deg=math.degrees(math.sqrt(float(cov[2, 2]))),
        covariance_enu_m2=(
            (float(cov[0, 0]), float(cov[0, 1])),
            (float(cov[1, 0]), float(cov[1, 1])),
        ),
        ellipse=ellipse,
        residuals_deg=tuple(math.degrees(r) for r in res),
        chi_square=float(np.sum(weights * res**2)),
        degrees_of_freedom=len(observations) - 3,
        well_conditioned=ok,
        message=message,
    )


def _orientation_at(observations: Sequence[DirectionObservation], p: LatLon) -> float:
    """Mean of az(p -> landmark) - direction, as a circular mean, in radians."""
    diffs = [
        math.radians(geodesy.azimuth_deg(p, o.landmark) - o.direction_deg) for o in observations
    ]
    return math.atan2(sum(map(math.sin, diffs)), sum(map(math.cos, diffs)))


def _start(observations: Sequence[DirectionObservation]) -> tuple[LatLon, float]:
    """Search omega on a grid; for each, cross the lines through the landmarks in a plane."""
    frame = EnuFrame(observations[0].landmark)
    pts = np.array([frame.to_enu(o.landmark)[:2] for o in observations])
    if np.ptp(pts, axis=0).max() < 1e-3:
        raise GeometryError("the landmarks coincide")
    d = np.radians([o.direction_deg for o in observations])
    omegas = np.radians(np.arange(0.0, 360.0, _GRID_STEP_DEG))
    az = omegas[:, None] + d[None, :]  # (grid, n): azimuth camera -> landmark
    ux, uy = np.sin(az), np.cos(az)
    nx, ny = uy, -ux  # normals of the lines
    rhs = nx * pts[:, 0] + ny * pts[:, 1]
    a11, a22, a12 = (nx * nx).sum(1), (ny * ny).sum(1), (nx * ny).sum(1)
    b1, b2 = (nx * rhs).sum(1), (ny * rhs).sum(1)
    det = a11 * a22 - a12 * a12
    good = det > 1e-9 * (a11 + a22) ** 2
    det = np.where(good, det, 1.0)
    ce = (a22 * b1 - a12 * b2) / det
    cn = (a11 * b2 - a12 * b1) / det
    along = (pts[:, 0] - ce[:, None]) * ux + (pts[:, 1] - cn[:, None]) * uy
    good &= np.all(along > 0.0, axis=1)
    perp = (nx * ce[:, None] + ny * cn[:, None] - rhs) / np.maximum(along, 1e-9)
    cost = np.where(good, (perp**2).sum(1), np.inf)
    best = int(np.argmin(cost))
    if not np.isfinite(cost[best]):
        raise GeometryError("no camera position has every landmark in front of it")
    position, _ = frame.from_enu(float(ce[best]), float(cn[best]))
    return position, float(omegas[best])


def linearise(
    observations: Sequence[DirectionObservation], p: LatLon, omega: float
) -> tuple[np.ndarray, np.ndarray, list[geodesy.GeodesicInverse]]:
    """Jacobian of the computed directions (east m, north m, orientation rad), residuals
    (observed - computed, rad) and the geodesics landmark -> camera at ``p``."""
    rows, res, geos = [], [], []
    for o in observations:
        g = geodesy.inverse(o.landmark, p)
        if g.reduced_length_m < 1e-3:
            raise GeometryError(f"the camera coincides with landmark {o.name or o.landmark}")
        a2 = math.radians(g.azimuth2_deg)
        k = g.scale21 / g.reduced_length_m
        rows.append((k * math.cos(a2), -k * math.sin(a2), -1.0))
        computed = g.azimuth2_deg + 180.0 - math.degrees(omega)
        res.append(math.radians(geodesy.angle_difference_deg(o.direction_deg, computed)))
        geos.append(g)
    return np.array(rows), np.array(res), geos


def _gauss_newton(
    observations: Sequence[DirectionObservation], p: LatLon, omega: float
) -> tuple[LatLon, float, np.ndarray, np.ndarray, list[geodesy.GeodesicInverse]]:
    weights = np.array([1.0 / math.radians(o.sigma_deg) ** 2 for o in observations])
    for _ in range(_MAX_ITER):
        jac, res, geos = linearise(observations, p, omega)
        jw = jac.T * weights
        try:
            step = np.linalg.solve(jw @ jac, jw @ res)
        except np.linalg.LinAlgError as exc:
            raise GeometryError(
                "the camera lies on the circle through the landmarks (danger circle)"
            ) from exc
        p = geodesy.offset(p, float(step[0]), float(step[1]))
        omega += float(step[2])
        if math.hypot(step[0], step[1]) < _STEP_TOL_M:
            # Below 10 um the linear prediction of the residuals is exact to (step / range)^2.
            return p, omega, jac, res - jac @ step, geos
    raise GeometryError(f"the resection did not converge in {_MAX_ITER} iterations")

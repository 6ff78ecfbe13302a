"""Position from bearings: ray intersection and least squares on the WGS84 ellipsoid.

A bearing ray leaves a known origin along a geodesic with a measured azimuth (clockwise from
true north) and a one-sigma angular uncertainty. The unknown point P is found by
Gauss-Newton on the geodesic azimuths az(origin_i -> P): each step solves the weighted
normal equations in the local east/north tangent plane at P and moves P along a geodesic.
The Jacobian is exact to first order: moving P by d metres perpendicular to the geodesic
(to the right of its arrival azimuth alpha2) turns the azimuth at the origin by d / m12,
where m12 is the reduced length (Karney, "Algorithms for geodesics", J. Geodesy 2013,
eq. 3 and section 3). With two rays this is Newton's method on the exact intersection.

The covariance is the inverse of the weighted normal matrix (a priori sigmas, not rescaled
by the residuals); the confidence ellipse uses the chi-square quantile with 2 degrees of
freedom, k^2 = -2 ln(1 - p) (5.991 for p = 0.95). When the geometry is too weak for that
linearisation (rays nearly parallel, ellipse comparable to the range) or the lines meet
behind an origin, the result says so and carries a Monte-Carlo sample of the intersection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse, error_ellipse
from analysis.geometry.geodesy import EnuFrame, LatLon

_MAX_ITER = 60
_STEP_TOL_M = 1e-5


@dataclass(frozen=True)
class BearingRay:
    """A measured bearing: from ``origin`` along ``azimuth_deg`` with one-sigma ``sigma_deg``."""

    origin: LatLon
    azimuth_deg: float
    sigma_deg: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.azimuth_deg):
            raise GeometryError(f"ray azimuth {self.azimuth_deg} is not finite")
        if not (self.sigma_deg > 0.0 and math.isfinite(self.sigma_deg)):
            raise GeometryError(f"ray sigma {self.sigma_deg} deg must be positive")


class FixStatus(StrEnum):
    """Whether a fix's ellipse is meaningful."""

    OK = "ok"
    NEARLY_PARALLEL = "nearly_parallel"
    BEHIND_ORIGIN = "behind_origin"


@dataclass(frozen=True)
class RayResidual:
    """How far one ray misses the fix: observed minus computed azimuth."""

    residual_deg: float
    normalized: float  # residual / sigma
    cross_track_m: float  # perpendicular miss distance at the fix, positive to the right
    range_m: float  # geodesic distance from the ray's origin to the fix


@dataclass(frozen=True)
class RayIntersection:
    """The exact intersection of two geodesic rays."""

    point: LatLon
    range1_m: float
    range2_m: float
    crossing_angle_deg: float  # in (0, 90]


@dataclass(frozen=True)
class BearingFix:
    """A least-squares position from bearings, or the reason there is none.

    With ``status`` OK, ``position``, ``covariance_enu_m2`` (east/north at the fix) and
    ``ellipse`` are set. Otherwise ``ellipse`` is None, ``position`` may be None, and
    ``samples`` holds Monte-Carlo intersections of the perturbed rays that fall in front of
    every origin; ``forward_fraction`` is the share of trials that produced one.
    """

    status: FixStatus
    position: LatLon | None
    covariance_enu_m2: tuple[tuple[float, float], tuple[float, float]] | None
    ellipse: ErrorEllipse | None
    residuals: tuple[RayResidual, ...]
    chi_square: float
    degrees_of_freedom: int
    max_crossing_deg: float
    samples: tuple[LatLon, ...]
    forward_fraction: float | None  # None when no sampling was needed
    message: str


@dataclass(frozen=True)
class _Solution:
    point: LatLon
    jacobian: np.ndarray  # rad per metre, columns east, north
    residuals_rad: np.ndarray
    geodesics: tuple[geodesy.GeodesicInverse, ...]


def linearise(rays: Sequence[BearingRay], p: LatLon) -> _Solution:
    """Each ray's azimuth residual at ``p`` and its derivative by east and north (rad per m);
    any ray with ``origin`` and ``azimuth_deg`` will do (the correlated solver's too).

    Raises:
        GeometryError: when ``p`` coincides with a ray's origin.
    """
    rows, res, geos = [], [], []
    for ray in rays:
        g = geodesy.inverse(ray.origin, p)
        if g.reduced_length_m < 1e-3:
            raise GeometryError("the estimated position coincides with a ray origin")
        a2 = math.radians(g.azimuth2_deg)
        rows.append((math.cos(a2) / g.reduced_length_m, -math.sin(a2) / g.reduced_length_m))
        res.append(math.radians(geodesy.angle_difference_deg(ray.azimuth_deg, g.azimuth1_deg)))
        geos.append(g)
    return _Solution(p, np.array(rows), np.array(res), tuple(geos))


def _gauss_newton(rays: Sequence[BearingRay], start: LatLon) -> _Solution:
    weights = np.array([1.0 / math.radians(r.sigma_deg) ** 2 for r in rays])
    p = start
    for _ in range(_MAX_ITER):
        sol = linearise(rays, p)
        jw = sol.jacobian.T * weights
        try:
            step = np.linalg.solve(jw @ sol.jacobian, jw @ sol.residuals_rad)
        except np.linalg.LinAlgError as exc:
            raise GeometryError("the rays are parallel: the normal equations are singular") from exc
        p = geodesy.offset(p, float(step[0]), float(step[1]))
        if math.hypot(step[0], step[1]) < _STEP_TOL_M:
            # The last step is below 10 um: its linear prediction of the residuals is exact
            # to (step / range)^2, so no further geodesic solutions are needed.
            res = sol.residuals_rad - sol.jacobian @ step
            return _Solution(p, sol.jacobian, res, sol.geodesics)
    raise GeometryError(f"the bearing fit did not converge in {_MAX_ITER} iterations")


def _planar_start(rays: Sequence[BearingRay]) -> tuple[EnuFrame, np.ndarray, np.ndarray]:
    """Weighted least-squares crossing of the rays as straight lines in a tangent plane.

    A line's perpendicular miss is range x angle, so each line is weighted by
    1 / (sigma * range)^2, the ranges taken from the previous pass (three passes, the first
    unweighted in range). Returns the frame, the point (east, north) and each ray's signed
    distance to it along the ray (negative means behind the origin).

    Raises:
        GeometryError: when the lines are parallel.
    """
    frame = EnuFrame(rays[0].origin)
    origins, dirs = _planar_rays(frame, rays)
    normals = np.stack([dirs[:, 1], -dirs[:, 0]], axis=1)
    offsets = np.einsum("ij,ij->i", normals, origins)
    weights = np.array([1.0 / r.sigma_deg**2 for r in rays])
    for _ in range(3):
        a = (normals.T * weights) @ normals
        eig = np.linalg.eigvalsh(a)
        if eig[0] <= 1e-10 * eig[1]:
            raise GeometryError("the rays are parallel: they never cross")
        point = np.linalg.solve(a, (normals.T * weights) @ offsets)
        along = np.einsum("ij,ij->i", point - origins, dirs)
        ranges = np.maximum(np.hypot(*(point - origins).T), 1.0)
        weights = np.array([1.0 / r.sigma_deg**2 for r in rays]) / ranges**2
    return frame, point, along


def _planar_rays(frame: EnuFrame, rays: Sequence[BearingRay]) -> tuple[np.ndarray, np.ndarray]:
    """Origins and unit directions in the frame, the azimuth corrected for meridian convergence."""
    origins, dirs = [], []
    for ray in rays:
        e0, n0, _ = frame.to_enu(ray.origin)
        e1, n1, _ = frame.to_enu(geodesy.destination(ray.origin, ray.azimuth_deg, 1000.0))
        d = np.array([e1 - e0, n1 - n0])
        origins.append((e0, n0))
        dirs.append(d / np.linalg.norm(d))
    return np.array(origins), np.array(dirs)


def intersect_rays(first: BearingRay, second: BearingRay) -> RayIntersection:
    """Exact intersection of two geodesic rays on WGS84 (Newton on geodesic azimuths).

    Sigmas are ignored. The result matches the true crossing to geographiclib's round-off
    (far below a millimetre); a flat-plane intersection is off by metres at a few km.

    Raises:
        GeometryError: if the rays are parallel or cross behind either origin.
    """
    frame, point, along = _planar_start([first, second])
    if np.any(along <= 0.0):
        raise GeometryError("the rays cross behind an origin: they do not meet in front")
    start, _ = frame.from_enu(float(point[0]), float(point[1]))
    sol = _gauss_newton([first, second], start)
    if np.any(np.abs(sol.residuals_rad) > math.pi / 2):
        raise GeometryError("the rays cross behind an origin: they do not meet in front")
    g1, g2 = sol.geodesics
    return RayIntersection(
        point=sol.point,
        range1_m=g1.distance_m,
        range2_m=g2.distance_m,
        crossing_angle_deg=_crossing_deg(g1.azimuth2_deg, g2.azimuth2_deg),
    )


def _crossing_deg(a_deg: float, b_deg: float) -> float:
    d = abs(geodesy.angle_difference_deg(a_deg, b_deg))
    return min(d, 180.0 - d)


def _max_crossing(geos: Sequence[geodesy.GeodesicInverse]) -> float:
    best = 0.0
    for i in range(len(geos)):
        for j in range(i + 1, len(geos)):
            best = max(best, _crossing_deg(geos[i].azimuth2_deg, geos[j].azimuth2_deg))
    return best


def locate_from_bearings(
    rays: Sequence[BearingRay],
    *,
    confidence: float = 0.95,
    min_crossing_deg: float = 1.0,
    max_relative_extent: float = 0.25,
    n_samples: int = 1000,
    seed: int = 0,
) -> BearingFix:
    """Least-squares position from two or more bearings, with a calibrated ellipse.

    Gauss-Newton on geodesic azimuths (see the module docstring), started from the
    range-weighted least-squares crossing of the rays as lines in a tangent plane.

    Args:
        rays: Two or more bearing rays.
        confidence: Probability content of the ellipse.
        min_crossing_deg: Below this best crossing angle the rays count as parallel.
        max_relative_extent: If the ellipse's semi-major axis exceeds this fraction of the
            farthest origin's range, the linearisation is not trusted (nearly parallel).
        n_samples: Monte-Carlo trials drawn when the ellipse is not meaningful.
        seed: Seed of the Monte-Carlo generator (results are reproducible).

    Returns:
        A BearingFix; check ``status`` before using ``ellipse``.

    Raises:
        GeometryError: for fewer than two rays or a negative sample count.
    """
    if len(rays) < 2:
        raise GeometryError(f"a position needs at least two bearings, got {len(rays)}")
    if n_samples < 0:
        raise GeometryError(f"the Monte-Carlo sample count {n_samples} is negative")
    sample = _Sampler(rays, n_samples, seed)
    try:
        frame, point, along = _planar_start(rays)
    except GeometryError:
        return sample.fix(FixStatus.NEARLY_PARALLEL, "the rays are parallel: no crossing")
    if np.any(along <= 0.0):
        return sample.fix(FixStatus.BEHIND_ORIGIN, _BEHIND)
    start, _ = frame.from_enu(float(point[0]), float(point[1]))
    try:
        sol = _gauss_newton(rays, start)
    except GeometryError as exc:
        return sample.fix(FixStatus.NEARLY_PARALLEL, f"no stable crossing: {exc}")
    if np.any(np.abs(sol.residuals_rad) > math.pi / 2):
        return sample.fix(FixStatus.BEHIND_ORIGIN, _BEHIND)
    weights = np.array([1.0 / math.radians(r.sigma_deg) ** 2 for r in rays])
    cov = np.linalg.inv((sol.jacobian.T * weights) @ sol.jacobian)
    ellipse = error_ellipse(cov, confidence)
    residuals = tuple(
        _residual(r, g, e) for r, g, e in zip(rays, sol.geodesics, sol.residuals_rad, strict=True)
    )
    crossing = _max_crossing(sol.geodesics)
    farthest_m = max(g.distance_m for g in sol.geodesics)
    chi2 = float(np.sum(weights * sol.residuals_rad**2))
    dof = len(rays) - 2
    cov_t = ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1])))
    if crossing < min_crossing_deg or ellipse.semi_major_m > max_relative_extent * farthest_m:
        message = (
            f"rays nearly parallel (best crossing {crossing:.2f} deg, {confidence:.0%} extent "
            f"{ellipse.semi_major_m:.0f} m at {farthest_m:.0f} m range): the region is not an "
            "ellipse; see the sampled intersections"
        )
        return sample.fix(FixStatus.NEARLY_PARALLEL, message, sol.point, residuals, chi2, crossing)
    return BearingFix(
        status=FixStatus.OK,
        position=sol.point,
        covariance_enu_m2=cov_t,
        ellipse=ellipse,
        residuals=residuals,
        chi_square=chi2,
        degrees_of_freedom=dof,
        max_crossing_deg=crossing,
        samples=(),
        forward_fraction=None,
        message=_ok_message(len(rays), crossing, ellipse, sol.geodesics),
    )


def _ok_message(
    n: int, crossing: float, ellipse: ErrorEllipse, geos: Sequence[geodesy.GeodesicInverse]
) -> str:
    text = f"fix from {n} rays, best crossing {crossing:.1f} deg"
    nearest_m = min(g.distance_m for g in geos)
    if ellipse.semi_major_m > 0.1 * nearest_m:
        text += (
            f"; caution: the ellipse ({ellipse.semi_major_m:.0f} m) exceeds 10% of the nearest "
            f"observer's range ({nearest_m:.0f} m), so it may under-cover (non-linear geometry)"
        )
    return text


_BEHIND = "the rays meet behind an origin: there is no crossing in front of the cameras"


def _residual(ray: BearingRay, g: geodesy.GeodesicInverse, res_rad: float) -> RayResidual:
    res_deg = math.degrees(res_rad)
    return RayResidual(
        residual_deg=res_deg,
        normalized=res_deg / ray.sigma_deg,
        cross_track_m=g.distance_m * math.sin(-res_rad) + 0.0,  # no negative zero
        range_m=g.distance_m,
    )


class _Sampler:
    """Monte-Carlo intersections of perturbed rays, for geometry an ellipse cannot describe.

    Each trial perturbs every azimuth by a Gaussian with the ray's sigma and intersects the
    rays as straight lines in the tangent plane at the first origin (azimuths corrected for
    meridian convergence). The plane is off by metres at a few km, which is immaterial for a
    region this uncertain; trials crossing behind an origin or beyond ``max_range_m`` are
    dropped and counted.
    """

    max_range_m = 100_000.0

    def __init__(self, rays: Sequence[BearingRay], n_samples: int, seed: int) -> None:
        self.rays = list(rays)
        self.n_samples = n_samples
        self.seed = seed

    def draw(self) -> tuple[tuple[LatLon, ...], float]:
        frame = EnuFrame(self.rays[0].origin)
        origins, dirs = _planar_rays(frame, self.rays)
        sig = np.radians([r.sigma_deg for r in self.rays])
        rng = np.random.default_rng(self.seed)
        delta = rng.normal(0.0, 1.0, (self.n_samples, len(self.rays))) * sig
        c, s = np.cos(delta), np.sin(delta)
        dx = dirs[:, 0] * c + dirs[:, 1] * s
        dy = dirs[:, 1] * c - dirs[:, 0] * s
        nx, ny = dy, -dx
        a = np.empty((self.n_samples, 2, 2))
        a[:, 0, 0], a[:, 1, 1] = (nx * nx).sum(1), (ny * ny).sum(1)
        a[:, 0, 1] = a[:, 1, 0] = (nx * ny).sum(1)
        rhs = nx * origins[:, 0] + ny * origins[:, 1]
        b = np.stack([(nx * rhs).sum(1), (ny * rhs).sum(1)], axis=1)
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] ** 2
        ok = det > 1e-12 * (a[:, 0, 0] + a[:, 1, 1]) ** 2
        safe = np.where(ok, det, 1.0)
        pe = (a[:, 1, 1] * b[:, 0] - a[:, 0, 1] * b[:, 1]) / safe
        pn = (a[:, 0, 0] * b[:, 1] - a[:, 0, 1] * b[:, 0]) / safe
        along = (pe[:, None] - origins[:, 0]) * dx + (pn[:, None] - origins[:, 1]) * dy
        ok &= np.all(along > 0.0, axis=1) & (np.hypot(pe, pn) < self.max_range_m)
        points = tuple(
            frame.from_enu(float(e), float(n))[0] for e, n in zip(pe[ok], pn[ok], strict=True)
        )
        return points, float(ok.mean()) if self.n_samples else 0.0

    def fix(
        self,
        status: FixStatus,
        message: str,
        position: LatLon | None = None,
        residuals: tuple[RayResidual, ...] = (),
        chi_square: float = math.nan,
        crossing_deg: float = 0.0,
    ) -> BearingFix:
        samples, forward = self.draw()
        return BearingFix(
            status=status,
            position=position,
            covariance_enu_m2=None,
            ellipse=None,
            residuals=residuals,
            chi_square=chi_square,
            degrees_of_freedom=len(self.rays) - 2,
            max_crossing_deg=crossing_deg,
            samples=samples,
            forward_fraction=forward,
            message=f"{message} ({forward:.0%} of {self.n_samples} perturbed trials cross "
            "in front)",
        )

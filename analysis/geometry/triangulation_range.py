"""Position from bearings and range rings (a flash-to-bang distance) on the WGS84 ellipsoid.

A range ring says the point lies ``distance_m`` (one-sigma ``sigma_m``) from a centre (the
camera that heard the bang). Beside the bearings' azimuth residuals
(``analysis.geometry.triangulation.linearise``), each ring adds one residual

    r = distance_m - geodesic distance(centre, P)

whose derivative by P's east and north is the unit vector at P pointing away from the
centre, (sin a2, cos a2) with a2 the geodesic's arrival azimuth. Gauss-Newton minimises
r^T C^-1 r with C block-diagonal: the azimuths' covariance (diagonal, or the shared-error
covariance of ``analysis.geometry.triangulation_gls`` when correlated rays are given) and
the rings' variances. The fix's covariance is (J^T C^-1 J)^-1 and its ellipse uses the
chi-square quantile with 2 degrees of freedom, as the bearings-only solvers do.

One bearing and one ring are enough (two equations, two unknowns). A ray from the ring's own
centre meets it once in front of the camera; a ray from elsewhere can cross it twice. The
solver starts from every crossing of every ray with every ring in the local tangent plane
(and from the bearings-only fix when there are two rays), keeps the best fit, and names a
second, equally good one (``alternatives``) so that the analyst is told of the ambiguity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.triangulation import (
    BearingFix,
    BearingRay,
    linearise,
    locate_from_bearings,
)
from analysis.geometry.triangulation_gls import (
    CorrelatedRay,
    azimuth_covariance_deg2,
    ray_residuals,
    weighted_fix,
)

_MAX_ITER = 60
_STEP_TOL_M = 1e-5
_SAME_M = 1.0  # two solutions closer than this are one
METHOD = (
    "Gauss-Newton on WGS84 geodesic azimuths and distances to range rings "
    "(analysis.geometry.triangulation_range)"
)


@dataclass(frozen=True)
class RangeRing:
    """The point lies ``distance_m`` +/- ``sigma_m`` (one sigma) from ``centre``."""

    centre: LatLon
    distance_m: float
    sigma_m: float

    def __post_init__(self) -> None:
        if not (self.distance_m > 0 and self.sigma_m > 0):
            raise GeometryError(
                f"a range ring needs a distance and a sigma above 0 "
                f"(got {self.distance_m} m +/- {self.sigma_m} m)"
            )


@dataclass(frozen=True)
class RangeFix:
    """The fix (``fix``), each ring's miss (metres, given minus computed) and any other
    position that fits as well (``alternatives``: an ambiguous crossing)."""

    fix: BearingFix
    ring_misses_m: tuple[float, ...]
    alternatives: tuple[LatLon, ...]


def _weights(
    rays: Sequence[BearingRay], rings: Sequence[RangeRing], correlated, p: LatLon
) -> np.ndarray:
    n = len(rays)
    cov = np.zeros((n + len(rings), n + len(rings)))
    if n:
        az = (
            azimuth_covariance_deg2(correlated, p)
            if correlated is not None
            else np.diag([r.sigma_deg**2 for r in rays])
        )
        cov[:n, :n] = np.radians(np.radians(az))
    for k, ring in enumerate(rings):
        cov[n + k, n + k] = ring.sigma_m**2
    return np.linalg.inv(cov)


def _system(rays, rings, p: LatLon) -> tuple[np.ndarray, np.ndarray, list, list]:
    jac, res, geos = np.zeros((0, 2)), np.zeros(0), []
    if rays:
        sol = linearise(rays, p)
        jac, res, geos = sol.jacobian, sol.residuals_rad, list(sol.geodesics)
    rows, misses, ring_geos = [], [], []
    for ring in rings:
        g = geodesy.inverse(ring.centre, p)
        a2 = math.radians(g.azimuth2_deg)
        rows.append((math.sin(a2), math.cos(a2)))
        misses.append(ring.distance_m - g.distance_m)
        ring_geos.append(g)
    jac = np.vstack([jac, np.array(rows).reshape(-1, 2)])
    return jac, np.concatenate([res, np.array(misses)]), geos, ring_geos


def _solve(rays, rings, correlated, start: LatLon) -> tuple[LatLon, np.ndarray, np.ndarray, list]:
    p = start
    for _ in range(_MAX_ITER):
        jac, res, geos, _ = _system(rays, rings, p)
        weight = _weights(rays, rings, correlated, p)
        normal = jac.T @ weight @ jac
        if abs(np.linalg.det(normal)) < 1e-30:
            raise GeometryError("the bearings and rings do not fix a point (singular geometry)")
        step = np.linalg.solve(normal, jac.T @ weight @ res)
        p = geodesy.offset(p, float(step[0]), float(step[1]))
        if math.hypot(step[0], step[1]) < _STEP_TOL_M:
            jac, res, geos, _ = _system(rays, rings, p)
            return p, jac, res, geos
    raise GeometryError(f"the bearing and range fit did not converge in {_MAX_ITER} steps")


def _starts(rays: Sequence[BearingRay], rings: Sequence[RangeRing]) -> list[LatLon]:
    """Crossings of each ray with each ring in the tangent plane at the ray's origin, in
    front of the camera; the bearings-only fix first when there are two rays or more."""
    out: list[LatLon] = []
    if len(rays) >= 2:
        plain = locate_from_bearings(list(rays))
        if plain.position is not None:
            out.append(plain.position)
    for ray in rays:
        frame = EnuFrame(ray.origin)
        u = np.array([math.sin(math.radians(ray.azimuth_deg)),
                      math.cos(math.radians(ray.azimuth_deg))])  # fmt: skip
        for ring in rings:
            c = np.array(frame.to_enu(ring.centre)[:2])
            b = float(u @ c)  # |t u - c|^2 = d^2:  t^2 - 2 b t + |c|^2 - d^2 = 0
            disc = b * b - float(c @ c) + ring.distance_m**2
            roots = [b - math.sqrt(disc), b + math.sqrt(disc)] if disc >= 0 else [b]
            for t in roots:
                if t > 0:
                    out.append(frame.from_enu(*(t * u))[0])
    if not out and rings:  # no ray meets a ring: start on the first ring, towards the rays
        out.append(geodesy.destination(rings[0].centre, 0.0, rings[0].distance_m))
    return out


def locate_with_ranges(
    rays: Sequence[BearingRay],
    rings: Sequence[RangeRing],
    *,
    correlated: Sequence[CorrelatedRay] | None = None,
    confidence: float = 0.95,
) -> RangeFix:
    """Least-squares position from bearings and range rings (module doc).

    Args:
        rays: bearing rays (origin, azimuth, one-sigma).
        rings: range rings (centre, distance, one-sigma).
        correlated: the same rays with their shared error sources, for one covariance.
        confidence: of the ellipse.

    Raises:
        GeometryError: fewer than two measurements, no ray, or a fit that does not converge.
    """
    if not rays or len(rays) + len(rings) < 2:
        raise GeometryError(
            f"a fix needs a bearing and at least one more bearing or ring "
            f"(got {len(rays)} bearings, {len(rings)} rings)"
        )
    fits = []
    for start in _starts(rays, rings):
        try:
            p, jac, res, geos = _solve(rays, rings, correlated, start)
        except GeometryError:
            continue
        weight = _weights(rays, rings, correlated, p)
        fits.append((float(res @ weight @ res), p, jac, res, geos, weight))
    if not fits:
        raise GeometryError("the bearings and rings do not meet in front of the cameras")
    fits.sort(key=lambda f: f[0])
    chi2, p, jac, res, geos, weight = fits[0]
    others = []
    for f in fits[1:]:
        far = all(geodesy.distance_m(f[1], q) > _SAME_M for q in [p, *others])
        if far and f[0] <= chi2 + 1.0:
            others.append(f[1])
    return _fix(rays, rings, p, jac, res, geos, weight, tuple(others), confidence)


def _fix(rays, rings, p, jac, res, geos, weight, others, confidence) -> RangeFix:
    n = len(rays)
    sig = np.sqrt(np.diag(np.linalg.inv(weight)))[:n]
    residuals = ray_residuals(res[:n], [e / s for e, s in zip(res[:n], sig, strict=True)], geos)
    misses = tuple(float(m) for m in res[n:])
    text = f"fix from {n} bearing(s) and {len(rings)} range ring(s)"
    text += "; ring miss " + ", ".join(f"{m:+.1f} m" for m in misses)
    if others:
        text += "; ambiguous: also fits at " + ", ".join(
            f"{q.lat_deg:.6f}, {q.lon_deg:.6f}" for q in others
        )
    fix = weighted_fix(
        p,
        jac,
        res,
        weight,
        residuals,
        confidence=confidence,
        degrees_of_freedom=n + len(rings) - 2,
        max_crossing_deg=_max_crossing(geos, rings, p),
        message=text,
    )
    return RangeFix(fix, misses, others)


def _max_crossing(geos, rings, p: LatLon) -> float:
    """The best crossing between any two lines of position at the fix (a ring's line of
    position is its tangent, perpendicular to the direction from its centre)."""
    dirs = [g.azimuth2_deg for g in geos]
    dirs += [geodesy.inverse(r.centre, p).azimuth2_deg + 90.0 for r in rings]
    best = 0.0
    for i, a in enumerate(dirs):
        for b in dirs[i + 1 :]:
            d = abs(geodesy.angle_difference_deg(a, b)) % 180.0
            best = max(best, min(d, 180.0 - d))
    return best

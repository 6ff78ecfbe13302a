"""Position from bearings whose errors are shared: generalised least squares on the azimuths.

``analysis.geometry.triangulation.locate_from_bearings`` weighs each ray by its own sigma,
as if the rays' errors were independent. Two bearings turned to the same reference landmark
(or measured from the same camera position, or with the same typed field of view) are not:
a landmark placed 5 m off turns both rays together, and independent weights then draw an
ellipse that holds the truth less often than it says. Here every ray carries its own
independent one-sigma and the loadings of the sources it shares
(``analysis.geometry.bearing_sigma.Loading``); the covariance of the azimuths is

    C = diag(independent^2) + sum over sources s of  L_s L_s^T,

where row i of L_s is ray i's loading on source s (zero when the ray does not use it). A
camera's position also moves the ray's origin: that part depends on the fix P and is added
to the camera's loading at each step (``origin_sigma_m`` x d az(origin -> P) / d origin).
Gauss-Newton minimises r^T C^-1 r on the geodesic azimuths (the Jacobian as in
``triangulation``); the covariance of the fix is (J^T C^-1 J)^-1 and the ellipse uses the
chi-square quantile with 2 degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.bearing_sigma import Loading
from analysis.geometry.ellipse import error_ellipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.triangulation import (
    BearingFix,
    BearingRay,
    FixStatus,
    RayResidual,
    linearise,
    locate_from_bearings,
)

_MAX_ITER = 60
_STEP_TOL_M = 1e-5
METHOD = (
    "generalised least squares on WGS84 geodesic azimuths with shared error sources "
    "(analysis.geometry.triangulation_gls)"
)


@dataclass(frozen=True)
class CorrelatedRay:
    """A bearing ray with its independent one-sigma and the loadings of its shared sources."""

    origin: LatLon
    azimuth_deg: float
    independent_sigma_deg: float
    shared: tuple[Loading, ...] = ()

    @property
    def sigma_deg(self) -> float:
        """Its total one-sigma alone (the origin's own move aside)."""
        total = self.independent_sigma_deg**2
        total += sum(sum(v * v for v in s.loading_deg) for s in self.shared)
        return math.sqrt(total)


def azimuth_covariance_deg2(rays: Sequence[CorrelatedRay], fix: LatLon | None = None) -> np.ndarray:
    """The covariance of the rays' azimuths in deg^2 (module doc); with ``fix``, a camera's
    move of the ray's origin towards that point is included."""
    n = len(rays)
    cov = np.diag([r.independent_sigma_deg**2 for r in rays])
    keys: dict[str, int] = {}
    for r in rays:
        for s in r.shared:
            keys.setdefault(s.key, max(len(s.loading_deg), 2 if s.origin_sigma_m else 0))
    for key, dim in keys.items():
        block = np.zeros((n, dim))
        for i, r in enumerate(rays):
            for s in r.shared:
                if s.key != key:
                    continue
                block[i, : len(s.loading_deg)] += s.loading_deg
                if s.origin_sigma_m and fix is not None:
                    g = geodesy.inverse(r.origin, fix)
                    a1 = math.radians(g.azimuth1_deg)
                    move = np.array([math.cos(a1), -math.sin(a1)]) / max(g.reduced_length_m, 1e-3)
                    block[i, :2] += np.degrees(move) * s.origin_sigma_m
        cov += block @ block.T
    return cov


def locate_from_correlated_bearings(
    rays: Sequence[CorrelatedRay], *, confidence: float = 0.95, **kwargs
) -> BearingFix:
    """Generalised least-squares position from bearings that share error sources.

    Started from ``locate_from_bearings`` on the rays' total sigmas (which also decides
    whether the geometry allows an ellipse at all: a fix that is not OK there is returned
    as it is). Keyword arguments go to ``locate_from_bearings``.

    Raises:
        GeometryError: for fewer than two rays, or a fit that does not converge.
    """
    plain = [BearingRay(r.origin, r.azimuth_deg, r.sigma_deg) for r in rays]
    start = locate_from_bearings(plain, confidence=confidence, **kwargs)
    if start.status is not FixStatus.OK or start.position is None:
        return start
    p = start.position
    for _ in range(_MAX_ITER):
        sol = linearise(rays, p)
        jac, res, geos = sol.jacobian, sol.residuals_rad, list(sol.geodesics)
        cov_deg2 = azimuth_covariance_deg2(rays, p)
        weight = np.linalg.inv(np.radians(np.radians(cov_deg2)))
        step = np.linalg.solve(jac.T @ weight @ jac, jac.T @ weight @ res)
        p = geodesy.offset(p, float(step[0]), float(step[1]))
        if math.hypot(step[0], step[1]) < _STEP_TOL_M:
            # a step under 10 um: its linear prediction of the residuals is exact to
            # (step / range)^2, and the covariance does not change at that scale
            res = res - jac @ step
            break
    else:
        raise GeometryError(f"the correlated bearing fit did not converge in {_MAX_ITER} steps")
    sig = np.sqrt(np.diag(cov_deg2))
    normalized = [math.degrees(e) / s for e, s in zip(res, sig, strict=True)]
    return weighted_fix(
        p,
        jac,
        res,
        weight,
        ray_residuals(res, normalized, geos),
        confidence=confidence,
        degrees_of_freedom=len(rays) - 2,
        max_crossing_deg=start.max_crossing_deg,
        message=start.message + "; shared errors carried (one covariance over all rays)",
    )


def ray_residuals(
    res_rad: Sequence[float], normalized: Sequence[float], geos: Sequence[geodesy.GeodesicInverse]
) -> tuple[RayResidual, ...]:
    """Each ray's residual at the fix: its azimuth miss (radians), that miss over its sigma,
    and the geodesic from its origin to the fix."""
    return tuple(
        RayResidual(
            residual_deg=math.degrees(e),
            normalized=float(z),
            cross_track_m=g.distance_m * math.sin(-e) + 0.0,
            range_m=g.distance_m,
        )
        for e, z, g in zip(res_rad, normalized, geos, strict=True)
    )


def weighted_fix(
    p: LatLon,
    jac: np.ndarray,
    res: np.ndarray,
    weight: np.ndarray,
    residuals: tuple[RayResidual, ...],
    *,
    confidence: float,
    degrees_of_freedom: int,
    max_crossing_deg: float,
    message: str,
) -> BearingFix:
    """The fix at ``p`` of a weighted least-squares fit: covariance (J^T W J)^-1, its ellipse
    at ``confidence`` and chi-square r^T W r."""
    cov = np.linalg.inv(jac.T @ weight @ jac)
    return BearingFix(
        status=FixStatus.OK,
        position=p,
        covariance_enu_m2=tuple(tuple(float(v) for v in row) for row in cov),
        ellipse=error_ellipse(cov, confidence),
        residuals=residuals,
        chi_square=float(res @ weight @ res),
        degrees_of_freedom=degrees_of_freedom,
        max_crossing_deg=max_crossing_deg,
        samples=(),
        forward_fraction=None,
        message=message,
    )

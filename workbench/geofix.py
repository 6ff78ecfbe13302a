"""The JSON document of a position fixed from bearings, as the triangulate command gives it.

``fix_to_dict`` turns ``analysis.geometry.triangulation.locate_from_bearings``'s result and
its input rays into plain numbers. For exactly two rays it adds their exact crossing on the
ellipsoid (``intersect_rays``: the ranges from each observer and the crossing angle), which is
what an analyst checks first: a shallow crossing angle stretches the ellipse along the rays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.triangulation import BearingFix, BearingRay, intersect_rays

METHOD = "Gauss-Newton on WGS84 geodesic azimuths (Karney 2013, geographiclib)"
TRIANGULATION_METHOD = "Gauss-Newton on WGS84 geodesic azimuths (analysis.geometry.triangulation)"


def fix_to_dict(fix: BearingFix, rays: Sequence[BearingRay]) -> dict[str, Any]:
    """The JSON document of a BearingFix and its input rays (all plain numbers)."""
    ellipse = None
    if fix.ellipse is not None:
        ellipse = {
            "semi_major_m": fix.ellipse.semi_major_m,
            "semi_minor_m": fix.ellipse.semi_minor_m,
            "azimuth_deg": fix.ellipse.azimuth_deg,
            "confidence": fix.ellipse.confidence,
        }
    samples = None
    if fix.forward_fraction is not None:
        samples = {
            "count": len(fix.samples),
            "forward_fraction": fix.forward_fraction,
            "lat_lon": [[p.lat_deg, p.lon_deg] for p in fix.samples],
        }
    return {
        "status": fix.status.value,
        "message": fix.message,
        "method": METHOD,
        "lat": None if fix.position is None else fix.position.lat_deg,
        "lon": None if fix.position is None else fix.position.lon_deg,
        "ellipse": ellipse,
        "covariance_enu_m2": None if fix.covariance_enu_m2 is None else fix.covariance_enu_m2,
        "chi_square": None if fix.chi_square != fix.chi_square else fix.chi_square,
        "degrees_of_freedom": fix.degrees_of_freedom,
        "max_crossing_deg": fix.max_crossing_deg,
        "rays": [
            {
                "lat": r.origin.lat_deg,
                "lon": r.origin.lon_deg,
                "azimuth_deg": r.azimuth_deg,
                "sigma_deg": r.sigma_deg,
            }
            for r in rays
        ],
        "residuals": [
            {
                "ray": i,
                "residual_deg": res.residual_deg,
                "normalized": res.normalized,
                "cross_track_m": res.cross_track_m,
                "range_m": res.range_m,
            }
            for i, res in enumerate(fix.residuals, start=1)
        ],
        "samples": samples,
        "two_ray_crossing": _two_ray_crossing(fix, rays),
    }


def _two_ray_crossing(fix: BearingFix, rays: Sequence[BearingRay]) -> dict[str, Any] | None:
    """The exact crossing of two rays, or None for more rays or rays that do not meet ahead."""
    if len(rays) != 2 or fix.position is None:
        return None
    try:
        hit = intersect_rays(rays[0], rays[1])
    except GeometryError:
        return None
    return {
        "lat": hit.point.lat_deg,
        "lon": hit.point.lon_deg,
        "range1_m": hit.range1_m,
        "range2_m": hit.range2_m,
        "crossing_angle_deg": hit.crossing_angle_deg,
    }


def fix_to_json(fix: BearingFix) -> dict[str, Any]:
    """A triangulation result as an intersection observation stores it (samples thinned to at
    most 500). Its keys differ from ``fix_to_dict``'s: stored rows keep the shape they were
    written in."""
    out: dict[str, Any] = {
        "status": str(fix.status),
        "message": fix.message,
        "lat_deg": fix.position.lat_deg if fix.position else None,
        "lon_deg": fix.position.lon_deg if fix.position else None,
        "chi_square": fix.chi_square,
        "degrees_of_freedom": fix.degrees_of_freedom,
        "max_crossing_deg": fix.max_crossing_deg,
        "residuals": [
            {"residual_deg": r.residual_deg, "cross_track_m": r.cross_track_m, "range_m": r.range_m}
            for r in fix.residuals
        ],
        "ellipse": None,
        "samples": [
            [p.lat_deg, p.lon_deg] for p in fix.samples[:: max(1, len(fix.samples) // 500)]
        ],
    }
    if fix.ellipse is not None:
        e = fix.ellipse
        out["ellipse"] = {
            "semi_major_m": e.semi_major_m,
            "semi_minor_m": e.semi_minor_m,
            "azimuth_deg": e.azimuth_deg,
            "confidence": e.confidence,
        }
    return out

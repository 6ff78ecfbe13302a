"""Sight lines: two objects that line up in a frame put the camera on the line through them.

If a near object and a far object appear one behind the other (same image column after
levelling), the camera stands on the geodesic through the far object and the near one,
beyond the near one. Each alignment is therefore a bearing ray leaving the near object with
the azimuth of that geodesic on arrival (far -> near), and two alignments fix the camera at
the crossing of their rays (``analysis.geometry.triangulation``). On the ellipsoid the line of sight
and the geodesic differ by millimetres over a few km, far below map errors.

Uncertainty comes from the map positions of the two objects (one sigma ``position_sigma_m``
each, independent, isotropic). A cross-track error e_near at the near object and e_far at the
far object move the line, at distance r beyond the near object, by
e_near (1 + r/d) - e_far r/d, with d the near-far distance; its variance
sigma^2 ((1 + r/d)^2 + (r/d)^2) is expressed as an equivalent angular sigma of the ray seen
from the near object at the camera's range, sigma_ang = atan(sqrt(var) / r).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.triangulation import BearingFix, BearingRay, FixStatus, locate_from_bearings


@dataclass(frozen=True)
class Alignment:
    """A near and a far object seen one behind the other from the camera."""

    near: LatLon
    far: LatLon
    position_sigma_m: float = 2.0  # one-sigma map position error of each object
    name: str = ""

    def __post_init__(self) -> None:
        if not (self.position_sigma_m > 0.0 and math.isfinite(self.position_sigma_m)):
            raise GeometryError(f"alignment {self.name!r}: position sigma must be positive")


def alignment_ray(alignment: Alignment, camera_range_m: float | None = None) -> BearingRay:
    """The ray from the near object away from the far one, on which the camera stands.

    Args:
        alignment: The two objects.
        camera_range_m: Distance from the near object to the camera, if known; it sets the
            equivalent angular sigma (see the module docstring). Without it the sigma is the
            pure direction error of the near-far pair, sqrt(2) sigma / d.

    Raises:
        GeometryError: if the two objects are less than a metre apart.
    """
    g = geodesy.inverse(alignment.far, alignment.near)
    d = g.distance_m
    if d < 1.0:
        raise GeometryError(
            f"alignment {alignment.name!r}: the near and far objects are {d:.2f} m apart"
        )
    s = alignment.position_sigma_m
    if camera_range_m is None or camera_range_m <= 0.0:
        sigma_rad = math.atan(math.sqrt(2.0) * s / d)
    else:
        q = camera_range_m / d
        sigma_rad = math.atan(s * math.sqrt((1.0 + q) ** 2 + q**2) / camera_range_m)
    return BearingRay(alignment.near, g.azimuth2_deg, math.degrees(sigma_rad))


def camera_from_alignments(
    alignments: Sequence[Alignment], *, confidence: float = 0.95, seed: int = 0
) -> BearingFix:
    """Camera position from two or more alignments (least squares on geodesic rays).

    A first fit with direction-only sigmas gives the camera's range from each near object;
    the second fit uses the range-dependent sigmas of ``alignment_ray``.

    Returns:
        A BearingFix whose rays are the alignment lines (same status flags and residuals).

    Raises:
        GeometryError: for fewer than two alignments or degenerate objects.
    """
    if len(alignments) < 2:
        raise GeometryError(f"a camera fix needs two alignments, got {len(alignments)}")
    first = locate_from_bearings(
        [alignment_ray(a) for a in alignments], confidence=confidence, seed=seed
    )
    if first.status is not FixStatus.OK or first.position is None:
        return first
    rays = [alignment_ray(a, geodesy.distance_m(a.near, first.position)) for a in alignments]
    return locate_from_bearings(rays, confidence=confidence, seed=seed)

"""Metric scale at the object, and the image direction of "up", with their uncertainties.

Three sources of scale (pixels per metre of vertical extent at the object's distance):

- the camera model: the distance along the line of sight ``D`` and the horizontal field of
  view ``F`` of the reference frame (width ``W`` pixels) give the focal length
  ``f = (W / 2) / tan(F / 2)``; a vertical metre at the object, seen with the line of sight
  ``pitch`` above the horizon, spans ``f cos(pitch) / D`` pixels (the part of the vertical
  perpendicular to the line of sight; the object is taken near the image centre);
- a reference length: ``L`` metres that span ``p`` pixels at the object's distance;
- a known object size: the same with the object's own length.

Roll: the world's up direction is the image's up (-y) rotated by ``roll_deg`` clockwise.
Relative uncertainties of independent inputs add in quadrature (first-order propagation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.errors import WorkbenchError


class ScaleInputError(WorkbenchError):
    """A scale input that is missing or absurd, with what to give instead."""


@dataclass(frozen=True)
class Scale:
    """Pixels per metre at the object, its one-sigma, and where it came from."""

    px_per_m: float
    sigma_px_per_m: float
    source: str  # "camera model", "reference length", "object size", "stated"
    detail: str

    @property
    def relative_sigma(self) -> float:
        return self.sigma_px_per_m / self.px_per_m


def _positive(name: str, value: float, unit: str) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ScaleInputError(f"{name} must be a positive number of {unit}, not {value:g}")


def _sigma(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ScaleInputError(f"{name} must be zero or positive, not {value:g}")


def from_camera(
    distance_m: float,
    hfov_deg: float,
    width_px: int,
    *,
    pitch_deg: float = 0.0,
    distance_sigma_m: float = 0.0,
    hfov_sigma_deg: float = 0.0,
    pitch_sigma_deg: float = 0.0,
) -> Scale:
    """Scale from the camera model (see the module docstring).

    Raises:
        ScaleInputError: a non-positive distance, a field of view outside (0, 180) degrees,
            a pitch outside (-90, 90), a negative sigma, or no frame width.
    """
    _positive("the distance", distance_m, "metres")
    if not (math.isfinite(hfov_deg) and 0 < hfov_deg < 180):
        raise ScaleInputError(
            f"the horizontal field of view must be between 0 and 180 degrees, not {hfov_deg:g}"
        )
    if not (math.isfinite(pitch_deg) and -90 < pitch_deg < 90):
        raise ScaleInputError(
            f"the camera pitch must be between -90 and 90 degrees, not {pitch_deg:g}"
        )
    if width_px <= 0:
        raise ScaleInputError("the track does not give the frame width; state --scale-px-per-m")
    for name, v in (
        ("distance sigma", distance_sigma_m),
        ("hfov sigma", hfov_sigma_deg),
        ("pitch sigma", pitch_sigma_deg),
    ):
        _sigma(name, v)
    f_rad = math.radians(hfov_deg)
    focal_px = (width_px / 2) / math.tan(f_rad / 2)
    pitch = math.radians(pitch_deg)
    s = focal_px * math.cos(pitch) / distance_m
    rel = math.sqrt(
        (distance_sigma_m / distance_m) ** 2
        + (math.radians(hfov_sigma_deg) / math.sin(f_rad)) ** 2
        + (math.tan(pitch) * math.radians(pitch_sigma_deg)) ** 2
    )
    detail = (
        f"distance {distance_m:g} m, horizontal field of view {hfov_deg:g} deg over "
        f"{width_px} px, pitch {pitch_deg:g} deg"
    )
    return Scale(s, s * rel, "camera model", detail)


def from_length(
    length_m: float,
    length_px: float,
    *,
    length_sigma_m: float = 0.0,
    length_sigma_px: float = 0.0,
    source: str = "reference length",
) -> Scale:
    """Scale from a length in metres that spans ``length_px`` pixels at the object."""
    _positive("the length", length_m, "metres")
    _positive("the length in the frame", length_px, "pixels")
    _sigma("length sigma", length_sigma_m)
    _sigma("pixel length sigma", length_sigma_px)
    s = length_px / length_m
    rel = math.hypot(length_sigma_m / length_m, length_sigma_px / length_px)
    return Scale(s, s * rel, source, f"{length_m:g} m spans {length_px:g} px")


def stated(px_per_m: float, sigma_px_per_m: float = 0.0) -> Scale:
    """A scale the analyst states directly."""
    _positive("the scale", px_per_m, "pixels per metre")
    _sigma("scale sigma", sigma_px_per_m)
    return Scale(px_per_m, sigma_px_per_m, "stated", f"{px_per_m:g} px/m")


def up_vector(roll_deg: float) -> tuple[float, float]:
    """The world's up as an image direction (x right, y down), rotated ``roll_deg`` clockwise
    from the image's up."""
    r = math.radians(roll_deg)
    return math.sin(r), -math.cos(r)

"""The range fix's inputs and maths: a position down a bearing from the target's known height.

Below both the bearing entry (whose rows carry the range fix) and the range-fix entry, so that
neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.geometry.bearing import range_fix
from analysis.geometry.geodesy import LatLon
from workbench.observations.bearing_model import (
    BearingInputs,
    BearingMeasurement,
    RangeFixResult,
    RangeInputs,
)

CONFIDENCE = 0.95


@dataclass(frozen=True)
class RangeFixInputs:
    """The camera, the bearing (azimuth and one-sigma) and the range's own inputs."""

    camera_lat_deg: float
    camera_lon_deg: float
    azimuth_deg: float
    sigma_deg: float
    range: RangeInputs
    measurement: BearingMeasurement | None = None  # None: the range was stated, not measured
    camera_id: int | None = None

    @property
    def camera(self) -> LatLon:
        return LatLon(self.camera_lat_deg, self.camera_lon_deg)


def range_fix_inputs(
    bearing: BearingInputs, azimuth_deg: float | None = None, sigma_deg: float | None = None
) -> RangeFixInputs | None:
    """The range-fix part of a bearing (None without a range); azimuth and sigma default to
    the stated ones."""
    if bearing.range is None:
        return None
    return RangeFixInputs(
        bearing.camera_lat_deg,
        bearing.camera_lon_deg,
        bearing.azimuth_deg if azimuth_deg is None else azimuth_deg,
        bearing.sigma_deg if sigma_deg is None else sigma_deg,
        bearing.range,
        bearing.measurement,
        bearing.camera_id,
    )


def stated_range_fix(bearing: BearingInputs) -> RangeFixResult | None:
    """The fix from the distance and sigma stated with the range (what a schema 1 row had),
    with the bearing's stated azimuth and sigma: the figures the map drew from such a row."""
    i = range_fix_inputs(bearing)
    if i is None or i.range.distance_m is None or i.range.sigma_m is None:
        return None
    return fix_from_inputs(i, i.range.distance_m, i.range.sigma_m, None)


def fix_from_inputs(
    i: RangeFixInputs, distance_m: float, sigma_m: float, span: float | None
) -> RangeFixResult:
    """The fix down the ray at ``distance_m`` with its ellipse (``analysis.geometry.bearing``)."""
    fix = range_fix(i.camera, i.azimuth_deg, i.sigma_deg, distance_m, sigma_m, CONFIDENCE)
    p = fix.position
    return RangeFixResult(distance_m, sigma_m, p.lat_deg, p.lon_deg, fix.ellipse, span)

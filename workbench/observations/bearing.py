"""Bearing: the azimuth of a target from a camera position, with its one-sigma.

Measured in a frame (the Bearing tool, the demo, ``geoworkbench bearing``), the bearing is
recomputed from what was measured alone (``bearing_measure.measure_bearing``: the solve, the
clicks' one-sigma, and a field of view fitted to a second reference checked by fitting it
again, the result's ``hfov_from_references_deg``). A bearing typed in, with no measurement,
recomputes to its stated azimuth and sigma.

The map draws the ray (it follows its camera when the camera is moved), the field-of-view
wedge and, with a range, the range fix (``workbench.observations.range_fix``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine, GeoPolygon, ray_line
from analysis.geometry.triangulation import BearingRay
from workbench.map_items import MapItem
from workbench.observations import range_fix
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    same_angle,
)
from workbench.observations.bearing_measure import measure_bearing
from workbench.observations.bearing_model import (
    BEARING_SCHEMA,
    DEFAULT_RANGE_M,
    BearingInputs,
    BearingResult,
    bearing_inputs_from_json,
    bearing_inputs_json,
    bearing_result_from_json,
    bearing_result_json,
)
from workbench.observations.bearing_upgrade import upgrade_bearing_v1
from workbench.observations.range_fix_model import range_fix_inputs

WEDGE_STEP_DEG = 5.0
AZIMUTH_TOLERANCE_DEG = 1e-6  # a stated azimuth must follow from its pixels to this

BearingObservation = TypedObservation[BearingInputs, BearingResult]


# -- drawing ---------------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def _ray_points(origin: LatLon, az: float, sigma: float, range_m: float) -> tuple[LatLon, ...]:
    # Cached: a refresh after one edit recomputes only the geodesics that changed.
    return ray_line(BearingRay(origin, az, sigma), range_m, "").points


@lru_cache(maxsize=8192)
def _wedge_ring(origin: LatLon, view_deg: float, hfov_deg: float, range_m: float) -> tuple:
    # One arc vertex per WEDGE_STEP_DEG (at least 4): the far edge of a 40 deg wedge at 5 km
    # then departs from the true arc by at most 5000 * (1 - cos(2.5 deg)) = 4.8 m.
    points = max(4, math.ceil(hfov_deg / WEDGE_STEP_DEG) + 1)
    return tuple(geodesy.wedge_polygon(origin, view_deg, hfov_deg, range_m, arc_points=points))


class BearingEntry(ObservationEntry[BearingInputs, BearingResult]):
    kind = "bearing"
    schema_version = BEARING_SCHEMA
    title = "Bearing"

    def inputs_from_json(self, d: Mapping[str, Any]) -> BearingInputs:
        return bearing_inputs_from_json(d)

    def inputs_to_json(self, inputs: BearingInputs) -> dict[str, Any]:
        return bearing_inputs_json(inputs)

    def result_from_json(self, d: Mapping[str, Any]) -> BearingResult:
        return bearing_result_from_json(d)

    def result_to_json(self, result: BearingResult) -> dict[str, Any]:
        return bearing_result_json(result)

    def upgrade(self, version, inputs, result):
        return upgrade_bearing_v1(version, inputs, result)

    def validate(self, inputs: BearingInputs) -> None:
        """Numbers in range; a measured bearing's stated azimuth and sigma must follow from
        its pixels (a camera moved between the solve and the write would break that).

        Raises:
            GeometryError: naming what is wrong.
        """
        BearingRay(inputs.camera, inputs.azimuth_deg, inputs.sigma_deg)  # finite, sigma > 0
        if inputs.hfov_deg is not None and not 0.0 < inputs.hfov_deg < 360.0:
            raise GeometryError(f"field of view {inputs.hfov_deg} deg is not in (0, 360)")
        if inputs.range_m is not None and not inputs.range_m > 0.0:
            raise GeometryError(f"ray length {inputs.range_m} m must be positive")
        m = inputs.measurement
        if m is None:
            return
        if m.hfov_deg != inputs.hfov_deg:
            raise GeometryError("the measurement's field of view is not the bearing's")
        for name in ("click_sigma_px", "target_sigma_px"):
            value = getattr(m, name)
            if value is not None and not (math.isfinite(value) and value > 0.0):
                raise GeometryError(f"{name} {value} must be positive")
        got = measure_bearing(inputs.camera, m, inputs.sigma_deg, check_fov=False)
        if not same_angle(got.azimuth_deg, inputs.azimuth_deg, AZIMUTH_TOLERANCE_DEG):
            raise GeometryError(
                f"the stated azimuth {inputs.azimuth_deg:.6f} deg does not follow from the "
                f"pixels, which give {got.azimuth_deg:.6f} deg from the stored camera position"
            )
        step = 0.0 if m.sigma_decimals is None else 10.0**-m.sigma_decimals
        if abs(got.sigma_deg - inputs.sigma_deg) > step + 1e-12:
            raise GeometryError(
                f"the stated sigma {inputs.sigma_deg} deg is not the clicks' {got.sigma_deg} deg"
            )

    def recompute(self, inputs: BearingInputs) -> BearingResult:
        """The bearing from its measurement (or as stated), then its range fix.

        Raises:
            GeometryError: as ``measure_bearing`` and ``range_fix`` recompute.
        """
        m = inputs.measurement
        if m is None:
            res = BearingResult(
                geodesy.normalize_azimuth_deg(inputs.azimuth_deg),
                inputs.sigma_deg,
                hfov_deg=inputs.hfov_deg,
                view_azimuth_deg=inputs.view_azimuth_deg,
            )
        else:
            res = measure_bearing(inputs.camera, m, inputs.sigma_deg)
        part = range_fix_inputs(inputs, res.azimuth_deg, res.sigma_deg)
        if part is None:
            return res
        return replace(res, range_fix=range_fix.ENTRY.recompute(part))

    def map_items(self, obs: BearingObservation, ctx: MapContext) -> list[MapItem]:
        """The ray and, with a field of view, the wedge, from the camera as it stands now;
        with a range, the stored range fix."""
        i = obs.inputs
        cam = ctx.landmarks.get(i.camera_id) if i.camera_id is not None else None
        origin = cam.position if cam else i.camera
        colour = range_fix.ray_colour(obs.evidence_id, cam)
        cam_name = cam.name if cam else f"camera {i.camera_id}"
        az, sigma = i.azimuth_deg, i.sigma_deg
        text = f"bearing {az:.2f} deg ± {sigma:.2f} deg (1 sigma) from {cam_name}"
        range_m = float(i.range_m or DEFAULT_RANGE_M)
        ray = GeoLine(f"bearing {obs.id}", _ray_points(origin, az, sigma, range_m), text)
        out = [MapItem("rays", f"observation:{obs.id}", ray, colour)]
        if i.hfov_deg:
            view = az if i.view_azimuth_deg is None else i.view_azimuth_deg
            ring = _wedge_ring(origin, view, i.hfov_deg, range_m)
            text = f"{i.hfov_deg:.1f} deg wide, axis {view:.1f} deg"
            wedge = GeoPolygon(f"field of view {obs.id}", ring, text)
            out.append(MapItem("wedges", f"observation:{obs.id}:wedge", wedge, colour))
        fix = obs.result.range_fix
        part = None if fix is None else range_fix.part_of(obs, fix)
        if part is not None:
            out += range_fix.ENTRY.map_items(part, ctx)
        return out

    def report_section(self, obs: BearingObservation) -> ReportSection:
        i, r, m = obs.inputs, obs.result, obs.inputs.measurement
        lines = [
            f"azimuth {r.azimuth_deg:.3f} deg ± {r.sigma_deg:.3f} deg (1 sigma) from "
            f"{i.camera_lat_deg:.6f}, {i.camera_lon_deg:.6f}"
        ]
        if m is None:
            lines.append("stated, not measured in a frame")
        else:
            level = "levelled on the horizon" if m.horizon_px else "not levelled"
            lines.append(
                f"measured in a {m.width_px}x{m.height_px} frame on reference "
                f"{m.reference_name or m.reference_id}; field of view {m.hfov_deg:.3f} deg "
                f"({m.hfov_source}); {level}"
            )
            if r.hfov_from_references_deg is not None:
                lines.append(f"the two references give {r.hfov_from_references_deg:.3f} deg")
        figures: dict[str, float | int | str | None] = {
            "azimuth_deg": r.azimuth_deg,
            "sigma_deg": r.sigma_deg,
            "hfov_deg": r.hfov_deg,
            "camera_lat_deg": i.camera_lat_deg,
            "camera_lon_deg": i.camera_lon_deg,
        }
        fix = r.range_fix
        part = None if fix is None else range_fix.part_of(obs, fix)
        if part is not None:
            sub = range_fix.ENTRY.report_section(part)
            lines += sub.lines
            figures |= {f"range_{k}": v for k, v in sub.figures.items()}
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = BearingEntry()

"""Range fix: a bearing with a range from the target's known height puts it on the map from one
camera.

The range is ``analysis.geometry.bearing.range_from_height`` on the bearing's levelled camera
(the target's top and bottom pixels and its height), the fix and its 95% ellipse
``analysis.geometry.bearing.range_fix`` (along the ray the range's sigma, across it the
bearing's). Both are computed once, in ``recompute``, and stored in the bearing's result
(``range_fix``); drawing reads them. The inputs live in the bearing row (``range_estimate``):
a range fix is stored as a bearing, and this entry reads that same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from analysis.geometry import geodesy
from analysis.geometry.bearing import range_from_height
from analysis.geometry.geoexport import GeoPoint, ellipse_polygon
from workbench.geodata_records import Landmark
from workbench.map_items import KIND_COLOURS, MapItem, ellipse_label, evidence_colour
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
)
from workbench.observations.bearing_model import (
    BEARING_SCHEMA,
    BearingInputs,
    RangeFixResult,
    bearing_inputs_from_json,
    bearing_inputs_json,
    range_fix_result_from_json,
    range_fix_result_json,
)
from workbench.observations.bearing_upgrade import upgrade_bearing_v1
from workbench.observations.range_fix_model import (
    RangeFixInputs,
    fix_from_inputs,
    range_fix_inputs,
)


def ray_colour(evidence_id: int | None, camera: Landmark | None) -> str:
    """A bearing's colour: its evidence's, else its camera's, else the camera kind's."""
    return (
        evidence_colour(evidence_id)
        or (evidence_colour(camera.evidence_id) if camera else None)
        or KIND_COLOURS["camera"]
    )


class RangeFixEntry(ObservationEntry[RangeFixInputs, RangeFixResult]):
    kind = "range_fix"
    schema_version = BEARING_SCHEMA  # it is stored in a bearing row and follows its schema
    title = "Range fix"

    def inputs_from_json(self, d: Mapping[str, Any]) -> RangeFixInputs:
        found = range_fix_inputs(bearing_inputs_from_json(d))
        if found is None:
            raise ValueError("the bearing has no range_estimate")
        return found

    def inputs_to_json(self, inputs: RangeFixInputs) -> dict[str, Any]:
        m = inputs.measurement
        bearing = BearingInputs(
            inputs.camera_lat_deg,
            inputs.camera_lon_deg,
            inputs.azimuth_deg,
            inputs.sigma_deg,
            camera_id=inputs.camera_id,
            hfov_deg=None if m is None else m.hfov_deg,
            measurement=m,
            range=inputs.range,
        )
        return bearing_inputs_json(bearing)

    def result_from_json(self, d: Mapping[str, Any]) -> RangeFixResult:
        found = range_fix_result_from_json(d.get("range_fix"))
        if found is None:
            raise ValueError("the result has no range_fix")
        return found

    def result_to_json(self, result: RangeFixResult) -> dict[str, Any]:
        return {"range_fix": range_fix_result_json(result)}

    def upgrade(self, version, inputs, result):
        return upgrade_bearing_v1(version, inputs, result)

    def recompute(self, inputs: RangeFixInputs) -> RangeFixResult:
        """The range from the pixels when measured (else as stated), then the fix.

        Raises:
            GeometryError: for a height that is not positive or a top not above the bottom.
        """
        r, m = inputs.range, inputs.measurement
        if m is None:
            if r.distance_m is None or r.sigma_m is None:
                raise ValueError("a range without pixels needs its distance and sigma")
            return fix_from_inputs(inputs, r.distance_m, r.sigma_m, None)
        est = range_from_height(
            m.setup(inputs.camera),
            r.top_px,
            r.bottom_px,
            r.height_m,
            r.height_sigma_m,
            r.click_sigma_px,
        )
        return fix_from_inputs(inputs, est.distance_m, est.sigma_m, est.span_px)

    def map_items(
        self, obs: TypedObservation[RangeFixInputs, RangeFixResult], ctx: MapContext
    ) -> list[MapItem]:
        """The fix and its ellipse; when the camera was moved since, the fix moves with it
        (as the ray does), its ellipse unchanged."""
        i, r = obs.inputs, obs.result
        cam = ctx.landmarks.get(i.camera_id) if i.camera_id is not None else None
        origin = cam.position if cam else i.camera
        colour = ray_colour(obs.evidence_id, cam)
        centre = (
            r.position
            if origin == i.camera
            else geodesy.destination(origin, i.azimuth_deg, r.distance_m)
        )
        text = (
            f"range {r.distance_m:,.0f} m ± {r.sigma_m:,.0f} m from a {i.range.height_m:g} m "
            f"height (clicks and height: an error in the field of view adds to it), "
            f"bearing {i.azimuth_deg:.2f} deg ± {i.sigma_deg:.2f} deg"
        )
        ident = f"observation:{obs.id}:range"
        poly = ellipse_polygon(centre, r.ellipse, f"range ellipse {obs.id}", text)
        e = r.ellipse
        label = ellipse_label(e.confidence, e.semi_major_m, e.semi_minor_m)
        return [
            MapItem("ellipses", ident, GeoPoint(f"range fix {obs.id}", centre, text), colour),
            MapItem("ellipses", f"{ident}:ellipse", poly, colour, extra=(("label", label),)),
        ]

    def report_section(
        self, obs: TypedObservation[RangeFixInputs, RangeFixResult]
    ) -> ReportSection:
        i, r, e = obs.inputs, obs.result, obs.result.ellipse
        lines = (
            f"range {r.distance_m:,.0f} m ± {r.sigma_m:,.0f} m (1 sigma) from a "
            f"{i.range.height_m:g} ± {i.range.height_sigma_m:g} m height",
            f"fix {r.lat_deg:.6f}, {r.lon_deg:.6f}; {e.confidence:.0%} ellipse "
            f"{e.semi_major_m:,.0f} m x {e.semi_minor_m:,.0f} m, "
            f"major axis {e.azimuth_deg:.1f} deg",
            f"method: {i.range.method}",
        )
        figures = {
            "distance_m": r.distance_m,
            "sigma_m": r.sigma_m,
            "lat_deg": r.lat_deg,
            "lon_deg": r.lon_deg,
            "semi_major_m": e.semi_major_m,
            "semi_minor_m": e.semi_minor_m,
        }
        return ReportSection(f"{self.title} {obs.id}", lines, figures)


ENTRY = RangeFixEntry()


def part_of(
    bearing: TypedObservation[BearingInputs, Any], result: RangeFixResult
) -> TypedObservation[RangeFixInputs, RangeFixResult] | None:
    """The range fix of a bearing observation as an observation of its own (same id)."""
    inputs = range_fix_inputs(bearing.inputs)
    if inputs is None:
        return None
    return replace(bearing, kind=ENTRY.kind, inputs=inputs, result=result)  # type: ignore[arg-type]

"""Pose: a frame's camera in 3-D from control points, its cone on the ground, pixels on the ground.

The typed inputs, result and recompute are in ``pose_model``. The map draws the camera, the
frame's field of view draped over the ground it was posed on (a polygon), a line to every
control point, and each target pixel's ground point with its ellipse. Schema 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine, GeoPoint, GeoPolygon
from workbench.map_items import MapItem
from workbench.observations import pose_model as m
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    fix_items,
)

COLOUR = "#8e44ad"
PoseObservation = TypedObservation[m.PoseInputs, m.PoseResult]


def _sd(v: float | None, unit: str) -> str:
    return "" if v is None else f" ± {v:.2g} {unit}"


class PoseEntry(ObservationEntry[m.PoseInputs, m.PoseResult]):
    kind = "pose"
    schema_version = 1
    title = "Camera pose"

    def inputs_from_json(self, d: Mapping[str, Any]) -> m.PoseInputs:
        return m.inputs_from_json(d)

    def inputs_to_json(self, inputs: m.PoseInputs) -> dict[str, Any]:
        return m.inputs_to_json(inputs)

    def result_from_json(self, d: Mapping[str, Any]) -> m.PoseResult:
        return m.result_from_json(d)

    def result_to_json(self, result: m.PoseResult) -> dict[str, Any]:
        return m.result_to_json(result)

    def validate(self, inputs: m.PoseInputs) -> None:
        m.validate(inputs)

    def recompute(self, inputs: m.PoseInputs) -> m.PoseResult:
        return m.compute(inputs)

    def map_items(self, obs: PoseObservation, ctx: MapContext) -> list[MapItem]:
        """The camera, its cone on the ground, lines to the control points, the targets."""
        r, ident = obs.result, f"observation:{obs.id}"
        camera = LatLon(r.lat_deg, r.lon_deg)
        text = (
            f"posed camera: height {r.height_m:.1f} m, yaw {r.yaw_deg:.2f}, pitch "
            f"{r.pitch_deg:.2f}, roll {r.roll_deg:.2f}, field of view {r.hfov_deg:.2f} deg"
        )
        out = [
            MapItem("cameras", f"{ident}:camera", GeoPoint(f"pose {obs.id}", camera, text), COLOUR),
            MapItem(
                "wedges",
                f"{ident}:footprint",
                GeoPolygon(f"pose {obs.id} field of view", r.footprint, "on the ground"),
                COLOUR,
            ),
        ]
        for k, p in enumerate(obs.inputs.points):
            name = r.residuals_px[k][0] if k < len(r.residuals_px) else p.name
            dx, dy = r.residuals_px[k][1:] if k < len(r.residuals_px) else (0.0, 0.0)
            line = GeoLine(
                name, (camera, LatLon(p.lat_deg, p.lon_deg)), f"residual {dx:+.2f}, {dy:+.2f} px"
            )
            out.append(MapItem("sightlines", f"{ident}:point:{k}", line, COLOUR))
        for k, t in enumerate(r.targets):
            items = fix_items(
                obs.id, t.name, COLOUR, LatLon(t.lat_deg, t.lon_deg),
                f"pixel ({t.x_px:.1f}, {t.y_px:.1f}) on the ground, {t.range_m:,.0f} m away",
                t.ellipse,
            )  # fmt: skip
            out += [
                MapItem(i.layer, f"{i.ident}:target:{k}", i.feature, i.colour, extra=i.extra)
                for i in items
            ]
        return out

    def report_section(self, obs: PoseObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        s = r.sigmas
        lines = [
            f"camera at {r.lat_deg:.6f}, {r.lon_deg:.6f}, height {r.height_m:.1f} m"
            f"{_sd(s.get('height_m'), 'm')} from {len(i.points)} control points "
            f"(rms {r.rms_px:.2f} px)",
            f"yaw {r.yaw_deg:.2f}{_sd(s.get('yaw_deg'), 'deg')}, pitch {r.pitch_deg:.2f}"
            f"{_sd(s.get('pitch_deg'), 'deg')}, roll {r.roll_deg:.2f}"
            f"{_sd(s.get('roll_deg'), 'deg')}; field of view {r.hfov_deg:.2f} deg"
            f"{_sd(s.get('hfov_deg'), 'deg')}" + ("" if i.hfov_deg is None else " (given)"),
        ]
        for t in r.targets:
            e = t.ellipse
            lines.append(
                f"{t.name}: {t.lat_deg:.6f}, {t.lon_deg:.6f}; {e.confidence:.0%} ellipse "
                f"{e.semi_major_m:,.1f} m x {e.semi_minor_m:,.1f} m"
            )
        figures = {
            "lat_deg": r.lat_deg,
            "lon_deg": r.lon_deg,
            "height_m": r.height_m,
            "yaw_deg": r.yaw_deg,
            "hfov_deg": r.hfov_deg,
            "rms_px": r.rms_px,
        }
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = PoseEntry()

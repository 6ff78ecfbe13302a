"""Alignment: two landmarks that line up in a frame put the camera on the line far -> near,
beyond the near one (``analysis.geometry.sightlines``).

The inputs are the two landmarks (ids and positions at the time) and their map one-sigma; the
result is the azimuth of the line at the far object (``geodesy.azimuth_deg(far, near)``). The
map draws the line from the far object through the near one and on, three times their spacing,
from where the landmarks stand now. Schema 1: the shape is the one stored before the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine
from analysis.geometry.sightlines import Alignment
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    opt_int,
)

SIGHTLINE_EXTENSION = 3.0  # the camera lies beyond the near object: draw 3x the spacing
COLOUR = "#16a085"
_KEYS = ("near_id", "far_id", "near", "far", "position_sigma_m")


@dataclass(frozen=True)
class AlignmentInputs:
    near_id: int | None
    far_id: int | None
    near_lat_deg: float
    near_lon_deg: float
    far_lat_deg: float
    far_lon_deg: float
    position_sigma_m: float = 2.0  # one-sigma map position error of each object
    other: Mapping[str, Any] = field(default_factory=dict)  # pixels clicked, tool, sha256

    @property
    def near(self) -> LatLon:
        return LatLon(self.near_lat_deg, self.near_lon_deg)

    @property
    def far(self) -> LatLon:
        return LatLon(self.far_lat_deg, self.far_lon_deg)


@dataclass(frozen=True)
class AlignmentResult:
    azimuth_deg: float  # of the line far -> near, at the far object, [0, 360)


AlignmentObservation = TypedObservation[AlignmentInputs, AlignmentResult]


class AlignmentEntry(ObservationEntry[AlignmentInputs, AlignmentResult]):
    kind = "alignment"
    schema_version = 1
    title = "Alignment"

    def inputs_from_json(self, d: Mapping[str, Any]) -> AlignmentInputs:
        return AlignmentInputs(
            opt_int(d.get("near_id")),
            opt_int(d.get("far_id")),
            float(d["near"][0]),
            float(d["near"][1]),
            float(d["far"][0]),
            float(d["far"][1]),
            float(d.get("position_sigma_m", 2.0)),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, inputs: AlignmentInputs) -> dict[str, Any]:
        out = {
            "near_id": inputs.near_id,
            "far_id": inputs.far_id,
            "near": [inputs.near_lat_deg, inputs.near_lon_deg],
            "far": [inputs.far_lat_deg, inputs.far_lon_deg],
            "position_sigma_m": inputs.position_sigma_m,
        }
        return out | dict(inputs.other)

    def result_from_json(self, d: Mapping[str, Any]) -> AlignmentResult:
        return AlignmentResult(float(d["azimuth_deg"]))

    def result_to_json(self, result: AlignmentResult) -> dict[str, Any]:
        return {"azimuth_deg": result.azimuth_deg}

    def validate(self, inputs: AlignmentInputs) -> None:
        """Raises: GeometryError for a non-positive sigma or objects less than 1 m apart."""
        Alignment(inputs.near, inputs.far, inputs.position_sigma_m)
        if geodesy.distance_m(inputs.near, inputs.far) < 1.0:
            raise GeometryError("the near and far objects of an alignment are under 1 m apart")

    def recompute(self, inputs: AlignmentInputs) -> AlignmentResult:
        return AlignmentResult(geodesy.azimuth_deg(inputs.far, inputs.near))

    def map_items(self, obs: AlignmentObservation, ctx: MapContext) -> list[MapItem]:
        i = obs.inputs
        near_m = ctx.landmarks.get(i.near_id) if i.near_id is not None else None
        far_m = ctx.landmarks.get(i.far_id) if i.far_id is not None else None
        near = near_m.position if near_m else i.near
        far = far_m.position if far_m else i.far
        g = geodesy.inverse(far, near)
        end = geodesy.destination(far, g.azimuth1_deg, g.distance_m * SIGHTLINE_EXTENSION)
        text = f"camera on this line beyond the near object (azimuth {g.azimuth1_deg:.1f} deg)"
        line = GeoLine(f"alignment {obs.id}", (far, near, end), text)
        return [MapItem("sightlines", f"observation:{obs.id}", line, COLOUR)]

    def report_section(self, obs: AlignmentObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        spacing = geodesy.distance_m(i.near, i.far)
        lines = (
            f"landmarks {i.near_id} (near) and {i.far_id} (far) line up in the frame, "
            f"{spacing:,.0f} m apart",
            f"the camera is on the line at azimuth {r.azimuth_deg:.2f} deg from the far one, "
            "beyond the near one",
        )
        figures = {
            "azimuth_deg": r.azimuth_deg,
            "spacing_m": spacing,
            "position_sigma_m": i.position_sigma_m,
        }
        return ReportSection(f"{self.title} {obs.id}", lines, figures)


ENTRY = AlignmentEntry()

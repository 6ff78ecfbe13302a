"""Georeference: an image (an evidence, or a frame of one) fitted to the ground.

Inputs: the image's size, the control points (pixel and WGS84 position, enabled or not), the
transform kind (similarity, affine, projective, thin-plate spline) and how the points came
(``method``: "gcp" typed or clicked by the analyst, "auto" proposed by the automatic
registration against a reference layer, whose id and verdict are kept). The result is
recomputed from the points alone (analysis.imagery.georeference.georeference_gcps): the four
outer corners, the RMSE in metres and pixels, and each enabled point's residual. An automatic
registration is stored through the control points it proposed, so that anyone can refit it.
The map draws the footprint. Schema 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoPolygon
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
)

COLOUR = "#16a085"
_KEYS = ("image_wh", "gcps", "transform_kind", "method")


@dataclass(frozen=True)
class GeorefInputs:
    image_wh: tuple[int, int]
    gcps: tuple[tuple[float, float, float, float, bool], ...]  # x, y, lat, lon, enabled
    transform_kind: str
    method: str
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GeorefResult:
    corners: tuple[tuple[float, float], ...]  # TL, TR, BR, BL as (lat, lon)
    rmse_m: float
    rmse_px: float
    residuals_m: tuple[float, ...]  # enabled points, in order
    transform: Mapping[str, Any]


GeorefObservation = TypedObservation[GeorefInputs, GeorefResult]


class GeoreferenceEntry(ObservationEntry[GeorefInputs, GeorefResult]):
    kind = "georeference"
    schema_version = 1
    title = "Georeference"

    def inputs_from_json(self, d: Mapping[str, Any]) -> GeorefInputs:
        w, h = d["image_wh"]
        gcps = tuple(
            (float(g[0]), float(g[1]), float(g[2]), float(g[3]), bool(g[4])) for g in d["gcps"]
        )
        return GeorefInputs((int(w), int(h)), gcps, str(d["transform_kind"]), str(d["method"]),
                            {k: v for k, v in d.items() if k not in _KEYS})  # fmt: skip

    def inputs_to_json(self, i: GeorefInputs) -> dict[str, Any]:
        out = {"image_wh": list(i.image_wh), "gcps": [list(g) for g in i.gcps],
               "transform_kind": i.transform_kind, "method": i.method}  # fmt: skip
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> GeorefResult:
        return GeorefResult(
            tuple((float(a), float(o)) for a, o in d["corners"]), float(d["rmse_m"]),
            float(d["rmse_px"]), tuple(float(v) for v in d["residuals_m"]), dict(d["transform"]),
        )  # fmt: skip

    def result_to_json(self, r: GeorefResult) -> dict[str, Any]:
        return {"corners": [list(c) for c in r.corners], "rmse_m": r.rmse_m,
                "rmse_px": r.rmse_px, "residuals_m": list(r.residuals_m),
                "transform": dict(r.transform)}  # fmt: skip

    def validate(self, i: GeorefInputs) -> None:
        if i.image_wh[0] < 1 or i.image_wh[1] < 1:
            raise GeometryError(f"georeference: image size {i.image_wh} is empty")
        if i.method not in ("gcp", "auto"):
            raise GeometryError(f"georeference: method {i.method!r} is not gcp or auto")

    def recompute(self, i: GeorefInputs) -> GeorefResult:
        from analysis.imagery.errors import RegistrationError
        from analysis.imagery.georeference import georeference_gcps
        from analysis.imagery.register_fit import Gcp

        self.validate(i)
        gcps = [Gcp(x, y, lat, lon, on) for x, y, lat, lon, on in i.gcps]
        try:
            r = georeference_gcps(i.image_wh, gcps, i.transform_kind)
        except RegistrationError as exc:
            raise GeometryError(f"georeference: {exc}") from exc
        res = tuple(float(row["residual_m"]) for row in r.residuals if row["enabled"])
        return GeorefResult(tuple(r.corners), float(r.rmse_m), float(r.rmse_px), res,
                            r.transform)  # fmt: skip

    def map_items(self, obs: GeorefObservation, ctx: MapContext) -> list[MapItem]:
        r = obs.result
        text = (f"georeference ({obs.inputs.method}, {obs.inputs.transform_kind}): "
                f"RMSE {r.rmse_m:.2f} m")  # fmt: skip
        ring = tuple(LatLon(a, o) for a, o in r.corners)
        poly = GeoPolygon(f"footprint {obs.id}", ring, text)
        return [MapItem("wedges", f"observation:{obs.id}", poly, COLOUR)]

    def report_section(self, obs: GeorefObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        n = sum(1 for g in i.gcps if g[4])
        lines = (
            f"{i.transform_kind} fit to {n} control points ({i.method}); RMSE {r.rmse_m:.2f} m "
            f"({r.rmse_px:.2f} px)",
            "corners (TL, TR, BR, BL): " + "; ".join(f"{a:.6f}, {o:.6f}" for a, o in r.corners),
        )
        return ReportSection(self.title, lines, {"rmse_m": r.rmse_m, "points": n})


ENTRY = GeoreferenceEntry()

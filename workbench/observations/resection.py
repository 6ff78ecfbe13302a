"""Resection: the camera position from three or more landmarks clicked in one frame.

The inputs are what was measured (``workbench.geodata_resection``): the frame model, each
landmark's id, name, position at the time and pixel, the directions' one-sigma, whether the
field of view was estimated and the confidence. ``recompute`` is
``geodata_resection.resection_from_inputs`` (``analysis.geometry.resection_frame.resect_frame``
on those inputs alone). The map draws the fix, its ellipse and a line to each landmark seen.
Schema 1: the shape is the one stored before the registry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine
from analysis.geometry.resection_frame import FrameModel
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    Pixel,
    ReportSection,
    TypedObservation,
    ellipse_from_json,
    ellipse_json,
    fix_items,
    opt_float,
    opt_int,
    pair_json,
    pixel,
    pixel_pair,
)
from workbench.resection_record import RESECTION_METHOD, resection_from_inputs

COLOUR = "#2c3e50"
_KEYS = ("sightings", "frame", "sigma_deg", "estimate_hfov", "confidence", "method")


@dataclass(frozen=True)
class SeenLandmark:
    """One landmark clicked in the frame, as it stood when the resection was made."""

    landmark_id: int | None
    name: str
    lat_deg: float
    lon_deg: float
    pixel: Pixel


@dataclass(frozen=True)
class ResectionInputs:
    sightings: tuple[SeenLandmark, ...]
    frame: FrameModel  # size, field of view (given, or the start when estimated), horizon
    sigma_deg: float  # one-sigma of each direction
    estimate_hfov: bool = False
    confidence: float = 0.95
    method: str = RESECTION_METHOD
    other: Mapping[str, Any] = field(default_factory=dict)  # tool, hfov_source, sha256


@dataclass(frozen=True)
class LandmarkResidual:
    landmark: str
    direction_deg: float  # in the levelled frame, from the optical axis
    residual_deg: float  # observed minus computed


@dataclass(frozen=True)
class ResectionResult:
    lat_deg: float
    lon_deg: float
    orientation_deg: float  # azimuth of the optical axis
    orientation_sigma_deg: float
    hfov_deg: float
    hfov_sigma_deg: float | None  # None when the field of view was given
    pitch_deg: float
    roll_deg: float
    ellipse: ErrorEllipse | None
    residuals: tuple[LandmarkResidual, ...]
    chi_square: float
    degrees_of_freedom: int
    well_conditioned: bool
    message: str


ResectionObservation = TypedObservation[ResectionInputs, ResectionResult]


def _frame_from_json(d: Mapping[str, Any]) -> FrameModel:
    return FrameModel(
        int(d["width_px"]),
        int(d["height_px"]),
        float(d["hfov_deg"]),
        float(d.get("pixel_aspect", 1.0)),
        pixel_pair(d.get("horizon_px")),
    )


def _frame_json(f: FrameModel) -> dict[str, Any]:
    return {
        "width_px": f.width_px,
        "height_px": f.height_px,
        "hfov_deg": f.hfov_deg,
        "pixel_aspect": f.pixel_aspect,
        "horizon_px": pair_json(f.horizon_px),
    }


class ResectionEntry(ObservationEntry[ResectionInputs, ResectionResult]):
    kind = "resection"
    schema_version = 1
    title = "Resection"

    def inputs_from_json(self, d: Mapping[str, Any]) -> ResectionInputs:
        seen = tuple(
            SeenLandmark(
                opt_int(s.get("landmark_id")),
                str(s.get("name", "")),
                float(s["lat_deg"]),
                float(s["lon_deg"]),
                pixel(s["pixel"]),
            )
            for s in d["sightings"]
        )
        return ResectionInputs(
            seen,
            _frame_from_json(d["frame"]),
            float(d["sigma_deg"]),
            bool(d.get("estimate_hfov", False)),
            float(d.get("confidence", 0.95)),
            str(d.get("method", RESECTION_METHOD)),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, inputs: ResectionInputs) -> dict[str, Any]:
        out = {
            "sightings": [
                {
                    "landmark_id": s.landmark_id,
                    "name": s.name,
                    "lat_deg": s.lat_deg,
                    "lon_deg": s.lon_deg,
                    "pixel": list(s.pixel),
                }
                for s in inputs.sightings
            ],
            "frame": _frame_json(inputs.frame),
            "sigma_deg": inputs.sigma_deg,
            "estimate_hfov": inputs.estimate_hfov,
            "confidence": inputs.confidence,
            "method": inputs.method,
        }
        return out | dict(inputs.other)

    def result_from_json(self, d: Mapping[str, Any]) -> ResectionResult:
        return ResectionResult(
            float(d["lat_deg"]),
            float(d["lon_deg"]),
            float(d["orientation_deg"]),
            float(d["orientation_sigma_deg"]),
            float(d["hfov_deg"]),
            opt_float(d.get("hfov_sigma_deg")),
            float(d["pitch_deg"]),
            float(d["roll_deg"]),
            ellipse_from_json(d.get("ellipse")),
            tuple(
                LandmarkResidual(
                    str(r["landmark"]), float(r["direction_deg"]), float(r["residual_deg"])
                )
                for r in d.get("residuals", ())
            ),
            float(d["chi_square"]),
            int(d["degrees_of_freedom"]),
            bool(d["well_conditioned"]),
            str(d.get("message", "")),
        )

    def result_to_json(self, result: ResectionResult) -> dict[str, Any]:
        r = result
        return {
            "lat_deg": r.lat_deg,
            "lon_deg": r.lon_deg,
            "orientation_deg": r.orientation_deg,
            "orientation_sigma_deg": r.orientation_sigma_deg,
            "hfov_deg": r.hfov_deg,
            "hfov_sigma_deg": r.hfov_sigma_deg,
            "pitch_deg": r.pitch_deg,
            "roll_deg": r.roll_deg,
            "ellipse": ellipse_json(r.ellipse),
            "residuals": [
                {
                    "landmark": x.landmark,
                    "direction_deg": x.direction_deg,
                    "residual_deg": x.residual_deg,
                }
                for x in r.residuals
            ],
            "chi_square": r.chi_square,
            "degrees_of_freedom": r.degrees_of_freedom,
            "well_conditioned": r.well_conditioned,
            "message": r.message,
        }

    def recompute(self, inputs: ResectionInputs) -> ResectionResult:
        """Raises: GeometryError as ``resection_from_inputs`` (which validates the sigma)."""
        return self.result_from_json(resection_from_inputs(self.inputs_to_json(inputs)))

    def validate(self, inputs: ResectionInputs) -> None:
        """Raises: GeometryError for too few landmarks, one seen twice, a pixel or sigma that
        is not a finite positive number (``recompute`` finds a geometry with no solution)."""
        need = 4 if inputs.estimate_hfov else 3
        if len(inputs.sightings) < need:
            raise GeometryError(f"a resection needs {need} landmarks, got {len(inputs.sightings)}")
        ids = [s.landmark_id for s in inputs.sightings if s.landmark_id is not None]
        if len(set(ids)) != len(ids):
            raise GeometryError("a landmark is listed twice; each may be seen once per frame")
        if not all(math.isfinite(v) for s in inputs.sightings for v in s.pixel):
            raise GeometryError("a pixel of the resection is not finite")
        if not (math.isfinite(inputs.sigma_deg) and inputs.sigma_deg > 0.0):
            raise GeometryError(f"direction sigma {inputs.sigma_deg} deg must be positive")

    def map_items(self, obs: ResectionObservation, ctx: MapContext) -> list[MapItem]:
        """The resected camera, its ellipse and a line to each landmark it saw."""
        r = obs.result
        camera = LatLon(r.lat_deg, r.lon_deg)
        label = f"resected camera {obs.id}"
        out = fix_items(obs.id, label, COLOUR, camera, r.message, r.ellipse)
        for k, seen in enumerate(obs.inputs.sightings):  # residuals in the same order
            residual = r.residuals[k].residual_deg if k < len(r.residuals) else float("nan")
            text = f"seen in the frame; residual {residual:+.2f} deg"
            line = GeoLine(seen.name, (camera, LatLon(seen.lat_deg, seen.lon_deg)), text)
            out.append(MapItem("sightlines", f"observation:{obs.id}:sighting:{k}", line, COLOUR))
        return out

    def report_section(self, obs: ResectionObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        names = ", ".join(s.name or str(s.landmark_id) for s in i.sightings)
        fov = "estimated" if i.estimate_hfov else "given"
        lines = [
            f"camera at {r.lat_deg:.6f}, {r.lon_deg:.6f} from {len(i.sightings)} landmarks "
            f"({names}); {r.message}",
            f"optical axis {r.orientation_deg:.2f} ± {r.orientation_sigma_deg:.2f} deg; field "
            f"of view {r.hfov_deg:.2f} deg ({fov})",
        ]
        if r.ellipse is not None:
            e = r.ellipse
            lines.append(
                f"{e.confidence:.0%} ellipse {e.semi_major_m:,.1f} m x {e.semi_minor_m:,.1f} m"
            )
        figures = {
            "lat_deg": r.lat_deg,
            "lon_deg": r.lon_deg,
            "orientation_deg": r.orientation_deg,
            "hfov_deg": r.hfov_deg,
            "chi_square": r.chi_square,
            "well_conditioned": str(r.well_conditioned),
        }
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = ResectionEntry()

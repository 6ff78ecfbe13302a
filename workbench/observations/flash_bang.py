"""Flash-bang: the distance from a camera to an explosion from its flash and its bang.

Inputs: the camera (a landmark of kind camera, or a position), the evidence and flash frame
with its time and frame duration, the bang's onset time and one-sigma precision, the air
temperature and its sigma. The result (``analysis.audio.flashbang``): delay, speed of sound,
distance, its sigma and 95% interval. The map draws a range ring around the camera at the
distance and two thinner rings at the interval's ends (the ring's width).

As a range constraint in the triangulation: the explosion lies on the ring, so a bearing from
the same camera gives a range fix (the ``range_fix`` kind: distance along the ray, with this
sigma), and a bearing from another camera crosses the ring in up to two points; in the
generalised least squares of ``analysis.geometry.triangulation_gls`` a ring adds one residual
``(geodesic distance(camera, x) - distance_m) / distance_sigma_m`` beside the bearing
residuals (``analysis.geometry.triangulation_range``; ``range_ring`` gives an observation's
ring, ``workbench.geodata.add_intersection(..., flash_bang_ids=...)`` stores the fix). Schema 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine, GeoPoint
from analysis.geometry.triangulation_range import RangeRing
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    opt_int,
)

COLOUR = "#c0392b"
RING_POINTS = 96
_KEYS = (
    "camera_id", "position", "evidence_id", "flash_frame", "flash_pts_s", "frame_duration_s",
    "bang_s", "bang_sigma_s", "temperature_c", "temperature_sigma_c",
)  # fmt: skip


@dataclass(frozen=True)
class FlashBangInputs:
    camera_id: int | None
    lat_deg: float
    lon_deg: float
    evidence_id: int | None
    flash_frame: int
    flash_pts_s: float
    frame_duration_s: float
    bang_s: float
    bang_sigma_s: float
    temperature_c: float
    temperature_sigma_c: float
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FlashBangResult:
    delay_s: float
    delay_sigma_s: float
    speed_of_sound_mps: float
    distance_m: float
    distance_sigma_m: float
    distance_ci95_m: tuple[float, float]


FlashBangObservation = TypedObservation[FlashBangInputs, FlashBangResult]


def range_ring(inputs: Mapping[str, Any], result: Mapping[str, Any]) -> RangeRing:
    """The range constraint a stored flash-bang observation gives: around the camera position
    it recorded, at the distance with its one sigma."""
    lat, lon = inputs["position"]
    return RangeRing(
        LatLon(float(lat), float(lon)),
        float(result["distance_m"]),
        float(result["distance_sigma_m"]),
    )


def ring(centre: LatLon, radius_m: float, name: str, text: str) -> GeoLine:
    """A closed geodesic circle of ``radius_m`` around ``centre``."""
    pts = tuple(
        geodesy.destination(centre, 360.0 * k / RING_POINTS, radius_m)
        for k in range(RING_POINTS + 1)
    )
    return GeoLine(name, pts, text)


class FlashBangEntry(ObservationEntry[FlashBangInputs, FlashBangResult]):
    kind = "flash_bang"
    schema_version = 1
    title = "Flash to bang"

    def inputs_from_json(self, d: Mapping[str, Any]) -> FlashBangInputs:
        return FlashBangInputs(
            opt_int(d.get("camera_id")),
            float(d["position"][0]),
            float(d["position"][1]),
            opt_int(d.get("evidence_id")),
            int(d["flash_frame"]),
            float(d["flash_pts_s"]),
            float(d["frame_duration_s"]),
            float(d["bang_s"]),
            float(d["bang_sigma_s"]),
            float(d["temperature_c"]),
            float(d["temperature_sigma_c"]),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, i: FlashBangInputs) -> dict[str, Any]:
        out = {
            "camera_id": i.camera_id,
            "position": [i.lat_deg, i.lon_deg],
            "evidence_id": i.evidence_id,
            "flash_frame": i.flash_frame,
            "flash_pts_s": i.flash_pts_s,
            "frame_duration_s": i.frame_duration_s,
            "bang_s": i.bang_s,
            "bang_sigma_s": i.bang_sigma_s,
            "temperature_c": i.temperature_c,
            "temperature_sigma_c": i.temperature_sigma_c,
        }
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> FlashBangResult:
        lo, hi = d["distance_ci95_m"]
        return FlashBangResult(
            float(d["delay_s"]), float(d["delay_sigma_s"]), float(d["speed_of_sound_mps"]),
            float(d["distance_m"]), float(d["distance_sigma_m"]), (float(lo), float(hi)),
        )  # fmt: skip

    def result_to_json(self, r: FlashBangResult) -> dict[str, Any]:
        return {
            "delay_s": r.delay_s,
            "delay_sigma_s": r.delay_sigma_s,
            "speed_of_sound_mps": r.speed_of_sound_mps,
            "distance_m": r.distance_m,
            "distance_sigma_m": r.distance_sigma_m,
            "distance_ci95_m": list(r.distance_ci95_m),
        }

    def validate(self, i: FlashBangInputs) -> None:
        """Raises: GeometryError for a bad place, a bang not after the flash, a bad sigma or
        an impossible temperature."""
        from analysis.audio.flashbang import FlashBangError, check_temperature

        if not (-90 <= i.lat_deg <= 90 and -180 <= i.lon_deg <= 180):
            raise GeometryError(f"flash-bang: camera position {i.lat_deg}, {i.lon_deg} is off")
        if not (i.bang_sigma_s > 0 and i.frame_duration_s > 0 and i.temperature_sigma_c >= 0):
            raise GeometryError("flash-bang: sigmas and the frame duration must be above 0")
        if not i.bang_s > i.flash_pts_s or not math.isfinite(i.bang_s):
            raise GeometryError("flash-bang: the bang must come after the flash")
        try:
            check_temperature(i.temperature_c)
        except FlashBangError as exc:
            raise GeometryError(f"flash-bang: {exc}") from exc

    def recompute(self, i: FlashBangInputs) -> FlashBangResult:
        from analysis.audio.flashbang import flash_bang
        from analysis.audio.onset import Onset

        self.validate(i)
        r = flash_bang(
            flash_frame=i.flash_frame,
            flash_pts_s=i.flash_pts_s,
            frame_duration_s=i.frame_duration_s,
            bang=Onset(i.bang_s, i.bang_sigma_s, 0.0, 0.0),
            temperature_c=i.temperature_c,
            temperature_sigma_c=i.temperature_sigma_c,
        )
        return FlashBangResult(r.delay_s, r.delay_sigma_s, r.speed_of_sound_mps, r.distance_m,
                               r.distance_sigma_m, r.distance_ci95_m)  # fmt: skip

    def map_items(self, obs: FlashBangObservation, ctx: MapContext) -> list[MapItem]:
        i, r = obs.inputs, obs.result
        camera = ctx.landmarks.get(i.camera_id) if i.camera_id is not None else None
        centre = camera.position if camera else LatLon(i.lat_deg, i.lon_deg)
        lo, hi = r.distance_ci95_m
        ident = f"observation:{obs.id}"
        text = f"flash-bang {r.distance_m:.0f} m (95%: {lo:.0f} to {hi:.0f} m)"
        return [
            MapItem("ellipses", ident, GeoPoint(f"flash-bang {obs.id}", centre, text), COLOUR),
            MapItem(
                "ellipses",
                f"{ident}:ring",
                ring(centre, r.distance_m, f"ring {obs.id}", text),
                COLOUR,
            ),  # fmt: skip
            MapItem(
                "ellipses",
                f"{ident}:inner",
                ring(centre, lo, f"ring {obs.id} 2.5%", text),
                COLOUR,
                extra=(("weight", 1),),
            ),  # fmt: skip
            MapItem(
                "ellipses",
                f"{ident}:outer",
                ring(centre, hi, f"ring {obs.id} 97.5%", text),
                COLOUR,
                extra=(("weight", 1),),
            ),  # fmt: skip
        ]

    def report_section(self, obs: FlashBangObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        lo, hi = r.distance_ci95_m
        lines = (
            f"flash in frame {i.flash_frame} ({i.flash_pts_s:.3f} s), bang at {i.bang_s:.4f} s "
            f"+/- {i.bang_sigma_s * 1000:.1f} ms: delay {r.delay_s:.3f} s",
            f"air {i.temperature_c:g} +/- {i.temperature_sigma_c:g} C: sound at "
            f"{r.speed_of_sound_mps:.1f} m/s",
            f"distance {r.distance_m:.0f} m (95%: {lo:.0f} to {hi:.0f} m)",
        )
        figures = {"distance_m": r.distance_m, "distance_ci95_m": [lo, hi]}
        return ReportSection(f"{self.title} {obs.id}", lines, figures)


ENTRY = FlashBangEntry()

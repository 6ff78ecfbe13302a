"""Intersection: the position two or more bearings give, with its confidence ellipse.

The inputs are the rays as the bearings recorded them (origin, azimuth, one-sigma) and the
confidence; the result is ``analysis.geometry.triangulation.locate_from_bearings`` as plain
numbers (``workbench.geofix.fix_to_json``: samples thinned to at most 500 when the rays are
nearly parallel and the region is sampled). Bearings whose sigma was built from its parts
add ``correlated`` (each ray's independent one-sigma and the errors it shares), solved with
one covariance over all rays (``analysis.geometry.triangulation_gls``). The map draws the
fix, its ellipse and the samples. Schema 1: the shape is the one stored before the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.bearing_sigma import Loading
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoPoint
from analysis.geometry.triangulation import BearingRay, locate_from_bearings
from analysis.geometry.triangulation_gls import CorrelatedRay, locate_from_correlated_bearings
from analysis.geometry.triangulation_range import RangeRing, locate_with_ranges
from workbench.geofix import TRIANGULATION_METHOD, fix_to_json
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    ellipse_from_json,
    ellipse_json,
    fix_items,
    opt_float,
)

COLOUR = "#8e44ad"
_KEYS = ("bearing_ids", "rays", "confidence", "method", "correlated", "rings", "flash_bang_ids")


@dataclass(frozen=True)
class IntersectionInputs:
    bearing_ids: tuple[int, ...]
    rays: tuple[BearingRay, ...]  # as the bearings recorded them
    confidence: float = 0.95
    method: str = TRIANGULATION_METHOD
    other: Mapping[str, Any] = field(default_factory=dict)
    # per ray: its independent one-sigma and the errors it shares with others (None: the
    # rays are independent, as stored before the bearings' sigma had parts)
    correlated: tuple[CorrelatedRay, ...] | None = None
    # range rings (flash-bang distances: centre, distance, one-sigma) and their observations
    rings: tuple[RangeRing, ...] = ()
    flash_bang_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RayMiss:
    """How far one ray misses the fix."""

    residual_deg: float
    cross_track_m: float
    range_m: float


@dataclass(frozen=True)
class IntersectionResult:
    status: str  # analysis.geometry.triangulation.FixStatus
    message: str
    lat_deg: float | None
    lon_deg: float | None
    chi_square: float | None
    degrees_of_freedom: int | None
    max_crossing_deg: float | None
    residuals: tuple[RayMiss, ...]
    ellipse: ErrorEllipse | None
    samples: tuple[tuple[float, float], ...]  # (lat_deg, lon_deg) of the sampled region

    @property
    def position(self) -> LatLon | None:
        if self.lat_deg is None or self.lon_deg is None:
            return None
        return LatLon(self.lat_deg, self.lon_deg)


def _correlated(rays: tuple[BearingRay, ...], d: Any) -> tuple[CorrelatedRay, ...] | None:
    if not d:
        return None
    return tuple(
        CorrelatedRay(
            r.origin,
            r.azimuth_deg,
            float(sigma),
            tuple(Loading(str(k), tuple(map(float, v)), float(o)) for k, v, o in shared),
        )
        for r, (sigma, shared) in zip(rays, d, strict=True)
    )


IntersectionObservation = TypedObservation[IntersectionInputs, IntersectionResult]


class IntersectionEntry(ObservationEntry[IntersectionInputs, IntersectionResult]):
    kind = "intersection"
    schema_version = 1
    title = "Intersection"

    def inputs_from_json(self, d: Mapping[str, Any]) -> IntersectionInputs:
        rays = tuple(
            BearingRay(LatLon(float(lat), float(lon)), float(az), float(sigma))
            for lat, lon, az, sigma in d["rays"]
        )
        return IntersectionInputs(
            tuple(int(i) for i in d.get("bearing_ids", ())),
            rays,
            float(d.get("confidence", 0.95)),
            str(d.get("method", TRIANGULATION_METHOD)),
            {k: v for k, v in d.items() if k not in _KEYS},
            _correlated(rays, d.get("correlated")),
            tuple(
                RangeRing(LatLon(float(lat), float(lon)), float(dist), float(sigma))
                for lat, lon, dist, sigma in d.get("rings") or ()
            ),
            tuple(int(i) for i in d.get("flash_bang_ids", ())),
        )

    def inputs_to_json(self, inputs: IntersectionInputs) -> dict[str, Any]:
        out = {
            "bearing_ids": list(inputs.bearing_ids),
            "rays": [
                [r.origin.lat_deg, r.origin.lon_deg, r.azimuth_deg, r.sigma_deg]
                for r in inputs.rays
            ],
            "confidence": inputs.confidence,
            "method": inputs.method,
        }
        if inputs.correlated is not None:
            out["correlated"] = [
                [
                    c.independent_sigma_deg,
                    [[s.key, list(s.loading_deg), s.origin_sigma_m] for s in c.shared],
                ]
                for c in inputs.correlated
            ]
        if inputs.rings:
            out["rings"] = [
                [g.centre.lat_deg, g.centre.lon_deg, g.distance_m, g.sigma_m] for g in inputs.rings
            ]
            out["flash_bang_ids"] = list(inputs.flash_bang_ids)
        return out | dict(inputs.other)

    def result_from_json(self, d: Mapping[str, Any]) -> IntersectionResult:
        dof = d.get("degrees_of_freedom")
        return IntersectionResult(
            str(d["status"]),
            str(d.get("message", "")),
            opt_float(d.get("lat_deg")),
            opt_float(d.get("lon_deg")),
            opt_float(d.get("chi_square")),
            None if dof is None else int(dof),
            opt_float(d.get("max_crossing_deg")),
            tuple(
                RayMiss(float(r["residual_deg"]), float(r["cross_track_m"]), float(r["range_m"]))
                for r in d.get("residuals") or ()
            ),
            ellipse_from_json(d.get("ellipse")),
            tuple((float(lat), float(lon)) for lat, lon in d.get("samples") or ()),
        )

    def result_to_json(self, result: IntersectionResult) -> dict[str, Any]:
        return {
            "status": result.status,
            "message": result.message,
            "lat_deg": result.lat_deg,
            "lon_deg": result.lon_deg,
            "chi_square": result.chi_square,
            "degrees_of_freedom": result.degrees_of_freedom,
            "max_crossing_deg": result.max_crossing_deg,
            "residuals": [
                {
                    "residual_deg": r.residual_deg,
                    "cross_track_m": r.cross_track_m,
                    "range_m": r.range_m,
                }
                for r in result.residuals
            ],
            "ellipse": ellipse_json(result.ellipse),
            "samples": [[lat, lon] for lat, lon in result.samples],
        }

    def validate(self, inputs: IntersectionInputs) -> None:
        """Raises: GeometryError for fewer than two rays, or one ray and no range ring (each
        ray validates itself)."""
        if not inputs.rays or len(inputs.rays) + len(inputs.rings) < 2:
            raise GeometryError(
                f"an intersection needs two or more rays, or a ray and a range ring; got "
                f"{len(inputs.rays)} rays and {len(inputs.rings)} rings"
            )

    def recompute(self, inputs: IntersectionInputs) -> IntersectionResult:
        """Raises: GeometryError as ``locate_from_bearings`` (``locate_with_ranges`` with
        range rings)."""
        if inputs.rings:
            fix = locate_with_ranges(
                inputs.rays, inputs.rings, correlated=inputs.correlated,
                confidence=inputs.confidence,
            ).fix  # fmt: skip
        elif inputs.correlated is not None:
            fix = locate_from_correlated_bearings(inputs.correlated, confidence=inputs.confidence)
        else:
            fix = locate_from_bearings(list(inputs.rays), confidence=inputs.confidence)
        return self.result_from_json(fix_to_json(fix))

    def map_items(self, obs: IntersectionObservation, ctx: MapContext) -> list[MapItem]:
        r = obs.result
        out = fix_items(obs.id, f"fix {obs.id}", COLOUR, r.position, r.message, r.ellipse)
        for k, (lat, lon) in enumerate(r.samples):
            point = GeoPoint(f"sample {k}", LatLon(lat, lon), r.message)
            out.append(MapItem("ellipses", f"observation:{obs.id}:sample:{k}", point, COLOUR))
        return out

    def report_section(self, obs: IntersectionObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        ids = ", ".join(str(b) for b in i.bearing_ids)
        lines = [f"{len(i.rays)} bearings ({ids}): {r.status}; {r.message}"]
        if i.rings:
            rings = ", ".join(f"{g.distance_m:,.0f} +/- {g.sigma_m:,.0f} m" for g in i.rings)
            lines.append(f"range rings (flash-bang {list(i.flash_bang_ids)}): {rings}")
        if r.lat_deg is not None and r.lon_deg is not None:
            lines.append(f"fix {r.lat_deg:.6f}, {r.lon_deg:.6f}")
        if r.ellipse is not None:
            e = r.ellipse
            lines.append(
                f"{e.confidence:.0%} ellipse {e.semi_major_m:,.1f} m x {e.semi_minor_m:,.1f} m, "
                f"major axis {e.azimuth_deg:.1f} deg"
            )
        figures = {
            "lat_deg": r.lat_deg,
            "lon_deg": r.lon_deg,
            "status": r.status,
            "semi_major_m": None if r.ellipse is None else r.ellipse.semi_major_m,
            "semi_minor_m": None if r.ellipse is None else r.ellipse.semi_minor_m,
            "max_crossing_deg": r.max_crossing_deg,
        }
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = IntersectionEntry()

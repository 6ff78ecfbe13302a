"""Shadow: a vertical object's shadow measured at a place (``analysis.sun``).

Inputs: where the object stands, the shadow's direction (azimuth, clockwise from north) and/or
its length over the object's height, each with a one-sigma, the ground's slope and the
direction it falls towards, and optionally the date to solve for the time and the claimed
capture instant to check. The result: the sun's azimuth and apparent elevation the shadow
implies, the 95% UTC intervals of that date that fit (``time_from_shadows``), warnings in
words, and at the claimed instant the SPA shadow and the residuals. The map draws the measured
shadow direction from the object (and the predicted one at the claimed instant).
Schema 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    opt_float,
    opt_int,
)
from workbench.observations.shadow_posed import posed_intervals, posed_shadow

COLOUR = "#e67e22"
PREDICTED_COLOUR = "#7f8c8d"
LINE_M = 60.0  # the direction is drawn this long: a direction, not the shadow's length
_KEYS = (
    "object_id", "position", "shadow_azimuth_deg", "azimuth_sigma_deg", "length_ratio",
    "ratio_sigma", "slope_deg", "slope_aspect_deg", "date", "captured_at_utc",
)  # fmt: skip


@dataclass(frozen=True)
class ShadowInputs:
    object_id: int | None
    lat_deg: float
    lon_deg: float
    shadow_azimuth_deg: float | None
    azimuth_sigma_deg: float
    length_ratio: float | None
    ratio_sigma: float
    slope_deg: float = 0.0
    slope_aspect_deg: float = 0.0
    date: str | None = None  # YYYY-MM-DD: solve that day for the time
    captured_at_utc: str | None = None  # ISO 8601 with zone: check the claim
    other: Mapping[str, Any] = field(default_factory=dict)  # clicks, frame, tool

    @property
    def position(self) -> LatLon:
        return LatLon(self.lat_deg, self.lon_deg)


@dataclass(frozen=True)
class ShadowResult:
    sun_azimuth_deg: float | None
    sun_elevation_deg: float | None
    elevation_sigma_deg: float | None
    intervals: tuple[Mapping[str, Any], ...]  # start/end/best UTC, branch, carried_by
    warnings: tuple[str, ...]
    at_capture: Mapping[str, float] | None  # predicted shadow and residuals at the claim


ShadowObservation = TypedObservation[ShadowInputs, ShadowResult]


def _elevation(i: ShadowInputs) -> tuple[float | None, float | None]:
    """Sun elevation and its sigma from the length ratio (slope-aware, by bisection)."""
    from analysis.sun.shadow import shadow_ratio

    if i.length_ratio is None:
        return None, None
    if i.slope_deg == 0.0:
        e = math.degrees(math.atan2(1.0, i.length_ratio))
        return e, math.degrees(i.ratio_sigma / (1.0 + i.length_ratio**2))
    sun_az = (i.shadow_azimuth_deg or 0.0) + 180.0

    def solve(ratio: float) -> float:
        lo, hi = 0.01, 89.99
        for _ in range(60):  # the ratio falls as the sun climbs
            mid = (lo + hi) / 2
            try:
                r = float(
                    shadow_ratio(
                        sun_az, mid, slope_deg=i.slope_deg, slope_aspect_deg=i.slope_aspect_deg
                    )
                )
            except ValueError:
                r = math.inf
            lo, hi = (mid, hi) if r > ratio else (lo, mid)
        return (lo + hi) / 2

    e = solve(i.length_ratio)
    half = abs(
        solve(i.length_ratio + i.ratio_sigma) - solve(max(i.length_ratio - i.ratio_sigma, 1e-6))
    )
    return e, half / 2


class ShadowEntry(ObservationEntry[ShadowInputs, ShadowResult]):
    kind = "shadow"
    schema_version = 1
    title = "Shadow"

    def inputs_from_json(self, d: Mapping[str, Any]) -> ShadowInputs:
        return ShadowInputs(
            opt_int(d.get("object_id")),
            float(d["position"][0]),
            float(d["position"][1]),
            opt_float(d.get("shadow_azimuth_deg")),
            float(d.get("azimuth_sigma_deg", 1.0)),
            opt_float(d.get("length_ratio")),
            float(d.get("ratio_sigma", 0.05)),
            float(d.get("slope_deg", 0.0)),
            float(d.get("slope_aspect_deg", 0.0)),
            d.get("date"),
            d.get("captured_at_utc"),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, i: ShadowInputs) -> dict[str, Any]:
        out = {
            "object_id": i.object_id,
            "position": [i.lat_deg, i.lon_deg],
            "shadow_azimuth_deg": i.shadow_azimuth_deg,
            "azimuth_sigma_deg": i.azimuth_sigma_deg,
            "length_ratio": i.length_ratio,
            "ratio_sigma": i.ratio_sigma,
            "slope_deg": i.slope_deg,
            "slope_aspect_deg": i.slope_aspect_deg,
            "date": i.date,
            "captured_at_utc": i.captured_at_utc,
        }
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> ShadowResult:
        return ShadowResult(
            opt_float(d.get("sun_azimuth_deg")),
            opt_float(d.get("sun_elevation_deg")),
            opt_float(d.get("elevation_sigma_deg")),
            tuple(dict(x) for x in d.get("intervals", [])),
            tuple(d.get("warnings", [])),
            d.get("at_capture"),
        )

    def result_to_json(self, r: ShadowResult) -> dict[str, Any]:
        return {
            "sun_azimuth_deg": r.sun_azimuth_deg,
            "sun_elevation_deg": r.sun_elevation_deg,
            "elevation_sigma_deg": r.elevation_sigma_deg,
            "intervals": [dict(x) for x in r.intervals],
            "warnings": list(r.warnings),
            "at_capture": None if r.at_capture is None else dict(r.at_capture),
        }

    def validate(self, i: ShadowInputs) -> None:
        """Raises: GeometryError for a bad place, sigma, ratio, date or a zoneless instant."""
        from analysis.sun.spa import check_place, posix_seconds

        try:
            check_place(i.lat_deg, i.lon_deg)
            posed = posed_shadow(i.other)
            if i.shadow_azimuth_deg is None and i.length_ratio is None and posed is None:
                raise ValueError("a shadow needs its direction, its length ratio, or both")
            if posed is not None and i.date is None:
                raise ValueError("a shadow clicked in a posed frame needs the date to solve")
            if not (i.azimuth_sigma_deg > 0 and i.ratio_sigma > 0):
                raise ValueError("a shadow's sigmas must be above 0")
            if i.length_ratio is not None and not (0 < i.length_ratio < 1e4):
                raise ValueError(f"length ratio {i.length_ratio} must be a positive number")
            if i.slope_deg and i.shadow_azimuth_deg is None:
                raise ValueError("on sloping ground the shadow's direction is needed too")
            if i.date is not None:
                date.fromisoformat(i.date)
            if i.captured_at_utc is not None:
                posix_seconds(datetime.fromisoformat(i.captured_at_utc))
        except ValueError as exc:
            raise GeometryError(f"shadow: {exc}") from exc

    def recompute(self, i: ShadowInputs) -> ShadowResult:
        from analysis.sun.errors import SunBelowHorizonError
        from analysis.sun.spa import sun_at
        from analysis.sun.time_from_shadows import SunMeasurement, time_from_shadows

        self.validate(i)
        sun_az = None if i.shadow_azimuth_deg is None else (i.shadow_azimuth_deg + 180.0) % 360
        elev, elev_sigma = _elevation(i)
        intervals: list[dict[str, Any]] = []
        warnings: list[str] = []
        posed = posed_shadow(i.other)
        if posed is not None:  # the tip in a posed frame: validate() asked for the date
            try:
                intervals = posed_intervals(date.fromisoformat(i.date), i.lat_deg, i.lon_deg, posed)
            except (SunBelowHorizonError, ValueError) as exc:
                raise GeometryError(f"shadow: {exc}") from exc
            if not intervals:
                warnings.append("no time of this day puts the shadow's tip where it was clicked")
        elif i.date is not None:
            m = SunMeasurement(sun_az, i.azimuth_sigma_deg, elev, elev_sigma or 1.0)
            try:
                sol = time_from_shadows(date.fromisoformat(i.date), i.lat_deg, i.lon_deg, m)
            except SunBelowHorizonError as exc:
                raise GeometryError(f"shadow: {exc}") from exc
            warnings += sol.warnings
            intervals = [
                {
                    "start_utc": iv.start_utc.isoformat(timespec="seconds"),
                    "end_utc": iv.end_utc.isoformat(timespec="seconds"),
                    "best_utc": iv.best_utc.isoformat(timespec="seconds"),
                    "branch": iv.branch,
                    "carried_by": iv.carried_by,
                }
                for iv in sol.intervals
            ]
        at_capture = None
        if i.captured_at_utc is not None:
            pos = sun_at(datetime.fromisoformat(i.captured_at_utc), i.lat_deg, i.lon_deg)
            el = float(pos.apparent_elevation_deg)
            at_capture = {
                "predicted_shadow_azimuth_deg": (float(pos.azimuth_deg) + 180) % 360,
                "sun_elevation_deg": el,
            }
            if el <= 0:
                warnings.append("at the claimed instant the sun is below the horizon: no shadow")
            if sun_az is not None:
                at_capture["azimuth_residual_deg"] = (
                    sun_az - float(pos.azimuth_deg) + 180
                ) % 360 - 180
            if elev is not None:
                at_capture["elevation_residual_deg"] = elev - el
        return ShadowResult(sun_az, elev, elev_sigma, tuple(intervals), tuple(warnings), at_capture)

    def map_items(self, obs: ShadowObservation, ctx: MapContext) -> list[MapItem]:
        i, r = obs.inputs, obs.result
        landmark = ctx.landmarks.get(i.object_id) if i.object_id is not None else None
        start = landmark.position if landmark else i.position
        out = []
        if i.shadow_azimuth_deg is not None:
            end = geodesy.destination(start, i.shadow_azimuth_deg, LINE_M)
            text = f"shadow direction {i.shadow_azimuth_deg:.1f} +/- {i.azimuth_sigma_deg:.1f} deg"
            out.append(
                MapItem(
                    "sightlines",
                    f"observation:{obs.id}",
                    GeoLine(f"shadow {obs.id}", (start, end), text),
                    COLOUR,
                )
            )
        if r.at_capture is not None and r.at_capture["sun_elevation_deg"] > 0:
            az = r.at_capture["predicted_shadow_azimuth_deg"]
            end = geodesy.destination(start, az, LINE_M)
            text = f"shadow at the claimed time (SPA): {az:.1f} deg"
            out.append(
                MapItem(
                    "sightlines",
                    f"observation:{obs.id}:predicted",
                    GeoLine(f"shadow {obs.id} predicted", (start, end), text),
                    PREDICTED_COLOUR,
                )
            )
        return out

    def report_section(self, obs: ShadowObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        lines = []
        if r.sun_azimuth_deg is not None:
            lines.append(
                f"shadow towards {i.shadow_azimuth_deg:.1f} +/- {i.azimuth_sigma_deg:.1f} "
                f"deg: the sun at azimuth {r.sun_azimuth_deg:.1f} deg"
            )
        if r.sun_elevation_deg is not None:
            lines.append(
                f"shadow {i.length_ratio:.3f} x the height: the sun "
                f"{r.sun_elevation_deg:.1f} +/- {r.elevation_sigma_deg:.1f} deg up"
            )
        for iv in r.intervals:
            lines.append(
                f"fits {iv['start_utc']} .. {iv['end_utc']} ({iv['branch']}, carried by "
                f"{iv['carried_by']}; 95%)"
            )
        lines += [f"warning: {w}" for w in r.warnings]
        if r.at_capture is not None:
            res = r.at_capture.get("azimuth_residual_deg")
            lines.append(
                f"at the claimed time {i.captured_at_utc} the shadow would point "
                f"{r.at_capture['predicted_shadow_azimuth_deg']:.1f} deg"
                + (f" (measured minus predicted {res:+.1f} deg)" if res is not None else "")
            )
        figures = {
            "sun_azimuth_deg": r.sun_azimuth_deg,
            "sun_elevation_deg": r.sun_elevation_deg,
            "intervals": len(r.intervals),
        }
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = ShadowEntry()

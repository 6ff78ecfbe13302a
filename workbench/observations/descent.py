"""Descent: the rate, the acceleration and the verdict of a tracked descending object.

Inputs: the track it came from (id, evidence), the samples the fit used (frame, pts seconds,
background x and y in pixels; copied from the track, so that a later correction of the track
does not change what this observation measured), the frames the track spans, the frame width,
the scale inputs (camera model: distance, horizontal field of view, pitch and their sigmas; a
reference length or the object's size; or a stated px/m; none: rates in px/s), the image roll,
the flash that ends the track (impact) and the analyst's note. The result
(``analysis.descent.analyse``): unit, points, duration, the models by AICc, the rate and the
acceleration with their 95% intervals, the verdict, why, and which measurements carry it.

Nothing is drawn on the map: a descent is measured relative to its camera. A number that is
not finite is stored as null and said in words ("not measurable"), never as NaN. Schema 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.descent.analyse import Descent, DescentInputError, TrackSample, analyse_descent
from analysis.descent.scale import (
    Scale,
    ScaleInputError,
    from_camera,
    from_length,
    stated,
)
from analysis.errors import GeometryError
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    opt_float,
    opt_int,
)

KIND = "descent"
CAMERA, LENGTH, OBJECT, STATED = "camera model", "reference length", "object size", "stated"
SCALE_SOURCES = (CAMERA, LENGTH, OBJECT, STATED)
_KEYS = ("track_id", "evidence_id", "samples", "frames_spanned", "frame_width_px", "scale",
         "roll_deg", "impact", "note")  # fmt: skip


@dataclass(frozen=True)
class ScaleInputs:
    """What the scale was computed from (one source; the others' members stay None)."""

    source: str
    distance_m: float | None = None
    distance_sigma_m: float = 0.0
    hfov_deg: float | None = None
    hfov_sigma_deg: float = 0.0
    pitch_deg: float = 0.0
    pitch_sigma_deg: float = 0.0
    length_m: float | None = None
    length_px: float | None = None
    length_sigma_m: float = 0.0
    length_sigma_px: float = 0.0
    px_per_m: float | None = None
    sigma_px_per_m: float = 0.0
    origin: str = ""  # where the numbers came from ("typed", "map: camera 3 to target 5")

    def scale(self, width_px: int) -> Scale:
        """The scale these inputs give.

        Raises:
            ScaleInputError: a missing or absurd input, saying which.
        """
        if self.source == CAMERA:
            if self.distance_m is None or self.hfov_deg is None:
                raise ScaleInputError("the camera model needs the distance and the field of view")
            return from_camera(self.distance_m, self.hfov_deg, width_px,
                               pitch_deg=self.pitch_deg, distance_sigma_m=self.distance_sigma_m,
                               hfov_sigma_deg=self.hfov_sigma_deg,
                               pitch_sigma_deg=self.pitch_sigma_deg)  # fmt: skip
        if self.source in (LENGTH, OBJECT):
            if self.length_m is None or self.length_px is None:
                raise ScaleInputError(f"a {self.source} needs metres and the pixels it spans")
            return from_length(
                self.length_m,
                self.length_px,
                length_sigma_m=self.length_sigma_m,
                length_sigma_px=self.length_sigma_px,
                source=self.source,
            )
        if self.source == STATED:
            if self.px_per_m is None:
                raise ScaleInputError("a stated scale needs its pixels per metre")
            return stated(self.px_per_m, self.sigma_px_per_m)
        raise ScaleInputError(f"scale source {self.source!r} is not one of {SCALE_SOURCES}")


@dataclass(frozen=True)
class DescentInputs:
    track_id: int | None
    evidence_id: int | None
    samples: tuple[TrackSample, ...]
    frames_spanned: int
    frame_width_px: int
    scale: ScaleInputs | None
    roll_deg: float = 0.0
    impact: Mapping[str, Any] | None = None
    note: str = ""
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Range95:
    """A value and its 95% interval; None where it cannot be measured."""

    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class DescentResult:
    unit: str  # "m" or "px"
    n_points: int
    duration_s: float
    chosen_model: str
    models: tuple[Mapping[str, Any], ...]  # analysis.descent.fit.ModelFit.to_dict, best first
    rate: Range95  # unit/s, downward positive, at mid-track
    acceleration: Range95  # unit/s^2, downward positive
    verdict: str  # "free fall", "retarded", "inconclusive"
    reason: str
    carried_by: tuple[str, ...]
    px_per_m: float | None
    sigma_px_per_m: float | None
    scale_detail: str


DescentObservation = TypedObservation[DescentInputs, DescentResult]


def finite(v: Any) -> Any:
    """``v`` with every non-finite float replaced by None (JSON and screens never see NaN)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Mapping):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [finite(x) for x in v]
    return v


def _range(d: Any) -> Range95:
    return Range95(opt_float(d["value"]), opt_float(d["low"]), opt_float(d["high"]))


def descent_of(i: DescentInputs) -> Descent:
    """The analysis of the inputs (for the result, and for a figure of it).

    Raises:
        GeometryError: too few points, times out of order, a bad scale (the message says
            what is missing).
    """
    try:
        scale = None if i.scale is None else i.scale.scale(i.frame_width_px)
        return analyse_descent(list(i.samples), scale=scale, roll_deg=i.roll_deg,
                               frames_spanned=i.frames_spanned)  # fmt: skip
    except (ScaleInputError, DescentInputError) as exc:
        raise GeometryError(f"descent: {exc}") from exc


class DescentEntry(ObservationEntry[DescentInputs, DescentResult]):
    kind = KIND
    schema_version = 1
    title = "Descent"

    def inputs_from_json(self, d: Mapping[str, Any]) -> DescentInputs:
        sc = d.get("scale")
        return DescentInputs(
            opt_int(d.get("track_id")),
            opt_int(d.get("evidence_id")),
            tuple(TrackSample(int(f), float(t), float(x), float(y)) for f, t, x, y in d["samples"]),
            int(d["frames_spanned"]),
            int(d["frame_width_px"]),
            None if sc is None else ScaleInputs(**sc),
            float(d.get("roll_deg", 0.0)),
            d.get("impact"),
            str(d.get("note", "")),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, i: DescentInputs) -> dict[str, Any]:
        out = {
            "track_id": i.track_id,
            "evidence_id": i.evidence_id,
            "samples": [[s.frame_index, s.pts_s, s.bg_x_px, s.bg_y_px] for s in i.samples],
            "frames_spanned": i.frames_spanned,
            "frame_width_px": i.frame_width_px,
            "scale": None if i.scale is None else asdict(i.scale),
            "roll_deg": i.roll_deg,
            "impact": None if i.impact is None else dict(i.impact),
            "note": i.note,
        }
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> DescentResult:
        return DescentResult(
            str(d["unit"]), int(d["n_points"]), float(d["duration_s"]), str(d["chosen_model"]),
            tuple(d["models"]), _range(d["rate"]), _range(d["acceleration"]), str(d["verdict"]),
            str(d["reason"]), tuple(d["carried_by"]), opt_float(d.get("px_per_m")),
            opt_float(d.get("sigma_px_per_m")), str(d.get("scale_detail", "")),
        )  # fmt: skip

    def result_to_json(self, r: DescentResult) -> dict[str, Any]:
        return finite(asdict(r) | {"models": [dict(m) for m in r.models]})

    def validate(self, i: DescentInputs) -> None:
        """Raises: GeometryError for too few samples, times out of order, a bad scale, a
        roll that is not a finite angle."""
        if not math.isfinite(i.roll_deg) or abs(i.roll_deg) > 90:
            raise GeometryError(f"descent: the roll must be within +-90 degrees, not {i.roll_deg}")
        descent_of(i)

    def recompute(self, i: DescentInputs) -> DescentResult:
        d = descent_of(i)
        sc = d.scale
        return self.result_from_json(
            finite(
                {
                    "unit": d.unit, "n_points": d.n_points, "duration_s": d.duration_s,
                    "chosen_model": d.models[0].name,
                    "models": [m.to_dict() for m in d.models],
                    "rate": asdict(d.rate), "acceleration": asdict(d.acceleration),
                    "verdict": d.verdict, "reason": d.reason, "carried_by": list(d.carried_by),
                    "px_per_m": None if sc is None else sc.px_per_m,
                    "sigma_px_per_m": None if sc is None else sc.sigma_px_per_m,
                    "scale_detail": "" if sc is None else f"{sc.source}: {sc.detail}",
                }
            )
        )  # fmt: skip

    def map_items(self, obs: DescentObservation, ctx: MapContext) -> list[MapItem]:
        return []  # measured relative to the camera: nothing has a place on the map

    def report_section(self, obs: DescentObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        lines = [
            f"track {i.track_id} of evidence {i.evidence_id}: {r.n_points} frames over "
            f"{r.duration_s:.2f} s; model {r.chosen_model} (AICc)",
            f"rate {range_text(r.rate, r.unit + '/s', '.1f')}",
            f"acceleration {range_text(r.acceleration, r.unit + '/s2', '.2f')}",
            f"verdict: {r.verdict}: {r.reason}",
            f"scale: {r.scale_detail or 'none (pixels only)'}",
        ]
        if i.impact:
            lines.append(impact_text(i.impact))
        if i.note:
            lines.append(f"note: {i.note}")
        figures = {"verdict": r.verdict, f"rate_{r.unit}_s": r.rate.value,
                   f"acceleration_{r.unit}_s2": r.acceleration.value}  # fmt: skip
        title = f"{self.title} {obs.id}"
        return ReportSection(title, tuple(lines), figures, *_plot(i, title))


def _plot(i: DescentInputs, title: str) -> tuple[bytes | None, str]:
    """The height-time plot of the stored samples (recomputed: the same row, the same bytes),
    or no plot with the reason when they no longer give a descent."""
    from workbench.descent_figure import descent_figure_png  # matplotlib: only when asked

    try:
        png = descent_figure_png(descent_of(i), title=title)
    except GeometryError as exc:
        return None, f"no plot: {exc}"
    return png, (
        f"{title}: height against time (pts), the fitted models by AICc with their 95% bands; "
        f"drawn from the {len(i.samples)} stored samples of track {i.track_id} "
        "(workbench.descent_figure, matplotlib Agg)"
    )


def number_text(v: float | None, fmt: str) -> str:
    return "not measurable" if v is None else format(v, fmt)


def range_text(r: Range95, unit: str, fmt: str) -> str:
    """``12.1 m/s (95%: 11.8 to 12.4)``; words where a number is missing."""
    return (
        f"{number_text(r.value, fmt)} {unit} (95%: {number_text(r.low, fmt)} to "
        f"{number_text(r.high, fmt)})"
    )


def impact_text(impact: Mapping[str, Any]) -> str:
    pts = impact.get("pts_s")
    when = f" at {pts:.3f} s" if isinstance(pts, int | float) else ""
    return f"impact: a flash in frame {impact.get('frame_index')}{when}"


ENTRY = DescentEntry()

"""Video sync: the offset between two videos' clocks, with its 95% interval.

``offset_s`` is B's time minus A's for the same moment (ADR 0013). Two methods:

- ``shared event``: one event seen in both (the flash's first frame in each); the inputs
  are its time and one-sigma in each file (a frame's time is uncertain by a frame duration
  over sqrt(12)), and the offset is recomputed from them
  (``analysis.audio.sync.offset_from_shared_event``). This aligns clocks.
- ``sound``: the audio cross-correlation's measured offset and interval are the inputs (the
  decode is not repeated on recompute). Sound travels: it aligns sounds, not clocks, when
  the cameras stand at different distances from the source.

Nothing is drawn on the map; the timeline places the videos side by side with it
(``workbench.sync_store``). Schema 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
    opt_float,
)

METHODS = ("shared event", "sound")
_KEYS = ("evidence_a", "evidence_b", "method", "a_time_s", "a_sigma_s", "b_time_s", "b_sigma_s",
         "measured_offset_s", "measured_ci95_s")  # fmt: skip


@dataclass(frozen=True)
class VideoSyncInputs:
    evidence_a: int
    evidence_b: int
    method: str
    a_time_s: float | None = None  # shared event: its time in A's file, and one sigma
    a_sigma_s: float | None = None
    b_time_s: float | None = None
    b_sigma_s: float | None = None
    measured_offset_s: float | None = None  # sound: the correlation's offset and interval
    measured_ci95_s: tuple[float, float] | None = None
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VideoSyncResult:
    offset_s: float  # B's time minus A's for the same moment
    offset_ci95_s: tuple[float, float]

    @property
    def sigma_s(self) -> float:
        lo, hi = self.offset_ci95_s
        return (hi - lo) / (2 * 1.96)


VideoSyncObservation = TypedObservation[VideoSyncInputs, VideoSyncResult]


class VideoSyncEntry(ObservationEntry[VideoSyncInputs, VideoSyncResult]):
    kind = "video_sync"
    schema_version = 1
    title = "Video sync"

    def inputs_from_json(self, d: Mapping[str, Any]) -> VideoSyncInputs:
        ci = d.get("measured_ci95_s")
        return VideoSyncInputs(
            int(d["evidence_a"]), int(d["evidence_b"]), str(d["method"]),
            opt_float(d.get("a_time_s")), opt_float(d.get("a_sigma_s")),
            opt_float(d.get("b_time_s")), opt_float(d.get("b_sigma_s")),
            opt_float(d.get("measured_offset_s")),
            None if ci is None else (float(ci[0]), float(ci[1])),
            {k: v for k, v in d.items() if k not in _KEYS},
        )  # fmt: skip

    def inputs_to_json(self, i: VideoSyncInputs) -> dict[str, Any]:
        out: dict[str, Any] = {"evidence_a": i.evidence_a, "evidence_b": i.evidence_b,
                               "method": i.method}  # fmt: skip
        if i.method == "shared event":
            out |= {"a_time_s": i.a_time_s, "a_sigma_s": i.a_sigma_s, "b_time_s": i.b_time_s,
                    "b_sigma_s": i.b_sigma_s}  # fmt: skip
        else:
            out |= {"measured_offset_s": i.measured_offset_s,
                    "measured_ci95_s": list(i.measured_ci95_s or ())}  # fmt: skip
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> VideoSyncResult:
        lo, hi = d["offset_ci95_s"]
        return VideoSyncResult(float(d["offset_s"]), (float(lo), float(hi)))

    def result_to_json(self, r: VideoSyncResult) -> dict[str, Any]:
        return {"offset_s": r.offset_s, "offset_ci95_s": list(r.offset_ci95_s)}

    def validate(self, i: VideoSyncInputs) -> None:
        """Raises: GeometryError for one video synced to itself, an unknown method or
        missing, infinite or negative times and sigmas."""
        if i.evidence_a == i.evidence_b:
            raise GeometryError("video sync: a video cannot be synced with itself")
        if i.method not in METHODS:
            raise GeometryError(f"video sync: method {i.method!r} is not one of {METHODS}")
        if i.method == "shared event":
            values = (i.a_time_s, i.a_sigma_s, i.b_time_s, i.b_sigma_s)
            if any(v is None or not math.isfinite(v) for v in values):
                raise GeometryError("video sync: the shared event needs its time in both videos")
            if not (i.a_sigma_s > 0 and i.b_sigma_s > 0):
                raise GeometryError("video sync: the event's sigmas must be above 0")
        elif i.measured_offset_s is None or i.measured_ci95_s is None:
            raise GeometryError("video sync: a sound sync needs its offset and interval")

    def recompute(self, i: VideoSyncInputs) -> VideoSyncResult:
        from analysis.audio.sync import offset_from_shared_event

        self.validate(i)
        if i.method == "shared event":
            offset, ci = offset_from_shared_event(i.a_time_s, i.a_sigma_s, i.b_time_s, i.b_sigma_s)
            return VideoSyncResult(offset, ci)
        return VideoSyncResult(float(i.measured_offset_s), i.measured_ci95_s)

    def map_items(self, obs: VideoSyncObservation, ctx: MapContext) -> list[MapItem]:
        return []

    def report_section(self, obs: VideoSyncObservation) -> ReportSection:
        i, r = obs.inputs, obs.result
        lo, hi = r.offset_ci95_s
        lines = [f"evidence {i.evidence_b} minus evidence {i.evidence_a}: {r.offset_s:+.4f} s "
                 f"(95%: {lo:+.4f} to {hi:+.4f} s), by {i.method}"]  # fmt: skip
        if i.method == "shared event":
            lines.append(f"the event at {i.a_time_s:.3f} s in A and {i.b_time_s:.3f} s in B")
        figures = {"offset_s": r.offset_s, "offset_ci95_s": [lo, hi]}
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = VideoSyncEntry()

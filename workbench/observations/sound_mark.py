"""Sound mark: a stretch of a video's sound the analyst names (jet noise, a second bang, a
siren), kept with its times.

Inputs: the evidence, the start and end on the file's container clock (the clock of its
frames' pts), the label, and, when the video's first frame was placed in UTC at marking time
(``workbench.sync_store.video_clocks``), the same stretch in UTC (``start_utc``/``end_utc``:
the timeline shows them). The result is its duration. Nothing is drawn on the map. Schema 1.
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
)

MAX_LABEL_CHARS = 200
_KEYS = ("evidence_id", "start_s", "end_s", "label", "start_utc", "end_utc")


@dataclass(frozen=True)
class SoundMarkInputs:
    evidence_id: int
    start_s: float
    end_s: float
    label: str
    start_utc: str | None = None
    end_utc: str | None = None
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SoundMarkResult:
    duration_s: float


SoundMarkObservation = TypedObservation[SoundMarkInputs, SoundMarkResult]


class SoundMarkEntry(ObservationEntry[SoundMarkInputs, SoundMarkResult]):
    kind = "sound_mark"
    schema_version = 1
    title = "Sound"

    def inputs_from_json(self, d: Mapping[str, Any]) -> SoundMarkInputs:
        return SoundMarkInputs(
            int(d["evidence_id"]), float(d["start_s"]), float(d["end_s"]), str(d["label"]),
            d.get("start_utc"), d.get("end_utc"),
            {k: v for k, v in d.items() if k not in _KEYS},
        )  # fmt: skip

    def inputs_to_json(self, i: SoundMarkInputs) -> dict[str, Any]:
        out: dict[str, Any] = {"evidence_id": i.evidence_id, "start_s": i.start_s,
                               "end_s": i.end_s, "label": i.label}  # fmt: skip
        if i.start_utc is not None:
            out |= {"start_utc": i.start_utc, "end_utc": i.end_utc}
        return out | dict(i.other)

    def result_from_json(self, d: Mapping[str, Any]) -> SoundMarkResult:
        return SoundMarkResult(float(d["duration_s"]))

    def result_to_json(self, r: SoundMarkResult) -> dict[str, Any]:
        return {"duration_s": r.duration_s}

    def validate(self, i: SoundMarkInputs) -> None:
        """Raises: GeometryError for an empty or long label, or an end not after the start."""
        if not i.label.strip() or len(i.label) > MAX_LABEL_CHARS:
            raise GeometryError(f"a sound mark needs a label (1 to {MAX_LABEL_CHARS} characters)")
        if not (math.isfinite(i.start_s) and math.isfinite(i.end_s) and i.end_s > i.start_s):
            raise GeometryError(
                f"a sound mark must end after it starts ({i.start_s} s to {i.end_s} s)"
            )

    def recompute(self, i: SoundMarkInputs) -> SoundMarkResult:
        self.validate(i)
        return SoundMarkResult(i.end_s - i.start_s)

    def map_items(self, obs: SoundMarkObservation, ctx: MapContext) -> list[MapItem]:
        return []

    def report_section(self, obs: SoundMarkObservation) -> ReportSection:
        i = obs.inputs
        line = f"{i.label}: {i.start_s:.3f} s to {i.end_s:.3f} s of evidence {i.evidence_id}"
        if i.start_utc:
            line += f" ({i.start_utc} to {i.end_utc})"
        return ReportSection(f"{self.title} {obs.id}", (line,), {"duration_s": i.end_s - i.start_s})


ENTRY = SoundMarkEntry()

"""Observation kinds: one entry each, in one registry (docs/adr/0006-observation-registry.md).

An entry gives a kind's typed inputs and result (frozen dataclasses, units in the names), the
schema version stored in every row's JSON and the upgrade of older rows on read, ``validate``,
``recompute`` (the maths in ``analysis``, so the GUI, the demo and the CLI compute the same),
the map items, the exported features and a report section (``base.ObservationEntry``).
Callers go through ``registry`` and never branch on a kind.

Adding a kind: write its entry module (``ENTRY = MyEntry()``) and add the module to
``ENTRY_MODULES`` below.
"""

from __future__ import annotations

from workbench.observations import (
    alignment,
    bearing,
    descent,
    flash_bang,
    georeference,
    intersection,
    osm_search,
    pose,
    range_fix,
    resection,
    shadow,
    sound_mark,
    video_sync,
)
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ObservationSchemaError,
    ReportSection,
    TypedObservation,
)
from workbench.observations.registry import (
    entry,
    export_features,
    find,
    kinds,
    map_items,
    read,
    recompute,
    register,
    report_section,
    result_json,
    stored_json,
)

ENTRY_MODULES = (
    bearing, range_fix, alignment, intersection, resection, shadow, flash_bang, video_sync,
    descent, pose, osm_search, georeference, sound_mark,
)  # fmt: skip
for _module in ENTRY_MODULES:
    register(_module.ENTRY)

__all__ = [
    "ENTRY_MODULES",
    "MapContext",
    "ObservationEntry",
    "ObservationSchemaError",
    "ReportSection",
    "TypedObservation",
    "entry",
    "export_features",
    "find",
    "kinds",
    "map_items",
    "read",
    "recompute",
    "register",
    "report_section",
    "result_json",
    "stored_json",
]

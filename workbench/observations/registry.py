"""The registry: one entry per observation kind, and what callers do through it.

Callers never branch on an observation's kind: geolayers asks for ``map_items``, the exports
for ``export_features``, the writers for ``stored_json`` (the schema member) and
``result_json`` (validate, then recompute), a report for ``report_section``. A row whose kind
no entry knows is skipped by drawing and exporting (a case may hold kinds of a newer version)
and refused by ``entry``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ObservationSchemaError,
    ReportSection,
    TypedObservation,
)

if TYPE_CHECKING:
    from workbench.geodata_records import Observation

_ENTRIES: dict[str, ObservationEntry[Any, Any]] = {}


def register(entry: ObservationEntry[Any, Any]) -> ObservationEntry[Any, Any]:
    """Add a kind to the registry.

    Raises:
        ValueError: if the kind is registered already.
    """
    if entry.kind in _ENTRIES:
        raise ValueError(f"observation kind {entry.kind!r} is registered twice")
    _ENTRIES[entry.kind] = entry
    return entry


def kinds() -> tuple[str, ...]:
    """The registered kinds, in the order they were registered."""
    return tuple(_ENTRIES)


def find(kind: str) -> ObservationEntry[Any, Any] | None:
    return _ENTRIES.get(kind)


def entry(kind: str) -> ObservationEntry[Any, Any]:
    """The entry of a kind.

    Raises:
        ObservationSchemaError: for a kind this version does not know.
    """
    found = _ENTRIES.get(kind)
    if found is None:
        raise ObservationSchemaError(
            f"observation kind {kind!r} is not one this version knows ({', '.join(_ENTRIES)})"
        )
    return found


def read(row: Observation) -> TypedObservation[Any, Any]:
    """A stored row typed and upgraded (see ``ObservationEntry.read``)."""
    return entry(row.kind).read(row)


def recompute(row: Observation) -> Any:
    """The result of a stored row recomputed from its inputs alone (typed)."""
    e = entry(row.kind)
    return e.recompute(e.read(row).inputs)


def stored_json(
    kind: str, inputs: Mapping[str, Any], result: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Inputs and result as a row stores them: the inputs carry the kind's schema version,
    which names the shape of the row (its inputs and its result together)."""
    return entry(kind).stamped(inputs), dict(result)


def result_json(kind: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The result a writer stores for new inputs (current schema): validated, recomputed.

    Raises:
        GeometryError: for inputs that fail ``validate`` or have no result.
        ObservationSchemaError: for an unknown kind or malformed inputs.
    """
    e = entry(kind)
    try:
        typed = e.inputs_from_json(inputs)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ObservationSchemaError(
            f"{kind} inputs are malformed: {type(exc).__name__} {exc}"
        ) from exc
    e.validate(typed)
    return e.result_to_json(e.recompute(typed))


def map_items(rows: Iterable[Observation], ctx: MapContext) -> list[MapItem]:
    """What the map draws for the rows, each through its kind's entry."""
    out: list[MapItem] = []
    for row in rows:
        e = find(row.kind)
        if e is not None:
            out += e.map_items(e.read(row), ctx)
    return out


def export_features(rows: Iterable[Observation], ctx: MapContext) -> list[MapItem]:
    """What KML/GeoJSON exports carry for the rows, each through its kind's entry."""
    out: list[MapItem] = []
    for row in rows:
        e = find(row.kind)
        if e is not None:
            out += e.export_features(e.read(row), ctx)
    return out


def report_section(row: Observation) -> ReportSection:
    """A short section about one stored observation, for a report."""
    e = entry(row.kind)
    return e.report_section(e.read(row))

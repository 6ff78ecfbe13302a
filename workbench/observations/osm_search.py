"""OSM search: candidate places ranked by tagged features near them (``analysis.osm.search``).

The inputs carry the query, the extract's name and SHA-256, and the features the ranking was
made from: the candidates' anchors and, per constraint, each anchor's nearest matching feature
(``workbench.osm.store.search_inputs``). The top candidates of a superset are the same, so
``recompute`` gives the stored result from the inputs alone, without the extract. The map
shows each candidate (ranked) with a line to every feature that met a constraint. Schema 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine, GeoPoint
from analysis.osm.search import search
from workbench.map_items import MapItem
from workbench.observations.base import (
    MapContext,
    ObservationEntry,
    ReportSection,
    TypedObservation,
)
from workbench.osm.run import OsmQuery, candidate_json, feature_from_json, feature_json

COLOUR = "#d35400"
_KEYS = ("query", "extract", "anchors", "near_features")


@dataclass(frozen=True)
class OsmSearchInputs:
    query: OsmQuery
    extract: Mapping[str, Any]  # name, sha256
    anchors: tuple[Any, ...]  # OsmFeature
    near_features: tuple[tuple[Any, ...], ...]
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OsmSearchResult:
    candidates: tuple[Mapping[str, Any], ...]  # candidate_json


OsmSearchObservation = TypedObservation[OsmSearchInputs, OsmSearchResult]


def _kind(query: OsmQuery) -> str:
    """``water tower`` for ``man_made=water_tower``: what an unnamed candidate is."""
    key, value = query.find.parts[0]
    return (value or key).replace("_", " ")


class OsmSearchEntry(ObservationEntry[OsmSearchInputs, OsmSearchResult]):
    kind = "osm_search"
    schema_version = 1
    title = "OSM candidate search"

    def inputs_from_json(self, d: Mapping[str, Any]) -> OsmSearchInputs:
        return OsmSearchInputs(
            OsmQuery.from_json(d["query"]),
            dict(d["extract"]),
            tuple(feature_from_json(f) for f in d["anchors"]),
            tuple(tuple(feature_from_json(f) for f in fs) for fs in d["near_features"]),
            {k: v for k, v in d.items() if k not in _KEYS},
        )

    def inputs_to_json(self, inputs: OsmSearchInputs) -> dict[str, Any]:
        return {
            "query": inputs.query.to_json(),
            "extract": dict(inputs.extract),
            "anchors": [feature_json(f) for f in inputs.anchors],
            "near_features": [[feature_json(f) for f in fs] for fs in inputs.near_features],
        } | dict(inputs.other)

    def result_from_json(self, d: Mapping[str, Any]) -> OsmSearchResult:
        return OsmSearchResult(tuple(dict(c) for c in d["candidates"]))

    def result_to_json(self, result: OsmSearchResult) -> dict[str, Any]:
        return {"candidates": [dict(c) for c in result.candidates]}

    def validate(self, inputs: OsmSearchInputs) -> None:
        if len(inputs.near_features) != len(inputs.query.near):
            raise GeometryError(
                f"{len(inputs.query.near)} constraints but features for {len(inputs.near_features)}"
            )

    def recompute(self, inputs: OsmSearchInputs) -> OsmSearchResult:
        near = list(zip(inputs.query.near, inputs.near_features, strict=True))
        found = search(inputs.anchors, near, limit=inputs.query.limit)
        return OsmSearchResult(tuple(candidate_json(c) for c in found))

    def map_items(self, obs: OsmSearchObservation, ctx: MapContext) -> list[MapItem]:
        """Each candidate, ranked, and a line to every feature that met a constraint."""
        out = []
        for rank, c in enumerate(obs.result.candidates, start=1):
            ident = f"observation:{obs.id}:candidate:{rank}"
            here = LatLon(c["lat"], c["lon"])
            name = c["anchor"]["tags"].get("name") or _kind(obs.inputs.query)
            met = f"{c['met']}/{len(c['matches'])}"
            text = f"score {c['score']:.2f}; {met} constraints met; OSM {c['anchor']['type']} "
            text += f"{c['anchor']['id']}"
            point = GeoPoint(f"#{rank} {name} ({c['score']:.2f}, {met})", here, text)
            out.append(MapItem("targets", ident, point, COLOUR, extra=(("label", f"#{rank}"),)))
            for k, m in enumerate(c["matches"]):
                f = m["feature"]
                if f is None:
                    continue
                what = f["tags"].get("name") or m["constraint"].split(" within ")[0]
                line = GeoLine(what, (here, LatLon(f["lat"], f["lon"])), f"{m['distance_m']:.0f} m")
                out.append(MapItem("sightlines", f"{ident}:match:{k}", line, COLOUR))
        return out

    def report_section(self, obs: OsmSearchObservation) -> ReportSection:
        q = obs.inputs.query
        lines = [
            f"{q.find.text()} "
            + ", ".join(c.text() for c in q.near)
            + f" in {obs.inputs.extract.get('name', '?')}",
        ]
        for rank, c in enumerate(obs.result.candidates[:5], start=1):
            lines.append(f"#{rank} {c['lat']:.6f}, {c['lon']:.6f} score {c['score']:.2f}")
        figures = {"candidates": len(obs.result.candidates)}
        return ReportSection(f"{self.title} {obs.id}", tuple(lines), figures)


ENTRY = OsmSearchEntry()

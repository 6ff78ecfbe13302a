"""OSM searches in a case: stored as ``osm_search`` observations, candidates as hypotheses."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future

from analysis.errors import GeometryError
from workbench.case import Case
from workbench.hypotheses import add_hypothesis
from workbench.osm.run import SearchOutcome, feature_json


def search_inputs(outcome: SearchOutcome) -> dict:
    """The stored inputs: the query, the extract, the anchors and their nearest features."""
    near: list[list[dict]] = [[] for _ in outcome.query.near]
    for c in outcome.candidates:
        for k, m in enumerate(c.matches):
            if m.feature is not None and feature_json(m.feature) not in near[k]:
                near[k].append(feature_json(m.feature))
    return {
        "query": outcome.query.to_json(),
        "extract": {"name": outcome.index.extract.name, "sha256": outcome.index.sha256},
        "anchors": [feature_json(c.anchor) for c in outcome.candidates],
        "near_features": near,
    }


def add_search(case: Case, outcome: SearchOutcome) -> Future[int]:
    """Store a search (validated and recomputed on the writer); the future gives its id."""
    from workbench.geodata import insert_observation
    from workbench.observations import result_json

    inputs = search_inputs(outcome)

    def do(conn: sqlite3.Connection) -> int:
        return insert_observation(
            case, conn, "osm_search", inputs, result_json("osm_search", inputs)
        )

    return case.write(do)


def candidate_hypothesis(
    case: Case, observation_id: int, rank: int, *, radius_m: float = 100.0
) -> Future[int]:
    """Make candidate ``rank`` (1-based) of a stored search a hypothesis linked to it.

    Raises:
        GeometryError: for an observation that is not an OSM search or a rank it lacks.
    """
    from workbench.geodata_records import get_observation

    obs = get_observation(case.read(), observation_id)
    if obs.kind != "osm_search":
        raise GeometryError(f"observation {observation_id} is a {obs.kind}, not an OSM search")
    candidates = obs.result["candidates"]
    if not 1 <= rank <= len(candidates):
        raise GeometryError(f"OSM search {observation_id} has no candidate #{rank}")
    fields = hypothesis_fields(
        observation_id, rank, candidates[rank - 1], obs.inputs["query"]["find"]
    )
    fields["radius_m"] = radius_m
    return add_hypothesis(case, lat_deg=candidates[rank - 1]["lat"],
                          lon_deg=candidates[rank - 1]["lon"], **fields)  # fmt: skip


def hypothesis_fields(search_id: int, rank: int, candidate: dict, find: str) -> dict:
    """Title, radius, rationale and link of the hypothesis a candidate becomes."""
    name = candidate["anchor"]["tags"].get("name") or find
    met = [m for m in candidate["matches"] if m["feature"] is not None]
    why = "; ".join(f"{m['constraint']}: {m['distance_m']:.0f} m" for m in met) or "no constraint"
    return {
        "title": f"OSM candidate #{rank}: {name}"[:120],
        "radius_m": 100.0,
        "rationale": f"OSM search {search_id}, score {candidate['score']:.2f}; {why}",
        "observation_ids": (search_id,),
    }

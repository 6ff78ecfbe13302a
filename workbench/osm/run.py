"""One OSM candidate search, as the CLI, the demo and the GUI run it, and its JSON.

``run_search`` opens (or builds) the extract's index, reads the features of each term
(inside the box when given) and ranks the candidates (``analysis.osm.search``). The JSON of a
candidate: ``lat``, ``lon``, ``score``, ``met`` (constraints met), ``complete``, the ``anchor``
feature and ``matches``, each with its constraint, ``distance_m`` and ``feature`` (OSM type and
id, position, tags), or null when no matching feature is within the radius.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.jobs import CancelToken, ProgressFn, report
from analysis.osm.reader import OsmFeature
from analysis.osm.search import Candidate, Constraint, OsmQueryError, Term, search
from workbench.osm.index import Box, OsmIndex, open_index

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class OsmQuery:
    find: Term
    near: tuple[Constraint, ...]
    box: Box | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(
        cls, find: str, near: Sequence[str] = (), box: Box | None = None, limit: int = DEFAULT_LIMIT
    ) -> OsmQuery:
        """Raises: OsmQueryError for a malformed term, constraint, box or limit."""
        if box is not None and not (box[0] < box[2] and box[1] < box[3]):
            raise OsmQueryError(f"box {box} must be S,W,N,E with S < N and W < E")
        if limit < 1:
            raise OsmQueryError(f"limit {limit} must be at least 1")
        return cls(Term.parse(find), tuple(Constraint.parse(c) for c in near), box, limit)

    def to_json(self) -> dict[str, Any]:
        return {
            "find": self.find.text(),
            "near": [{"term": c.term.text(), "radius_m": c.radius_m} for c in self.near],
            "bbox": None if self.box is None else list(self.box),
            "limit": self.limit,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OsmQuery:
        near = tuple(Constraint(Term.parse(c["term"]), float(c["radius_m"])) for c in d["near"])
        box = None if d.get("bbox") is None else tuple(float(v) for v in d["bbox"])
        return cls(Term.parse(d["find"]), near, box, int(d["limit"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class SearchOutcome:
    query: OsmQuery
    index: OsmIndex
    candidates: tuple[Candidate, ...]
    anchors_total: int
    index_s: float
    query_s: float


def feature_json(f: OsmFeature) -> dict[str, Any]:
    return {
        "type": f.osm_type,
        "id": f.osm_id,
        "lat": f.lat_deg,
        "lon": f.lon_deg,
        "tags": dict(f.tags),
    }


def feature_from_json(d: Mapping[str, Any]) -> OsmFeature:
    tags = tuple(sorted((str(k), str(v)) for k, v in d["tags"].items()))
    return OsmFeature(str(d["type"]), int(d["id"]), float(d["lat"]), float(d["lon"]), tags)


def candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "lat": c.anchor.lat_deg,
        "lon": c.anchor.lon_deg,
        "score": c.score,
        "met": c.met,
        "complete": c.complete,
        "anchor": feature_json(c.anchor),
        "matches": [
            {
                "constraint": m.constraint.text(),
                "distance_m": m.distance_m,
                "feature": None if m.feature is None else feature_json(m.feature),
            }
            for m in c.matches
        ],
    }


def run_search(
    extract: Path,
    query: OsmQuery,
    cache_dir: Path | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SearchOutcome:
    """Index (once) and search an extract.

    Raises:
        OsmError: the extract cannot be read or the cache not written.
        JobCancelled: if cancelled while the index is built.
    """
    t0 = time.perf_counter()
    index = open_index(
        extract, cache_dir, progress=lambda f, m: report(progress, 0.9 * f, m), cancel=cancel
    )
    t1 = time.perf_counter()
    report(progress, 0.92, "searching")
    anchors = index.features(query.find, query.box)
    near = [(c, index.features(c.term, _grown(query.box, c.radius_m))) for c in query.near]
    found = search(anchors, near, limit=query.limit)
    t2 = time.perf_counter()
    report(progress, 1.0, f"{len(found)} candidates")
    return SearchOutcome(query, index, tuple(found), len(anchors), t1 - t0, t2 - t1)


def _grown(box: Box | None, metres: float) -> Box | None:
    """A box grown by ``metres`` (features just outside the box can satisfy a constraint)."""
    if box is None:
        return None
    import math

    dlat = metres / 111_000.0
    dlon = metres / (111_000.0 * max(0.01, math.cos(math.radians((box[0] + box[2]) / 2))))
    return (box[0] - dlat, box[1] - dlon, box[2] + dlat, box[3] + dlon)


def outcome_json(o: SearchOutcome) -> dict[str, Any]:
    return {
        "extract": str(o.index.extract),
        "extract_sha256": o.index.sha256,
        "index": str(o.index.path),
        "index_built": o.index.built,
        "index_features": o.index.feature_count,
        "query": o.query.to_json(),
        "anchors_total": o.anchors_total,
        "index_s": round(o.index_s, 3),
        "query_s": round(o.query_s, 3),
        "candidates": [candidate_json(c) for c in o.candidates],
    }

"""Candidate places: features of one kind with other kinds of features near them.

The analyst describes what the footage shows as tag terms (``man_made=water_tower``;
``amenity=place_of_worship+religion=muslim``, every part must hold; ``height=*`` any value)
and distance constraints ("a school within 300 m"). Each feature matching the ``find`` term is
a candidate; for each constraint the nearest matching feature (not the candidate itself) is
looked up, and the constraint is met when it is within the radius (WGS84 geodesic distance,
Karney 2013). Score, in [0, 1]: the mean over constraints of 1 - d / (2 r) for a met one
(1 at the candidate, 0.5 at the radius) and 0 for an unmet one; candidates rank by the number
of constraints met, then the score, then OSM type and id (a stable order).

Neighbours are found in a grid of cells as large as the radius, on a local equirectangular
projection (only to shortlist; every reported distance is the geodesic one).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.errors import WorkbenchError
from analysis.geometry.geodesy import LatLon, distance_m
from analysis.osm.reader import OsmFeature

_EARTH_M_PER_DEG = 111_320.0


class OsmQueryError(WorkbenchError):
    """A search term or constraint is malformed."""


@dataclass(frozen=True)
class Term:
    """Tag conditions that must all hold: (key, value), value None for any value."""

    parts: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Term:
        """``key=value[+key=value...]``; ``key=*`` or a bare ``key`` takes any value.

        Raises:
            OsmQueryError: for an empty key or value.
        """
        parts = []
        for piece in text.split("+"):
            key, sep, value = piece.strip().partition("=")
            key, value = key.strip(), value.strip()
            if not key or (sep and not value):
                raise OsmQueryError(
                    f"search term {text!r}: each part must be KEY=VALUE, KEY=* or KEY"
                )
            parts.append((key, None if value in ("", "*") else value))
        return cls(tuple(parts))

    def matches(self, tags: Iterable[tuple[str, str]]) -> bool:
        d = dict(tags)
        return all(k in d and (v is None or d[k] == v) for k, v in self.parts)

    def text(self) -> str:
        return "+".join(f"{k}={'*' if v is None else v}" for k, v in self.parts)


@dataclass(frozen=True)
class Constraint:
    term: Term
    radius_m: float

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """``TERM:METRES``.

        Raises:
            OsmQueryError: without a positive radius.
        """
        term, sep, metres = text.rpartition(":")
        try:
            radius = float(metres)
        except ValueError:
            radius = math.nan
        if not sep or not (math.isfinite(radius) and radius > 0.0):
            raise OsmQueryError(f"constraint {text!r} must be KEY=VALUE:METRES, metres > 0")
        return cls(Term.parse(term), radius)

    def text(self) -> str:
        return f"{self.term.text()} within {self.radius_m:g} m"


@dataclass(frozen=True)
class Match:
    constraint: Constraint
    feature: OsmFeature | None  # the nearest matching feature, None when none is in range
    distance_m: float | None

    @property
    def met(self) -> bool:
        return self.feature is not None


@dataclass(frozen=True)
class Candidate:
    anchor: OsmFeature
    score: float
    met: int
    matches: tuple[Match, ...]

    @property
    def position(self) -> LatLon:
        return LatLon(self.anchor.lat_deg, self.anchor.lon_deg)

    @property
    def complete(self) -> bool:
        return self.met == len(self.matches)


class _Grid:
    """Features bucketed in cells of ``cell_m`` on an equirectangular plane at ``lat0``."""

    def __init__(self, features: Sequence[OsmFeature], cell_m: float, lat0: float) -> None:
        self.cell, self.kx = cell_m, _EARTH_M_PER_DEG * math.cos(math.radians(lat0))
        self.cells: dict[tuple[int, int], list[OsmFeature]] = defaultdict(list)
        for f in features:
            self.cells[self._key(f.lat_deg, f.lon_deg)].append(f)

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lon * self.kx / self.cell), math.floor(lat * _EARTH_M_PER_DEG / self.cell)

    def near(self, lat: float, lon: float) -> Iterable[OsmFeature]:
        cx, cy = self._key(lat, lon)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                yield from self.cells.get((cx + dx, cy + dy), ())


def _nearest(anchor: OsmFeature, grid: _Grid, radius_m: float) -> tuple[OsmFeature, float] | None:
    best: tuple[OsmFeature, float] | None = None
    here = LatLon(anchor.lat_deg, anchor.lon_deg)
    for f in grid.near(anchor.lat_deg, anchor.lon_deg):
        if (f.osm_type, f.osm_id) == (anchor.osm_type, anchor.osm_id):
            continue
        d = distance_m(here, LatLon(f.lat_deg, f.lon_deg))
        if d <= radius_m and (
            best is None or (d, f.osm_type, f.osm_id) < (best[1], best[0].osm_type, best[0].osm_id)
        ):
            best = (f, d)
    return best


def search(
    anchors: Sequence[OsmFeature],
    near: Sequence[tuple[Constraint, Sequence[OsmFeature]]],
    *,
    limit: int | None = 20,
) -> list[Candidate]:
    """Rank the anchors by the constraints (see the module doc).

    Args:
        anchors: The features that match the ``find`` term.
        near: Each constraint with the features that match its term.
        limit: How many candidates to return (None: all).
    """
    if not anchors:
        return []
    lat0 = sum(a.lat_deg for a in anchors) / len(anchors)
    grids = [(c, _Grid(feats, c.radius_m, lat0)) for c, feats in near]
    out = []
    for a in anchors:
        matches, score = [], 0.0
        for c, grid in grids:
            hit = _nearest(a, grid, c.radius_m)
            if hit is None:
                matches.append(Match(c, None, None))
            else:
                matches.append(Match(c, hit[0], hit[1]))
                score += 1.0 - hit[1] / (2.0 * c.radius_m)
        met = sum(m.met for m in matches)
        total = score / len(grids) if grids else 1.0
        out.append(Candidate(a, total, met, tuple(matches)))
    out.sort(key=lambda c: (-c.met, -c.score, c.anchor.osm_type, c.anchor.osm_id))
    return out if limit is None else out[:limit]

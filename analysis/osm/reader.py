"""Tagged features of an OpenStreetMap extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``/``.gz``).

Read with the ``osmium`` package (libosmium's Python binding): nodes with tags at their
location; ways with tags at the mean of their nodes (a closed way's repeated node counted
once); multipolygon relations at the mean of their outer rings' nodes (osmium's area
assembler). Tags that only describe the edit (``created_by``, ``source``, ``note``...) do not
make a feature. Positions are WGS84 degrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import WorkbenchError
from analysis.jobs import CancelToken, ProgressFn, check, report

SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
EDIT_TAGS = frozenset({"created_by", "source", "note", "fixme", "FIXME", "attribution"})
_CHECK_EVERY = 20_000
_BYTES_PER_OBJECT = 40.0  # about, per tagged object of a PBF: only for the progress bar


class OsmError(WorkbenchError):
    """An OpenStreetMap extract could not be read (missing, not OSM, damaged)."""


@dataclass(frozen=True)
class OsmFeature:
    """One tagged OSM object at a representative position."""

    osm_type: str  # "node", "way" or "relation"
    osm_id: int
    lat_deg: float
    lon_deg: float
    tags: tuple[tuple[str, str], ...]

    def tag(self, key: str) -> str | None:
        return dict(self.tags).get(key)


def check_extract(path: Path) -> None:
    """Raises OsmError for a missing file or a name osmium cannot tell the format of."""
    if not path.is_file():
        raise OsmError(f"{path}: no such OpenStreetMap extract")
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise OsmError(
            f"{path}: not an OpenStreetMap extract name (expected {', '.join(SUFFIXES)})"
        )


def _mean(locations) -> tuple[float, float] | None:
    pts = [(n.lat, n.lon) for n in locations if n.location.valid()]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if not pts:
        return None
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def _tags(obj) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((t.k, t.v) for t in obj.tags if t.k not in EDIT_TAGS))


def _feature(obj) -> OsmFeature | None:
    import osmium

    tags = _tags(obj)
    if not tags:
        return None
    if isinstance(obj, osmium.osm.Node):
        if not obj.location.valid():
            return None
        return OsmFeature("node", obj.id, obj.location.lat, obj.location.lon, tags)
    if isinstance(obj, osmium.osm.Way):
        at = _mean(obj.nodes)
        return None if at is None else OsmFeature("way", obj.id, at[0], at[1], tags)
    if isinstance(obj, osmium.osm.Area) and not obj.from_way():
        rings = [n for ring in obj.outer_rings() for n in ring]
        at = _mean(rings)
        return None if at is None else OsmFeature("relation", obj.orig_id(), at[0], at[1], tags)
    return None


def read_features(
    path: Path, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> Iterator[OsmFeature]:
    """Every tagged feature of an extract (see the module doc).

    Raises:
        OsmError: for a missing file, a file that is not OSM data, or a damaged one.
        JobCancelled: if ``cancel`` was cancelled.
    """
    import osmium

    path = Path(path)
    check_extract(path)
    total = max(1.0, path.stat().st_size / _BYTES_PER_OBJECT)
    try:
        processor = (  # untagged objects never reach Python (they are most of a file)
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas()
            .with_filter(osmium.filter.EmptyTagFilter())
        )
        for count, obj in enumerate(processor):
            if count % _CHECK_EVERY == 0:
                check(cancel)
                report(progress, min(0.95, count / total), f"{count:,} OSM objects read")
            if isinstance(obj, osmium.osm.Relation):
                continue
            f = _feature(obj)
            if f is not None:
                yield f
    except RuntimeError as exc:
        raise OsmError(f"{path}: not a readable OpenStreetMap extract ({exc})") from exc
    report(progress, 1.0, "extract read")

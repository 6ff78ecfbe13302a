"""An index of an OpenStreetMap extract's tagged features, built once and cached.

Reading a city extract takes seconds (``analysis.osm.reader``); a search should not. The
features go into an SQLite file named by the extract's SHA-256 (so a changed extract is never
answered from a stale index), with a table of (key, value) -> feature: a search reads only the
features of its terms. The file is written beside itself and renamed into place, so an
interrupted build leaves no half index. Where it lives: the case's ``derived/osm/``, else a
folder given by the caller, else the user's cache (``$XDG_CACHE_HOME/geoworkbench/osm``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.osm.reader import OsmError, OsmFeature, check_extract, read_features
from analysis.osm.search import Term
from workbench.case.intake import file_sha256

INDEX_VERSION = "1"
Box = tuple[float, float, float, float]  # south, west, north, east
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE feature (idx INTEGER PRIMARY KEY, osm_type TEXT NOT NULL, osm_id INTEGER NOT NULL,
                      lat REAL NOT NULL, lon REAL NOT NULL, tags TEXT NOT NULL);
CREATE TABLE tag (key TEXT NOT NULL, value TEXT NOT NULL, idx INTEGER NOT NULL);
"""
# The file is written once, beside its final name, and renamed: no journal is needed.
_PRAGMAS = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
_BATCH = 20_000
_INDEXES = """
CREATE INDEX tag_kv ON tag (key, value);
CREATE INDEX feature_pos ON feature (lat, lon);
"""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geoworkbench" / "osm"


@dataclass(frozen=True)
class OsmIndex:
    """An open index (read-only queries); see the module doc."""

    path: Path
    extract: Path
    sha256: str
    feature_count: int
    built: bool  # True when this call built it, False when it came from the cache

    def features(self, term: Term, box: Box | None = None) -> list[OsmFeature]:
        """The features matching a term, inside ``box`` when given, in (type, id) order."""
        key, value = next(((k, v) for k, v in term.parts if v is not None), term.parts[0])
        sql = "SELECT DISTINCT f.osm_type, f.osm_id, f.lat, f.lon, f.tags FROM tag t "
        sql += "JOIN feature f ON f.idx = t.idx WHERE t.key = ?"
        args: list[object] = [key]
        if value is not None:
            sql, args = sql + " AND t.value = ?", [*args, value]
        if box is not None:
            sql += " AND f.lat BETWEEN ? AND ? AND f.lon BETWEEN ? AND ?"
            args += [box[0], box[2], box[1], box[3]]
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
            rows = conn.execute(sql + " ORDER BY f.osm_type, f.osm_id", args).fetchall()
        out = []
        for osm_type, osm_id, lat, lon, tags in rows:
            pairs = tuple((str(k), str(v)) for k, v in json.loads(tags))
            if term.matches(pairs):
                out.append(OsmFeature(osm_type, int(osm_id), float(lat), float(lon), pairs))
        return out


def _write(
    target: Path, extract: Path, sha: str, progress: ProgressFn | None, cancel: CancelToken | None
) -> int:
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(_PRAGMAS + _SCHEMA)
        count, features, tags = 0, [], []
        for f in read_features(extract, progress=progress, cancel=cancel):
            features.append((count, f.osm_type, f.osm_id, f.lat_deg, f.lon_deg, json.dumps(f.tags)))
            tags += [(k, v, count) for k, v in f.tags]
            count += 1
            if len(features) >= _BATCH:
                _flush(conn, features, tags)
        _flush(conn, features, tags)
        check(cancel)
        conn.executescript(_INDEXES)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("sha256", sha), ("version", INDEX_VERSION), ("features", str(count)),
             ("extract_name", extract.name)],
        )  # fmt: skip
        conn.commit()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, target)
    return count


def _flush(conn: sqlite3.Connection, features: list, tags: list) -> None:
    conn.executemany("INSERT INTO feature VALUES (?, ?, ?, ?, ?, ?)", features)
    conn.executemany("INSERT INTO tag VALUES (?, ?, ?)", tags)
    features.clear()
    tags.clear()


def _cached_count(path: Path, sha: str) -> int | None:
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return None  # a damaged cache is rebuilt
    if meta.get("sha256") != sha or meta.get("version") != INDEX_VERSION:
        return None
    return int(meta["features"])


def open_index(
    extract: Path,
    cache_dir: Path | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> OsmIndex:
    """The index of an extract: from the cache when it holds this extract's, else built.

    Raises:
        OsmError: for a missing, unreadable or non-OSM extract, or a cache folder that cannot
            be written.
        JobCancelled: if ``cancel`` was cancelled while building (nothing is left behind).
    """
    extract = Path(extract)
    check_extract(extract)
    report(progress, 0.0, "hashing the extract")
    sha = file_sha256(extract)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f"{sha}.osmindex.sqlite"
    count = _cached_count(path, sha)
    if count is not None:
        report(progress, 1.0, "index from the cache")
        return OsmIndex(path, extract, sha, count, built=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OsmError(f"{folder}: cannot write the OpenStreetMap index there ({exc})") from exc
    count = _write(path, extract, sha, progress, cancel)
    report(progress, 1.0, f"index built: {count:,} features")
    return OsmIndex(path, extract, sha, count, built=True)


def case_cache_dir(derived_dir: Path) -> Path:
    """Where a case keeps its OSM indexes (regenerable: under its derived/)."""
    return Path(derived_dir) / "osm"


def features_for(index: OsmIndex, terms: Sequence[Term], box: Box | None) -> list[list[OsmFeature]]:
    """The features of each term (one query each)."""
    return [index.features(t, box) for t in terms]

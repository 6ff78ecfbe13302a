"""Reading the archive catalog: DuckDB over the Parquet shards.

DuckDB rather than pyarrow's dataset API for the queries: the Archive window filters by date,
duration, resolution and cuts, and joins paths to contents, which is SQL; DuckDB runs it
over the shards in place, in-process, with nothing to load first. The hashes, which the
duplicate finder wants as plain arrays, are read with pyarrow directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq

from workbench.archive import shards


@dataclass(frozen=True)
class Filters:
    """What the Archive window narrows the catalog to (None: no limit)."""

    earliest_from_utc: str | None = None  # ISO 8601, compared as text (all UTC)
    earliest_to_utc: str | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    min_height_px: int | None = None
    has_cuts: bool | None = None
    kind: str | None = None


class Catalog:
    """A catalog folder, opened for reading."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        shards.check_format(self.folder)  # CatalogError when it is not one we read
        self._db = duckdb.connect()

    def _glob(self, table: str) -> str:
        return str(self.folder / table / "*" / "*.parquet").replace("'", "''")

    def _has(self, table: str) -> bool:
        return any((self.folder / table).glob("*/*.parquet"))

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        """Run SQL in which ``files``, ``paths`` and ``hashes`` name the catalog's tables."""
        views = []
        for table in ("files", "paths", "hashes"):
            source = (
                f"read_parquet('{self._glob(table)}', union_by_name = true)"
                if self._has(table)
                else _empty(table)
            )
            views.append(f"{table} AS (SELECT * FROM {source})")
        cursor = self._db.execute(f"WITH {', '.join(views)} {sql}", params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def files(self, filters: Filters | None = None) -> list[dict]:
        """Contents with their paths (a list), newest facts first by earliest time."""
        where, params = _where(filters or Filters())
        return self.query(
            "SELECT f.*, list(p.path ORDER BY p.path) AS paths FROM files f "
            "LEFT JOIN paths p ON p.sha256 = f.sha256 AND p.status = 'ok' "
            f"{where} GROUP BY ALL ORDER BY f.earliest_time_utc NULLS LAST, f.sha256",
            params,
        )

    def errors(self) -> list[dict]:
        return self.query("SELECT path, error FROM paths WHERE status = 'error' ORDER BY path")

    def counts(self) -> dict[str, int]:
        row = self.query(
            "SELECT (SELECT count(*) FROM files) AS contents, (SELECT count(*) FROM paths) "
            "AS paths, (SELECT count(*) FROM paths WHERE status = 'error') AS errors"
        )[0]
        return {k: int(v) for k, v in row.items()}

    def keyframe(self, sha256: str, segment: int) -> Path:
        return shards.keyframe_file(self.folder, sha256, segment)

    def hash_arrays(self) -> dict[str, dict[str, np.ndarray]]:
        """sha256 -> {"time_s", "value", "mirrored"} of its samples, for the duplicate finder."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for shard in sorted((self.folder / "hashes").glob("*/*.parquet")):
            t = pq.read_table(shard, columns=["sha256", "time_s", "value", "mirrored"])
            if t.num_rows == 0:
                continue
            sha = t.column("sha256")[0].as_py()
            out[sha] = {
                "time_s": t.column("time_s").to_numpy(),
                "value": t.column("value").to_numpy().astype(np.uint64),
                "mirrored": t.column("mirrored").to_numpy().astype(np.uint64),
            }
        return out


def _empty(table: str) -> str:
    schema = {"files": shards.FILES, "paths": shards.PATHS, "hashes": shards.HASHES}[table]
    types = {"string": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT", "double": "DOUBLE",
             "uint64": "UBIGINT", "bool": "BOOLEAN", "binary": "BLOB"}  # fmt: skip
    cols = ", ".join(f"NULL::{types[str(f.type)]} AS {f.name}" for f in schema)
    return f"(SELECT {cols} LIMIT 0)"


def _where(f: Filters) -> tuple[str, list]:
    clauses, params = [], []
    for sql, value in (
        ("f.earliest_time_utc >= ?", f.earliest_from_utc),
        ("f.earliest_time_utc <= ?", f.earliest_to_utc),
        ("f.duration_s >= ?", f.min_duration_s),
        ("f.duration_s <= ?", f.max_duration_s),
        ("f.height_px >= ?", f.min_height_px),
        ("f.kind = ?", f.kind),
    ):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    if f.has_cuts is not None:
        clauses.append("f.cut_count > 0" if f.has_cuts else "f.cut_count = 0")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

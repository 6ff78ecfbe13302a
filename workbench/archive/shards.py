"""The archive catalog on disk: Parquet shards, content-addressed, written whole or not at all.

```
CATALOG_DIR/
  catalog.json                     the catalog's format version
  files/ab/<sha256>.parquet        one row per distinct content: facts, shots, sidecar
  hashes/ab/<sha256>.parquet       its sampled frame hashes
  keyframes/ab/<sha256>/<n>.jpg    one keyframe per shot
  paths/cd/<sha256 of path>.parquet  one row per path seen: which content, or the error
```

Why shards, one per file: the tasks run in separate processes (Dask workers) and must not
share a writer. A shard is named by what it describes, so a task that runs twice (a worker
killed and the task retried, a run resumed) writes the same shard again instead of a second
row; and it is written to a temporary name and renamed, so a killed task leaves no partial
shard. A path's shard is written last: a path row means its content rows are complete.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.errors import WorkbenchError
from analysis.fileio import write_text_atomic

CATALOG_FORMAT = 2  # 2: paths carry their bytes (names that are not UTF-8)
ROW_VERSION = 1  # the version of the rows' content; in every row

FILES = pa.schema([
    ("sha256", pa.string()), ("row_version", pa.int32()), ("size_bytes", pa.int64()),
    ("kind", pa.string()), ("container", pa.string()), ("codec", pa.string()),
    ("width_px", pa.int32()), ("height_px", pa.int32()), ("duration_s", pa.float64()),
    ("frame_count", pa.int64()), ("fps", pa.float64()), ("integrity", pa.string()),
    ("cut_count", pa.int32()), ("segments_json", pa.string()), ("metadata_json", pa.string()),
    ("earliest_time_utc", pa.string()), ("earliest_time_basis", pa.string()),
    ("sidecar_json", pa.string()), ("software", pa.string()),
])  # fmt: skip
HASHES = pa.schema([
    ("sha256", pa.string()), ("sample", pa.int32()), ("frame_index", pa.int64()),
    ("time_s", pa.float64()), ("segment", pa.int32()), ("value", pa.uint64()),
    ("mirrored", pa.uint64()), ("keyframe", pa.bool_()),
])  # fmt: skip
PATHS = pa.schema([
    ("path", pa.string()), ("sha256", pa.string()), ("size_bytes", pa.int64()),
    ("mtime_ns", pa.int64()), ("status", pa.string()), ("error", pa.string()),
    ("row_version", pa.int32()), ("path_bytes", pa.binary()),
])  # fmt: skip


def path_text(path: str) -> str:
    """``path`` as text Parquet can hold: a byte of a name that is not UTF-8 (a ZIP made on
    another system) becomes a ``\\xNN`` escape. For display; ``path_bytes`` is the name."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def path_from_bytes(raw: bytes) -> str:
    """The path a ``path_bytes`` column holds, as this system names it."""
    return os.fsdecode(raw)


def path_key(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


def files_shard(catalog: Path, sha256: str) -> Path:
    return catalog / "files" / sha256[:2] / f"{sha256}.parquet"


def hashes_shard(catalog: Path, sha256: str) -> Path:
    return catalog / "hashes" / sha256[:2] / f"{sha256}.parquet"


def paths_shard(catalog: Path, path: str) -> Path:
    key = path_key(path)
    return catalog / "paths" / key[:2] / f"{key}.parquet"


def keyframe_file(catalog: Path, sha256: str, segment: int) -> Path:
    return catalog / "keyframes" / sha256[:2] / sha256 / f"{segment}.jpg"


def write_table(path: Path, rows: list[dict], schema: pa.Schema) -> None:
    """Rows as one Parquet file, atomically (temporary name, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


class CatalogError(WorkbenchError, ValueError):
    """A folder that is not an archive catalog this workbench can use (the message says why)."""


def check_format(catalog: Path) -> None:
    """``catalog`` is an archive catalog of the format this workbench reads.

    Raises:
        CatalogError: no catalog.json, one that is not a catalog's, or another format.
    """
    marker = catalog / "catalog.json"
    if not marker.is_file():
        raise CatalogError(f"{catalog} is not an archive catalog (no catalog.json)")
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{marker}: not a catalog's description ({exc})") from exc
    if not isinstance(found, dict) or "format" not in found:
        raise CatalogError(f"{marker}: not a catalog's description (no format)")
    if found["format"] != CATALOG_FORMAT:
        raise CatalogError(
            f"{catalog} is a catalog of format {found['format']}; this workbench reads "
            f"format {CATALOG_FORMAT}: make a new catalog"
        )


def open_catalog(catalog: Path) -> Path:
    """Create the catalog folder (or check an existing one's format).

    Raises:
        CatalogError: a file, a folder holding something else, or another catalog format.
    """
    if catalog.exists() and not catalog.is_dir():
        raise CatalogError(f"{catalog} is a file, not a catalog folder")
    if (catalog / "catalog.json").exists():
        check_format(catalog)
        return catalog
    if catalog.exists() and any(catalog.iterdir()):
        raise CatalogError(f"{catalog} is not empty and is not an archive catalog")
    description = json.dumps({"format": CATALOG_FORMAT}, sort_keys=True) + "\n"
    try:
        catalog.mkdir(parents=True, exist_ok=True)
        write_text_atomic(catalog / "catalog.json", description)
    except OSError as exc:
        raise CatalogError(f"{catalog}: the catalog cannot be made here ({exc})") from exc
    return catalog

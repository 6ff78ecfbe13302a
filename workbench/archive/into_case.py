"""From the archive catalog into a case: a video (or a whole near-duplicate group) imported as
evidence, with its source record, keeping the catalog's sha256.

The import is the case's own (``workbench.case.intake.import_file``: copied, hashed, checked,
stored read-only, audited). Before any copy, each path the catalog knows for the content is
hashed again, and only a path whose bytes still have the catalog's sha256 is imported: a file
changed since triage is refused with a message naming it, never imported under a hash the
catalog did not see. After the import the stored evidence's sha256 is compared with the
catalog's once more (the file could change between the check and the copy).

The source record is filled as the demo fills it (``workbench.case.evidence.update_source``,
an audited edit): the downloader's record the catalog read at triage (``sidecar_json``) fills
the fields that are still empty (an analyst's own entries, or the record ``import_file`` read
beside the file, are kept), and ``obtained_by`` names the catalog and every path the content
was seen at. A note with the same says where the evidence came from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from analysis.errors import WorkbenchError
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.archive import shards
from workbench.archive.catalog import Catalog
from workbench.case.evidence import SourceRecord, get_source, update_source
from workbench.case.intake import file_sha256, import_file
from workbench.case.store import Case

MAX_OBTAINED_CHARS = 2_000


class ArchiveFileChangedError(WorkbenchError):
    """No path of a catalogued content still holds the bytes the catalog hashed."""


@dataclass(frozen=True)
class IntoCaseItem:
    """One content imported: the catalog's sha256 and the evidence that now holds it."""

    sha256: str
    evidence_id: int
    path: str  # the path imported from
    already_present: bool


@dataclass(frozen=True)
class IntoCaseRefusal:
    sha256: str
    reason: str


@dataclass(frozen=True)
class IntoCaseReport:
    imported: tuple[IntoCaseItem, ...]
    refused: tuple[IntoCaseRefusal, ...]


def import_from_catalog(
    case: Case,
    catalog_dir: Path,
    sha256s: Sequence[str],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> IntoCaseReport:
    """Import catalogued contents into ``case`` (module doc); one that cannot be imported is
    refused with its reason, and the others go on.

    Raises:
        JobCancelled: when cancelled; contents already imported stay imported.
    """
    catalog = Catalog(Path(catalog_dir))
    imported: list[IntoCaseItem] = []
    refused: list[IntoCaseRefusal] = []
    for n, sha in enumerate(sha256s):
        check(cancel)
        report(progress, n / max(1, len(sha256s)), f"importing {sha[:12]} ({n + 1}/{len(sha256s)})")
        try:
            imported.append(_import_one(case, catalog, sha, cancel))
        except (WorkbenchError, OSError) as exc:
            refused.append(IntoCaseRefusal(sha, str(exc)))
    report(progress, 1.0, f"{len(imported)} imported, {len(refused)} refused")
    return IntoCaseReport(tuple(imported), tuple(refused))


def catalog_row(catalog: Catalog, sha256: str) -> dict:
    """The content's row with its paths (a list).

    Raises:
        WorkbenchError: the catalog has no such content.
    """
    rows = catalog.query(
        "SELECT f.*, list(p.path ORDER BY p.path) AS paths, "
        "list(p.path_bytes ORDER BY p.path) AS path_bytes FROM files f "
        "LEFT JOIN paths p ON p.sha256 = f.sha256 AND p.status = 'ok' "
        "WHERE f.sha256 = ? GROUP BY ALL",
        [sha256],
    )
    if not rows:
        raise WorkbenchError(f"{sha256[:12]}: not in the catalog {catalog.folder}")
    return rows[0]


def _file_paths(row: dict) -> list[Path]:
    """The content's paths as the file system names them (``paths`` is their display text)."""
    return [Path(shards.path_from_bytes(bytes(b))) for b in (row.get("path_bytes") or []) if b]


def unchanged_path(row: dict, cancel: CancelToken | None = None) -> Path:
    """The first of the content's paths whose bytes still have the catalog's sha256.

    Raises:
        ArchiveFileChangedError: every path is gone or holds other bytes (named, with what to do).
    """
    problems = []
    for path in _file_paths(row):
        check(cancel)
        shown = shards.path_text(str(path))
        if not path.is_file():
            problems.append(f"{shown}: gone")
            continue
        found = file_sha256(path)
        if found == row["sha256"]:
            return path
        problems.append(f"{shown}: changed since triage (sha256 now {found[:12]})")
    raise ArchiveFileChangedError(
        f"{row['sha256'][:12]}: no file still has the bytes the catalog hashed ("
        + ("; ".join(problems) or "the catalog lists no path")
        + "). Triage the folder again, then import."
    )


def _import_one(case: Case, catalog: Catalog, sha: str, cancel: CancelToken | None):
    row = catalog_row(catalog, sha)
    path = unchanged_path(row, cancel)
    paths = [p for p in (row.get("paths") or []) if p]
    where = f"archive catalog {catalog.folder}; seen at: " + "; ".join(paths)
    note = f"Imported from the {where}. Catalog sha256 {sha}."
    got = import_file(case, path, note=note, cancel=cancel)  # the note only for new evidence
    if got.sha256 != sha:
        raise ArchiveFileChangedError(
            f"{shards.path_text(str(path))}: changed while it was imported (evidence "
            f"{got.id} has sha256 {got.sha256[:12]}, the catalog {sha[:12]}); check the file "
            "and triage it again"
        )
    record = source_record(get_source(case.read(), got.id), row, where)
    update_source(case, got.id, record).result()
    return IntoCaseItem(sha, got.id, shards.path_text(str(path)), got.already_present)


def source_record(current: SourceRecord, row: dict, where: str) -> SourceRecord:
    """``current`` with its empty fields filled from the catalog's sidecar record, and
    ``obtained_by`` naming the catalog and the paths when it is empty."""
    try:
        sidecar = json.loads(row.get("sidecar_json") or "{}")
    except json.JSONDecodeError:
        sidecar = {}
    if not isinstance(sidecar, dict) or "error" in sidecar:
        sidecar = {}
    names = {f.name for f in fields(SourceRecord)}
    filled = {k: str(v) for k, v in sidecar.items() if k in names and v and not getattr(current, k)}
    if not current.obtained_by:
        filled["obtained_by"] = where[:MAX_OBTAINED_CHARS]
    return replace(current, **filled)

"""What a crash can leave in a case folder: set right when the case opens for writing, and
named by ``verify`` until then.

- ``evidence/.incoming/*``: a half-copied import. It never was evidence: deleted.
- A file in ``evidence/`` with no evidence row: an import killed after placing the file and
  before recording it (or a file put there by hand). It is not evidence, and its name and
  source are unknown, so it is neither recorded nor deleted but set aside into
  ``evidence/.quarantine/``; importing the same bytes again records them and drops the
  quarantined copy (``drop_adopted``).
- Temporaries under ``exports/`` and ``derived/`` (``analysis.fileio.is_temporary_name``): a
  write killed before its rename. The real file is either the old one or absent: deleted.

Only the process holding the case's write lock calls ``recover``, before any work starts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.fileio import is_temporary_name
from workbench.case.integrity import Finding

log = logging.getLogger(__name__)

INCOMING_DIR = ".incoming"
QUARANTINE_DIR = ".quarantine"
TEMPORARY_FOLDERS = ("exports", "derived")

_PROBLEMS = {
    "incoming": "a half-copied import (a crash mid-import); it is removed when the case next "
    "opens for writing",
    "unrecorded": "file in evidence/ with no record (an interrupted import?); it is not "
    "evidence, and is set aside into evidence/.quarantine/ when the case next opens for writing",
    "quarantined": "set aside from evidence/ because no record names it (an interrupted "
    "import?); it is not evidence: import the original again (the same bytes are then "
    "recorded) or delete it",
    "temporary": "a temporary file left by an interrupted write; it is removed when the case "
    "next opens for writing",
}


@dataclass(frozen=True)
class Leftover:
    """A file a crash left behind, and which kind of leftover it is (a key of _PROBLEMS)."""

    path: Path
    kind: str


def leftovers(case_path: Path, recorded: set[str]) -> list[Leftover]:
    """Every leftover in the case folder, without touching anything.

    Args:
        case_path: the case folder.
        recorded: the stored names of the evidence rows.
    """
    evidence = case_path / "evidence"
    found: list[Leftover] = []
    if evidence.is_dir():
        for path in sorted(evidence.iterdir()):
            if path.name not in (INCOMING_DIR, QUARANTINE_DIR) and path.name not in recorded:
                found.append(Leftover(path, "unrecorded"))
        for sub, kind in ((INCOMING_DIR, "incoming"), (QUARANTINE_DIR, "quarantined")):
            if (evidence / sub).is_dir():
                found += [Leftover(p, kind) for p in sorted((evidence / sub).iterdir())]
    found += [Leftover(p, "temporary") for p in _temporaries(case_path)]
    return found


def _temporaries(case_path: Path) -> Iterator[Path]:
    for sub in TEMPORARY_FOLDERS:
        # os.walk does not follow links: a link out of the case is not the case's to clean.
        for folder, _dirs, files in os.walk(case_path / sub):
            for name in sorted(files):
                if is_temporary_name(name):
                    yield Path(folder) / name


def leftover_findings(case_path: Path, recorded: set[str]) -> list[Finding]:
    """``verify``'s warnings: each leftover, named, with what becomes of it."""
    return [
        Finding("warning", str(x.path), _PROBLEMS[x.kind]) for x in leftovers(case_path, recorded)
    ]


def recover(case_path: Path, recorded: set[str]) -> list[Leftover]:
    """Delete half-copied imports and temporaries; set unrecorded evidence files aside.

    Returns:
        What was done, one Leftover per file (quarantined files with their new path).
    """
    done: list[Leftover] = []
    for item in leftovers(case_path, recorded):
        if item.kind in ("incoming", "temporary") and item.path.is_file():
            remove_file(item.path)
            done.append(item)
        elif item.kind == "unrecorded" and (item.path.is_file() or item.path.is_symlink()):
            moved = _quarantine(item.path)
            log.warning("%s had no record in the case: set aside as %s", item.path, moved)
            done.append(Leftover(moved, "quarantined"))
    return done


def _quarantine(path: Path) -> Path:
    folder = path.parent / QUARANTINE_DIR
    folder.mkdir(exist_ok=True)
    target, n = folder / path.name, 1
    while os.path.lexists(target):
        target, n = folder / f"{path.name}.{n}", n + 1
    os.replace(path, target)
    return target


def drop_adopted(evidence_dir: Path, stored_name: str, sha256: str) -> bool:
    """Delete the quarantined copy of bytes now recorded as evidence (same name, same hash).

    Returns:
        Whether a copy was dropped.
    """
    copy = evidence_dir / QUARANTINE_DIR / stored_name
    if not copy.is_file() or copy.is_symlink():
        return False
    digest = hashlib.sha256()
    with copy.open("rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        return False
    remove_file(copy)
    return True


def remove_file(path: Path) -> None:
    """Delete a file, read-only or not (Windows refuses to delete a read-only file)."""
    try:
        path.unlink(missing_ok=True)
    except PermissionError:
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        path.unlink(missing_ok=True)

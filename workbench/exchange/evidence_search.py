"""Finding evidence left out of a bundle in a folder on the other side, by hash.

Files are first matched by size (no hashing of what cannot match), then by SHA-256; a match
is copied into the unpacked case's ``evidence/`` under its stored name and made read-only.
Links are not followed (``rglob`` does not descend into linked folders; linked files are
skipped), so the search stays inside the folder it was given.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from analysis.jobs import CancelToken, check
from workbench.case.intake import file_sha256
from workbench.exchange.manifest import FileEntry, safe_relative


def _candidates(folder: Path, sizes: set[int]) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size in sizes:
            yield path


def find_by_hash(
    wanted: Iterable[FileEntry],
    folder: Path | str | None,
    case_dir: Path,
    cancel: CancelToken | None = None,
) -> tuple[list[str], list[FileEntry]]:
    """Copy each wanted evidence found in ``folder`` into ``case_dir``.

    Returns:
        The case paths found, and the entries still missing.
    """
    wanted = list(wanted)
    if not wanted or folder is None or not Path(folder).is_dir():
        return [], wanted
    by_hash = {e.sha256: e for e in wanted}
    found: list[str] = []
    for path in _candidates(Path(folder), {e.size for e in wanted}):
        check(cancel)
        entry = by_hash.pop(file_sha256(path), None)
        if entry is None:
            continue
        dest = case_dir.joinpath(*safe_relative(entry.path, str(path)).parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        dest.chmod(0o444)
        found.append(entry.path)
        if not by_hash:
            break
    return found, [e for e in wanted if e.sha256 in by_hash]

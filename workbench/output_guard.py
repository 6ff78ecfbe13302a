"""Where a command may write a file the user named: never into a case's originals.

Every command that writes a file the user names (``frame -o``, ``export --kml``, ``match
--figure``, ``triangulate --figure``, ``scenario OUT_DIR``, ...) and every core function that
writes one for the GUI asks ``check_output`` first. It refuses, with one line naming the file
and what to do:

- any path inside a case's ``evidence/`` folder (a folder named ``evidence`` in a
  ``NAME.gwcase`` folder or next to a ``case.sqlite``), checked on the path as given and on the
  path with every symlink resolved, so that a link into ``evidence/`` (or an ``evidence/``
  that is itself a link) is caught; a case's own database files too;
- an existing file, unless ``replace`` (the CLI's ``--force``);
- a read-only file even with ``replace``: ``os.replace`` needs only write permission on the
  folder, so a read-only flag would not protect it (and root ignores it), hence the mode bits
  are read, not ``os.access``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from analysis.errors import WorkbenchError
from workbench.paths import CASE_SUFFIX

EVIDENCE_DIR = "evidence"
CASE_DB = "case.sqlite"
_CASE_DB_FILES = (CASE_DB, f"{CASE_DB}-wal", f"{CASE_DB}-shm", f"{CASE_DB}-journal")


class OutputRefusedError(WorkbenchError):
    """A file may not be written where the user asked (evidence, existing, read-only)."""


def is_case_folder(folder: Path) -> bool:
    """A ``NAME.gwcase`` folder, or any folder holding a ``case.sqlite``."""
    return folder.name.endswith(CASE_SUFFIX) or (folder / CASE_DB).is_file()


def _is_evidence_folder(folder: Path) -> bool:
    return folder.name == EVIDENCE_DIR and is_case_folder(folder.parent)


def _forms(path: Path) -> list[Path]:
    """The path as given (made absolute, links kept) and with every link resolved."""
    literal = Path(os.path.abspath(path))
    resolved = Path(os.path.realpath(path))
    return [literal] if resolved == literal else [literal, resolved]


def evidence_folder_of(path: Path | str) -> Path | None:
    """The case ``evidence/`` folder that ``path`` is (or lies inside), or None."""
    for form in _forms(Path(path)):
        for folder in (form, *form.parents):
            if _is_evidence_folder(folder):
                return folder
    return None


def _is_case_database(path: Path) -> bool:
    return any(form.name in _CASE_DB_FILES and is_case_folder(form.parent) for form in _forms(path))


def is_read_only(path: Path) -> bool:
    """No write bit set for anyone (root can write it anyway: the bits are the intent)."""
    return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def check_output(path: Path | str, *, replace: bool = False, flag: str = "--force") -> Path:
    """Refuse to write ``path`` into a case's evidence, over an existing file (unless
    ``replace``), or over a read-only file (ever).

    Args:
        path: the file about to be written.
        replace: whether an existing, writable file may be replaced (``--force``).
        flag: how the user asks for ``replace``, named in the message.

    Returns:
        ``path`` as a Path.

    Raises:
        OutputRefusedError: one line naming the file and what to do.
    """
    path = Path(path)
    evidence = evidence_folder_of(path)
    if evidence is not None:
        raise OutputRefusedError(
            f"{path}: refused: it is inside the case evidence folder {evidence}, which holds "
            "the read-only originals; write it somewhere else (e.g. the case's exports/)"
        )
    if _is_case_database(path):
        raise OutputRefusedError(
            f"{path}: refused: it is a case's database; write it somewhere else"
        )
    if not os.path.lexists(path):
        return path
    if path.is_dir():
        raise OutputRefusedError(f"{path}: refused: it is a folder; name a file to write")
    if path.exists() and is_read_only(path):
        raise OutputRefusedError(
            f"{path}: refused: the file exists and is read-only, so it is never replaced "
            f"(not even with {flag}); choose another name"
        )
    if not replace:
        raise OutputRefusedError(
            f"{path}: refused: the file exists; pass {flag} to replace it, or choose another name"
        )
    return path


def check_outputs(
    paths: Iterable[Path | str], *, replace: bool = False, flag: str = "--force"
) -> None:
    """``check_output`` on each path (a file and its sidecar), before anything is written."""
    for p in paths:
        check_output(p, replace=replace, flag=flag)


def check_output_folder(folder: Path | str) -> Path:
    """Refuse a folder to write into when it is (or lies inside) a case's evidence folder.

    Raises:
        OutputRefusedError: naming the folder and what to do.
    """
    folder = Path(folder)
    evidence = evidence_folder_of(folder)
    if evidence is not None:
        raise OutputRefusedError(
            f"{folder}: refused: it is inside the case evidence folder {evidence}, which holds "
            "the read-only originals; write somewhere else"
        )
    return folder

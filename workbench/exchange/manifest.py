"""The bundle's manifest: what the zip holds (and what it left out), each file by hash.

``manifest.json`` at the root of the zip; the case's files under ``case/``. Every name is a
relative POSIX path checked by ``safe_relative`` both when the manifest is read and for every
entry of the zip, so that nothing can name a place outside the target.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from analysis.errors import WorkbenchError

BUNDLE_SCHEMA = 1
MANIFEST_NAME = "manifest.json"
CASE_PREFIX = "case/"
ROLES = ("database", "evidence", "export", "derived")
MAX_MANIFEST_BYTES = 64 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DRIVE = re.compile(r"^[A-Za-z]:")


class BundleError(WorkbenchError):
    """A bundle that cannot be written or is refused on reading (names the file and why)."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the case: its path inside the case folder, hash, size and role."""

    path: str  # relative POSIX path inside the case folder: "evidence/<sha256>.mp4"
    sha256: str
    size: int
    role: str  # one of ROLES
    original_name: str = ""  # evidence: the name it was imported under


@dataclass(frozen=True)
class Manifest:
    """What a bundle holds: ``files`` are in the zip, ``left_out`` are evidence to be found."""

    bundle_schema: int
    case_name: str  # the case folder's name, NAME.gwcase
    title: str
    audit_head: str  # "seq:row_hash" of the copied database
    software: str  # "geoworkbench VERSION"
    files: tuple[FileEntry, ...]
    left_out: tuple[FileEntry, ...] = ()

    def to_json(self) -> bytes:
        doc = asdict(self)
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def safe_relative(name: str, where: str) -> PurePosixPath:
    """``name`` as a relative path that stays inside the folder it is joined to.

    Raises:
        BundleError: an absolute path, a drive letter, a backslash, ``..`` or ``.``, an empty
            component, or a control character, named with ``where``.
    """
    problem = None
    if not name or name.startswith("/") or _DRIVE.match(name):
        problem = "an absolute path"
    elif "\\" in name:
        problem = "a backslash in the name"
    elif any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        problem = "a control character in the name"
    else:
        parts = name.rstrip("/").split("/")
        if any(p == ".." for p in parts):
            problem = "a '..' in the path"
        elif any(p in ("", ".") for p in parts):
            problem = "an empty or '.' component in the path"
    if problem is not None:
        raise BundleError(f"{where}: refused: {name!r} is {problem}")
    return PurePosixPath(name.rstrip("/"))


def _entry(raw: Any, where: str) -> FileEntry:
    if not isinstance(raw, dict):
        raise BundleError(f"{where}: a file entry is not an object")
    try:
        entry = FileEntry(
            path=str(raw["path"]),
            sha256=str(raw["sha256"]),
            size=int(raw["size"]),
            role=str(raw["role"]),
            original_name=str(raw.get("original_name", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{where}: a file entry lacks {exc}") from None
    safe_relative(entry.path, where)
    if not _SHA256.match(entry.sha256) or entry.size < 0 or entry.role not in ROLES:
        raise BundleError(f"{where}: the entry for {entry.path!r} is malformed")
    return entry


def read_manifest(data: bytes, where: str) -> Manifest:
    """Parse and check a manifest.

    Raises:
        BundleError: not JSON, another schema, a case name that is not a plain folder name,
            or a malformed or unsafe file entry.
    """
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{where}: the manifest is not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("bundle_schema") != BUNDLE_SCHEMA:
        raise BundleError(
            f"{where}: not a bundle of this workbench (bundle_schema "
            f"{doc.get('bundle_schema') if isinstance(doc, dict) else None!r}, "
            f"expected {BUNDLE_SCHEMA})"
        )
    name = str(doc.get("case_name", ""))
    if len(safe_relative(name, where).parts) != 1 or not name.endswith(".gwcase"):
        raise BundleError(f"{where}: refused: the case name {name!r} is not a folder name")
    files = tuple(_entry(e, where) for e in doc.get("files") or [])
    left_out = tuple(_entry(e, where) for e in doc.get("left_out") or [])
    if not any(e.path == "case.sqlite" and e.role == "database" for e in files):
        raise BundleError(f"{where}: not a case bundle (the manifest lists no case.sqlite)")
    paths = [e.path for e in (*files, *left_out)]
    if len(set(paths)) != len(paths):
        raise BundleError(f"{where}: refused: the manifest lists a file twice")
    return Manifest(
        BUNDLE_SCHEMA, name, str(doc.get("title", "")), str(doc.get("audit_head", "")),
        str(doc.get("software", "")), files, left_out,
    )  # fmt: skip

"""Writing a bundle: the case in one zip with its manifest (``workbench.exchange``).

The case is opened read-only (the GUI may hold it): its database is copied with SQLite's backup
API from one read transaction, so the copy is consistent however the case is being written;
the evidence listed in that copy is re-hashed while it is zipped, and a file whose hash is not
the one recorded stops the bundle (run ``verify``). The zip is written beside its target and
renamed into place; entries carry a fixed date, so the same case gives the same bundle bytes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench import __version__
from workbench.case import audit, open_case
from workbench.exchange.manifest import (
    BUNDLE_SCHEMA,
    CASE_PREFIX,
    MANIFEST_NAME,
    BundleError,
    FileEntry,
    Manifest,
)
from workbench.output_guard import check_output

CHUNK_BYTES = 1 << 20
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
LOOSE_FOLDERS = (("exports", "export"), ("derived", "derived"))


@dataclass(frozen=True)
class BundleResult:
    path: Path
    manifest: Manifest
    size_bytes: int


@dataclass(frozen=True)
class _Source:
    """A file to put in the zip, and the hash the case recorded for it (if any)."""

    file: Path
    path: str
    role: str
    recorded_sha256: str | None = None
    original_name: str = ""


def _snapshot(case_path: Path, into: Path) -> tuple[str, str, list[tuple[str, str, int, str]]]:
    """Copy the database with the backup API; the title, head and evidence of the copy."""
    with open_case(case_path, read_only=True) as case:
        dst = sqlite3.connect(into)
        try:
            case.read().backup(dst)
        finally:
            dst.close()
    conn = sqlite3.connect(f"{into.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'title'").fetchone()
        seq, head = audit.head(conn)
        evidence = conn.execute(
            "SELECT stored_name, sha256, size_bytes, original_name FROM evidence ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return (row[0] if row else case_path.stem), f"{seq}:{head}", evidence


def _loose_files(case_path: Path) -> list[_Source]:
    """Files under exports/ and derived/: no dot files, no links, nothing but regular files."""
    out = []
    for folder, role in LOOSE_FOLDERS:
        root = case_path / folder
        if not root.is_dir() or root.is_symlink():
            continue
        for file in sorted(root.rglob("*")):
            rel = file.relative_to(case_path)
            if any(p.startswith(".") for p in rel.parts) or file.is_symlink():
                continue
            if file.is_file():
                out.append(_Source(file, rel.as_posix(), role))
    return out


def _add(zf: zipfile.ZipFile, source: _Source, done: list[int], total: int, progress) -> FileEntry:
    info = zipfile.ZipInfo(CASE_PREFIX + source.path, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100444 if source.role == "evidence" else 0o100644) << 16
    digest, size = hashlib.sha256(), 0
    with source.file.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(CHUNK_BYTES):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
            done[0] += len(chunk)
            report(progress, 0.05 + 0.9 * done[0] / total, f"adding {source.path[:40]}")
    sha256 = digest.hexdigest()
    if source.recorded_sha256 is not None and sha256 != source.recorded_sha256:
        raise BundleError(
            f"{source.file}: its sha256 is {sha256}, not the {source.recorded_sha256} the case "
            "recorded; run geoworkbench verify on the case before bundling it"
        )
    return FileEntry(source.path, sha256, size, source.role, source.original_name)


def _sources(case_path: Path, snapshot: Path, evidence, without_evidence: bool):
    sources = [_Source(snapshot, "case.sqlite", "database")]
    left_out = []
    for stored_name, sha256, size, original_name in evidence:
        path = f"evidence/{stored_name}"
        if without_evidence:
            left_out.append(FileEntry(path, sha256, size, "evidence", original_name))
            continue
        file = case_path / "evidence" / stored_name
        if not file.is_file():
            raise BundleError(f"{file}: the evidence file is missing; run geoworkbench verify")
        sources.append(_Source(file, path, "evidence", sha256, original_name))
    return sources + _loose_files(case_path), left_out


def bundle_case(
    case_path: Path | str,
    out: Path | str,
    *,
    without_evidence: bool = False,
    replace: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> BundleResult:
    """Write the case at ``case_path`` into the zip ``out`` with its manifest.

    Args:
        without_evidence: leave the originals out (the manifest lists them by hash and size,
            for ``unbundle --evidence-from``).
        replace: replace an existing ``out`` (the CLI's ``--force``).

    Raises:
        OutputRefusedError: ``out`` exists (without ``replace``), is read-only, or is inside a
            case's evidence.
        BundleError: an evidence file is missing or not what the case recorded.
        CaseError: ``case_path`` is not a case.
        JobCancelled: nothing is left at ``out``.
    """
    case_path, out = Path(case_path).resolve(), Path(out)
    check_output(out, replace=replace)
    if not out.parent.is_dir():
        raise BundleError(f"{out}: its folder does not exist")
    part = out.with_name(f".{out.name}.part")
    with tempfile.TemporaryDirectory(prefix="gw-bundle-") as tmp:
        snapshot = Path(tmp) / "case.sqlite"
        title, head, evidence = _snapshot(case_path, snapshot)
        report(progress, 0.05, "database copied")
        sources, left_out = _sources(case_path, snapshot, evidence, without_evidence)
        total = sum(s.file.stat().st_size for s in sources) or 1
        done = [0]
        try:
            with zipfile.ZipFile(part, "w", allowZip64=True) as zf:
                files = []
                for source in sources:
                    check(cancel)
                    try:
                        files.append(_add(zf, source, done, total, progress))
                    except OSError as exc:
                        raise BundleError(f"{out}: cannot add {source.file} ({exc})") from exc
                software = f"geoworkbench {__version__}"
                manifest = Manifest(BUNDLE_SCHEMA, case_path.name, title, head, software,
                                    tuple(files), tuple(left_out))  # fmt: skip
                info = zipfile.ZipInfo(MANIFEST_NAME, date_time=ZIP_DATE)
                info.external_attr = 0o100644 << 16
                zf.writestr(info, manifest.to_json(), compress_type=zipfile.ZIP_DEFLATED)
            os.replace(part, out)
        finally:
            part.unlink(missing_ok=True)
    report(progress, 1.0, f"wrote {out.name}")
    return BundleResult(out, manifest, out.stat().st_size)

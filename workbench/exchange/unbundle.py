"""Reading a bundle back: checked before, during and after unpacking, or nothing is written.

Before anything is written, every entry of the zip is checked: its name (``safe_relative``:
no absolute path, no ``..``), its type (a regular file: no symlink, no device), that the
manifest lists it with the same size, and its compression ratio; the sizes must fit the free
space. Then the case is unpacked into a temporary folder inside the target folder, each file
re-hashed against the manifest, evidence left out of the bundle is looked for by hash in
``evidence_from``, and the case is verified (``workbench.case.verify``: every evidence hash,
the chain, the tables against it, and the head the bundle published). Only a case that passes
is renamed into ``TARGET/NAME.gwcase``; on any refusal the temporary folder is removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case import open_case
from workbench.case.verify import verify_case
from workbench.exchange.evidence_search import find_by_hash
from workbench.exchange.manifest import (
    CASE_PREFIX,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    BundleError,
    FileEntry,
    Manifest,
    read_manifest,
    safe_relative,
)
from workbench.output_guard import check_output_folder

MAX_RATIO = 200  # uncompressed : compressed, for entries above RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 << 20
MAX_ENTRIES = 500_000
CHUNK_BYTES = 1 << 20
_FILE_TYPES = (0, stat.S_IFREG)  # 0: an archiver that records no type (plain file)


@dataclass(frozen=True)
class UnbundleResult:
    case_path: Path
    manifest: Manifest
    found_in_folder: tuple[str, ...]  # evidence paths taken from ``evidence_from``
    missing: tuple[FileEntry, ...]  # evidence nowhere to be found (only with allow_missing)
    evidence_checked: int
    audit_head: str


def _entry_problem(info: zipfile.ZipInfo, listed: dict[str, FileEntry]) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "a symbolic link"
    if kind not in _FILE_TYPES or info.is_dir():
        return "not a regular file"
    if info.filename == MANIFEST_NAME:
        return None
    entry = listed.get(info.filename[len(CASE_PREFIX) :])
    if not info.filename.startswith(CASE_PREFIX) or entry is None:
        return "not listed in the manifest"
    if info.file_size != entry.size:
        return f"{info.file_size} bytes, not the {entry.size} the manifest lists"
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
        return f"compressed {ratio:.0f}:1, beyond the limit of {MAX_RATIO}:1 (a zip bomb?)"
    return None


def _checked_entries(
    zf: zipfile.ZipFile, where: str
) -> tuple[Manifest, dict[str, zipfile.ZipInfo]]:
    """The manifest and the zip entry of each listed file; refuses an unsafe archive."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise BundleError(f"{where}: refused: {len(infos)} entries (limit {MAX_ENTRIES})")
    for info in infos:
        safe_relative(info.filename, where)
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise BundleError(f"{where}: refused: an entry name appears twice")
    by_name = dict(zip(names, infos, strict=True))
    head = by_name.get(MANIFEST_NAME)
    if head is None:
        raise BundleError(f"{where}: not a bundle (no {MANIFEST_NAME})")
    if head.file_size > MAX_MANIFEST_BYTES:
        raise BundleError(f"{where}: refused: the manifest is {head.file_size} bytes")
    manifest = read_manifest(zf.read(head), where)
    listed = {e.path: e for e in manifest.files}
    for info in infos:
        problem = _entry_problem(info, listed)
        if problem is not None:
            raise BundleError(f"{where}: refused: entry {info.filename!r} is {problem}")
    absent = [p for p in listed if CASE_PREFIX + p not in by_name]
    if absent:
        raise BundleError(f"{where}: the manifest lists files the zip lacks: {', '.join(absent)}")
    return manifest, {p: by_name[CASE_PREFIX + p] for p in listed}


def _check_space(target: Path, manifest: Manifest, where: str) -> None:
    needed = sum(e.size for e in (*manifest.files, *manifest.left_out))
    free = shutil.disk_usage(target).free
    if needed > free:
        raise BundleError(f"{where}: refused: it unpacks to {needed} bytes, {target} has {free}")


def _extract(zf, info, entry: FileEntry, case_dir: Path, where: str, tick) -> None:
    dest = case_dir.joinpath(*safe_relative(entry.path, where).parts)
    digest, size = hashlib.sha256(), 0
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, dest.open("xb") as out:
            while chunk := src.read(CHUNK_BYTES):
                size += len(chunk)
                if size > entry.size:  # never more than the manifest said, whatever the zip says
                    raise BundleError(f"{where}: refused: {entry.path} is larger than listed")
                digest.update(chunk)
                out.write(chunk)
                tick(len(chunk), entry.path)
    except (OSError, zipfile.BadZipFile) as exc:  # two names one file here, a full disk, a bad CRC
        raise BundleError(f"{where}: cannot unpack {entry.path}: {exc}") from exc
    if digest.hexdigest() != entry.sha256 or size != entry.size:
        raise BundleError(
            f"{where}: {entry.path}: sha256 {digest.hexdigest()}, not the {entry.sha256} the "
            "manifest lists (the bundle was altered or damaged)"
        )
    if entry.role == "evidence":
        dest.chmod(0o444)


def _remove_tree(folder: Path) -> None:
    def writable_and_retry(func, failed, _exc) -> None:
        os.chmod(failed, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        func(failed)

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=writable_and_retry)
    else:
        shutil.rmtree(folder, onerror=lambda f, p, e: writable_and_retry(f, p, e[1]))


def _verify(case_dir: Path, manifest: Manifest, missing: list[FileEntry], where: str):
    """Verify the unpacked case against the published head; missing evidence, when allowed,
    is the only error let through."""
    allowed = {f"({case_dir.resolve() / m.path})" for m in missing}
    with open_case(case_dir, read_only=True) as case:
        result = verify_case(case, expect_head=manifest.audit_head or None)
    errors = [
        f for f in result.findings
        if f.severity == "error"
        and not (f.problem == "the file is missing" and any(f.where.endswith(a) for a in allowed))
    ]  # fmt: skip
    if errors:
        lines = "; ".join(f"{f.where}: {f.problem}" for f in errors[:10])
        raise BundleError(f"{where}: refused: the case does not verify: {lines}")
    return result


def _missing_message(where: str, missing: list[FileEntry], folder) -> str:
    listed = "; ".join(
        f"{m.original_name or m.path} (sha256 {m.sha256}, {m.size} bytes)" for m in missing
    )
    hint = "pass --evidence-from FOLDER" if folder is None else f"not found in {folder}"
    return f"{where}: evidence is missing: {listed} ({hint}); nothing was written"


def _open(zip_path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError(f"{zip_path}: cannot read the bundle ({exc})") from None


def unbundle(
    zip_path: Path | str,
    target_dir: Path | str,
    *,
    evidence_from: Path | str | None = None,
    allow_missing: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> UnbundleResult:
    """Write the bundled case into ``target_dir/NAME.gwcase``, checked (module doc).

    Args:
        evidence_from: a folder searched (recursively) for evidence left out of the bundle,
            by size and then sha256.
        allow_missing: write the case even when some evidence is nowhere to be found (it is
            listed in the result; ``verify`` will report it missing).

    Raises:
        BundleError: an unsafe or altered bundle, missing evidence, a case that does not
            verify, or a target that exists; nothing is left in ``target_dir``.
        JobCancelled: likewise, nothing is left.
    """
    zip_path, target = Path(zip_path), Path(target_dir)
    where = str(zip_path)
    check_output_folder(target)
    with _open(zip_path) as zf:
        manifest, infos = _checked_entries(zf, where)
        final = target / manifest.case_name
        if os.path.lexists(final):
            raise BundleError(f"{final}: refused: it exists; unbundle into another folder")
        target.mkdir(parents=True, exist_ok=True)
        _check_space(target, manifest, where)
        tmp = Path(tempfile.mkdtemp(prefix=".unbundle-", dir=target))
        try:
            case_dir = tmp / manifest.case_name
            total, done = sum(e.size for e in manifest.files) or 1, [0]

            def tick(n: int, name: str) -> None:
                check(cancel)
                done[0] += n
                report(progress, 0.8 * done[0] / total, f"unpacking {name[:40]}")

            for entry in manifest.files:
                _extract(zf, infos[entry.path], entry, case_dir, where, tick)
            found, missing = find_by_hash(manifest.left_out, evidence_from, case_dir, cancel)
            if missing and not allow_missing:
                raise BundleError(_missing_message(where, missing, evidence_from))
            report(progress, 0.85, "verifying")
            result = _verify(case_dir, manifest, missing, where)
            os.rename(case_dir, final)
        finally:
            _remove_tree(tmp)
    report(progress, 1.0, f"wrote {final.name}")
    head = f"{result.audit_rows}:{result.audit_head}"
    return UnbundleResult(
        final, manifest, tuple(found), tuple(missing), result.evidence_checked, head
    )

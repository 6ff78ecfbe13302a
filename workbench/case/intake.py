"""Evidence intake: copy, hash, validate, store read-only, record, log.

The bytes are copied once into ``evidence/.incoming/`` while being hashed (streaming SHA-256)
and fsynced, and every check runs on that copy, so the stored metadata describes exactly the
stored bytes. A copy that passed is placed atomically: made read-only, *then* renamed
(``os.replace``) to ``evidence/<sha256>.<ext>`` (and the folder fsynced), and recorded with its
audit row in one transaction. A crash at any step therefore leaves either a file in
``.incoming`` (discarded on the next open) or the complete, read-only file under its final
name with no record (set aside into ``evidence/.quarantine/`` on the next open, named by
``verify``, and recorded if the same bytes are imported again): never a writable original, so
never a false "file is writable" alarm. ``fault_hook`` lets tests kill the import at each
named step.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import MediaError, WorkbenchError
from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, JobCancelled, ProgressFn, check, report
from analysis.media.kind import sniff_kind, suggest_extension
from analysis.media.metadata import check_media, read_metadata
from workbench.case import recovery
from workbench.case.audit import utc_now_iso
from workbench.case.store import Case
from workbench.downloaded import source_from_info_json
from workbench.file_names import display_name, name_bytes_hex

log = logging.getLogger(__name__)

CHUNK_BYTES = 4 * 1024 * 1024
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
# Called with the name of each step of placing a file ("copied", "chmod", "rename", "placed",
# "recorded"); tests set it to kill the process there. None in use.
fault_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if fault_hook is not None:
        fault_hook(name)


@dataclass(frozen=True)
class ImportedEvidence:
    id: int
    sha256: str
    kind: str
    original_name: str
    stored_name: str
    size_bytes: int
    already_present: bool


@dataclass(frozen=True)
class ImportFailure:
    path: Path
    reason: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedEvidence, ...]
    failed: tuple[ImportFailure, ...]


def import_files(
    case: Case,
    paths: Iterable[Path | str],
    *,
    source_url: str | None = None,
    note: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ImportReport:
    """Import several files; a bad file is reported and skipped, the others go in.

    Every failure of one file (unusable media, unreadable, a stored file that does not match
    its hash) is reported in ``failed`` with a reason naming the file, and the batch goes on.

    Raises:
        JobCancelled: when cancelled; files already imported stay imported.
    """
    items = [Path(p) for p in paths]
    total = sum(_size_or_zero(p) for p in items) or 1
    done = 0
    imported: list[ImportedEvidence] = []
    failed: list[ImportFailure] = []
    for path in items:
        size = _size_or_zero(path)

        def file_progress(frac: float, msg: str, base: int = done, size: int = size) -> None:
            report(progress, (base + frac * size) / total, msg)

        try:
            imported.append(
                import_file(
                    case,
                    path,
                    source_url=source_url,
                    note=note,
                    progress=file_progress,
                    cancel=cancel,
                )
            )
        except (WorkbenchError, OSError) as exc:
            failed.append(ImportFailure(path, _reason(path, exc)))
        done += size
    report(progress, 1.0, "import finished")
    return ImportReport(tuple(imported), tuple(failed))


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _reason(path: Path, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, OSError):
        text = f"{path}: cannot read the file ({exc.strerror or exc})"
    text = text if str(path.name) in text else f"{path}: {text}"
    return display_name(text)  # a reason is shown and may be stored: never lone surrogates


def import_file(
    case: Case,
    path: Path | str,
    *,
    source_url: str | None = None,
    note: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ImportedEvidence:
    """Import one file into the case.

    A name that is not valid UTF-8 is kept losslessly: ``original_name`` is its display form
    (bad bytes as U+FFFD) and ``original_name_bytes_hex`` its raw bytes (``workbench.file_names``;
    ``workbench.case.evidence.original_name_bytes`` reads them back).

    Raises:
        MediaError: the file is not usable media (the message names it); nothing is added.
        OSError: the file cannot be read or the case cannot be written.
        JobCancelled: when cancelled; nothing is added.
    """
    src = Path(path)
    name, name_hex = display_name(src.name), name_bytes_hex(src.name)
    if not src.is_file():
        raise MediaError(f"{src}: not a file")
    downloaded = source_from_info_json(src)  # a bad .info.json refuses before any copy
    part = case.incoming_dir / f"{uuid.uuid4().hex}.part"
    try:
        sha256, size = _copy_and_hash(src, part, progress, cancel)
        _step("copied")
        kind = sniff_kind(part)
        check_media(part, kind)
        metadata = read_metadata(part)
        metadata["file_name"] = name  # it was read from the temporary copy
        stored_name = sha256 + suggest_extension(part, kind)
        final = case.evidence_dir / stored_name
        check(cancel)  # the last moment to stop: nothing is placed yet
        placed = _place(case, part, final, sha256)
    except MediaError as exc:
        # Messages from the checks name the temporary copy; name the user's file instead.
        raise type(exc)(str(exc).replace(str(part), str(src))) from exc
    finally:
        recovery.remove_file(part)
    try:
        result = case.write_sync(
            lambda conn: _record(
                conn,
                case,
                (name, name_hex),
                stored_name,
                sha256,
                size,
                kind,
                metadata,
                source_url,
                note,
                downloaded,
            )
        )
    except BaseException:
        if placed:  # never leave an original without its record behind
            recovery.remove_file(final)
        raise
    _step("recorded")
    recovery.drop_adopted(case.evidence_dir, stored_name, sha256)
    _make_thumbnail(case, final, kind, sha256)
    return result


def _copy_and_hash(
    src: Path, dst: Path, progress: ProgressFn | None, cancel: CancelToken | None
) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = src.stat().st_size or 1
    copied = 0
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(CHUNK_BYTES):
            digest.update(chunk)
            fout.write(chunk)
            copied += len(chunk)
            report(progress, copied / size, f"copying {display_name(src.name)}")
            if cancel is not None and cancel.cancelled:
                raise JobCancelled(f"import of {display_name(src.name)} cancelled")
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest(), copied


def _place(case: Case, part: Path, final: Path, sha256: str) -> bool:
    """Put the checked, fsynced copy in place: chmod read-only, then rename, then fsync the
    folder. A file already there with the same bytes is kept when it is read-only, or when a
    record names it (a recorded original made writable is for ``verify`` to report, not for an
    import to hide); a writable unrecorded one is replaced by the read-only copy.

    Returns:
        Whether this call placed the file.

    Raises:
        WorkbenchError: a different file (or a link) already has the final name.
    """
    _step("chmod")
    os.chmod(part, READ_ONLY)
    if os.path.lexists(final):
        if final.is_symlink() or not final.is_file() or file_sha256(final) != sha256:
            raise WorkbenchError(
                f"{final}: a stored file with this name does not match its hash; run verify "
                "before importing more"
            )
        if _read_only(final) or _recorded(case, sha256):
            return False
    _step("rename")
    os.replace(part, final)
    _fsync_folder(final.parent)
    _step("placed")
    return True


def _read_only(path: Path) -> bool:
    return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _recorded(case: Case, sha256: str) -> bool:
    row = case.read().execute("SELECT 1 FROM evidence WHERE sha256 = ?", (sha256,)).fetchone()
    return row is not None


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder to fsync it)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _record(
    conn: sqlite3.Connection,
    case: Case,
    names: tuple[str, str | None],
    stored_name: str,
    sha256: str,
    size: int,
    kind: str,
    metadata: dict,
    source_url: str | None,
    note: str | None,
    downloaded: dict[str, str] | None = None,
) -> ImportedEvidence:
    now = utc_now_iso()
    name, name_hex = names  # the display name and, for a name not valid UTF-8, its bytes
    raw = {} if name_hex is None else {"name_bytes_hex": name_hex}
    row = conn.execute(
        "SELECT id, original_name FROM evidence WHERE sha256 = ?", (sha256,)
    ).fetchone()
    if row is not None:
        conn.execute(
            "INSERT OR IGNORE INTO evidence_name (evidence_id, name, first_seen_utc,"
            " name_bytes_hex) VALUES (?, ?, ?, ?)",
            (row[0], name, now, name_hex),
        )
        details = {"name": name, "evidence_id": row[0], **raw}
        case.log(conn, "evidence.import_again", sha256, details)
        return ImportedEvidence(row[0], sha256, kind, row[1], stored_name, size, True)
    cur = conn.execute(
        "INSERT INTO evidence (sha256, original_name, stored_name, size_bytes, kind,"
        " imported_at_utc, imported_by, source_url, metadata_json, original_name_bytes_hex)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sha256,
            name,
            stored_name,
            size,
            kind,
            now,
            case.analyst,
            source_url,
            json.dumps(metadata, ensure_ascii=False, sort_keys=True, default=str),
            name_hex,
        ),
    )
    evidence_id = int(cur.lastrowid)
    conn.execute(
        "INSERT INTO evidence_source (evidence_id, url) VALUES (?, ?)",
        (evidence_id, source_url or ""),
    )
    if downloaded:  # the downloader's record; a URL the analyst gave wins
        fields = {**downloaded, **({"url": source_url} if source_url else {})}
        sets = ", ".join(f"{k} = ?" for k in sorted(fields))
        conn.execute(
            f"UPDATE evidence_source SET {sets} WHERE evidence_id = ?",
            (*(fields[k] for k in sorted(fields)), evidence_id),
        )
    conn.execute(
        "INSERT INTO evidence_name (evidence_id, name, first_seen_utc, name_bytes_hex)"
        " VALUES (?, ?, ?, ?)",
        (evidence_id, name, now, name_hex),
    )
    details = {
        "name": name,
        "evidence_id": evidence_id,
        "kind": kind,
        "size_bytes": size,
        "stored_name": stored_name,
        "source_url": source_url or "",
        **raw,
        **({"downloaded": downloaded} if downloaded else {}),
    }
    case.log(conn, "evidence.import", sha256, details)
    if note:
        conn.execute(
            "INSERT INTO note (evidence_id, body, author, created_at_utc,"
            " updated_at_utc) VALUES (?, ?, ?, ?, ?)",
            (evidence_id, note, case.analyst, now, now),
        )
        case.log(conn, "note.add", sha256, {"body": note})
    return ImportedEvidence(evidence_id, sha256, kind, name, stored_name, size, False)


def thumbnail_path(case: Case, sha256: str) -> Path:
    return case.derived_dir / "thumbs" / f"{sha256}.png"


def _make_thumbnail(case: Case, stored: Path, kind: str, sha256: str) -> None:
    """Write derived/thumbs/<sha>.png; a failure only costs the thumbnail, never the import."""
    from PIL import Image

    from analysis.media.thumbnails import make_thumbnail

    target = thumbnail_path(case, sha256)
    if target.exists():
        return
    try:
        pixels = make_thumbnail(stored, kind, max_side=256)
    except MediaError as exc:
        log.warning("no thumbnail for %s: %s", stored.name, exc)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    write_bytes_atomic(target, buf.getvalue())

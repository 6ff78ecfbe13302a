"""The triage of one file: the task a Dask worker runs (a plain function of plain arguments).

Facts (SHA-256 streamed, kind from content, metadata with its clocks, the integrity check),
shots with a keyframe each, perceptual hashes sampled every half second, and the downloader's
``.info.json`` beside it. Everything is written as content-addressed shards
(``workbench.archive.shards``): running the task twice gives the same catalog.

A file that cannot be triaged (not media, truncated to nothing, unreadable) is recorded with
its error in its path row, and the task returns normally: the run goes on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISFIFO, S_ISREG, S_ISSOCK
from typing import Any

from analysis.archive.fingerprint import VideoFingerprint, fingerprint_video
from analysis.archive.phash import frame_hash
from analysis.errors import MediaError
from analysis.media.kind import sniff_kind
from analysis.media.metadata import check_media, read_metadata
from analysis.timekeeping.sources import InfoJsonError
from analysis.video.probe import library_versions
from workbench.archive import shards
from workbench.downloaded import source_from_info_json
from workbench.provenance import file_sha256

log = logging.getLogger(__name__)


@dataclass
class TaskOutcome:
    """What one task did (returned to the scheduler; the catalog holds the results)."""

    path: str
    sha256: str | None
    status: str  # "triaged", "seen" (content already in the catalog), "error"
    error: str = ""
    frames: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # the cost split by step

    def as_dict(self) -> dict[str, Any]:
        """The outcome, its error as text any output can hold (a name that is not UTF-8 is
        in it with \\xNN escapes, as in the catalog)."""
        return {**asdict(self), "error": shards.path_text(self.error)}


def _software() -> str:
    v = library_versions()
    return f"geoworkbench archive row {shards.ROW_VERSION}; " + ", ".join(
        f"{k} {v[k]}" for k in sorted(v)
    )


def _earliest(metadata: dict[str, Any], sidecar: dict[str, str] | None) -> tuple[str, str]:
    """The earliest UTC time the file or its record states, and which clock said it."""
    found = [
        (t["utc"], f"{name} ({t.get('clock', '')} clock)")
        for name, t in (metadata.get("times") or {}).items()
        if isinstance(t, dict) and t.get("utc")
    ]
    if sidecar and sidecar.get("upload_time_utc"):
        found.append((sidecar["upload_time_utc"], f"upload ({sidecar['upload_time_basis']})"))
    return min(found) if found else ("", "")


def _video_facts(metadata: dict[str, Any]) -> dict[str, Any]:
    streams = metadata.get("streams") or []
    video = next((s for s in streams if s.get("type") == "video"), {})
    fps = (video.get("avg_frame_rate") or {}).get("value")
    return {
        "container": metadata.get("format", ""),
        "codec": video.get("codec", ""),
        "width_px": video.get("display_width_px") or video.get("width_px"),
        "height_px": video.get("display_height_px") or video.get("height_px"),
        "duration_s": metadata.get("duration_s"),
        "fps": fps,
    }


def _segments(fp: VideoFingerprint) -> list[dict[str, Any]]:
    return [
        {"first_frame": s.first_frame, "last_frame": s.last_frame, "start_s": s.start_s,
         "end_s": s.end_s}
        for s in fp.cuts.segments
    ]  # fmt: skip


def _hash_rows(sha: str, fp: VideoFingerprint) -> list[dict[str, Any]]:
    keyframes = {k.frame_index for k in fp.keyframes}
    return [
        {"sha256": sha, "sample": n, "frame_index": s.frame_index, "time_s": round(s.time_s, 6),
         "segment": s.segment, "value": s.value, "mirrored": s.mirrored,
         "keyframe": s.frame_index in keyframes}
        for n, s in enumerate(fp.samples)
    ]  # fmt: skip


def _fingerprint_image(path: Path) -> VideoFingerprint:
    """A still as a one-frame video: one shot, its keyframe, one sample."""
    import cv2
    import numpy as np

    from analysis.archive.fingerprint import Keyframe, Sample
    from analysis.video.cuts import CutResult, Segment

    data = np.fromfile(path, dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise MediaError(f"{path.name}: the picture cannot be decoded")
    scale = min(1.0, 256 / bgr.shape[1])
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h = frame_hash(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
    cuts = CutResult((), (Segment(0, 0, None, None),), 1)
    return VideoFingerprint(
        1,
        0.0,
        cuts,
        (Sample(0, 0.0, 0, h.value, h.mirrored),),
        (Keyframe(0, 0, 0.0, jpeg, h.value),),
    )


def _content_rows(
    path: Path, sha: str, out: TaskOutcome, decode_threads: int
) -> tuple[dict, list[dict], VideoFingerprint]:
    t = time.perf_counter()
    kind = sniff_kind(path)
    metadata = read_metadata(path)
    metadata.pop("file_name", None)  # the content's row must not depend on which path it came by
    try:
        check_media(path, kind, decode_threads=decode_threads)
        integrity = "ok"
    except MediaError as exc:
        if kind != "video":  # a picture that fails its check (a bomb, a broken one) stops here
            raise
        integrity = f"damaged: {exc}"  # a damaged video may still decode in part: go on
    out.seconds["facts"] = time.perf_counter() - t
    t = time.perf_counter()
    if kind == "video":
        fp = fingerprint_video(path, decode_threads=decode_threads)
    else:
        fp = _fingerprint_image(path)
    out.seconds["decode_and_hash"] = time.perf_counter() - t
    out.frames = fp.frame_count
    try:
        sidecar = source_from_info_json(path)
    except InfoJsonError as exc:
        sidecar = {"error": str(exc)}
    earliest, basis = _earliest(metadata, sidecar)
    row = {
        "sha256": sha, "row_version": shards.ROW_VERSION, "size_bytes": path.stat().st_size,
        "kind": kind, **_video_facts(metadata), "frame_count": fp.frame_count,
        "integrity": integrity, "cut_count": len(fp.cuts.cuts),
        "segments_json": json.dumps(_segments(fp), sort_keys=True),
        "metadata_json": json.dumps(metadata, sort_keys=True, default=str),
        "earliest_time_utc": earliest or None, "earliest_time_basis": basis or None,
        "sidecar_json": json.dumps(sidecar, sort_keys=True) if sidecar else "",
        "software": _software(),
    }  # fmt: skip
    if kind != "video":
        width = metadata.get("display_width_px") or metadata.get("width_px")
        height = metadata.get("display_height_px") or metadata.get("height_px")
        row.update(duration_s=0.0, fps=None, codec=metadata.get("format", ""),
                   width_px=width, height_px=height)  # fmt: skip
    return row, _hash_rows(sha, fp), fp


def _file_type(mode: int) -> str:
    for test, name in ((S_ISFIFO, "a named pipe"), (S_ISSOCK, "a socket"),
                       (S_ISCHR, "a character device"), (S_ISBLK, "a block device")):  # fmt: skip
        if test(mode):
            return name
    return "not a file"


def triage_file(
    path: str, catalog: str, after: object = None, decode_threads: int = 0
) -> dict[str, Any]:
    """Triage one file into the catalog (module doc). Returns ``TaskOutcome.as_dict()``.

    ``after`` is ignored: the engine passes the outcome of a task this one must follow.
    ``decode_threads``: FFmpeg's decoding threads (0: its choice; the engine asks for 1 when
    several workers share the cores).
    """
    p, cat = Path(path), Path(catalog)
    out = TaskOutcome(path, None, "triaged")
    try:
        stat = p.stat()
    except OSError:
        stat = None
    try:
        if stat is None:
            raise MediaError(f"{p}: the file is gone")
        if not S_ISREG(stat.st_mode):  # a named pipe would block the read for ever
            raise MediaError(f"{p}: not a regular file ({_file_type(stat.st_mode)})")
        t = time.perf_counter()
        out.sha256 = sha = file_sha256(p)
        out.seconds["sha256"] = time.perf_counter() - t
        if shards.files_shard(cat, sha).exists() and shards.hashes_shard(cat, sha).exists():
            out.status = "seen"
        else:
            row, hashes, fp = _content_rows(p, sha, out, decode_threads)
            t = time.perf_counter()
            for k in fp.keyframes:
                shards.write_bytes(shards.keyframe_file(cat, sha, k.segment), k.jpeg)
            shards.write_table(shards.hashes_shard(cat, sha), hashes, shards.HASHES)
            shards.write_table(shards.files_shard(cat, sha), [row], shards.FILES)
            out.seconds["write"] = time.perf_counter() - t
    except (MediaError, OSError, ValueError) as exc:
        out.status, out.error = "error", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - an archive holds anything: record it, go on
        log.exception("triage of %s failed unexpectedly", path)
        out.status, out.error = "error", f"unexpected {type(exc).__name__}: {exc}"
    _record_path(cat, path, out.sha256, stat, out.error if out.status == "error" else "")
    return out.as_dict()


def _record_path(
    catalog: Path, path: str, sha256: str | None, stat: os.stat_result | None, error: str
) -> None:
    """The path's row (last: a path with a row is done, ``resume`` skips it)."""
    shards.write_table(
        shards.paths_shard(catalog, path),
        [{"path": shards.path_text(path), "path_bytes": os.fsencode(path), "sha256": sha256,
          "size_bytes": stat.st_size if stat else None,
          "mtime_ns": stat.st_mtime_ns if stat else None,
          "status": "error" if error else "ok", "error": shards.path_text(error),
          "row_version": shards.ROW_VERSION}],
        shards.PATHS,
    )  # fmt: skip


def record_unfinished(catalog: str, path: str, error: str) -> bool:
    """An error row for a path whose task never finished (its worker died on it each time,
    or the task could not write). No size or time is recorded, so ``resume`` tries it again.
    Returns False when even this row cannot be written (the run's summary still names it)."""
    try:
        _record_path(Path(catalog), path, None, None, error)
    except OSError:
        log.warning("the catalog has no row for %s", path, exc_info=True)
        return False
    return True

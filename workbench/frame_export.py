"""Frame export: the exact frame of a video evidence, with its provenance.

The frame (its framemd5 checked against the case's frame table) is written as a PNG and a JSON
sidecar with its provenance (ARCHITECTURE.md, The case), via a temporary file and
``os.replace``, and recorded in ``frame_export`` with the audit row ``frame.export``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import CorruptMediaError
from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, ProgressFn
from analysis.video.enhance import Enhancements, apply_enhancements
from analysis.video.table import FrameTable
from workbench import __version__
from workbench.case import audit
from workbench.case.evidence import Evidence
from workbench.case.store import Case
from workbench.video_store import load_or_build_frame_table, video_evidence


@dataclass(frozen=True)
class ExportedFrame:
    """Where an exported frame went and what identifies it."""

    export_id: int
    png_path: Path
    sidecar_path: Path
    png_sha256: str
    frame_index: int
    pts: int | None
    pts_s: float | None
    time_code: str
    frame_md5: str
    audit_head: str  # the chain head written into the sidecar (before this export's row)


def _png_bytes(pixels: Any) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def export_frame(
    case: Case,
    evidence_id: int,
    frame_index: int,
    enhancements: Enhancements | None = None,
    *,
    reader: Any | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ExportedFrame:
    """Export frame ``frame_index`` as exports/frames/<sha12>_f<index>[_e<params>].png + .json.

    ``reader`` may be an open analysis.video.decode.VideoReader of this evidence used by the calling
    thread; otherwise one is opened. The PNG is the upright RGB frame (non-square pixels made
    square) with the enhancements applied; the sidecar lists them.

    Raises:
        CorruptMediaError: the decoded frame's framemd5 differs from the case's frame table.
    """
    enh = enhancements or Enhancements()
    table = load_or_build_frame_table(case, evidence_id, progress=progress, cancel=cancel)
    e, path = video_evidence(case, evidence_id)
    frame = _exact_frame(e, path, table, frame_index, reader)
    png = _png_bytes(apply_enhancements(frame.image, enh))
    suffix = "" if enh.is_identity else "_e" + _digest(enh.to_dict())[:8]
    out_dir = case.exports_dir / "frames"
    out_dir.mkdir(parents=True, exist_ok=True)
    png_path = out_dir / f"{e.sha256[:12]}_f{frame_index}{suffix}.png"
    write_bytes_atomic(png_path, png)
    sidecar = _sidecar(e, frame, table, enh, png_path, hashlib.sha256(png).hexdigest())
    return case.write_sync(lambda conn: _record_export(case, conn, e, png_path, sidecar))


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def _exact_frame(e: Evidence, path: Path, table: FrameTable, index: int, reader: Any) -> Any:
    """Frame ``index`` from ``reader`` (or a new one), its framemd5 checked against ``table``."""
    from analysis.video.decode import VideoReader

    own = reader is None
    reader = reader or VideoReader(path, table)
    try:
        frame = reader.frame_at(index)
    finally:
        if own:
            reader.close()
    want = table.frames[index].md5
    if frame.md5 != want:
        raise CorruptMediaError(
            f"{e.original_name}: frame {index} decoded with hash {frame.md5}, the case's"
            f" frame table says {want}; not exported"
        )
    return frame


def _sidecar(
    e: Evidence, frame: Any, table: FrameTable, enh: Enhancements, png_path: Path, png_sha: str
) -> dict[str, Any]:
    """The provenance of an exported frame (the audit head is added inside the write)."""
    from analysis.video.decode import time_code
    from analysis.video.probe import library_versions

    return {
        "evidence_sha256": e.sha256,
        "evidence_name": e.original_name,
        "frame_index": frame.index,
        "frame_index_meaning": "0-based index in a full sequential decode",
        "pts": frame.pts,
        "time_base": list(table.time_base),
        "pts_s": frame.pts_s,
        "time_s": frame.time_s,
        "time_code": time_code(frame.time_s),
        "keyframe": frame.keyframe,
        "frame_md5": frame.md5,
        "frame_md5_of": f"decoded picture, native {table.pix_fmt}, coded orientation"
        " (ffmpeg -noautorotate -f framemd5)",
        "image": {
            "width_px": int(frame.image.shape[1]),
            "height_px": int(frame.image.shape[0]),
            "rotation_deg_applied": frame.rotation_deg,
            "sar": list(frame.sar),
        },
        "enhancements": enh.steps(),
        "enhancement_parameters": None if enh.is_identity else enh.to_dict(),
        "software": {"name": "geoworkbench", "version": __version__},
        "libraries": library_versions(),  # the libraries that decoded this export
        "frame_table_libraries": dict(table.versions),  # those that built the frame table
        "png_file": png_path.name,
        "png_sha256": png_sha,
    }


def _record_export(
    case: Case, conn: sqlite3.Connection, e: Evidence, png_path: Path, sidecar: dict[str, Any]
) -> ExportedFrame:
    seq, head = audit.head(conn)
    sidecar = {
        **sidecar,
        "audit_head": {"seq": seq, "row_hash": head},
        "exported_at_utc": audit.utc_now_iso(),
        "exported_by": case.analyst,
    }
    text = json.dumps(sidecar, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    sidecar_path = png_path.with_suffix(".json")
    write_bytes_atomic(sidecar_path, text.encode("utf-8"))
    rel = png_path.relative_to(case.path).as_posix()
    cur = conn.execute(
        "INSERT INTO frame_export (evidence_id, frame_index, png_path, png_sha256, sidecar_json,"
        " exported_at_utc) VALUES (?, ?, ?, ?, ?, ?)",
        (
            e.id,
            sidecar["frame_index"],
            rel,
            sidecar["png_sha256"],
            text,
            sidecar["exported_at_utc"],
        ),
    )
    details = {
        "frame_index": sidecar["frame_index"],
        "png": rel,
        "png_sha256": sidecar["png_sha256"],
        "sidecar_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "frame_md5": sidecar["frame_md5"],
        "enhancements": [s["op"] for s in sidecar["enhancements"]],
    }
    case.log(conn, "frame.export", e.sha256, details)
    return ExportedFrame(
        int(cur.lastrowid),
        png_path,
        sidecar_path,
        sidecar["png_sha256"],
        sidecar["frame_index"],
        sidecar["pts"],
        sidecar["pts_s"],
        sidecar["time_code"],
        sidecar["frame_md5"],
        head,
    )

"""Frame export: the exact frame of a video evidence, with its provenance.

The frame (its framemd5 checked against the case's frame table) is written as a PNG and a JSON
sidecar with its provenance (``workbench.provenance``, the same shape and name rule as the CLI
``frame`` command), via a temporary file and ``os.replace``, and recorded in ``frame_export``
with the audit row ``frame.export``.
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
from workbench import provenance
from workbench.annotations.burn import OVERLAY_OP, burn_in, overlay_operation
from workbench.annotations.shapes import AnnotationError
from workbench.annotations.store import Annotation, list_annotations
from workbench.case import audit
from workbench.case.evidence import Evidence
from workbench.case.store import Case
from workbench.frame_table_store import load_or_build_frame_table, video_evidence
from workbench.output_guard import check_outputs
from workbench.provenance import FRAME_DECODE_OPS, AuditHead, Provenance, case_head


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
    recorded: bool = True  # False: the case was open read-only; no frame_export row, no log


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
    annotations: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ExportedFrame:
    """Export frame ``frame_index`` as exports/frames/<sha12>_f<index>[_e<params>][_a<a>].png.

    The provenance sidecar goes next to it as ``....png.json`` (``provenance.sidecar_path``),
    as of the audit head it quotes. ``reader`` may be an open
    analysis.video.decode.VideoReader of this evidence used by the calling thread; otherwise
    one is opened. The PNG is the upright RGB frame (non-square pixels made square) with the
    enhancements applied; the sidecar lists them as operations. With ``annotations``, the
    frame's annotations (``workbench.annotations``) are burned in after them: the sidecar lists
    them as an ``overlay`` operation and keeps the clean frame's framemd5 (its source) and the
    clean PNG's SHA-256 (``details.clean_png_sha256``); a frame without any is exported clean.

    A case opened read-only (another process holds it for writing) still gets the PNG and its
    sidecar, as of the case's head; no row records it (``recorded`` False, ``export_id`` 0).

    Raises:
        CorruptMediaError: the decoded frame's framemd5 differs from the case's frame table.
    """
    enh = enhancements or Enhancements()
    table = load_or_build_frame_table(case, evidence_id, progress=progress, cancel=cancel)
    e, path = video_evidence(case, evidence_id)
    frame = _exact_frame(e, path, table, frame_index, reader)
    clean = apply_enhancements(frame.image, enh)
    burned = frame_annotations(case, e.id, frame) if annotations else []
    png = _png_bytes(burn_in(clean, [a.shape for a in burned]) if burned else clean)
    suffix = "" if enh.is_identity else "_e" + _digest(enh.to_dict())[:8]
    steps = enh.steps()
    if burned:
        records = [a.record() for a in burned]
        suffix += "_a" + _digest({"annotations": records})[:8]
        h, w = clean.shape[:2]
        steps = [*steps, overlay_operation(records, w, h)]
        clean_sha = hashlib.sha256(_png_bytes(clean)).hexdigest()
    out_dir = case.exports_dir / "frames"
    out_dir.mkdir(parents=True, exist_ok=True)
    png_path = out_dir / f"{e.sha256[:12]}_f{frame_index}{suffix}.png"
    # The case's own name, replaced when exported again; but never through a link into evidence/.
    check_outputs([png_path, provenance.sidecar_path(png_path)], replace=True)
    write_bytes_atomic(png_path, png)
    png_sha = hashlib.sha256(png).hexdigest()
    extra = {"clean_png_sha256": clean_sha, "clean_frame_md5": frame.md5} if burned else {}

    def record(conn: sqlite3.Connection) -> ExportedFrame:
        # The sidecar quotes the head before this export's own row, and that row's time.
        head = case_head(conn)
        prov = _provenance(case, e, frame, table, steps, png_path.name, png_sha, head, extra)
        export_id, sidecar_path = _record_export(case, conn, e, png_path, prov)
        return ExportedFrame(
            export_id,
            png_path,
            sidecar_path,
            png_sha,
            frame.index,
            frame.pts,
            frame.pts_s,
            prov.details["time_code"],
            frame.md5,
            head.row_hash,
        )

    if case.read_only:
        head = case_head(case.read())
        prov = _provenance(case, e, frame, table, steps, png_path.name, png_sha, head, extra)
        sidecar = provenance.write_sidecar(png_path, prov)
        return ExportedFrame(
            0, png_path, sidecar, png_sha, frame.index, frame.pts, frame.pts_s,
            prov.details["time_code"], frame.md5, head.row_hash, recorded=False,
        )  # fmt: skip
    return case.write_sync(record)


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def frame_annotations(case: Case, evidence_id: int, frame: Any) -> list[Annotation]:
    """The annotations of the decoded ``frame``, each drawn on this very picture.

    Raises:
        AnnotationError: one was drawn on a picture with another framemd5 (a frame table
            rebuilt by another decoder); nothing is exported.
    """
    found = list_annotations(case.read(), evidence_id, frame.index)
    for a in found:
        if a.frame_md5 != frame.md5:
            raise AnnotationError(
                f"annotation {a.id} was drawn on frame {frame.index} with framemd5 "
                f"{a.frame_md5}, but the frame decodes as {frame.md5}; not exported"
            )
    return found


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


def _provenance(
    case: Case,
    e: Evidence,
    frame: Any,
    table: FrameTable,
    steps: list[dict[str, Any]],
    png_name: str,
    png_sha: str,
    head: AuditHead,
    extra: dict[str, Any],
) -> Provenance:
    """The provenance of an exported frame, as of the audit head it quotes; ``steps`` are
    the enhancements and any overlay, ``extra`` facts added to its details."""
    return provenance.frame_provenance(
        as_of=head.at_utc,
        source_sha256=e.sha256,
        source_name=e.original_name,
        frame=frame,
        table=table,
        png_name=png_name,
        png_sha256=png_sha,
        enhancement_steps=steps,
        audit_head=head,
        details={
            "exported_by": case.analyst,
            "frame_table_libraries": dict(table.versions),  # those that built the frame table
            **extra,
        },
    )


def _record_export(
    case: Case, conn: sqlite3.Connection, e: Evidence, png_path: Path, prov: Provenance
) -> tuple[int, Path]:
    """Write the sidecar, insert the frame_export row and its audit row; (row id, sidecar)."""
    data = prov.to_bytes()
    sidecar_path = provenance.write_sidecar(png_path, prov)
    [source], [png] = prov.sources, prov.outputs
    rel = png_path.relative_to(case.path).as_posix()
    cur = conn.execute(
        "INSERT INTO frame_export (evidence_id, frame_index, png_path, png_sha256, sidecar_json,"
        " exported_at_utc) VALUES (?, ?, ?, ?, ?, ?)",
        (e.id, source.frame_index, rel, png.sha256, data.decode("utf-8"), audit.utc_now_iso()),
    )
    details = {
        "frame_index": source.frame_index,
        "png": rel,
        "png_sha256": png.sha256,
        "sidecar_sha256": hashlib.sha256(data).hexdigest(),
        "frame_md5": source.frame_md5,
        "enhancements": [o.op for o in prov.operations if o.op not in FRAME_DECODE_OPS],
    }
    overlay = [o for o in prov.operations if o.op == OVERLAY_OP]
    if overlay:
        details["annotations"] = [a["id"] for a in overlay[0].params["annotations"]]
    case.log(conn, "frame.export", e.sha256, details)
    return int(cur.lastrowid), sidecar_path

"""A contact sheet from the case: chosen frames of a video evidence in a grid, with their
annotations burned in (and a track drawn, for a track's frames), and one provenance sidecar.

The frames are given by index, taken from the annotated ones, or sampled along a stored track
(``workbench.tracks``), evenly, first and last included. Each is the exact frame (its framemd5
checked against the case's frame table), labelled with its index, pts and time code
(``workbench.contact_sheet``). The PNG and its sidecar (``workbench.provenance``: every frame
as a source, the decode, the overlay and the grid as operations) are written atomically where
the caller says, never over a file unless ``replace`` (``workbench.output_guard``), and
recorded with the audit row ``frame.contact_sheet`` (not when the case is open read-only).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import WorkbenchError
from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.video.decode import VideoReader, time_code
from workbench import provenance
from workbench.annotations import annotated_frames
from workbench.annotations.burn import burn_in, overlay_operation
from workbench.case import Case
from workbench.contact_sheet import SheetFrame, contact_sheet, sheet_operations
from workbench.frame_export import _exact_frame, frame_annotations
from workbench.frame_table_store import load_or_build_frame_table, video_evidence
from workbench.output_guard import check_outputs

MAX_FRAMES = 100
DEFAULT_TRACK_FRAMES = 12


class ContactSheetError(WorkbenchError):
    """A contact sheet that cannot be made (no frames, a frame not in the video); nothing is
    written."""


@dataclass(frozen=True)
class SheetCell:
    """One frame on the sheet, in grid order."""

    frame_index: int
    pts: int | None
    pts_s: float | None
    time_code: str
    frame_md5: str
    annotation_ids: tuple[int, ...]


@dataclass(frozen=True)
class WrittenSheet:
    """Where the sheet went and what it shows."""

    png_path: Path
    sidecar_path: Path
    png_sha256: str
    cells: tuple[SheetCell, ...]
    columns: int
    audit_head: str  # "seq:row_hash" quoted by the sidecar
    recorded: bool  # False: the case was open read-only, no audit row


def evenly(indices: Sequence[int], count: int) -> list[int]:
    """At most ``count`` of ``indices`` (sorted), evenly spaced, the first and last kept."""
    items = sorted(set(indices))
    if len(items) <= count:
        return items
    if count == 1:
        return items[:1]
    return sorted({items[round(k * (len(items) - 1) / (count - 1))] for k in range(count)})


def track_frames(case: Case, evidence_id: int, track_id: int, count: int) -> tuple[list[int], Any]:
    """(frame indices, analysis Track) of a stored track of this evidence, ``count`` at most.

    Raises:
        ContactSheetError: the track belongs to another evidence. TrackError: no such track.
    """
    from workbench.tracks import read_track

    stored = read_track(case, track_id)
    if stored.evidence_id != evidence_id:
        raise ContactSheetError(
            f"track {track_id} follows evidence {stored.evidence_id}, not {evidence_id}"
        )
    return evenly([p.frame_index for p in stored.points], count), stored.as_track()


def choose_frames(
    case: Case, evidence_id: int, *, frames: Sequence[int] | None = None, annotated: bool = False
) -> list[int]:
    """The frames asked for (``frames``, or the annotated ones), sorted, without repeats.

    Raises:
        ContactSheetError: none given or none annotated, or more than MAX_FRAMES.
    """
    e, _ = video_evidence(case, evidence_id)
    chosen = sorted(set(frames or ()))
    if annotated:
        chosen = annotated_frames(case.read(), evidence_id)
        if not chosen:
            raise ContactSheetError(f"{e.original_name}: no frame carries an annotation")
    if not chosen:
        raise ContactSheetError("a contact sheet needs at least one frame")
    if len(chosen) > MAX_FRAMES:
        raise ContactSheetError(
            f"{len(chosen)} frames asked for; a contact sheet holds at most {MAX_FRAMES}"
        )
    return chosen


def _decoded(case: Case, evidence_id: int, indices: Sequence[int], progress, cancel):
    """(frames, SheetFrames with annotations burned in, annotations), the md5s checked."""
    table = load_or_build_frame_table(case, evidence_id, cancel=cancel)
    e, path = video_evidence(case, evidence_id)
    bad = [i for i in indices if not 0 <= i < len(table)]
    if bad:
        raise ContactSheetError(
            f"{e.original_name}: frame {bad[0]} does not exist (frames 0 to {len(table) - 1})"
        )
    frames, cells, shapes = [], [], []
    with VideoReader(path, table) as reader:
        for n, index in enumerate(indices):
            check(cancel)
            frame = _exact_frame(e, path, table, index, reader)
            found = frame_annotations(case, evidence_id, frame)
            image = burn_in(frame.image, [a.shape for a in found]) if found else frame.image
            frames.append(frame)
            cells.append(SheetFrame(index, frame.pts_s, image, frame.time_s))
            shapes.append(found)
            report(progress, (n + 1) / len(indices), f"frame {index}")
    return e, table, frames, cells, shapes


def write_contact_sheet(
    case: Case,
    evidence_id: int,
    indices: Sequence[int],
    out: Path,
    *,
    track: Any | None = None,
    track_id: int | None = None,
    columns: int = 4,
    cell_px: int = 320,
    replace: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> WrittenSheet:
    """Draw the frames ``indices`` into a sheet at ``out`` with its sidecar (module docstring).

    Raises:
        OutputRefusedError: ``out`` or its sidecar exists (without ``replace``), is read-only,
            or lies in a case's evidence. ContactSheetError: a frame not in the video.
        CorruptMediaError, AnnotationError: a frame that does not decode as the case says.
    """
    out = Path(out)
    check_outputs([out, provenance.sidecar_path(out)], replace=replace)
    e, table, frames, cells, shapes = _decoded(case, evidence_id, indices, progress, cancel)
    columns = max(1, min(columns, len(cells)))
    sheet = contact_sheet(cells, track, columns=columns, cell_px=cell_px)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    png = buf.getvalue()
    sha = provenance.bytes_sha256(png)
    placed = tuple(
        SheetCell(f.index, f.pts, f.pts_s, time_code(f.time_s), f.md5, tuple(a.id for a in s))
        for f, s in zip(frames, shapes, strict=True)
    )
    records = [a.record() for s in shapes for a in s]
    h, w = frames[0].image.shape[:2]
    ops = provenance.frame_operations(frames[0], table.pix_fmt)
    if records:
        ops.append(_operation(overlay_operation(records, w, h)))
    ops += [_operation(op) for op in sheet_operations(track, cells, 0)]
    conn = case.read()
    head = provenance.case_head(conn)
    record = provenance.build(
        as_of=head.at_utc,
        software=provenance.software(provenance.decoder_libraries()),
        audit_head=head,
        sources=[provenance.frame_source(e.sha256, e.original_name, f, table.time_base)
                 for f in frames],  # fmt: skip
        operations=ops,
        outputs=[provenance.Output("contact_sheet", out.name, sha)],
        details={"exported_by": case.analyst, "columns": columns, "cell_px": cell_px,
                 "track_id": track_id, "cells": [_cell_json(c) for c in placed]},
    )  # fmt: skip
    write_bytes_atomic(out, png)
    sidecar = provenance.write_sidecar(out, record)
    recorded = not case.read_only
    if recorded:
        _log(case, e.sha256, out, sha, provenance.file_sha256(sidecar), placed, track_id)
    return WrittenSheet(out, sidecar, sha, placed, columns, head.label, recorded)


def _operation(step: dict[str, Any]) -> provenance.Operation:
    return provenance.Operation(str(step["op"]), {k: v for k, v in step.items() if k != "op"})


def _cell_json(c: SheetCell) -> dict[str, Any]:
    return {"frame_index": c.frame_index, "pts": c.pts, "pts_s": c.pts_s,
            "time_code": c.time_code, "frame_md5": c.frame_md5,
            "annotations": list(c.annotation_ids)}  # fmt: skip


def _log(case: Case, sha256: str, out: Path, png_sha: str, side_sha: str, cells, track_id):
    try:
        where = out.resolve().relative_to(case.path.resolve()).as_posix()
    except ValueError:  # outside the case: the absolute path, as geodata exports say it
        where = str(out.resolve())
    details = {"png": where, "png_sha256": png_sha, "sidecar_sha256": side_sha,
               "frames": [c.frame_index for c in cells], "track_id": track_id}  # fmt: skip
    case.write_sync(lambda conn: case.log(conn, "frame.contact_sheet", sha256, details))


def sheet_in_case(
    case: Case,
    evidence_id: int,
    track_id: int | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> WrittenSheet:
    """The contact sheet of every annotated frame of an evidence (or of DEFAULT_TRACK_FRAMES
    frames along the track ``track_id``), written into the case as
    exports/contact_sheets/<sha12>_annotated.png (_track<ID>.png), replaced when made again;
    for the GUI.

    Raises:
        ContactSheetError: no frame carries an annotation, a track of another evidence (and
            what ``write_contact_sheet`` raises).
    """
    e, _ = video_evidence(case, evidence_id)
    track = None
    if track_id is None:
        indices, name = choose_frames(case, evidence_id, annotated=True), "annotated"
    else:
        indices, track = track_frames(case, evidence_id, track_id, DEFAULT_TRACK_FRAMES)
        name = f"track{track_id}"
    folder = case.exports_dir / "contact_sheets"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{e.sha256[:12]}_{name}.png"
    return write_contact_sheet(case, evidence_id, indices, out, track=track, track_id=track_id,
                               replace=True, progress=progress, cancel=cancel)  # fmt: skip

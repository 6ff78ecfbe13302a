"""The case side of a correspondence figure: drawn from the evidence, written with its
provenance, recorded (audited), deleted and restored (undo).

``draw_correspondence`` runs on a worker: it decodes the two views (an image evidence, or one
exact frame of a video), checks the marks, draws the figure (``draw.draw_figure``) and writes
``derived/figures/correspondence_<A>__<B>_<digest>.png`` (named by its own SHA-256, so a later
figure of the same views never replaces an earlier one) with its sidecar ``.png.json`` in the
one provenance shape (``workbench.provenance``: both sources with sha256, frame index, pts and
frame md5; the marks as an operation; as of the case's audit head). ``record_figure`` stores
the row in ``correspondence_figure`` (migration 7) with an audit row ``correspondence.add``
that names the PNG and its hash, so ``verify`` re-hashes it. Undo deletes the row
(``correspondence.delete``) and redo restores it with its id (``correspondence.restore``);
the files stay in derived/, where the restored row finds them again.
"""

from __future__ import annotations

import io
import json
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench import provenance
from workbench.case.audit import utc_now_iso
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence
from workbench.case.store import Case
from workbench.correspondence.draw import (
    LOUPE_PX,
    LOUPE_SOURCE_PX,
    PANEL_MAX_HEIGHT_PX,
    FigureLayout,
    draw_figure,
)
from workbench.correspondence.model import Pair, checked_pairs, pairs_from_json, pairs_to_json
from workbench.match_store import FIGURES_DIR, ViewRef, as_ref, load_view

TABLE = "correspondence_figure"
DEFAULT_TITLE = "Correspondence figure: points marked by hand"
_COLUMNS = (
    "id, evidence_a, frame_a, evidence_b, frame_b, title, pairs_json, note, png_path,"
    " png_sha256, created_at_utc"
)


@dataclass(frozen=True)
class CorrespondenceFigure:
    """A stored figure: the views, the marks, the words and the PNG (path relative to the case)."""

    id: int
    a: ViewRef
    b: ViewRef
    title: str
    pairs: tuple[Pair, ...]
    note: str
    png_path: str
    png_sha256: str
    created_at_utc: str


@dataclass(frozen=True)
class DrawnFigure:
    """The files of a figure, written but not yet recorded."""

    a: ViewRef
    b: ViewRef
    title: str
    pairs: tuple[Pair, ...]
    note: str
    png_path: Path
    sidecar_path: Path
    png_sha256: str
    audit_head: str  # "seq:row_hash" the figure quotes
    layout: FigureLayout


def _source(conn: sqlite3.Connection, e: Evidence, ref: ViewRef) -> provenance.SourceFrame:
    from workbench.frame_table_store import cached_frame_table

    table = None if ref.frame_index is None else cached_frame_table(conn, e.id)
    if table is None:
        return provenance.SourceFrame(e.sha256, e.original_name, ref.frame_index)
    row = table.frames[ref.frame_index]
    tb = (int(table.time_base[0]), int(table.time_base[1]))
    return provenance.SourceFrame(e.sha256, e.original_name, row.index, row.pts, tb, row.pts_s,
                                  row.md5)  # fmt: skip


def _caption(side: str, s: provenance.SourceFrame, size: tuple[int, int]) -> str:
    where = "still image" if s.frame_index is None else f"frame {s.frame_index}"
    return f"{side}: {s.source_name}, {where} ({size[0]} x {size[1]} px)"


def _source_line(side: str, s: provenance.SourceFrame) -> str:
    line = f"{side}: sha256 {s.source_sha256}"
    if s.frame_index is not None:
        pts = "?" if s.pts_s is None else f"{s.pts_s:.6f} s"
        line += f", frame {s.frame_index} (decode order), pts {pts}, frame md5 {s.frame_md5}"
    return line


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def draw_correspondence(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    pairs: list[Pair] | tuple[Pair, ...],
    *,
    title: str = "",
    note: str = "",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> DrawnFigure:
    """Draw the figure of ``pairs`` marked on views A and B and write it with its sidecar.

    Raises:
        CorrespondenceError: no pairs, or a mark off its image (nothing is written).
        CaseError, MediaError: a view cannot be loaded.
    """
    import cv2

    ra, rb = as_ref(a), as_ref(b)
    report(progress, 0.0, "loading A")
    bgr_a, ea = load_view(case, ra)
    check(cancel)
    report(progress, 0.3, "loading B")
    bgr_b, eb = load_view(case, rb)
    img_a, img_b = (cv2.cvtColor(x, cv2.COLOR_BGR2RGB) for x in (bgr_a, bgr_b))
    size_a, size_b = (img_a.shape[1], img_a.shape[0]), (img_b.shape[1], img_b.shape[0])
    marks = checked_pairs(list(pairs), size_a, size_b)
    conn = case.read()
    head = provenance.case_head(conn)
    src_a, src_b = _source(conn, ea, ra), _source(conn, eb, rb)
    title = title.strip() or DEFAULT_TITLE
    lines = [
        _source_line("A", src_a),
        _source_line("B", src_b),
        f"Marked by hand by {case.analyst}; case audit head {head.label}, as of {head.at_utc};"
        f" {provenance.SOFTWARE_NAME} {provenance.software().version}",
        "Pixels: x right, y down, pixel centres at integers. Full provenance: the .png.json"
        " file beside this figure.",
    ]
    report(progress, 0.6, "drawing")
    rgb, layout = draw_figure(
        img_a, img_b, marks, title=title, note=note, provenance_lines=lines,
        captions=(_caption("A", src_a, size_a), _caption("B", src_b, size_b)),
    )  # fmt: skip
    check(cancel)
    png = _png(rgb)
    digest = provenance.bytes_sha256(png)
    out_dir = case.derived_dir / FIGURES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"correspondence_{ea.sha256[:12]}_{ra.cache_tag}__{eb.sha256[:12]}_{rb.cache_tag}"
    png_path = out_dir / f"{stem}_{digest[:12]}.png"
    write_bytes_atomic(png_path, png)
    record = provenance.build(
        as_of=head.at_utc,
        software=provenance.software(provenance.matcher_libraries()),
        audit_head=head,
        sources=[src_a, src_b],
        operations=_operations(marks, layout),
        outputs=[provenance.Output("correspondence_figure", png_path.name, digest)],
        details={"title": title, "note": note, "written_by": case.analyst,
                 "inputs": [_input(ea), _input(eb)]},
    )  # fmt: skip
    sidecar = provenance.write_sidecar(png_path, record)
    report(progress, 1.0, "written")
    return DrawnFigure(ra, rb, title, marks, note, png_path, sidecar, digest, head.label, layout)


def _input(e: Evidence) -> dict[str, Any]:
    return {"evidence_id": e.id, "kind": e.kind, "is_reference": e.is_reference}


def _operations(pairs: tuple[Pair, ...], layout: FigureLayout) -> list[provenance.Operation]:
    return [
        provenance.Operation(
            "mark_by_hand",
            {"pairs": pairs_to_json(pairs), "coordinates": "image pixels, centres at integers"},
        ),
        provenance.Operation(
            "draw_correspondence_figure",
            {
                "panel_scale_a": layout.a.scale,
                "panel_scale_b": layout.b.scale,
                "panel_max_height_px": PANEL_MAX_HEIGHT_PX,
                "panels": "area filter to shrink, nearest neighbour to enlarge",
                "loupe_px": LOUPE_PX,
                "loupe_source_px": LOUPE_SOURCE_PX,
                "loupe_scale_b_over_a": layout.scale_b_over_a,
                "loupes": "B's crop = A's times the scale of B against A (from the marks);"
                " integer enlargement with nearest neighbours, an area filter when shrunk",
            },
        ),
    ]


# -- the record ---------------------------------------------------------------------------


def _row(r: tuple) -> CorrespondenceFigure:
    pairs = pairs_from_json(json.loads(r[6]))
    return CorrespondenceFigure(r[0], ViewRef(r[1], r[2]), ViewRef(r[3], r[4]), r[5], pairs, r[7],
                                r[8], r[9], r[10])  # fmt: skip


def list_figures(conn: sqlite3.Connection) -> list[CorrespondenceFigure]:
    """Stored correspondence figures, oldest first."""
    return [_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY id")]


def get_figure(conn: sqlite3.Connection, figure_id: int) -> CorrespondenceFigure:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE id = ?", (figure_id,)).fetchone()
    if row is None:
        raise CaseError(f"no correspondence figure with id {figure_id}")
    return _row(row)


def _details(conn: sqlite3.Connection, f: CorrespondenceFigure) -> dict[str, Any]:
    from workbench.case.evidence import get_evidence

    sha = {ref: get_evidence(conn, ref.evidence_id).sha256 for ref in (f.a, f.b)}
    return {
        "a": [sha[f.a], f.a.frame_index],
        "b": [sha[f.b], f.b.frame_index],
        "title": f.title,
        "pairs": pairs_to_json(f.pairs),
        "note": f.note,
        "png": f.png_path,
        "png_sha256": f.png_sha256,
    }


def _insert(case: Case, conn: sqlite3.Connection, f: CorrespondenceFigure, action: str) -> int:
    values = (f.a.evidence_id, f.a.frame_index, f.b.evidence_id, f.b.frame_index, f.title,
              json.dumps(pairs_to_json(f.pairs), sort_keys=True), f.note, f.png_path,
              f.png_sha256, f.created_at_utc)  # fmt: skip
    if f.id:
        cur = conn.execute(f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?{', ?' * 10})",
                           (f.id, *values))  # fmt: skip
    else:
        cur = conn.execute(f"INSERT INTO {TABLE} ({_COLUMNS.removeprefix('id, ')}) VALUES"
                           f" (?{', ?' * 9})", values)  # fmt: skip
    new_id = int(cur.lastrowid)
    case.log(conn, f"correspondence.{action}", f"{TABLE}:{new_id}", _details(conn, f))
    return new_id


def record_figure(case: Case, drawn: DrawnFigure) -> Future[int]:
    """Store the figure's record (audited ``correspondence.add``); the future gives its id."""
    rel = drawn.png_path.relative_to(case.path).as_posix()
    record = CorrespondenceFigure(0, drawn.a, drawn.b, drawn.title, drawn.pairs, drawn.note, rel,
                                  drawn.png_sha256, "")  # fmt: skip

    def do(conn: sqlite3.Connection) -> int:
        from dataclasses import replace

        return _insert(case, conn, replace(record, created_at_utc=utc_now_iso()), "add")

    return case.write(do)


def delete_figure(case: Case, figure_id: int) -> Future[CorrespondenceFigure]:
    """Delete a figure's record (the files stay); the future gives it, for restore."""

    def do(conn: sqlite3.Connection) -> CorrespondenceFigure:
        old = get_figure(conn, figure_id)
        conn.execute(f"DELETE FROM {TABLE} WHERE id = ?", (figure_id,))
        case.log(conn, "correspondence.delete", f"{TABLE}:{figure_id}", _details(conn, old))
        return old

    return case.write(do)


def restore_figure(case: Case, record: CorrespondenceFigure) -> Future[int]:
    """Put a deleted figure's record back with its id."""
    return case.write(lambda conn: _insert(case, conn, record, "restore"))

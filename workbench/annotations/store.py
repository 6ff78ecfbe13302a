"""Annotations in the case: shapes on a video frame, each saved with its frame, audited.

The ``annotation`` table (migration 3) holds ``evidence_id``, ``frame_index``, ``label`` and
``geometry_json``; the geometry carries the shape's kind and points and the frame it was drawn
on: the frame's framemd5 from the case's frame table and the upright frame size the points
were checked against (``workbench.annotations.shapes``). Every add, edit, delete and restore
is one writer transaction with its audit row (``annotation.add`` ...), so the change feed
announces the kind ``annotation``; undo is a new logged write (``delete_annotation`` returns
the record, ``restore_annotation`` puts it back with its id).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

from analysis.video.probe import display_size
from workbench.annotations.shapes import AnnotationError, Shape, make_shape
from workbench.case import Case
from workbench.case.audit import utc_now_iso
from workbench.case.evidence import get_evidence

GEOMETRY_SCHEMA = 1
_COLUMNS = "id, evidence_id, frame_index, geometry_json, label, created_at_utc"


@dataclass(frozen=True)
class FrameFacts:
    """The frame an annotation is drawn on, as the case's frame table knows it."""

    evidence_sha256: str
    evidence_name: str
    frame_index: int
    md5: str
    width_px: int  # upright, square-pixel size (what the viewer shows and the export writes)
    height_px: int


@dataclass(frozen=True)
class Annotation:
    """A stored annotation: its shape on one frame of one video evidence."""

    id: int
    evidence_id: int
    frame_index: int
    shape: Shape
    frame_md5: str
    frame_size_px: tuple[int, int]
    created_at_utc: str

    @property
    def kind(self) -> str:
        return self.shape.kind

    @property
    def label(self) -> str:
        return self.shape.label

    def record(self) -> dict[str, Any]:
        """The annotation as JSON values (audit rows, sidecars, ``--json``)."""
        return {
            "id": self.id,
            "frame_index": self.frame_index,
            "frame_md5": self.frame_md5,
            **self.shape.to_dict(),
        }


def frame_facts(conn: sqlite3.Connection, evidence_id: int, frame_index: int) -> FrameFacts:
    """The frame ``frame_index`` of a video evidence, from the case's frame table.

    Raises:
        CaseError: no evidence with that id.
        AnnotationError: not a video, its frame table not built yet, or no such frame.
    """
    e = get_evidence(conn, evidence_id)
    if e.kind != "video":
        raise AnnotationError(
            f"evidence {evidence_id} ({e.original_name}) is a {e.kind}, not a video"
        )
    meta = conn.execute(
        "SELECT meta_json FROM frame_table WHERE evidence_id = ?", (evidence_id,)
    ).fetchone()
    if meta is None:
        raise AnnotationError(
            f"{e.original_name}: its frame table is not built yet; show the video once (or "
            "export a frame of it) first"
        )
    row = conn.execute(
        "SELECT md5 FROM frame WHERE evidence_id = ? AND frame_index = ?",
        (evidence_id, int(frame_index)),
    ).fetchone()
    if row is None:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM frame WHERE evidence_id = ?", (evidence_id,)
        ).fetchone()
        raise AnnotationError(
            f"{e.original_name}: frame {frame_index} does not exist (frames 0 to {count - 1})"
        )
    m = json.loads(meta[0])
    w, h = display_size(int(m["width_px"]), int(m["height_px"]), tuple(m["sar"]),
                        int(m["rotation_deg"]))  # fmt: skip
    return FrameFacts(e.sha256, e.original_name, int(frame_index), str(row[0]), w, h)


def _from_row(row: Sequence[Any]) -> Annotation:
    aid, eid, index, geometry, label, created = row
    g = json.loads(geometry)
    shape = Shape(str(g["kind"]), tuple((float(x), float(y)) for x, y in g["points"]), label)
    size = g.get("frame_size_px") or (0, 0)
    return Annotation(int(aid), int(eid), int(index), shape, str(g.get("frame_md5", "")),
                      (int(size[0]), int(size[1])), created)  # fmt: skip


def _geometry_json(shape: Shape, facts: FrameFacts) -> str:
    g = {
        "schema": GEOMETRY_SCHEMA,
        "kind": shape.kind,
        "points": [[x, y] for x, y in shape.points],
        "frame_md5": facts.md5,
        "frame_size_px": [facts.width_px, facts.height_px],
    }
    return json.dumps(g, sort_keys=True)


def list_annotations(
    conn: sqlite3.Connection, evidence_id: int, frame_index: int | None = None
) -> list[Annotation]:
    """The annotations of an evidence (of one frame when ``frame_index`` is given), in frame
    then id order."""
    sql = f"SELECT {_COLUMNS} FROM annotation WHERE evidence_id = ?"
    args: tuple[Any, ...] = (evidence_id,)
    if frame_index is not None:
        sql, args = sql + " AND frame_index = ?", (evidence_id, int(frame_index))
    return [_from_row(r) for r in conn.execute(sql + " ORDER BY frame_index, id", args)]


def annotated_frames(conn: sqlite3.Connection, evidence_id: int) -> list[int]:
    """The frame indices of an evidence that carry at least one annotation, ascending."""
    rows = conn.execute(
        "SELECT DISTINCT frame_index FROM annotation WHERE evidence_id = ?"
        " AND frame_index IS NOT NULL ORDER BY frame_index",
        (evidence_id,),
    )
    return [int(r[0]) for r in rows]


def get_annotation(conn: sqlite3.Connection, annotation_id: int) -> Annotation:
    sql = f"SELECT {_COLUMNS} FROM annotation WHERE id = ?"
    row = conn.execute(sql, (annotation_id,)).fetchone()
    if row is None:
        raise AnnotationError(f"annotation {annotation_id} does not exist in this case")
    return _from_row(row)


def _log(case: Case, conn: sqlite3.Connection, action: str, a: Annotation, sha256: str) -> None:
    details = {**a.record(), "evidence_sha256": sha256, "frame_size_px": list(a.frame_size_px)}
    details.pop("id")
    case.log(conn, f"annotation.{action}", f"annotation:{a.id}", details)


def _checked(conn: sqlite3.Connection, a: Annotation) -> tuple[Annotation, FrameFacts]:
    facts = frame_facts(conn, a.evidence_id, a.frame_index)
    s = make_shape(a.shape.kind, a.shape.points, a.shape.label, facts.width_px, facts.height_px)
    return replace(a, shape=s, frame_md5=facts.md5,
                   frame_size_px=(facts.width_px, facts.height_px)), facts  # fmt: skip


def add_annotation(
    case: Case,
    evidence_id: int,
    frame_index: int,
    kind: str,
    points: Iterable[Sequence[float]],
    label: str = "",
) -> Future[int]:
    """A new annotation on frame ``frame_index``; the future gives its id.

    Raises (through the future; nothing is written):
        CaseError: no such evidence. AnnotationError: see ``frame_facts`` and ``make_shape``.
    """
    draft = Annotation(0, evidence_id, int(frame_index), Shape(kind, tuple(points), label), "",
                       (0, 0), "")  # fmt: skip

    def do(conn: sqlite3.Connection) -> int:
        a, facts = _checked(conn, draft)
        a = replace(a, created_at_utc=utc_now_iso())
        cur = conn.execute(
            "INSERT INTO annotation (evidence_id, frame_index, geometry_json, label,"
            " created_at_utc) VALUES (?, ?, ?, ?, ?)",
            (a.evidence_id, a.frame_index, _geometry_json(a.shape, facts), a.label,
             a.created_at_utc),
        )  # fmt: skip
        a = replace(a, id=int(cur.lastrowid))
        _log(case, conn, "add", a, facts.evidence_sha256)
        return a.id

    return case.write(do)


def update_annotation(
    case: Case,
    annotation_id: int,
    *,
    points: Iterable[Sequence[float]] | None = None,
    label: str | None = None,
) -> Future[Annotation]:
    """Move an annotation's points or change its label; the future gives the old record
    (for undo). The shape is checked again on its frame."""
    new_points = None if points is None else tuple(tuple(p) for p in points)

    def do(conn: sqlite3.Connection) -> Annotation:
        old = get_annotation(conn, annotation_id)
        shape = Shape(old.kind, new_points or old.shape.points,
                      old.label if label is None else label)  # fmt: skip
        new, facts = _checked(conn, replace(old, shape=shape))
        conn.execute(
            "UPDATE annotation SET geometry_json = ?, label = ? WHERE id = ?",
            (_geometry_json(new.shape, facts), new.label, annotation_id),
        )
        _log(case, conn, "update", new, facts.evidence_sha256)
        return old

    return case.write(do)


def delete_annotation(case: Case, annotation_id: int) -> Future[Annotation]:
    """Delete an annotation; the future gives the record (``restore_annotation`` undoes)."""

    def do(conn: sqlite3.Connection) -> Annotation:
        old = get_annotation(conn, annotation_id)
        sha = get_evidence(conn, old.evidence_id).sha256
        conn.execute("DELETE FROM annotation WHERE id = ?", (annotation_id,))
        _log(case, conn, "delete", old, sha)
        return old

    return case.write(do)


def restore_annotation(case: Case, record: Annotation) -> Future[int]:
    """Put a deleted annotation back with its id and creation time (checked on its frame)."""

    def do(conn: sqlite3.Connection) -> int:
        a, facts = _checked(conn, record)
        if a.frame_md5 != record.frame_md5:
            raise AnnotationError(
                f"annotation {record.id}: frame {record.frame_index} is no longer the picture it "
                "was drawn on (its framemd5 changed); not restored"
            )
        conn.execute(
            f"INSERT INTO annotation ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (a.id, a.evidence_id, a.frame_index, _geometry_json(a.shape, facts), a.label,
             a.created_at_utc),
        )  # fmt: skip
        _log(case, conn, "restore", a, facts.evidence_sha256)
        return a.id

    return case.write(do)

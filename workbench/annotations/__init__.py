"""Annotations on video frames: shapes (``shapes``), stored and audited (``store``), burned
into exported frames and contact sheets (``burn``, ``sheet``). Issue 14, part A."""

from __future__ import annotations

from workbench.annotations.shapes import KINDS, AnnotationError, Shape, make_shape
from workbench.annotations.store import (
    Annotation,
    add_annotation,
    annotated_frames,
    delete_annotation,
    get_annotation,
    list_annotations,
    restore_annotation,
    update_annotation,
)

__all__ = [
    "KINDS",
    "Annotation",
    "AnnotationError",
    "Shape",
    "add_annotation",
    "annotated_frames",
    "delete_annotation",
    "get_annotation",
    "list_annotations",
    "make_shape",
    "restore_annotation",
    "update_annotation",
]

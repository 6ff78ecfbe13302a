"""InspectionView: the video's active picture and static overlays over the frame, and its
duplicated and blended frames on the timeline.

The inspection (``workbench.media_inspection``: one decode, cached per evidence in derived/)
runs through the JobRunner: when a video is shown, a cached inspection is read quietly; the
Overlays toggle inspects a video that never was. The overlay mask is made into a translucent
picture on the worker, so the GUI thread only places items: the active picture outlined in
green (dashed), each overlay's pixels tinted and its box outlined in magenta. The timeline
marks duplicated and blended frames whenever an inspection is known; the toggle only shows or
hides the outlines.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from analysis.jobs import CancelToken, JobCancelled
from ui.jobs import JobRunner
from ui.video.image_viewer import FrameView
from ui.video.timeline import TimelineWidget
from workbench.case import Case
from workbench.case.evidence import Evidence
from workbench.media_inspection import cached_inspection, inspect_evidence

ACTIVE = QColor(60, 220, 60)
OVERLAY = QColor(255, 0, 255)
MASK_RGBA = (255, 0, 255, 110)


@dataclass(frozen=True)
class ShownInspection:
    """An inspection and its overlay mask as a translucent picture (made on the worker)."""

    evidence_id: int
    result: Any  # analysis.media.inspection.VideoInspection
    mask_image: QImage


def mask_picture(mask: np.ndarray) -> QImage:
    """The overlay mask as an RGBA picture: MASK_RGBA where True, transparent elsewhere."""
    rgba = np.zeros((*mask.shape, 4), np.uint8)
    rgba[mask] = MASK_RGBA
    h, w = mask.shape
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def load_inspection(
    case: Case, evidence_id: int, compute: bool, *, progress=None, cancel=None
) -> ShownInspection | None:
    """The (cached, or with ``compute`` computed) inspection, ready to show; None if none."""
    if compute:
        result = inspect_evidence(case, evidence_id, progress=progress, cancel=cancel)
    else:
        result = cached_inspection(case, evidence_id)
    if result is None:
        return None
    return ShownInspection(evidence_id, result, mask_picture(result.overlays.mask))


def summary(result: Any) -> str:
    """One line for the panel's status: the facts an analyst checks first."""
    a = result.active_area
    parts = [
        f"active picture {a.width_px} x {a.height_px} px"
        + ("" if a.kind == "none" else f" ({a.kind})"),
        f"{len(result.overlays.boxes)} overlays"
        + ("" if result.overlays.reliable else " (unreliable: picture mostly still)"),
        f"{len(result.duplicated)} duplicated, {len(result.blended)} blended,"
        f" {len(result.interlaced)} interlaced frames",
        f"effective about {result.effective_width_px} x {result.effective_height_px} px",
    ]
    return "Inspected: " + "; ".join(parts)


class InspectionView(QObject):
    """Reads, computes and shows a video's inspection (see the module docstring)."""

    inspected = Signal(object)  # ShownInspection of the video shown
    failed = Signal(str, object)  # (title, exception)

    def __init__(self, jobs: JobRunner, viewer: FrameView, timeline: TimelineWidget, parent=None):
        super().__init__(parent)
        self.jobs, self.viewer, self.timeline = jobs, viewer, timeline
        self.case: Case | None = None
        self.evidence: Evidence | None = None
        self.shown: ShownInspection | None = None
        self.visible = False  # the Overlays toggle
        self._items: list[QGraphicsItem] = []
        self._tokens: list[CancelToken] = []
        self._computing = False

    def follow(self, case: Case, evidence: Evidence) -> None:
        """The video now shown (its frame table loaded): read its cached inspection."""
        self.clear()
        self.case, self.evidence = case, evidence
        self._run(compute=self.visible)

    def clear(self) -> None:
        for token in self._tokens:
            token.cancel()
        self._tokens.clear()
        self._remove_items()
        self.case = self.evidence = self.shown = None
        self._computing = False
        self.timeline.set_frame_flags((), ())

    def set_visible(self, on: bool) -> None:
        """Show or hide the outlines; inspect the video first if it never was."""
        self.visible = on
        for item in self._items:
            item.setVisible(on)
        if on and self.shown is None and self.evidence is not None and not self._computing:
            self._run(compute=True)

    def _run(self, *, compute: bool) -> None:
        case, e = self.case, self.evidence
        if case is None or e is None:
            return
        self._computing = compute
        token = self.jobs.run(
            f"Inspecting {e.original_name}" if compute else "Reading the inspection",
            functools.partial(load_inspection, case, e.id, compute),
            on_result=functools.partial(self._on_loaded, e.id),
            on_error=functools.partial(self._on_failed, e.id),
            quiet=not compute,
        )
        self._tokens.append(token)

    def _on_loaded(self, evidence_id: int, shown: ShownInspection | None) -> None:
        if self.evidence is None or self.evidence.id != evidence_id:
            return  # the user moved on to another video
        self._computing = False
        if shown is None:
            if self.visible:
                self._run(compute=True)
            return
        self.shown = shown
        r = shown.result
        self.timeline.set_frame_flags(r.duplicated, r.blended)
        self._place_items(shown)
        self.inspected.emit(shown)

    def _on_failed(self, evidence_id: int, exc: BaseException) -> None:
        self._computing = False
        if isinstance(exc, JobCancelled) or self.evidence is None:
            return
        if self.evidence.id == evidence_id:
            self.failed.emit("Cannot inspect the video", exc)

    # -- items over the frame -----------------------------------------------------------
    def _place_items(self, shown: ShownInspection) -> None:
        self._remove_items()
        r, scene = shown.result, self.viewer.scene()
        tint = QGraphicsPixmapItem(QPixmap.fromImage(shown.mask_image))
        self._add(tint)
        a = r.active_area
        self._add(self._rect((a.x, a.y, a.width_px, a.height_px), ACTIVE, Qt.PenStyle.DashLine))
        for k, box in enumerate(r.overlays.boxes, start=1):
            self._add(self._rect(box, OVERLAY, Qt.PenStyle.SolidLine))
            label = QGraphicsSimpleTextItem(f"overlay {k}")
            label.setBrush(OVERLAY)
            label.setPen(QPen(QColor(0, 0, 0), 0.6))  # a dark edge: readable on any picture
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            label.setPos(box[0], box[1] + box[3] + 1)
            self._add(label)
        for item in self._items:
            scene.addItem(item)

    def _add(self, item: QGraphicsItem) -> None:
        item.setZValue(1)
        item.setVisible(self.visible)
        self._items.append(item)

    @staticmethod
    def _rect(xywh, colour: QColor, style: Qt.PenStyle) -> QGraphicsRectItem:
        item = QGraphicsRectItem(QRectF(*xywh))
        pen = QPen(colour, 2)
        pen.setCosmetic(True)  # the same width on screen at every zoom
        pen.setStyle(style)
        item.setPen(pen)
        return item

    def _remove_items(self) -> None:
        scene = self.viewer.scene()
        for item in self._items:
            if item.scene() is scene:
                scene.removeItem(item)
        self._items.clear()

    @property
    def item_count(self) -> int:
        return len(self._items)

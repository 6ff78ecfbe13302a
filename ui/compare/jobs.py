"""Worker-side functions of the Compare panel: they run through the JobRunner, never in a slot.

Each returns a frozen ShownComparison / ShownRegion holding the analysis result and the QImages
the panel paints (QImage, unlike QPixmap, may be built on a worker thread), so the GUI thread
only swaps pictures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PySide6.QtGui import QImage

from analysis.jobs import CancelToken, ProgressFn, check, report
from ui.qimage import rgb_to_qimage
from workbench.case import Case
from workbench.continuity_store import MatchFigures, save_continuity_note, write_match_figures
from workbench.continuity_sun import attach_same_time
from workbench.match_store import (
    ViewRef,
    compare_segments_of,
    compare_views,
    find_landmark,
    load_view,
)


@dataclass(frozen=True)
class ShownComparison:
    """A comparison ready to show: the result and the pictures (B also warped onto A)."""

    a: ViewRef
    b: ViewRef
    result: Any  # analysis.matching.continuity.ContinuityResult
    image_a: QImage
    image_b: QImage
    b_on_a: QImage | None  # B in A's frame, transparent outside B (None without a homography)
    masked: bool = False  # a video's bars and static overlays were left out of the features


@dataclass(frozen=True)
class ShownRegion:
    """A region search: the box drawn on A and the RegionResult (quad in B's pixels)."""

    box_xywh: tuple[float, float, float, float]
    result: Any  # analysis.matching.region.RegionResult


@dataclass(frozen=True)
class SavedNote:
    """What Save wrote: the note id and the figures of the comparison."""

    note_id: int
    figures: MatchFigures
    same_time: dict | None = None  # the shadows' figure, when both sides have a shadow


def _qimage(bgr: np.ndarray) -> QImage:
    return rgb_to_qimage(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def warp_b_onto_a(img_a: np.ndarray, img_b: np.ndarray, h: np.ndarray) -> QImage:
    """B warped into A's frame by the inverse of ``h`` (A to B), alpha 0 outside B."""
    size = (img_a.shape[1], img_a.shape[0])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    rgba = cv2.cvtColor(img_b, cv2.COLOR_BGR2RGBA)
    warped = cv2.warpPerspective(rgba, h, size, flags=flags, borderValue=(0, 0, 0, 0))
    warped = np.ascontiguousarray(warped)
    hh, ww = warped.shape[:2]
    return QImage(warped.data, ww, hh, 4 * ww, QImage.Format.Format_RGBA8888).copy()


def _shown(
    case: Case, a: ViewRef, b: ViewRef, result: Any, cancel, masked: bool = False
) -> ShownComparison:
    img_a, _ = load_view(case, a)
    check(cancel)
    img_b, _ = load_view(case, b)
    h = result.match.homography
    b_on_a = warp_b_onto_a(img_a, img_b, h) if result.match.matched and h is not None else None
    return ShownComparison(a, b, result, _qimage(img_a), _qimage(img_b), b_on_a, masked)


def run_compare(
    case: Case,
    a: ViewRef,
    b: ViewRef,
    *,
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ShownComparison:
    """Compare two views (cached features, viewpoint verdict) and prepare the pictures;
    ``mask_overlays``: a video's bars and static overlays give no features."""
    result = compare_views(
        case, a, b, mask_overlays=mask_overlays, progress=progress, cancel=cancel
    )
    report(progress, 1.0, "preparing the pictures")
    return _shown(case, a, b, result, cancel, mask_overlays)


def run_compare_segments(
    case: Case,
    evidence_id: int,
    seg_a: Any,
    seg_b: Any,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ShownComparison:
    """Continuity of two segments of a video (best keyframe pair) with the pictures."""
    result, ra, rb = compare_segments_of(
        case, evidence_id, seg_a, seg_b, progress=progress, cancel=cancel
    )
    return _shown(case, ra, rb, result, cancel)


def run_find_region(
    case: Case,
    a: ViewRef,
    b: ViewRef,
    box_xywh: tuple[float, float, float, float],
    *,
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ShownRegion:
    """Region search of the box drawn on A, in B."""
    result = find_landmark(
        case, a, b, box_xywh, mask_overlays=mask_overlays, progress=progress, cancel=cancel
    )
    return ShownRegion(box_xywh, result)


def run_save(
    case: Case,
    shown: ShownComparison,
    note_text: str,
    quad_b_px: np.ndarray | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SavedNote:
    """Write the figures (with provenance) and store the continuity note with its numbers."""
    report(progress, 0.0, "writing the figures")
    figures = write_match_figures(
        case, shown.a, shown.b, shown.result, quad_b_px=quad_b_px,
        parameters={"method": shown.result.match.method, "refine": "ecc",
                    "mask_overlays": shown.masked},
    )  # fmt: skip
    check(cancel)
    report(progress, 0.7, "saving the note")
    future = save_continuity_note(
        case, shown.a, shown.b, shown.result, note_text, figure_sidecar=figures.sidecar_path
    )
    note_id = future.result()
    report(progress, 0.85, "comparing the shadows")
    return SavedNote(note_id, figures, attach_same_time(case, note_id, shown.a, shown.b))

"""The case side of matching: cached features, comparisons, continuity notes, match figures.

* Features (analysis.matching.features.Features) are cached per image or video frame in
  ``derived/features/<sha256>_<frame index or "image">_<method>.npz`` (the matching module's
  own serialisation, written through a temporary file); with ``mask_overlays`` a video frame's
  features leave out its bars and static overlays (``workbench.media_inspection``) and are
  cached under ``..._<method>_mask<digest of the mask>.npz``. A cached file that cannot be read is
  recomputed and replaced; derived/ is regenerable by definition.
* Comparisons run the analysis layer on the cached features: :func:`compare_evidence` (a
  MatchResult), :func:`compare_views` and :func:`compare_segments_of` (a ContinuityResult with
  the viewpoint verdict), :func:`find_landmark` (region search, a RegionResult).
* Continuity notes and match figures are stored by ``workbench.continuity_store``.

Conventions are the matching module's: the homography maps A's pixels onto B's; the zoom ratio
is B's scale relative to A.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import CorruptMediaError
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence, get_evidence
from workbench.case.store import Case

FEATURES_DIR = "features"
FIGURES_DIR = "figures"
KEYFRAMES_PER_SEGMENT = 3
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
ALGORITHM = (
    "analysis.matching.engine.match_features + analysis.matching.continuity (plane + parallax test)"
)


@dataclass(frozen=True)
class ViewRef:
    """One side of a comparison: an image evidence, or a frame of a video evidence."""

    evidence_id: int
    frame_index: int | None = None  # None for a still image

    @property
    def cache_tag(self) -> str:
        return "image" if self.frame_index is None else str(self.frame_index)


def as_ref(ref: ViewRef | tuple[int, int | None]) -> ViewRef:
    """A ViewRef from a ViewRef or an ``(evidence_id, frame_index or None)`` tuple."""
    return ref if isinstance(ref, ViewRef) else ViewRef(int(ref[0]), ref[1])


def load_view(case: Case, ref: ViewRef) -> tuple[np.ndarray, Evidence]:
    """The BGR pixels of an image evidence or of one exact video frame, with the evidence.

    Raises:
        CaseError: unknown evidence, a frame index on an image or none on a video.
        MediaError: the stored file cannot be decoded.
    """
    import cv2

    from analysis.matching.io import read_image

    e = get_evidence(case.read(), ref.evidence_id)
    path = case.evidence_dir / e.stored_name
    if e.kind == "image":
        if ref.frame_index is not None:
            raise CaseError(f"{e.original_name} is an image: it has no frame {ref.frame_index}")
        return read_image(path), e
    if e.kind != "video" or ref.frame_index is None:
        raise CaseError(f"{e.original_name} ({e.kind}): choose a frame index to compare")
    from analysis.video.decode import VideoReader
    from workbench.frame_table_store import load_or_build_frame_table

    table = load_or_build_frame_table(case, e.id)
    if not 0 <= ref.frame_index < len(table):
        raise CaseError(f"{e.original_name}: no frame {ref.frame_index} (0..{len(table) - 1})")
    with VideoReader(path, table) as reader:
        frame = reader.frame_at(ref.frame_index)
    return cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), e


def feature_cache_path(
    case: Case, sha256: str, ref: ViewRef, method: str, mask: np.ndarray | None = None
) -> Path:
    """``derived/features/<sha256>_<frame or "image">_<method>[_mask<digest>].npz``."""
    tag = "" if mask is None else f"_mask{hashlib.sha256(mask.tobytes()).hexdigest()[:12]}"
    return case.derived_dir / FEATURES_DIR / f"{sha256}_{ref.cache_tag}_{method}{tag}.npz"


def cached_features(case: Case, ref: ViewRef, image, sha256: str, method="sift", cancel=None,
                    mask: np.ndarray | None = None):  # fmt: skip
    """Features of a view from the cache, computed and cached when absent or unreadable;
    ``mask`` (nonzero where features may lie) is part of the cache key."""
    path = feature_cache_path(case, sha256, ref, method, mask)
    with _path_lock(path):  # two jobs on one view: one computes, the other reads its file
        return _cached_features_locked(path, image, method, cancel, mask)


def _path_lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def _cached_features_locked(path: Path, image: np.ndarray, method: str, cancel, mask=None):
    from analysis.matching.features import Features, compute_features

    if path.is_file():
        try:
            feats = Features.from_npz(path)
        except CorruptMediaError:
            feats = None  # regenerable: recompute below
        if feats is not None and feats.image_wh == (image.shape[1], image.shape[0]):
            return feats
    feats = compute_features(image, method, mask=mask, cancel=cancel)
    path.parent.mkdir(parents=True, exist_ok=True)
    feats.to_npz(path)
    return feats


def _prepare(case, ref, method, cancel, mask_overlays: bool = False):
    image, e = load_view(case, ref)
    check(cancel)
    mask = None
    if mask_overlays:
        from workbench.media_inspection import overlay_mask

        mask = overlay_mask(case, ref.evidence_id, ref.frame_index)
    return image, e, cached_features(case, ref, image, e.sha256, method, cancel, mask)


def _in_box(feats, roi: tuple[float, float, float, float]):
    """The features of A whose keypoints lie inside the box (x, y, w, h in pixels)."""
    from dataclasses import replace

    x, y, w, h = roi
    xy = feats.xy_px
    keep = (xy[:, 0] >= x) & (xy[:, 0] < x + w) & (xy[:, 1] >= y) & (xy[:, 1] < y + h)
    return replace(
        feats,
        xy_px=xy[keep],
        scale_px=feats.scale_px[keep],
        angle_deg=feats.angle_deg[keep],
        response=feats.response[keep],
        descriptors=feats.descriptors[keep],
    )


# -- comparisons ------------------------------------------------------------------------------


def compare_evidence(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    roi: tuple[float, float, float, float] | None = None,
    *,
    method: str = "sift",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Match view A with view B on cached features and refine the homography photometrically.

    Args:
        case: the open case.
        a, b: the views, ``(evidence_id, frame_index or None)``.
        roi: optional box (x, y, w, h) in A's pixels: only A's features inside it are matched.
        method: feature method ("sift", "akaze", "orb").
        progress, cancel: job hooks.

    Returns:
        analysis.matching.engine.MatchResult (homography maps A onto B).
    """
    from analysis.matching.engine import match_pair

    report(progress, 0.0, "features of A")
    img_a, _, fa = _prepare(case, as_ref(a), method, cancel)
    report(progress, 0.3, "features of B")
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel)
    mask_a = None
    if roi is not None:
        fa = _in_box(fa, roi)
        mask_a = _box_mask(img_a, roi)
    report(progress, 0.6, "matching")
    # A second pass at pair-chosen resolutions (a view several times larger than the other)
    # computes its own features of the overlap; they depend on the pair and are not cached.
    result = match_pair(img_a, img_b, fa, fb, mask_a=mask_a, cancel=cancel)
    report(progress, 1.0, result.verdict)
    return result


def _box_mask(image: np.ndarray, roi: tuple[float, float, float, float]) -> np.ndarray:
    """An OpenCV-convention mask of the box (x, y, w, h): nonzero inside."""
    x, y, w, h = roi
    mask = np.zeros(image.shape[:2], np.uint8)
    x0, y0 = max(int(np.floor(x)), 0), max(int(np.floor(y)), 0)
    mask[y0 : max(int(np.ceil(y + h)), y0), x0 : max(int(np.ceil(x + w)), x0)] = 255
    return mask


def compare_views(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Viewpoint continuity of two views (analysis.matching.continuity on cached features).
    ``mask_overlays``: a video frame's bars and static overlays (a logo, a time stamp) give no
    features (``workbench.media_inspection``; the video is inspected first if it never was).

    Returns:
        analysis.matching.continuity.ContinuityResult: "same position", "different position" or
        "inconclusive", with zoom ratio, overlap, inliers, NCC/SSIM and the reason.
    """
    from analysis.matching.continuity import judge_match
    from analysis.matching.engine import match_features

    report(progress, 0.0, "features of A")
    img_a, _, fa = _prepare(case, as_ref(a), method, cancel, mask_overlays)
    report(progress, 0.3, "features of B")
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel, mask_overlays)
    report(progress, 0.6, "matching and parallax test")
    result = judge_match(match_features(fa, fb, cancel=cancel), img_a, img_b, fa, fb)
    report(progress, 1.0, result.verdict)
    return result


def segment_keyframes(seg: Any, count: int = KEYFRAMES_PER_SEGMENT) -> list[int]:
    """The segment's representative frame first, then frames spread inside it (unique)."""
    inner = np.linspace(seg.first_frame, seg.last_frame, count + 1).round().astype(int)[1:-1]
    out = [int(seg.keyframe_index)]
    out += [int(i) for i in inner if int(i) not in out]
    return out[:count]


def compare_segments_of(
    case: Case,
    evidence_id: int,
    seg_a: Any,
    seg_b: Any,
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Any, ViewRef, ViewRef]:
    """Continuity of two segments of a video: the best keyframe pair, judged.

    Args:
        case: the open case; evidence_id: the video.
        seg_a, seg_b: workbench.video_store.StoredSegment (first/last/keyframe_index).
        method: feature method; mask_overlays: as in ``compare_views``;
        progress, cancel: job hooks (per keyframe and per pair).

    Returns:
        (ContinuityResult of the pair with most homography inliers, frame A, frame B).
    """
    from analysis.matching.continuity import judge_match
    from analysis.matching.engine import match_features

    refs_a = [ViewRef(evidence_id, i) for i in segment_keyframes(seg_a)]
    refs_b = [ViewRef(evidence_id, i) for i in segment_keyframes(seg_b)]
    prepared: dict[ViewRef, tuple] = {}
    total = len(refs_a) + len(refs_b) + len(refs_a) * len(refs_b) + 1
    for k, ref in enumerate(refs_a + refs_b):
        report(progress, k / total, f"features of frame {ref.frame_index}")
        prepared[ref] = _prepare(case, ref, method, cancel, mask_overlays)
    best, best_ij, done = None, (0, 0), len(prepared)
    for i, ra in enumerate(refs_a):
        for j, rb in enumerate(refs_b):
            check(cancel)
            report(progress, done / total, f"matching frames {ra.frame_index}-{rb.frame_index}")
            done += 1
            m = match_features(prepared[ra][2], prepared[rb][2], cancel=cancel)
            if best is None or (m.matched, m.n_inliers) > (best.matched, best.n_inliers):
                best, best_ij = m, (i, j)
    ra, rb = refs_a[best_ij[0]], refs_b[best_ij[1]]
    report(progress, done / total, "parallax test")
    (img_a, _, fa), (img_b, _, fb) = prepared[ra], prepared[rb]
    result = judge_match(best, img_a, img_b, fa, fb, best_ij)
    report(progress, 1.0, result.verdict)
    return result, ra, rb


def find_landmark(
    case: Case,
    a: ViewRef | tuple[int, int | None],
    b: ViewRef | tuple[int, int | None],
    roi_xywh: tuple[float, float, float, float],
    *,
    method: str = "sift",
    mask_overlays: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Region search: where the box drawn on A lies in B (B's features from the cache;
    ``mask_overlays`` as in ``compare_views``, for B).

    Returns:
        analysis.matching.region.RegionResult (``quad_b_px`` in B's pixels, or "not found").
    """
    from analysis.matching.region import find_region

    report(progress, 0.0, "loading the views")
    img_a, _ = load_view(case, as_ref(a))
    img_b, _, fb = _prepare(case, as_ref(b), method, cancel, mask_overlays)
    report(progress, 0.3, "searching the region")
    return find_region(img_a, roi_xywh, img_b, method=method, features_b=fb, cancel=cancel)


# -- figures and notes ------------------------------------------------------------------------

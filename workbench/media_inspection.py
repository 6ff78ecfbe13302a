"""The case side of ``inspect``: one inspection per video evidence, cached in derived/.

``inspect_evidence`` runs ``analysis.media.inspection.inspect_video`` on a video evidence once
and keeps the result in ``derived/inspect/<sha256>.json`` with the overlay mask beside it as
``<sha256>_overlays.png`` (written through temporary files). derived/ is regenerable: a cache
written by another version of the algorithm, or unreadable, is computed again. Nothing is
audited: the inspection is a reading of the evidence, like the feature cache, and the
figures that use it (a masked comparison) say so in their own provenance.

``overlay_mask`` gives matching the part of a video frame where features may lie (the active
picture without the overlays' boxes), for the Compare panel's "leave out overlays".
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import CorruptMediaError
from analysis.fileio import write_bytes_atomic
from analysis.jobs import CancelToken, ProgressFn
from workbench.case.errors import CaseError
from workbench.case.evidence import Evidence, get_evidence
from workbench.case.store import Case

INSPECT_DIR = "inspect"
CACHE_VERSION = 1  # bump when inspect_video's answers change
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def cache_paths(case: Case, sha256: str) -> tuple[Path, Path]:
    """``derived/inspect/<sha256>.json`` and ``..._overlays.png``."""
    folder = case.derived_dir / INSPECT_DIR
    return folder / f"{sha256}.json", folder / f"{sha256}_overlays.png"


def _video(case: Case, evidence_id: int) -> Evidence:
    e = get_evidence(case.read(), evidence_id)
    if e.kind != "video":
        raise CaseError(f"{e.original_name} is an {e.kind}: only a video is inspected")
    return e


def cached_inspection(case: Case, evidence_id: int) -> Any | None:
    """The stored inspection of a video evidence, or None when there is none (or it is stale)."""
    e = _video(case, evidence_id)
    return _read(*cache_paths(case, e.sha256))


def _read(json_path: Path, mask_path: Path) -> Any | None:
    import cv2

    from analysis.media.inspection import VideoInspection

    if not (json_path.is_file() and mask_path.is_file()):
        return None
    try:
        doc = json.loads(json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # regenerable
    if not isinstance(doc, dict) or doc.get("cache_version") != CACHE_VERSION:
        return None
    mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
    if mask is None or list(mask.shape[::-1]) != doc["result"]["frame_size_px"]:
        return None
    return VideoInspection.from_dict(doc["result"], mask > 0)


def inspect_evidence(
    case: Case,
    evidence_id: int,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The inspection of a video evidence: from the cache, or computed and cached.

    Returns:
        analysis.media.inspection.VideoInspection.

    Raises:
        CaseError: the evidence is not a video. MediaError: it cannot be decoded.
        JobCancelled: cancelled.
    """
    import cv2

    from analysis.media.inspection import inspect_video

    e = _video(case, evidence_id)
    json_path, mask_path = cache_paths(case, e.sha256)
    with _lock(json_path):  # two jobs on one video: one decodes, the other reads its files
        found = _read(json_path, mask_path)
        if found is not None:
            return found
        result = inspect_video(case.evidence_dir / e.stored_name, progress=progress, cancel=cancel)
        ok, png = cv2.imencode(".png", result.overlays.mask.astype(np.uint8) * 255)
        if not ok:
            raise CorruptMediaError(f"{e.original_name}: could not encode the overlay mask")
        doc = {
            "cache_version": CACHE_VERSION,
            "algorithm": "analysis.media.inspection.inspect_video",
            "evidence_sha256": e.sha256,
            "result": result.to_dict(),
        }
        json_path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(mask_path, png.tobytes())
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1)
        write_bytes_atomic(json_path, text.encode("utf-8"))
        return result


def overlay_mask(case: Case, evidence_id: int, frame_index: int | None) -> np.ndarray | None:
    """Where matching may look in a view (uint8, 255 = yes), or None for a still image.

    A video's frames share one mask: its active picture minus the boxes of its static
    overlays (inspected now if never before: call it from a worker).
    """
    if frame_index is None:
        return None
    return inspect_evidence(case, evidence_id).matching_mask()


def _lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())

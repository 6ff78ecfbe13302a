"""The case side of video: the cached frame table and segments with user cut edits.

* Segments: table ``segment``, one row per segment, ``start_frame`` unique. The boundary at
  a segment's first frame carries the row's ``boundary_kind``, ``boundary_score`` and
  ``origin`` ('auto' from analysis.video.cuts, 'user' from an edit). Re-detection replaces the auto
  boundaries and keeps the user's: an auto cut the user deleted or moved away is remembered in
  ``case_setting`` under ``video.suppressed_cuts.<sha256>`` so it does not come back.
  A segment's representative frame (``keyframe_index``) is, at detection, the sharpest frame
  (variance of the Laplacian on the detector's thumbnails) once the frames of a gradual
  transition into or out of it are left out; after an edit a segment keeps the earlier
  representative lying inside it, else gets its middle frame.

The frame table's cache is ``workbench.frame_table_store``; frame exports are in
``workbench.frame_export``.
"""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from analysis.jobs import CancelToken, ProgressFn
from workbench.case.errors import CaseError
from workbench.case.evidence import get_evidence
from workbench.case.store import Case
from workbench.frame_table_store import load_or_build_frame_table, video_evidence

SUPPRESSED_KEY = "video.suppressed_cuts.{sha256}"
USER_CUT_GUARD = 2  # an auto cut this close to a user boundary yields to it (frames)
FLAT_SHARPNESS = 1.0  # Laplacian variance of a flat (black) 48x27 thumbnail is about 0
FLAT_LUMA_STD = 10.0  # below this a frame shows no scene (black with a caption, a fade's end)


@dataclass(frozen=True)
class StoredSegment:
    """A segment of a video evidence as stored in the case (frames inclusive)."""

    first_frame: int
    last_frame: int
    keyframe_index: int  # representative frame
    boundary_kind: str  # how it begins: '' (start of the video), cut, fade, dissolve
    boundary_score: float | None  # None for a user-placed boundary
    origin: str  # 'auto' or 'user'
    transition: tuple[int, int] | None = None  # mixed frames of a fade/dissolve it begins with


@dataclass(frozen=True)
class _Boundary:
    frame: int
    kind: str
    score: float | None
    origin: str
    span: tuple[int, int]  # transition frames (first, last); (frame, frame) for a hard cut


def list_segments(conn: sqlite3.Connection, evidence_id: int) -> list[StoredSegment]:
    """The stored segments of an evidence in order (empty when never detected)."""
    return [
        StoredSegment(
            r[0], r[1], r[2], r[3], r[4], r[5], (r[6], r[7]) if r[6] is not None else None
        )
        for r in conn.execute(
            "SELECT start_frame, end_frame, keyframe_index, boundary_kind, boundary_score, origin,"
            " transition_first, transition_last FROM segment WHERE evidence_id = ?"
            " ORDER BY start_frame",
            (evidence_id,),
        )
    ]


def consecutive_segments(
    segments: list[StoredSegment], frame: int
) -> tuple[StoredSegment, StoredSegment] | None:
    """The segment holding ``frame`` and the next one (or the previous and it, at the end)."""
    if len(segments) < 2:
        return None
    k = max((i for i, s in enumerate(segments) if s.first_frame <= frame), default=0)
    k = min(k, len(segments) - 2)
    return segments[k], segments[k + 1]


def _boundaries(conn: sqlite3.Connection, evidence_id: int) -> list[_Boundary]:
    return [
        _Boundary(
            s.first_frame,
            s.boundary_kind,
            s.boundary_score,
            s.origin,
            s.transition or (s.first_frame, s.first_frame),
        )
        for s in list_segments(conn, evidence_id)
        if s.first_frame > 0
    ]


def _frame_count(conn: sqlite3.Connection, evidence_id: int) -> int:
    n = conn.execute("SELECT count(*) FROM frame WHERE evidence_id = ?", (evidence_id,))
    count = int(n.fetchone()[0])
    if count == 0:
        raise CaseError(f"evidence {evidence_id}: build the frame table before editing cuts")
    return count


def _store_boundaries(
    conn: sqlite3.Connection,
    evidence_id: int,
    bounds: list[_Boundary],
    n_frames: int,
    sharpness: Any | None = None,
) -> list[StoredSegment]:
    """Replace the evidence's segment rows by the segments these boundaries make.

    The representative frame is the sharpest of the segment's stable part when ``sharpness``
    (per frame) is given, else the one stored before if it lies in the segment (an edit keeps
    the sharp frame found at detection), else the stable part's middle frame.
    """
    before = [s.keyframe_index for s in list_segments(conn, evidence_id)]
    bounds = sorted((b for b in bounds if 0 < b.frame < n_frames), key=lambda b: b.frame)
    starts = [_Boundary(0, "", None, "auto", (0, 0)), *bounds]
    conn.execute("DELETE FROM segment WHERE evidence_id = ?", (evidence_id,))
    for k, b in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else None
        last = nxt.frame - 1 if nxt else n_frames - 1
        # leave out the mixed frames of the transitions at either end
        lo = b.span[1] + 1 if b.span[1] > b.frame else b.frame
        hi = nxt.span[0] - 1 if nxt and nxt.span[0] < nxt.frame else last
        if lo > hi:
            lo, hi = b.frame, last
        if sharpness is not None:
            pick = _sharpest(sharpness, lo, hi, b.frame, last)
        else:
            kept = [i for i in before if i is not None and b.frame <= i <= last]
            pick = kept[0] if kept else (lo + hi) // 2
        mixed = b.span if b.span != (b.frame, b.frame) else (None, None)  # a cut mixes none
        conn.execute(
            "INSERT INTO segment (evidence_id, start_frame, end_frame, keyframe_index,"
            " boundary_kind, boundary_score, origin, transition_first, transition_last)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (evidence_id, b.frame, last, pick, b.kind, b.score, b.origin, *mixed),
        )
    return list_segments(conn, evidence_id)


def _sharpest(sharpness: Any, lo: int, hi: int, first: int, last: int) -> int:
    """The sharpest frame of lo..hi (ties: nearest the middle); of first..last if lo..hi is
    flat (a black stretch before a fade-in shows nothing worth citing)."""
    import numpy as np

    for a, b in ((lo, hi), (first, last)):
        window = np.asarray(sharpness[a : b + 1], dtype=np.float64)
        if len(window) and float(window.max()) > FLAT_SHARPNESS:
            middle = (b - a) / 2
            score = window - 1e-6 * np.abs(np.arange(len(window)) - middle)
            return a + int(np.argmax(score))
    return (lo + hi) // 2


def frame_sharpness(thumbs: Any, luma_std: Any) -> Any:
    """Variance of the Laplacian of each small gray thumbnail (Pech-Pacheco et al., "Diatom
    autofocusing in brightfield microscopy", ICPR 2000): higher = more detail in focus.

    Frames whose luma standard deviation is under ``FLAT_LUMA_STD`` score 0: a dark frame
    with only a logo or caption on it is sharp but shows nothing of the scene.
    """
    import cv2
    import numpy as np

    lap = [float(cv2.Laplacian(t.astype(np.float32), cv2.CV_32F).var()) for t in thumbs]
    return np.where(np.asarray(luma_std) >= FLAT_LUMA_STD, np.array(lap), 0.0)


def _suppressed(conn: sqlite3.Connection, sha256: str) -> set[int]:
    row = conn.execute(
        "SELECT value_json FROM case_setting WHERE key = ?", (SUPPRESSED_KEY.format(sha256=sha256),)
    ).fetchone()
    return set(json.loads(row[0])) if row else set()


def _set_suppressed(conn: sqlite3.Connection, sha256: str, frames: set[int]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO case_setting (key, value_json) VALUES (?, ?)",
        (SUPPRESSED_KEY.format(sha256=sha256), json.dumps(sorted(frames))),
    )


def detect_and_store_segments(
    case: Case,
    evidence_id: int,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[StoredSegment]:
    """Detect cuts (analysis.video.cuts) and store the segments, keeping the user's cut edits."""
    from analysis.video.cuts import detect_cuts_in_features
    from analysis.video.cuts_features import extract_features

    table = load_or_build_frame_table(case, evidence_id, cancel=cancel)
    e, path = video_evidence(case, evidence_id)
    feats = extract_features(path, progress=progress, cancel=cancel)
    result = detect_cuts_in_features(feats)
    sharpness = frame_sharpness(feats.thumbs, feats.luma_std)
    n_frames = len(table)
    auto = [
        _Boundary(c.frame, c.kind, c.score, "auto", (c.start_frame, c.end_frame))
        for c in result.cuts
    ]

    def store(conn: sqlite3.Connection) -> list[StoredSegment]:
        user = [b for b in _boundaries(conn, evidence_id) if b.origin == "user"]
        hidden = _suppressed(conn, e.sha256)
        kept = [
            b
            for b in auto
            if b.frame not in hidden and all(abs(b.frame - u.frame) > USER_CUT_GUARD for u in user)
        ]
        segments = _store_boundaries(conn, evidence_id, kept + user, n_frames, sharpness)
        details = {
            "algorithm": "analysis.video.cuts.detect_cuts",
            "cuts": [[c.frame, c.kind, c.score] for c in result.cuts],
            "kept_user_cuts": [u.frame for u in user],
            "suppressed": sorted(hidden),
            "frames_decoded": result.frame_count,
            "frames_in_table": n_frames,
        }
        case.log(conn, "video.segments_detect", e.sha256, details)
        return segments

    return case.write_sync(store)


def _edit_cuts(case: Case, evidence_id: int, action: str, edit) -> Future[list[StoredSegment]]:
    """Run ``edit(bounds, suppressed, n_frames) -> details`` in one audited transaction."""

    def do(conn: sqlite3.Connection) -> list[StoredSegment]:
        sha = get_evidence(conn, evidence_id).sha256
        n_frames = _frame_count(conn, evidence_id)
        bounds = {b.frame: b for b in _boundaries(conn, evidence_id)}
        hidden = _suppressed(conn, sha)
        details = edit(bounds, hidden, n_frames)
        _set_suppressed(conn, sha, hidden)
        segments = _store_boundaries(conn, evidence_id, list(bounds.values()), n_frames)
        case.log(conn, action, sha, details)
        return segments

    return case.write(do)


def _check_frame(frame: int, n_frames: int) -> None:
    if not 0 < frame < n_frames:
        raise CaseError(f"a cut must be at frame 1..{n_frames - 1}, not {frame}")


def add_cut(case: Case, evidence_id: int, frame: int) -> Future[list[StoredSegment]]:
    """Add a user cut so that ``frame`` starts a new segment (audited ``segment.cut_add``)."""

    def edit(bounds: dict[int, _Boundary], hidden: set[int], n_frames: int) -> dict[str, Any]:
        _check_frame(frame, n_frames)
        if frame in bounds:
            raise CaseError(f"frame {frame} already starts a segment")
        bounds[frame] = _Boundary(frame, "cut", None, "user", (frame, frame))
        hidden.discard(frame)
        return {"frame": frame}

    return _edit_cuts(case, evidence_id, "segment.cut_add", edit)


def move_cut(
    case: Case, evidence_id: int, old_frame: int, new_frame: int
) -> Future[list[StoredSegment]]:
    """Move the cut at ``old_frame`` to ``new_frame`` (audited ``segment.cut_move``)."""

    def edit(bounds: dict[int, _Boundary], hidden: set[int], n_frames: int) -> dict[str, Any]:
        _check_frame(new_frame, n_frames)
        old = bounds.pop(old_frame, None)
        if old is None:
            raise CaseError(f"there is no cut at frame {old_frame}")
        if new_frame in bounds:
            raise CaseError(f"frame {new_frame} already starts a segment")
        if old.origin == "auto":
            hidden.add(old_frame)
        hidden.discard(new_frame)
        bounds[new_frame] = _Boundary(new_frame, old.kind, None, "user", (new_frame, new_frame))
        return {"old_frame": old_frame, "new_frame": new_frame, "was": old.origin}

    return _edit_cuts(case, evidence_id, "segment.cut_move", edit)


def delete_cut(case: Case, evidence_id: int, frame: int) -> Future[list[StoredSegment]]:
    """Delete the cut at ``frame``, joining two segments (audited ``segment.cut_delete``)."""

    def edit(bounds: dict[int, _Boundary], hidden: set[int], n_frames: int) -> dict[str, Any]:
        old = bounds.pop(frame, None)
        if old is None:
            raise CaseError(f"there is no cut at frame {frame}")
        if old.origin == "auto":
            hidden.add(frame)
        return {"frame": frame, "kind": old.kind, "was": old.origin, "score": old.score}

    return _edit_cuts(case, evidence_id, "segment.cut_delete", edit)


def restore_cut(
    case: Case, evidence_id: int, segment: StoredSegment, *, replacing: int | None = None
) -> Future[list[StoredSegment]]:
    """Put back the boundary that starts ``segment`` as it was: kind, score, origin and the
    mixed frames of its transition (the undo of a delete, or of a move when ``replacing`` is
    the frame the cut was moved to). Audited ``segment.cut_restore``."""

    def edit(bounds: dict[int, _Boundary], hidden: set[int], n_frames: int) -> dict[str, Any]:
        frame = segment.first_frame
        _check_frame(frame, n_frames)
        if replacing is not None and bounds.pop(replacing, None) is None:
            raise CaseError(f"there is no cut at frame {replacing}")
        if frame in bounds:
            raise CaseError(f"frame {frame} already starts a segment")
        span = segment.transition or (frame, frame)
        bounds[frame] = _Boundary(
            frame, segment.boundary_kind, segment.boundary_score, segment.origin, span
        )
        hidden.discard(frame)
        return {"frame": frame, "kind": segment.boundary_kind, "origin": segment.origin,
                "replacing": replacing}  # fmt: skip

    return _edit_cuts(case, evidence_id, "segment.cut_restore", edit)

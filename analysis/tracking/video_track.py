"""Tracking an object through a video file: decode, propagate, register the background.

One job (progress, cancel, partial results): the frame table (index, pts, framemd5), the gray
frames of the range, the propagation from the analyst's marks, the background registration
with the object and the static overlays masked, and the duplicated/blended frames flagged so
that rates leave them out. Times come from pts (FrameTable), never from a frame count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from analysis.jobs import CancelToken, PartialFn, ProgressFn, check
from analysis.tracking.methods import DEFAULT_METHOD, box_around_point
from analysis.tracking.model import Track, TrackPoint
from analysis.tracking.propagate import RawPoint, analyst_point, propagate
from analysis.tracking.stabilise import Registration, register_background
from analysis.video.frames import iter_frames
from analysis.video.table import FrameTable, build_frame_table

MAX_FRAMES_IN_MEMORY = 3000


@dataclass(frozen=True)
class Mark:
    """The analyst's mark: a point, or a box (x, y top-left, w, h)."""

    frame_index: int
    x_px: float
    y_px: float
    box_w_px: int | None = None
    box_h_px: int | None = None

    @classmethod
    def from_box(cls, frame_index: int, x: float, y: float, w: float, h: float) -> Mark:
        if w <= 0 or h <= 0:
            raise ValueError("the box needs a positive width and height")
        return cls(frame_index, x + w / 2, y + h / 2, int(round(w)), int(round(h)))


@dataclass(frozen=True)
class VideoContext:
    """What the tracker knows about the video besides its pictures."""

    overlays: np.ndarray | None = None  # bool mask, frame-sized
    excluded_frames: frozenset[int] = frozenset()  # duplicated or blended: not for rates


def _load(path: Path, lo: int, hi: int, cancel: CancelToken | None) -> dict[int, np.ndarray]:
    frames: dict[int, np.ndarray] = {}
    for f in iter_frames(path, gray=True, cancel=cancel):
        if f.index > hi:
            break
        if f.index >= lo:
            frames[f.index] = f.image
    return frames


def _sub(progress: ProgressFn | None, a: float, b: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda frac, msg: progress(a + (b - a) * frac, msg)


def track_video(
    path: str | Path,
    marks: list[Mark],
    *,
    to_frame: int | None = None,
    from_frame: int | None = None,
    method: str = DEFAULT_METHOD,
    context: VideoContext | None = None,
    table: FrameTable | None = None,
    stabilise: bool = True,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    partial: PartialFn | None = None,
) -> Track:
    """Track the marked object through ``path``.

    Args:
        path: the video.
        marks: the analyst's marks; the first is the reference frame (background coordinates).
        to_frame, from_frame: the range (default: the whole video, at most
            MAX_FRAMES_IN_MEMORY frames around the first mark).
        method: the tracker (analysis.tracking.methods.METHODS).
        context: overlays and excluded frames (analysis.media.inspection), if known.
        table: the frame table, if already built.
        stabilise: register the background (bg_x_px/bg_y_px); False leaves them None.
        progress, cancel, partial: the job protocol; partial receives tuples of RawPoint.

    Raises:
        ValueError: a mark outside the video or the range; MediaError; JobCancelled.
    """
    path = Path(path)
    ctx = context or VideoContext()
    table = table or build_frame_table(path, progress=_sub(progress, 0.0, 0.2), cancel=cancel)
    n = len(table.frames)
    first = marks[0]
    for m in marks:
        if not 0 <= m.frame_index < n:
            raise ValueError(f"frame {m.frame_index} is not in {path.name} (frames 0..{n - 1})")
    half = MAX_FRAMES_IN_MEMORY // 2
    lo = max(0, first.frame_index - half) if from_frame is None else max(0, from_frame)
    hi = min(n - 1, first.frame_index + half) if to_frame is None else min(n - 1, to_frame)
    if not lo <= first.frame_index <= hi:
        raise ValueError(f"the marked frame {first.frame_index} is outside {lo}..{hi}")
    frames = _load(path, lo, hi, cancel)
    check(cancel)
    times = {i: table.frames[i].pts_s for i in frames}
    md5s = {i: table.frames[i].md5 for i in frames}
    return track_frames(
        frames,
        marks,
        times,
        md5s=md5s,
        method=method,
        context=ctx,
        stabilise=stabilise,
        progress=_sub(progress, 0.3, 1.0),
        cancel=cancel,
        partial=partial,
    )


def track_frames(
    frames: dict[int, np.ndarray],
    marks: list[Mark],
    times_s: dict[int, float | None],
    *,
    md5s: dict[int, str] | None = None,
    method: str = DEFAULT_METHOD,
    context: VideoContext | None = None,
    stabilise: bool = True,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    partial: PartialFn | None = None,
) -> Track:
    """Track the marked object through decoded gray ``frames`` (by decode index), with their
    pts seconds ``times_s``; the rest as ``track_video``."""
    ctx = context or VideoContext()
    first = marks[0]
    if first.box_w_px:
        box = (int(first.box_w_px), int(first.box_h_px or first.box_w_px))
    else:
        box = box_around_point(frames[first.frame_index], first.x_px, first.y_px)
    anchors = [analyst_point(m.frame_index, m.x_px, m.y_px) for m in marks]
    prop = propagate(
        frames,
        anchors,
        box,
        method=method,
        progress=_sub(progress, 0.0, 0.6),
        cancel=cancel,
        partial=partial,
    )
    reg = None
    if stabilise:
        kept = {p.frame_index: frames[p.frame_index] for p in prop.points}
        boxes = {p.frame_index: (p.x_px, p.y_px, *box) for p in prop.points}
        reg = register_background(
            _contiguous(kept, first.frame_index),
            first.frame_index,
            boxes,
            overlays=ctx.overlays,
            progress=_sub(progress, 0.6, 1.0),
            cancel=cancel,
        )
    h, w = frames[first.frame_index].shape[:2]
    md5s = md5s or {}
    points = [
        _timed(p, times_s.get(p.frame_index), md5s.get(p.frame_index, ""), reg, ctx)
        for p in prop.points
    ]
    notes = []
    if reg is not None:
        weak = sum(1 for v in reg.methods.values() if v in ("translation", "none"))
        if weak:
            notes.append(f"{weak} frames registered by translation or not at all (few corners)")
        missing = sum(1 for p in points if p.bg_x_px is None)
        if missing:
            notes.append(
                f"{missing} tracked frames are not joined to the reference by a run "
                "of tracked frames: no background position"
            )
    return Track(
        reference_frame=first.frame_index,
        box_w_px=box[0],
        box_h_px=box[1],
        method=method,
        points=tuple(points),
        stopped_forward=prop.stopped_forward,
        stopped_backward=prop.stopped_backward,
        frame_width_px=w,
        frame_height_px=h,
        notes=tuple(notes),
    )


def _contiguous(frames: dict[int, np.ndarray], ref: int) -> dict[int, np.ndarray]:
    """The run of consecutive frames around ``ref`` (registration chains neighbours)."""
    lo = hi = ref
    while lo - 1 in frames:
        lo -= 1
    while hi + 1 in frames:
        hi += 1
    return {i: frames[i] for i in range(lo, hi + 1)}


def _timed(
    p: RawPoint, pts_s: float | None, md5: str, reg: Registration | None, ctx: VideoContext
) -> TrackPoint:
    bg = reg.apply(p.frame_index, p.x_px, p.y_px) if reg is not None else None
    return TrackPoint(
        frame_index=p.frame_index,
        pts_s=pts_s,
        x_px=p.x_px,
        y_px=p.y_px,
        confidence=p.confidence,
        source=p.source,
        md5=md5,
        bg_x_px=None if bg is None else bg[0],
        bg_y_px=None if bg is None else bg[1],
        usable_for_rates=p.frame_index not in ctx.excluded_frames and pts_s is not None,
    )


def exclude_repeats(track: Track, duplicated: frozenset[int], tol_px: float = 0.1) -> Track:
    """Leave out of rates the frames flagged duplicated on which the object did not move
    either: a repeated picture shows the object where it was one frame earlier, at a later
    pts. (A still camera makes the detector flag most frames of a sky; the object's own
    movement tells the true repeats from those.)"""
    points = list(track.points)
    for k in range(1, len(points)):
        p, q = points[k - 1], points[k]
        if (
            q.frame_index in duplicated
            and q.frame_index == p.frame_index + 1
            and abs(q.x_px - p.x_px) < tol_px
            and abs(q.y_px - p.y_px) < tol_px
        ):
            points[k] = replace(q, usable_for_rates=False)
    return track.with_points(points)

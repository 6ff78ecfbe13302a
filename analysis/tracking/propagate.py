"""Propagating a marked object through a run of frames, forward and backward, as a job.

The analyst marks the object on one frame (and may correct any other frame). From each
analyst point the tracker runs forward to the next analyst point (or the end of the range)
and backward to the previous one (or the start); it stops where the confidence stays below
``min_confidence`` for ``lost_after`` frames, dropping those low frames. A correction is one
more analyst point: ``retrack`` keeps the other analyst points and re-propagates around it.

Frames here are 8-bit gray arrays indexed by their decode index (a mapping, so that a run
from the middle of a video needs no padding). Partial results (the points so far, in frame
order) go to ``partial`` every ``PARTIAL_EVERY`` frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.jobs import CancelToken, PartialFn, ProgressFn, check, deliver, report
from analysis.tracking.methods import DEFAULT_METHOD, make_stepper
from analysis.tracking.model import ANALYST, TRACKER

MIN_CONFIDENCE = 0.6
LOST_AFTER = 3
PARTIAL_EVERY = 10


@dataclass(frozen=True)
class RawPoint:
    """A tracked position before timing and stabilisation are attached."""

    frame_index: int
    x_px: float
    y_px: float
    confidence: float
    source: str


@dataclass(frozen=True)
class Propagation:
    points: tuple[RawPoint, ...]
    stopped_forward: str
    stopped_backward: str


def _run(
    frames: Mapping[int, np.ndarray],
    start: RawPoint,
    stop_at: int,
    box: tuple[int, int],
    method: str,
    limits: tuple[float, int],
    tick: callable,
) -> tuple[list[RawPoint], str]:
    """Track from ``start`` towards ``stop_at`` (exclusive); returns points and why it ended."""
    step_dir = 1 if stop_at > start.frame_index else -1
    stepper = make_stepper(method, frames[start.frame_index], start.x_px, start.y_px, *box)
    out: list[RawPoint] = []
    low: list[RawPoint] = []
    min_conf, lost_after = limits
    for i in range(start.frame_index + step_dir, stop_at, step_dir):
        if i not in frames:
            return out, f"no frame {i}"
        s = stepper.step(frames[i])
        point = RawPoint(i, s.x_px, s.y_px, s.confidence, TRACKER)
        h, w = frames[i].shape[:2]
        if not (box[0] / 2 <= s.x_px < w - box[0] / 2 and box[1] / 2 <= s.y_px < h - box[1] / 2):
            return out, f"left the frame at {i}"
        if s.confidence < min_conf:
            low.append(point)
            if len(low) >= lost_after:
                return out, f"confidence below {min_conf:g} from frame {low[0].frame_index}"
        else:
            out.extend(low)  # a short dip (blur, a blended frame) is kept once found again
            low = []
            out.append(point)
        tick(out)
    return out, "end of range" if stop_at in (min(frames) - 1, max(frames) + 1) else "analyst point"


def propagate(
    frames: Mapping[int, np.ndarray],
    anchors: list[RawPoint],
    box: tuple[int, int],
    *,
    method: str = DEFAULT_METHOD,
    min_confidence: float = MIN_CONFIDENCE,
    lost_after: int = LOST_AFTER,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    partial: PartialFn | None = None,
) -> Propagation:
    """Track between and beyond the analyst's ``anchors`` over ``frames``.

    Args:
        frames: gray frames by decode index, a contiguous run.
        anchors: analyst points (source ANALYST), at least one.
        box: (w, h) of the object's box in pixels.
        method: one of analysis.tracking.methods.METHODS.
        min_confidence, lost_after: the stopping rule (see the module docstring).
        progress, cancel, partial: the job protocol (analysis.jobs).

    Returns:
        A Propagation with the anchors and the tracked points in frame order.

    Raises:
        ValueError: no anchor, or an anchor outside ``frames``; JobCancelled.
    """
    if not anchors:
        raise ValueError("mark the object on one frame first")
    lo, hi = min(frames), max(frames)
    anchors = sorted(anchors, key=lambda a: a.frame_index)
    for a in anchors:
        if a.frame_index not in frames:
            raise ValueError(f"frame {a.frame_index} is outside the frames {lo}..{hi}")
    found: dict[int, RawPoint] = {a.frame_index: a for a in anchors}
    total = max(1, hi - lo)
    done = [0]

    def tick(_points: list[RawPoint]) -> None:
        done[0] += 1
        if done[0] % PARTIAL_EVERY == 0:
            check(cancel)
            report(progress, done[0] / total, f"tracked {done[0]} frames")
            deliver(
                partial,
                tuple(
                    sorted(
                        {**found, **{p.frame_index: p for p in _points}}.values(),
                        key=lambda p: p.frame_index,
                    )
                ),
            )

    stops = {"forward": "", "backward": ""}
    limits = (min_confidence, lost_after)
    for k, a in enumerate(anchors):
        nxt = anchors[k + 1].frame_index if k + 1 < len(anchors) else hi + 1
        prv = anchors[k - 1].frame_index if k > 0 else lo - 1
        fwd, why_f = _run(frames, a, nxt, box, method, limits, tick)
        found.update({p.frame_index: p for p in fwd})
        back, why_b = _run(frames, a, prv, box, method, limits, tick)
        for p in back:  # between two anchors, the forward run from the earlier one wins ties
            if p.frame_index not in found or found[p.frame_index].confidence < p.confidence:
                found[p.frame_index] = p
        if k == len(anchors) - 1:
            stops["forward"] = why_f
        if k == 0:
            stops["backward"] = why_b
    report(progress, 1.0, "tracked")
    points = tuple(sorted(found.values(), key=lambda p: p.frame_index))
    deliver(partial, points)
    return Propagation(points, stops["forward"], stops["backward"])


def analyst_point(frame_index: int, x_px: float, y_px: float) -> RawPoint:
    """An analyst's mark (confidence 1)."""
    return RawPoint(frame_index, float(x_px), float(y_px), 1.0, ANALYST)

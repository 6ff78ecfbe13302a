"""Cut detection over a stream of frames, in windows: memory bounded by the window, not by
the video's length.

The detector (``analysis.video.cuts``) decides about a frame from the frames around it: at
most ten either side for a hard cut, a flash or a jolt, and fifteen either side for the
centre of a dissolve or fade. Each frame's features depend only on it and the frame before.
So the features are kept for a window of ``window_frames``; when it is full, the cuts in the
part of it with ``context_frames`` of context on both sides are final, and only the last
``2 * context_frames`` frames are kept to start the next window. The answer is the whole
video's answer (tests compare them), with one reservation: a transition whose candidate
frames run on for longer than ``context_frames`` (over two seconds of unbroken dissolve at
30 fps) may be placed differently. A window of 4,096 frames holds about 8 MB, where the whole
video's features take about 1.5 KB a frame (500 MB for three hours at 30 fps) and the
detection on them as much again.
"""

from __future__ import annotations

from array import array
from dataclasses import replace

import numpy as np

from analysis.video.cuts import Cut, CutResult, detect_cuts_in_features, segments_from_cuts
from analysis.video.cuts_features import FeatureAccumulator

WINDOW_FRAMES = 4096
CONTEXT_FRAMES = 64


class StreamingCutDetector:
    """Feed frames with ``add``; ``result`` gives the cuts and segments of them all."""

    def __init__(self, window_frames: int | None = None, context_frames: int | None = None) -> None:
        window_frames = window_frames or WINDOW_FRAMES
        context_frames = context_frames or CONTEXT_FRAMES
        if window_frames < 4 * context_frames:
            raise ValueError("the window must hold at least four times the context")
        self._window, self._context = window_frames, context_frames
        self._acc = FeatureAccumulator()
        self._held = 0  # frames in the accumulator
        self._offset = 0  # the video's index of the accumulator's first frame
        self._final_until = 0  # the video's index before which the cuts are final
        self._cuts: list[Cut] = []
        self._pts = array("d")  # every frame's timestamp (8 bytes a frame), for the segments

    def add(self, rgb: np.ndarray, pts_s: float) -> None:
        self._acc.add(rgb, pts_s)
        self._pts.append(pts_s)
        self._held += 1
        if self._held >= self._window:
            self._detect(final=False)

    def result(self) -> CutResult:
        self._detect(final=True)
        pts = np.frombuffer(self._pts, dtype=np.float64) if self._pts else np.zeros(0)
        cuts = tuple(self._cuts)
        return CutResult(cuts, tuple(segments_from_cuts(list(cuts), pts)), len(pts))

    def _detect(self, *, final: bool) -> None:
        keep = 0 if final else 2 * self._context
        feats = self._acc.keep_last(keep) if keep else self._acc.result()
        n = len(feats)
        first = self._final_until - self._offset  # cuts before it were decided earlier
        last = n if final else n - self._context  # cuts from it on wait for more context
        from_before = len(self._cuts)  # cuts decided by the windows before this one
        for cut in detect_cuts_in_features(feats).cuts:
            if first <= cut.frame < last:
                self._accept(cut, from_before)
        self._final_until = self._offset + last
        if not final:
            self._offset += n - keep
            self._held = keep

    def _accept(self, cut: Cut, from_before: int) -> None:
        shifted = replace(
            cut,
            frame=cut.frame + self._offset,
            start_frame=cut.start_frame + self._offset,
            end_frame=cut.end_frame + self._offset,
        )
        earlier = self._cuts[from_before - 1] if from_before else None
        if len(self._cuts) == from_before and earlier and shifted.start_frame <= earlier.end_frame:
            return  # the previous window's last transition, seen again across the edge
        self._cuts.append(shifted)

"""One decoding pass over a video for the archive: its shots, a keyframe per shot, and the
perceptual hashes of frames sampled through it.

The pass decodes every frame once, small (``DECODE_WIDTH_PX``), with the deblocking filter
skipped (as the cut detector does): the cut features take every frame, the hashes take one
frame every ``SAMPLE_INTERVAL_S`` of presentation time. Sampling by time rather than by frame
count keeps two copies of a clip at different frame rates on the same sample times. Frames
too flat to hash reliably (a black frame, a blank sky: their low frequencies are all near the
median, and a re-encode flips them) are left out of the samples.

Memory: the cut detector works in windows of frames (``analysis.video.cuts_stream``), so
its share is bounded; what grows with the video's length is each sample's hash and JPEG of a
few kilobytes (the keyframes are chosen among them once the shots are known): about 15 MB an
hour of real footage (25 MB measured for 18 minutes of a busy test pattern), and 8 bytes
a frame for the timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.archive.phash import DCT_SIDE, frame_hash, to_gray
from analysis.jobs import CancelToken, ProgressFn
from analysis.video.cuts import CutResult
from analysis.video.cuts_stream import StreamingCutDetector
from analysis.video.frames import iter_frames

DECODE_WIDTH_PX = 256
SAMPLE_INTERVAL_S = 0.5
FLAT_STD_MAX = 6.0  # gray levels, on the 32 x 32 reduction: too flat to hash
KEYFRAME_JPEG_QUALITY = 80
FALLBACK_FRAME_S = 1 / 25  # when a frame has no timestamp


@dataclass(frozen=True)
class Sample:
    """A frame sampled for hashing."""

    frame_index: int
    time_s: float  # from the first frame's timestamp
    segment: int  # the shot it belongs to, 0-based
    value: int  # 64-bit perceptual hash
    mirrored: int  # the hash of its mirror image


@dataclass(frozen=True)
class Keyframe:
    segment: int
    frame_index: int
    time_s: float
    jpeg: bytes  # DECODE_WIDTH_PX wide, upright
    value: int


@dataclass(frozen=True)
class VideoFingerprint:
    frame_count: int
    duration_s: float
    cuts: CutResult
    samples: tuple[Sample, ...]
    keyframes: tuple[Keyframe, ...]


@dataclass
class _Candidate:
    frame_index: int
    time_s: float
    value: int
    mirrored: int
    jpeg: bytes
    flat: bool


def _candidate(index: int, time_s: float, rgb: np.ndarray) -> _Candidate:
    gray = to_gray(rgb)
    small = cv2.resize(gray, (DCT_SIDE, DCT_SIDE), interpolation=cv2.INTER_AREA)
    h = frame_hash(gray)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, KEYFRAME_JPEG_QUALITY])
    if not ok:  # OpenCV could not encode a decoded frame: a bug, not bad input
        raise RuntimeError(f"could not encode frame {index} as JPEG")
    flat = bool(small.std() < FLAT_STD_MAX)
    return _Candidate(index, time_s, h.value, h.mirrored, jpeg.tobytes(), flat)


def fingerprint_video(
    path: str | Path,
    *,
    decode_threads: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> VideoFingerprint:
    """Shots, keyframes and sampled hashes of one video, in one decoding pass.

    ``decode_threads``: FFmpeg's decoding threads (0: its choice). A Dask worker of the
    archive runs one task per core and asks for 1, so that workers do not compete for cores.

    Raises:
        The MediaError subclasses of ``iter_frames`` (unsupported, corrupt, truncated to
        nothing), and JobCancelled.
    """
    shots = StreamingCutDetector()
    candidates: list[_Candidate] = []
    first_pts: float | None = None
    time_s = -FALLBACK_FRAME_S
    next_sample_s = 0.0
    count = 0
    frames = iter_frames(
        path,
        width_px=DECODE_WIDTH_PX,
        fast=True,
        threads=decode_threads,
        progress=progress,
        cancel=cancel,
    )
    for frame in frames:
        count += 1
        shots.add(frame.image, float("nan") if frame.pts_s is None else frame.pts_s)
        if frame.pts_s is not None and first_pts is None:
            first_pts = frame.pts_s
        if frame.pts_s is not None and first_pts is not None:
            time_s = max(time_s, frame.pts_s - first_pts)
        else:
            time_s += FALLBACK_FRAME_S
        if time_s + 1e-6 >= next_sample_s:
            candidates.append(_candidate(frame.index, time_s, frame.image))
            next_sample_s = (np.floor(time_s / SAMPLE_INTERVAL_S + 1e-6) + 1) * SAMPLE_INTERVAL_S
    cuts = shots.result()
    starts = np.asarray([s.first_frame for s in cuts.segments], dtype=np.int64)

    def segment_of(index: int) -> int:
        return max(0, int(np.searchsorted(starts, index, side="right")) - 1)

    samples = tuple(
        Sample(c.frame_index, c.time_s, segment_of(c.frame_index), c.value, c.mirrored)
        for c in candidates
        if not c.flat
    )
    keyframes = _keyframes(cuts, candidates, segment_of)
    return VideoFingerprint(count, max(time_s, 0.0), cuts, samples, keyframes)


def _keyframes(cuts: CutResult, candidates: list[_Candidate], segment_of) -> tuple[Keyframe, ...]:
    """One per shot: the sampled frame nearest the shot's middle, preferring one not flat."""
    by_segment: dict[int, list[_Candidate]] = {}
    for c in candidates:
        by_segment.setdefault(segment_of(c.frame_index), []).append(c)
    chosen = []
    for n, seg in enumerate(cuts.segments):
        inside = by_segment.get(n)
        if not inside:
            continue
        middle = (seg.first_frame + seg.last_frame) / 2
        best = min(inside, key=lambda c: (c.flat, abs(c.frame_index - middle)))
        chosen.append(Keyframe(n, best.frame_index, best.time_s, best.jpeg, best.value))
    return tuple(chosen)

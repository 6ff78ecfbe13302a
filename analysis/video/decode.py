"""Frame-exact random access to a video: the reader behind the viewer, exports and analyses.

Frame N is the N-th picture of a full sequential decode (analysis.video.table). To fetch it,
the reader seeks the demuxer to the keyframe at or before N, decodes forward, *anchors* the
decoded pictures to table rows by their unique pts (so a seek that lands elsewhere, or a
decoder that drops leading pictures of an open GOP, cannot shift the count), and checks the
target's framemd5 against the table. When the hash differs it retries one keyframe earlier,
then from the start of the file; keyframes that failed are remembered and their stretch is
reported as "sequential only". This is the safe version of "seek to the keyframe, decode
until pts", which ARCHITECTURE.md (Video) shows is wrong for MPEG-4 Part 2 AVI with B-frames.

A small cache of decoded pictures (native format, bounded in bytes) makes stepping back cheap:
a miss decodes the whole stretch from the keyframe and keeps it. For a random jump far from a
keyframe, the first attempt lets the decoder drop non-reference pictures until 8 frames
before the target (nothing else depends on them, and pts anchoring keeps the count exact
when the table's pts are unique); any retry decodes every picture.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import CorruptMediaError, MediaError
from analysis.jobs import CancelToken, ProgressFn
from analysis.video.frames import AnalysisFrame, iter_frames
from analysis.video.image import to_upright_rgb
from analysis.video.probe import open_container
from analysis.video.table import (
    DecodeLog,
    FrameRecord,
    FrameTable,
    build_frame_table,
    decode_frames,
    frame_md5,
)

__all__ = ["AnalysisFrame", "Frame", "VideoReader", "iter_frames", "time_code"]

DEFAULT_CACHE_BYTES = 384 * 1024 * 1024
SKIP_MARGIN = 8  # frames before the target from which every picture is decoded (5 was too few:
# frame threads and B-frame reordering then let the target itself be dropped, measured)


@dataclass(frozen=True)
class Frame:
    """One decoded frame, upright, with its identity."""

    index: int
    pts: int | None
    pts_s: float | None  # stream clock (ffprobe pts_time)
    time_s: float | None  # seconds since frame 0 (the time code shown to the user)
    keyframe: bool
    md5: str  # framemd5 of the native picture, equal to the table's
    image: np.ndarray  # upright RGB uint8, (height, width, 3)
    rotation_deg: int
    sar: tuple[int, int]


def time_code(seconds: float | None) -> str:
    """HH:MM:SS.mmm for a time in seconds (``--:--:--.---`` when unknown)."""
    if seconds is None:
        return "--:--:--.---"
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


class VideoReader:
    """Keeps a video open and returns exact frames by index or time.

    Not thread-safe: use one reader per thread (the GUI's viewer owns one).
    """

    def __init__(
        self,
        path: str | Path,
        table: FrameTable | None = None,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.path = Path(path)
        self.table = table or build_frame_table(path, progress=progress, cancel=cancel)
        if not self.table.frames:
            raise CorruptMediaError(f"{self.path}: no frame could be decoded")
        self._container, self._stream = open_container(path)
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0
        self._verified: set[int] = set()
        self._iter: Iterator[Any] | None = None
        self._next_index = -1  # index the live iterator yields next; -1 = not anchored
        self._unsafe_keyframes: set[int] = set()
        self._keyframes = list(self.table.keyframe_indices) or [0]
        self._pts_index = self._unique_pts_index(self.table.frames)
        self._all_pts_unique = len(self._pts_index) == len(self.table.frames)
        self.seeks = 0  # counters for tests and the benchmark
        self.fallbacks = 0

    @staticmethod
    def _unique_pts_index(frames: tuple[FrameRecord, ...]) -> dict[int, int]:
        seen: dict[int, int] = {}
        dup: set[int] = set()
        for r in frames:
            if r.pts is None:
                continue
            if r.pts in seen:
                dup.add(r.pts)
            seen[r.pts] = r.index
        return {p: i for p, i in seen.items() if p not in dup}

    # -- public API -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.table.frames)

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clear_cache(self) -> None:
        """Forget decoded pictures and the live decode position (memory, benchmarks)."""
        self._cache.clear()
        self._verified.clear()
        self._cached_bytes = 0
        self._iter = None
        self._next_index = -1

    def close(self) -> None:
        self._cache.clear()
        self._iter = None
        self._container.close()

    @property
    def sequential_only(self) -> list[tuple[int, int]]:
        """Frame ranges (first, last) where seeking to their keyframe gave wrong pictures."""
        out = []
        for k in sorted(self._unsafe_keyframes):
            pos = bisect.bisect_right(self._keyframes, k)
            end = self._keyframes[pos] - 1 if pos < len(self._keyframes) else len(self) - 1
            out.append((k, end))
        return out

    def frame_at(self, index: int) -> Frame:
        """The exact frame ``index`` (0-based sequential-decode order), upright RGB.

        Raises:
            MediaError: index out of range.
            CorruptMediaError: the frame cannot be reproduced (its hash never matched).
        """
        frame, md5 = self.native_frame_at(index)
        rec = self.table.frames[index]
        return Frame(
            index=index,
            pts=rec.pts,
            pts_s=rec.pts_s,
            time_s=self.table.time_s(rec.index),
            keyframe=rec.keyframe,
            md5=md5,
            image=to_upright_rgb(frame, self.table.rotation_deg, self.table.sar),
            rotation_deg=self.table.rotation_deg,
            sar=self.table.sar,
        )

    def index_at_time(self, seconds: float) -> int:
        """Index of the frame shown at ``seconds`` after frame 0 (last one with time <= t)."""
        index = self.table.index_at_time(seconds)
        if index is None:
            raise MediaError(f"{self.path}: time {seconds} s is outside the video")
        return index

    def frame_at_time(self, seconds: float) -> Frame:
        """The frame displayed ``seconds`` after frame 0 (see ``index_at_time``)."""
        return self.frame_at(self.index_at_time(seconds))

    def time_s(self, index: int) -> float | None:
        return self.table.time_s(index)

    def native_frame_at(self, index: int) -> tuple[Any, str]:
        """The decoded PyAV picture for ``index`` and its verified framemd5."""
        if not 0 <= index < len(self):
            raise MediaError(f"{self.path}: frame {index} is out of range (0..{len(self) - 1})")
        want = self.table.frames[index].md5
        if index in self._cache:
            self._cache.move_to_end(index)
            frame = self._cache[index]
            if index in self._verified or frame_md5(frame) == want:
                self._verified.add(index)
                return frame, want
            self._drop_cache_from(0)
        for attempt, start in enumerate(self._start_points(index)):
            # stepping back wants every picture of the stretch cached: no skipping then
            skip = attempt == 0 and index + 1 not in self._cache
            frame = self._decode_to(index, start, skip=skip)
            if frame is not None and frame_md5(frame) == want:
                self._verified.add(index)
                return frame, want
            self.fallbacks += 1
            if frame is None:
                continue  # the seek landed after the target: try an earlier start
            self._drop_cache_from(start)
            if start is not None and start >= 0:
                self._unsafe_keyframes.add(start)
        raise CorruptMediaError(
            f"{self.path}: frame {index} could not be decoded identically to the frame table"
        )

    # -- internals --------------------------------------------------------------------------

    def _start_points(self, index: int) -> list[int | None]:
        """Where to start decoding: live position, the keyframe, one earlier, the file start.

        ``None`` means "re-open and decode from the first packet".
        """
        pos = bisect.bisect_right(self._keyframes, index) - 1
        safe = [k for k in self._keyframes[: pos + 1] if k not in self._unsafe_keyframes]
        points: list[int | None] = []
        if 0 <= self._next_index <= index and (not safe or self._next_index >= safe[-1]):
            points.append(-1)  # continue the live decode
        points.extend(reversed(safe[-2:]))
        points.append(None)
        return points

    def _decode_to(self, index: int, start: int | None, skip: bool = False) -> Any | None:
        """Decode forward to ``index``; with ``skip``, far from the target the decoder drops
        non-reference pictures (nothing depends on them; pts anchoring keeps the count)."""
        if start != -1:
            self._position(start)
        cc = self._stream.codec_context
        skip = skip and self._all_pts_unique
        far = skip and (start is not None and index - max(start, self._next_index) > SKIP_MARGIN)
        cc.skip_frame = "NONREF" if far else "DEFAULT"
        try:
            while self._iter is not None:
                try:
                    frame = next(self._iter)
                except StopIteration:
                    self._iter = None
                    return None
                idx = self._anchor(frame)
                if idx is None:
                    continue
                if idx > index:  # landed after the target: this start cannot reach it
                    self._next_index = -1
                    return None
                if far and index - idx <= SKIP_MARGIN:
                    far = False
                    cc.skip_frame = "DEFAULT"
                # after skipped pictures the count resumes from the pts anchor only
                self._next_index = idx + 1 if not far else -1
                if not far:  # the holes left by skipping make far pictures useless to keep
                    self._remember(idx, frame)
                if idx == index:
                    return frame
            return None
        finally:
            cc.skip_frame = "DEFAULT"

    def _anchor(self, frame: Any) -> int | None:
        # the pts is the stronger identity: a decoder may drop pictures it cannot rebuild
        if frame.pts is not None and frame.pts in self._pts_index:
            return self._pts_index[frame.pts]
        return self._next_index if self._next_index >= 0 else None

    def _position(self, start: int | None) -> None:
        self.seeks += 1
        self._next_index = -1
        if start is None or start == 0:
            self._container.close()
            self._container, self._stream = open_container(self.path)
            if start == 0 or start is None:
                self._next_index = 0
        else:
            pts = self.table.frames[start].pts
            if pts is None:
                self._position(None)
                return
            self._container.seek(pts, stream=self._stream, backward=True, any_frame=False)
            self._stream.codec_context.flush_buffers()
        self._iter = decode_frames(self._container, self._stream, DecodeLog())

    def _remember(self, index: int, frame: Any) -> None:
        if index in self._cache:
            return
        size = sum(p.buffer_size for p in frame.planes)
        self._cache[index] = frame
        self._cached_bytes += size
        while self._cached_bytes > self._cache_bytes and len(self._cache) > 1:
            old_idx, old = self._cache.popitem(last=False)
            self._verified.discard(old_idx)
            self._cached_bytes -= sum(p.buffer_size for p in old.planes)

    def _drop_cache_from(self, start: int | None) -> None:
        first = 0 if start in (None, -1) else start
        for idx in [i for i in self._cache if i >= first]:
            old = self._cache.pop(idx)
            self._verified.discard(idx)
            self._cached_bytes -= sum(p.buffer_size for p in old.planes)

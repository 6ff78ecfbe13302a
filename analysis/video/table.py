"""The frame table: one sequential decode pass giving index, pts, keyframe and picture hash.

Frame identity (issue 3): frame N is the N-th picture a full sequential decode outputs,
0-based. The hash is the one ``ffmpeg -f framemd5`` prints: MD5 over the raw bytes of each
plane of the decoded picture in its native pixel format, row by row, without line padding
(FFmpeg's ``av_image_copy_to_buffer`` with alignment 1, as the rawvideo encoder does). FFmpeg
5 and later rotate the picture before hashing unless ``-noautorotate`` is given; ours is the
stored (coded) orientation, so it matches ``ffmpeg -noautorotate -i VIDEO -f framemd5 -``.

``pts_s`` is the presentation time in seconds on the stream clock (ffprobe's ``pts_time``);
``time_s`` (on the Frame of analysis.video.decode) is relative to frame 0.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import av
import numpy as np

from analysis.errors import CorruptMediaError
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.video.probe import library_versions, normalise_rotation, open_container

log = logging.getLogger(__name__)

MAX_DECODE_ERRORS = 50  # give up on a stream after this many undecodable packets
HASH_QUEUE = 8  # decoded pictures waiting for their hash (memory: 8 x 3 MB at 1080p)


def plane_row_bytes(frame: Any, plane_index: int) -> int:
    """Bytes of picture data in one row of a plane (no padding), as av_image_get_linesize."""
    fmt = frame.format
    plane = frame.planes[plane_index]
    if len(frame.planes) == 1:
        return (plane.width * fmt.padded_bits_per_pixel + 7) // 8
    step = sum((c.bits + 7) // 8 for c in fmt.components if c.plane == plane_index)
    return plane.width * max(step, 1)


def frame_md5(frame: Any) -> str:
    """framemd5 hash of a decoded PyAV VideoFrame (see the module docstring)."""
    digest = hashlib.md5()
    for i, plane in enumerate(frame.planes):
        row = plane_row_bytes(frame, i)
        stride = plane.line_size
        if stride == row:
            digest.update(memoryview(plane)[: row * plane.height])
            continue
        buf = np.frombuffer(plane, dtype=np.uint8)
        rows = buf[: stride * plane.height].reshape(plane.height, stride)[:, :row]
        digest.update(np.ascontiguousarray(rows).data)
    return digest.hexdigest()


def frame_size_bytes(frame: Any) -> int:
    """Size of the unpadded raw picture (framemd5's ``size`` column)."""
    return sum(plane_row_bytes(frame, i) * p.height for i, p in enumerate(frame.planes))


@dataclass(frozen=True)
class FrameRecord:
    """One row of the frame table."""

    index: int
    pts: int | None  # in the stream time base; None if the stream gives none
    pts_s: float | None
    keyframe: bool
    md5: str


@dataclass
class DecodeLog:
    """Where sequential decoding met damage (mutable while decoding, then frozen in a table)."""

    errors: list[str] = field(default_factory=list)
    stopped_early: bool = False


def decode_frames(container: Any, stream: Any, damage: DecodeLog) -> Iterator[Any]:
    """Yield every decoded picture in output order, surviving damaged packets.

    A packet the decoder rejects is logged in ``damage`` and skipped, as the ffmpeg tool does;
    a demuxer error (truncated file) ends the stream with ``damage.stopped_early`` set.
    """
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.FFmpegError as exc:
            damage.errors.append(f"demuxing stopped: {exc}")
            damage.stopped_early = True
            packet = None  # flush what the decoder holds
        try:
            yield from stream.decode(packet)
        except av.error.FFmpegError as exc:
            damage.errors.append(f"packet at pts {getattr(packet, 'pts', None)}: {exc}")
            if len(damage.errors) >= MAX_DECODE_ERRORS:
                damage.stopped_early = True
                return
        if packet is None:
            return


@dataclass(frozen=True)
class FrameTable:
    """Every frame of a video's first video stream, in sequential-decode order.

    ``to_rows``/``from_rows`` turn it into plain JSON-able tuples for the case cache (keyed by
    the evidence sha256); ``meta`` holds everything else.
    """

    frames: tuple[FrameRecord, ...]
    time_base: tuple[int, int]
    codec: str
    pix_fmt: str
    width_px: int
    height_px: int
    rotation_deg: int
    sar: tuple[int, int]
    complete: bool  # False when decoding stopped at damage before the end of the file
    errors: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]  # library name, version

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def keyframe_indices(self) -> tuple[int, ...]:
        return tuple(r.index for r in self.frames if r.keyframe)

    @property
    def stopped_at_s(self) -> float | None:
        """Time of the last decoded frame when decoding stopped at damage, else None."""
        if self.complete or not self.frames:
            return None
        return self.frames[-1].pts_s

    # Time: every place where a pts becomes seconds goes through these. Times are seconds after
    # the first frame's presentation time (``start_pts_s``), so a stream that starts at a
    # non-zero pts (an edit list, a cut from a longer file) still starts at 0.0 s.

    @cached_property
    def start_pts_s(self) -> float:
        """The earliest presentation time in the stream, in seconds (0.0 if none has one)."""
        return min((r.pts_s for r in self.frames if r.pts_s is not None), default=0.0)

    def time_s(self, index: int) -> float | None:
        """Seconds from the first frame to frame ``index``; None if that frame has no pts."""
        pts_s = self.frames[index].pts_s
        return None if pts_s is None else pts_s - self.start_pts_s

    def times_s(self) -> list[float | None]:
        """``time_s`` of every frame, in index order."""
        t0 = self.start_pts_s
        return [None if r.pts_s is None else r.pts_s - t0 for r in self.frames]

    @cached_property
    def _timed(self) -> tuple[tuple[float, ...], tuple[int, ...]]:
        pairs = sorted((t, i) for i, t in enumerate(self.times_s()) if t is not None)
        return tuple(t for t, _ in pairs), tuple(i for _, i in pairs)

    def index_at_time(self, seconds: float) -> int | None:
        """The frame on screen ``seconds`` after the first: the last one whose time <= seconds.

        Returns None for a time before the first frame or a table without timestamps. Times
        are compared with a 1 ns tolerance, so a frame's own time finds that frame.
        """
        times, indices = self._timed
        pos = bisect.bisect_right(times, seconds + 1e-9)
        if seconds < 0 or pos == 0:
            return None
        return indices[pos - 1]

    def indices_every(self, every_s: float) -> list[int]:
        """The frames on screen at 0, every_s, 2 every_s, ... (see ``frames_every``)."""
        return frames_every(self.times_s(), every_s)

    def mean_fps(self) -> float | None:
        """Frames per second over the timed span ((n - 1) / span); None under two timed frames."""
        times = self._timed[0]
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return (len(times) - 1) / span if span > 0 else None

    def to_rows(self) -> list[tuple[int, int | None, float | None, bool, str]]:
        return [(r.index, r.pts, r.pts_s, r.keyframe, r.md5) for r in self.frames]

    def meta(self) -> dict[str, Any]:
        return {
            "time_base": list(self.time_base),
            "codec": self.codec,
            "pix_fmt": self.pix_fmt,
            "width_px": self.width_px,
            "height_px": self.height_px,
            "rotation_deg": self.rotation_deg,
            "sar": list(self.sar),
            "complete": self.complete,
            "errors": list(self.errors),
            "versions": dict(self.versions),
        }

    @classmethod
    def from_rows(cls, rows: list[Any], meta: dict[str, Any]) -> FrameTable:
        frames = tuple(
            FrameRecord(int(i), None if p is None else int(p), s, bool(k), str(h))
            for i, p, s, k, h in rows
        )
        return cls(
            frames=frames,
            time_base=(int(meta["time_base"][0]), int(meta["time_base"][1])),
            codec=meta["codec"],
            pix_fmt=meta["pix_fmt"],
            width_px=int(meta["width_px"]),
            height_px=int(meta["height_px"]),
            rotation_deg=int(meta["rotation_deg"]),
            sar=(int(meta["sar"][0]), int(meta["sar"][1])),
            complete=bool(meta["complete"]),
            errors=tuple(meta["errors"]),
            versions=tuple(sorted(meta["versions"].items())),
        )


def build_frame_table(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FrameTable:
    """Decode the whole first video stream once and record every frame.

    Raises:
        MediaError subclasses from ``open_container``; CorruptMediaError when not one frame
        decodes; JobCancelled.
    """
    container, stream = open_container(path)
    try:
        tb = stream.time_base
        declared = int(stream.frames or 0)
        duration = float(container.duration / 1e6) if container.duration else 0.0
        damage = DecodeLog()
        records, first = _decode_and_hash(container, stream, damage, progress, cancel)
        if not records:  # nothing to describe: refuse the file, in one line that says why
            raise CorruptMediaError(no_frame_message(path, damage))
        _check_truncation(records, declared, duration, stream, damage)
        if damage.errors:
            log.warning(
                "%s: %d decoding problem(s): %s", path, len(damage.errors), damage.errors[0]
            )
        report(progress, 1.0, f"frame table: {len(records)} frames")
        cc = stream.codec_context
        return FrameTable(
            frames=tuple(records),
            time_base=(tb.numerator, tb.denominator),
            codec=cc.name,
            pix_fmt=first.get("pix_fmt") or (cc.pix_fmt or ""),
            width_px=cc.width,
            height_px=cc.height,
            rotation_deg=first.get("rotation", 0),
            sar=first.get("sar", (1, 1)),
            complete=not damage.stopped_early,
            errors=tuple(damage.errors),
            versions=tuple(sorted(library_versions().items())),
        )
    finally:
        container.close()


def no_frame_message(path: str | Path, damage: DecodeLog) -> str:
    """Why a video gave no frame at all, naming the file (the first decoding error, if any)."""
    why = f" ({damage.errors[0]})" if damage.errors else " (the stream holds none)"
    return f"{path}: no video frame could be decoded{why}"


def _decode_and_hash(
    container: Any,
    stream: Any,
    damage: DecodeLog,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> tuple[list[FrameRecord], dict[str, Any]]:
    """Every frame's record, in order; hashing runs on a second thread (hashlib releases
    the GIL) so that MD5 overlaps decoding. Also returns facts of the first frame."""
    tb = stream.time_base
    declared = int(stream.frames or 0)
    duration = float(container.duration / 1e6) if container.duration else 0.0
    records: list[FrameRecord] = []
    first: dict[str, Any] = {}
    pending: deque[tuple[int, int | None, float | None, bool, Future[str]]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="framemd5") as pool:
        for n, frame in enumerate(decode_frames(container, stream, damage)):
            if n == 0:
                first = {
                    "rotation": normalise_rotation(frame.rotation or 0),
                    "pix_fmt": frame.format.name,
                    "sar": _sar_of(stream),
                }
            pts_s = float(frame.pts * tb) if frame.pts is not None else None
            job = pool.submit(frame_md5, frame)
            pending.append((n, frame.pts, pts_s, bool(frame.key_frame), job))
            while len(pending) > HASH_QUEUE or (pending and pending[0][4].done()):
                i, p, s, k, f = pending.popleft()
                records.append(FrameRecord(i, p, s, k, f.result()))
            if n % 25 == 0:
                check(cancel)
                frac = n / declared if declared else (pts_s or 0) / (duration or 1)
                report(progress, frac, f"frame table: {n} frames")
        records.extend(FrameRecord(i, p, s, k, f.result()) for i, p, s, k, f in pending)
    return records, first


def _check_truncation(
    records: list[FrameRecord], declared: int, duration_s: float, stream: Any, damage: DecodeLog
) -> None:
    """Flag a file that ended before its headers said it would (a truncated download)."""
    if declared and len(records) < declared:
        damage.errors.append(f"decoded {len(records)} of {declared} frames the container declares")
        damage.stopped_early = True
        return
    rate = stream.average_rate or stream.guessed_rate
    times = [r.pts_s for r in records if r.pts_s is not None]
    if not (duration_s and rate and times):
        return
    # containers disagree on whether the declared duration counts from 0 or from the start
    # time (Matroska vs MP4): take the earlier end, so that only a real shortfall is flagged
    start = min(times)
    declared_end = min(duration_s, start + duration_s)
    covered_end = max(times) + 1.0 / float(rate)
    if covered_end < declared_end - 3.0 / float(rate):
        damage.errors.append(
            f"decoding stopped at {max(times):.3f} s of a declared {declared_end:.3f} s"
        )
        damage.stopped_early = True


def _sar_of(stream: Any) -> tuple[int, int]:
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if not sar or sar <= 0:
        return (1, 1)
    return (sar.numerator, sar.denominator)


def frames_every(times_s: list[float | None], every_s: float) -> list[int]:
    """Indices of the frames shown at 0, every_s, 2 every_s, ... (times relative to frame 0).

    ``times_s`` are the frames' times in decode order (None where unknown); the frame shown at
    t is the last one whose time is at or before t.
    """
    timed = sorted((t, i) for i, t in enumerate(times_s) if t is not None)
    if not timed:
        return [0] if times_s else []
    out: list[int] = []
    pos, k = 0, 0
    end = timed[-1][0]
    while k * every_s <= end + 1e-9:
        t = k * every_s
        while pos + 1 < len(timed) and timed[pos + 1][0] <= t + 1e-9:
            pos += 1
        if not out or out[-1] != timed[pos][1]:
            out.append(timed[pos][1])
        k += 1
    return out

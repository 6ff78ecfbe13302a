"""Integrity check of a video before import, fast enough for large files.

The check follows what the container promises and what the bytes deliver: top-level
structures (MP4 boxes, the Matroska segment, RIFF chunks) must fit in the file; the container must
open, hold a video stream, and its first frame must decode; then every packet is demuxed
without decoding (a read of the file, hundreds of MB/s) and each packet's byte range is
compared with the file size; the number of video packets read is compared with the count the
container's index announces (MP4 ``stsz``); finally the last group of pictures (from the last
keyframe to the end) is decoded, so a damaged tail is caught. Any failure raises
CorruptMediaError saying where it stopped, as time and packet index.
"""

from __future__ import annotations

import re
from pathlib import Path

import av

from analysis.errors import CorruptMediaError
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.media.check import MediaCheck
from analysis.video.probe import ffmpeg_errors, first_frame, open_video, video_stream

_PROGRESS_EVERY = 256
TAIL_MAX_BYTES = 256 * 1024 * 1024
SEEK_MARGIN_S = 10.0
_MAX_TOP_LEVEL = 100_000


def _bmff_structure(fh, file_size: int, path: Path) -> None:
    """ISO/IEC 14496-12 (MP4, MOV, 3GP): top-level boxes must tile the file exactly.

    Writers put the index (``moov``) last unless "fast start" was asked; a file cut short
    loses its end, so a box declaring more bytes than remain is the plainest proof.
    """
    offset = 0
    for _ in range(_MAX_TOP_LEVEL):
        if offset >= file_size:
            return
        fh.seek(offset)
        header = fh.read(16)
        if len(header) < 8:
            break
        size, kind = int.from_bytes(header[:4], "big"), header[4:8].decode("latin-1")
        if size == 1 and len(header) == 16:
            size = int.from_bytes(header[8:16], "big")
        elif size == 0:  # "extends to the end of the file"
            return
        if size < 8 or offset + size > file_size:
            raise CorruptMediaError(
                f"{path}: truncated or damaged: top-level box {kind!r} at byte {offset} declares "
                f"{size} bytes but the file ends at byte {file_size}"
            )
        offset += size
    if offset != file_size:
        raise CorruptMediaError(f"{path}: {file_size - offset} stray bytes after the last box")


def _ebml_vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int]:
    """Matroska/EBML variable-length integer (RFC 8794 section 4): value and its length."""
    first = data[at]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or at + length > len(data):
        raise ValueError("bad EBML variable-length integer")
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    unknown = (not keep_marker) and value == (1 << (7 * length)) - 1
    return (-1 if unknown else value), length


def _ebml_structure(fh, file_size: int, path: Path) -> None:
    """Matroska/WebM (RFC 9559): the Segment element's declared size must fit the file."""
    fh.seek(0)
    data = fh.read(4096)
    try:
        _, id_len = _ebml_vint(data, 0, keep_marker=True)
        header_size, size_len = _ebml_vint(data, id_len, keep_marker=False)
        at = id_len + size_len + header_size
        segment_id, id_len = _ebml_vint(data, at, keep_marker=True)
        segment_size, size_len = _ebml_vint(data, at + id_len, keep_marker=False)
    except (ValueError, IndexError) as exc:
        raise CorruptMediaError(f"{path}: the Matroska header is damaged ({exc})") from exc
    end = at + id_len + size_len + segment_size
    if segment_id == 0x18538067 and segment_size >= 0 and end > file_size:
        raise CorruptMediaError(
            f"{path}: truncated: the Matroska segment declares {end} bytes in all but the "
            f"file has {file_size}"
        )


def _riff_structure(fh, file_size: int, path: Path) -> None:
    """RIFF (AVI, OpenDML): each top-level RIFF chunk's declared size must fit the file."""
    offset = 0
    for _ in range(_MAX_TOP_LEVEL):
        fh.seek(offset)
        header = fh.read(8)
        if len(header) < 8 or header[:4] != b"RIFF":
            return
        end = offset + 8 + int.from_bytes(header[4:8], "little")
        if end > file_size:
            raise CorruptMediaError(
                f"{path}: truncated: the RIFF chunk at byte {offset} declares {end - offset} "
                f"bytes but the file ends at byte {file_size}"
            )
        offset = end + (end & 1)


def check_structure(path: Path) -> None:
    """Cheap container-level truncation checks (MP4/MOV, Matroska/WebM, AVI); others pass.

    MPEG-TS has no such structure: a cut at a 188-byte packet boundary cannot be told from a
    shorter recording.
    """
    file_size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(12)
        if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
            _bmff_structure(fh, file_size, path)
        elif head[:4] == b"\x1a\x45\xdf\xa3":
            _ebml_structure(fh, file_size, path)
        elif head[:4] == b"RIFF":
            _riff_structure(fh, file_size, path)


class _Position:
    """Where the demuxer is: packet indexes, time and byte offset of the last good packet."""

    def __init__(self, time_base: float) -> None:
        self.packets = 0
        self.video_packets = 0
        self.time_base = time_base
        self.max_pts: int | None = None
        self.max_end_pts: int | None = None  # max of pts + duration: where the data ends
        self.end_byte = 0
        self.bytes_read = 0
        self.last_keyframe_index: int | None = None
        self.last_keyframe_pts: int | None = None
        # Packets of the video stream from the last keyframe on, decoded at the end; None
        # when that group of pictures outgrew TAIL_MAX_BYTES (then it is found by seeking).
        self.tail: list[av.Packet] | None = []
        self.tail_bytes = 0

    @property
    def time_s(self) -> float:
        """Latest presentation time of a video packet read so far, in seconds."""
        return (self.max_pts or 0) * self.time_base

    def where(self) -> str:
        return (
            f"after {self.time_s:.3f} s (video packet {self.video_packets}, "
            f"packet {self.packets} of the file, byte {self.end_byte})"
        )


def _check_packet(
    packet: av.Packet, main_index: int, file_size: int, pos: _Position, path: Path
) -> None:
    """Account for one packet; the hot loop of the check, so attributes are read once."""
    start, size = packet.pos, packet.size
    if start is not None and start >= 0:
        if start + size > file_size:
            raise CorruptMediaError(
                f"{path}: truncated: packet {pos.packets} (stream {packet.stream_index}) spans "
                f"bytes {start}-{start + size} but the file has {file_size} bytes; "
                f"data stops {pos.where()}"
            )
        if start + size > pos.end_byte:
            pos.end_byte = start + size
    if packet.is_corrupt:
        raise CorruptMediaError(
            f"{path}: the demuxer flags packet {pos.packets} as corrupt or cut short "
            f"(truncated file?), {pos.where()}"
        )
    pos.packets += 1
    pos.bytes_read += size
    if packet.stream_index != main_index:
        return
    pts = packet.pts
    if packet.is_keyframe:
        pos.last_keyframe_index = pos.video_packets
        pos.last_keyframe_pts = pts
        pos.tail, pos.tail_bytes = [], 0
    if pos.tail is not None and pos.last_keyframe_index is not None:
        pos.tail.append(packet)
        pos.tail_bytes += size
        if pos.tail_bytes > TAIL_MAX_BYTES:
            pos.tail = None
    if pts is not None and (pos.max_pts is None or pts > pos.max_pts):
        pos.max_pts = pts
        end = pts + (packet.duration or 0)
        if pos.max_end_pts is None or end > pos.max_end_pts:
            pos.max_end_pts = end
    pos.video_packets += 1


def _demux_all(
    container: av.container.InputContainer,
    main_index: int,
    path: Path,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> _Position:
    file_size = path.stat().st_size
    time_base = container.streams[main_index].time_base
    pos = _Position(float(time_base) if time_base else 0.0)
    try:
        for packet in container.demux():
            if packet.size == 0:
                continue  # the flush packet PyAV yields at the end of each stream
            _check_packet(packet, main_index, file_size, pos, path)
            if pos.packets % _PROGRESS_EVERY == 0:
                check(cancel)
                report(progress, 0.9 * pos.end_byte / max(file_size, 1), "demuxing packets")
    except av.FFmpegError as exc:
        raise CorruptMediaError(
            f"{path}: demuxing failed {pos.where()}: {exc}; the file is truncated or damaged"
        ) from exc
    return pos


def _announced_end_s(stream: av.video.VideoStream) -> float | None:
    """End time of the video stream as the container's header announces it, if it does.

    MP4/MOV/AVI give a stream duration; FFmpeg's Matroska muxer writes a per-stream DURATION
    tag ("HH:MM:SS.nnnnnnnnn"). For MPEG-TS FFmpeg estimates the duration from the data
    itself, so the comparison proves nothing there but does no harm.
    """
    if stream.duration and stream.time_base:
        return float(((stream.start_time or 0) + stream.duration) * stream.time_base)
    match = re.match(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$", stream.metadata.get("DURATION", ""))
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _check_announced_end(stream: av.video.VideoStream, pos: _Position, path: Path) -> None:
    """Packets must reach the end the header announces, within half a frame."""
    announced = _announced_end_s(stream)
    if announced is None or pos.max_end_pts is None:
        return
    data_end = pos.max_end_pts * pos.time_base
    rate = stream.average_rate or stream.base_rate
    half_frame = 0.5 / float(rate) if rate else 0.02
    if announced - data_end > half_frame + pos.time_base:
        raise CorruptMediaError(
            f"{path}: truncated or damaged: the header announces the video runs to "
            f"{announced:.3f} s but its packets stop at {data_end:.3f} s, {pos.where()}"
        )


def _tail_packets(container, stream: av.video.VideoStream, pos: _Position):
    """The packets from the last keyframe to the end, then None (flush)."""
    if pos.tail is not None:
        yield from pos.tail
    else:  # a huge last group of pictures: find it again by seeking instead of keeping it
        # Timestamp seeks are approximate in some containers (MPEG-TS): land well before the
        # keyframe; decoding the extra frames costs time, never correctness.
        margin = int(SEEK_MARGIN_S / pos.time_base) if pos.time_base else 0
        target = max((pos.last_keyframe_pts or 0) - margin, stream.start_time or 0)
        container.seek(target, stream=stream, backward=True)
        yield from (p for p in container.demux(stream) if p.size)
    yield None


def _decode_tail(container, stream: av.video.VideoStream, pos: _Position, path: Path) -> int:
    """Decode the packets kept from the last keyframe on; return the frames decoded.

    The packets were kept during the demux pass rather than found again by seeking, because
    seeking by timestamp is approximate in some containers (MPEG-TS).
    """
    if pos.last_keyframe_index is None:
        raise CorruptMediaError(f"{path}: no keyframe found in the video stream")
    ctx = stream.codec_context
    ctx.flush_buffers()
    decoded = 0
    try:
        for packet in _tail_packets(container, stream, pos):
            for frame in ctx.decode(packet):
                decoded += 1
                if getattr(frame, "is_corrupt", False):
                    raise CorruptMediaError(
                        f"{path}: a frame of the last group of pictures is corrupt (from video "
                        f"packet {pos.last_keyframe_index}); data ends {pos.where()}"
                    )
    except av.FFmpegError as exc:
        raise CorruptMediaError(
            f"{path}: the last frames do not decode (from video packet "
            f"{pos.last_keyframe_index}); data ends {pos.where()}: {exc}"
        ) from exc
    if decoded == 0:
        raise CorruptMediaError(
            f"{path}: the last group of pictures (from video packet {pos.last_keyframe_index}) "
            f"gives no frame; data ends {pos.where()}"
        )
    return decoded


def check_video(
    path: str | Path,
    *,
    decode_threads: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MediaCheck:
    """Prove a video is complete without decoding it all.

    Args:
        path: the video file.
        decode_threads: FFmpeg's decoding threads (0: its choice).
        progress: optional callback, reports the fraction of bytes demuxed.
        cancel: optional token, checked every few hundred packets.

    Returns:
        MediaCheck with the video packet count and the time of the last packet.

    Raises:
        CorruptMediaError: does not open, first frame or tail does not decode, a packet lies
            beyond the end of the file, fewer packets than the index announces, or a demux
            error; the message gives the time and packet index where the data stops.
        UnsupportedMediaError: no video stream.
        JobCancelled: ``cancel`` was cancelled.
    """
    path = Path(path)
    check_structure(path)
    with open_video(path) as container, ffmpeg_errors(path, "checking the video"):
        stream = video_stream(container, path)
        stream.codec_context.thread_count = decode_threads
        first_frame(container, stream, path)
        container.seek(0)
        pos = _demux_all(container, stream.index, path, progress, cancel)
        announced = stream.frames
        if pos.video_packets == 0:
            raise CorruptMediaError(f"{path}: the video stream holds no packets")
        if announced and pos.video_packets < announced:
            raise CorruptMediaError(
                f"{path}: truncated: the index announces {announced} video packets but the data "
                f"stops {pos.where()}"
            )
        _check_announced_end(stream, pos, path)
        check(cancel)
        report(progress, 0.95, "decoding the last group of pictures")
        _decode_tail(container, stream, pos, path)
        width, height = stream.codec_context.width, stream.codec_context.height
    report(progress, 1.0, "video checked")
    return MediaCheck("video", width, height, pos.video_packets, pos.time_s, pos.bytes_read)

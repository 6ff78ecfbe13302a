"""Opening a video with PyAV: typed errors, stream facts and FFmpeg versions for provenance.

Conventions: ``rotation_deg`` is the display-matrix rotation as FFmpeg's
``av_display_rotation_get`` returns it (degrees counter-clockwise; the picture must be turned
by that angle to be shown upright, so -90 means "turn 90 degrees clockwise"). ``sar`` is the
sample (pixel) aspect ratio width:height, (1, 1) for square pixels.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av

from analysis.errors import CorruptMediaError, MediaError, UnsupportedMediaError


def library_versions() -> dict[str, str]:
    """PyAV and FFmpeg library versions as strings, for every provenance record."""
    versions = {"pyav": av.__version__}
    for name, ver in av.library_versions.items():
        versions[name] = ".".join(str(v) for v in ver)
    return versions


def display_size(
    width_px: int, height_px: int, sar: tuple[int, int], rotation_deg: int
) -> tuple[int, int]:
    """Size of the displayed picture: stretch the short side for non-square pixels, rotate.

    Pixels are never dropped: a SAR above 1 widens the picture, below 1 heightens it.
    """
    num, den = sar
    w, h = width_px, height_px
    if num > 0 and den > 0 and num != den:
        if num > den:
            w = int(round(width_px * num / den))
        else:
            h = int(round(height_px * den / num))
    if normalise_rotation(rotation_deg) in (90, 270):
        w, h = h, w
    return w, h


def normalise_rotation(rotation_deg: float) -> int:
    """The rotation rounded to a multiple of 90 degrees, in [0, 360)."""
    return int(round(rotation_deg / 90.0)) % 4 * 90


def open_container(path: str | Path, *, threads: int = 0) -> tuple[Any, Any]:
    """Open ``path`` and return (container, first video stream) with threaded decoding
    (``threads`` decoding threads; 0: as many as FFmpeg chooses).

    Raises:
        MediaError: the file does not exist or cannot be read.
        UnsupportedMediaError: no video stream, or not a media file FFmpeg knows.
        CorruptMediaError: the headers are damaged.
    """
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"{p}: no such file")
    try:
        container = av.open(str(p), mode="r")
    except av.error.InvalidDataError as exc:
        raise CorruptMediaError(
            f"{p}: not a readable video (damaged or unknown format): {exc}"
        ) from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise UnsupportedMediaError(f"{p}: cannot be opened as video: {exc}") from exc
    try:
        stream = video_stream(container, p)
    except UnsupportedMediaError:
        container.close()
        raise
    if stream.codec_context.name is None:
        container.close()
        raise UnsupportedMediaError(f"{p}: the video stream has no decoder in this FFmpeg build")
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = threads
    return container, stream


@contextmanager
def ffmpeg_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn any FFmpeg failure inside the block into CorruptMediaError naming the file."""
    try:
        yield
    except av.FFmpegError as exc:
        raise CorruptMediaError(f"{path}: FFmpeg failed while {doing} ({exc})") from exc


def open_video(path: Path) -> av.container.InputContainer:
    """Open with PyAV; FFmpeg failures become CorruptMediaError naming the file."""
    try:
        return av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise CorruptMediaError(f"{path}: the video container cannot be opened ({exc})") from exc


# FFmpeg's text-art decoders draw any bytes as a picture (the tty demuxer takes any text file,
# the bin demuxer any file named .bin): a "video" of them is not footage.
TEXT_ART_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})


def video_stream(container: av.container.InputContainer, path: Path) -> av.video.VideoStream:
    """The first real video stream (cover art excluded), or UnsupportedMediaError."""
    unknown_codec = False
    for stream in container.streams.video:
        if stream.disposition & av.stream.Disposition.attached_pic:
            continue
        if stream.codec_context is None:
            unknown_codec = True
            continue
        if stream.codec_context.name in TEXT_ART_CODECS:
            raise UnsupportedMediaError(
                f"{path}: not a video (FFmpeg would only draw its bytes as text art, "
                f"{stream.codec_context.name})"
            )
        return stream
    if unknown_codec:
        raise UnsupportedMediaError(f"{path}: the video stream's codec is unknown to FFmpeg")
    raise UnsupportedMediaError(f"{path}: the file has no video stream")


def frame_rotation(frame: av.VideoFrame) -> tuple[float | None, bool | None]:
    """Rotation and mirroring from the frame's display matrix (None if it has none)."""
    for side in frame.side_data:
        if side.type.name == "DISPLAYMATRIX":
            matrix = memoryview(bytes(side)).cast("i")
            mirrored = matrix[0] * matrix[4] - matrix[1] * matrix[3] < 0
            return float(frame.rotation), mirrored
    return None, None


def first_frame(container: av.container.InputContainer, stream: av.video.VideoStream, path: Path):
    """Decode the first frame of ``stream``; CorruptMediaError if none decodes."""
    try:
        for frame in container.decode(stream):
            return frame
    except (av.FFmpegError, ValueError) as exc:
        raise CorruptMediaError(f"{path}: the first video frame does not decode ({exc})") from exc
    raise CorruptMediaError(f"{path}: the video stream holds no decodable frame")

"""Integrity of image evidence before it enters a case: size from the header, then a full decode.

The picture size is read from the file's header (PNG IHDR, JPEG SOF) before any decoding, so a
decompression bomb is refused with ``MediaTooLargeError`` before it can fill the memory; the
image is then decoded completely, so a truncated file gives ``CorruptMediaError``. Videos are
checked by ``analysis.media.video_check``; both give a ``MediaCheck``.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import CorruptMediaError, MediaTooLargeError
from analysis.media.kind import MediaKind, pillow_quiet, register_heif

DEFAULT_MAX_PIXELS = 200_000_000
# Pillow raises these on damaged image data (its decoders use OSError for "truncated").
PIL_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError)
_SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class MediaCheck:
    """The outcome of a successful ``check_media``.

    Attributes:
        kind: "image" or "video".
        width_px, height_px: coded picture size.
        frame_count: 1 for an image; packets of the video stream demuxed for a video.
        duration_s: None for an image; presentation time of the last video packet (s).
        bytes_checked: bytes of payload read (the file size for an image).
    """

    kind: MediaKind
    width_px: int
    height_px: int
    frame_count: int
    duration_s: float | None
    bytes_checked: int


def _png_header_size(head: bytes) -> tuple[int, int] | None:
    """PNG (ISO/IEC 15948): IHDR is the first chunk; width and height are its first fields."""
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def _jpeg_header_size(fh: io.BufferedReader) -> tuple[int, int] | None:
    """JPEG (ITU T.81): walk marker segments to the first SOFn; read its height and width."""
    fh.seek(2)
    for _ in range(10_000):  # bounded: a hostile file cannot loop us forever
        byte = fh.read(1)
        while byte == b"\xff":
            byte = fh.read(1)
        if not byte:
            return None
        marker = byte[0]
        if marker in (0x01, *range(0xD0, 0xD8)):
            continue  # stand-alone markers carry no length
        length_bytes = fh.read(2)
        if len(length_bytes) < 2:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if marker in _SOF_MARKERS:
            data = fh.read(5)
            if len(data) < 5:
                return None
            height, width = struct.unpack(">HH", data[1:5])
            return width, height
        if length < 2:
            return None
        fh.seek(length - 2, io.SEEK_CUR)
    return None


def image_header_size(path: Path) -> tuple[int, int]:
    """Width and height from the header alone, without decoding pixels.

    PNG and JPEG are parsed directly (so even absurd sizes are read exactly); other formats
    go through Pillow's header parser, whose own bomb guard becomes MediaTooLargeError.

    Raises:
        MediaTooLargeError: Pillow refused the header as a decompression bomb.
        CorruptMediaError: the header cannot be parsed.
    """
    from PIL import Image

    with open(path, "rb") as fh:
        head = fh.read(32)
        size = _png_header_size(head)
        if size is None and head[:2] == b"\xff\xd8":
            size = _jpeg_header_size(fh)  # type: ignore[arg-type]
    if size is not None:
        return size
    register_heif()
    try:
        with pillow_quiet(), Image.open(path) as im:
            return im.size
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(f"{path}: refused as a decompression bomb ({exc})") from exc
    except PIL_DECODE_ERRORS as exc:
        raise CorruptMediaError(f"{path}: the image header cannot be read ({exc})") from exc


def check_image(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> MediaCheck:
    """Refuse oversized images from the header, then decode every pixel once."""
    from PIL import Image

    width, height = image_header_size(path)
    if width <= 0 or height <= 0:
        raise CorruptMediaError(f"{path}: the header gives an empty size {width}x{height}")
    if width * height > max_pixels:
        raise MediaTooLargeError(
            f"{path}: {width}x{height} = {width * height / 1e6:.1f} megapixels exceeds the "
            f"limit of {max_pixels / 1e6:.0f} megapixels; refused before decoding"
        )
    register_heif()
    try:
        with pillow_quiet(), Image.open(path) as im:
            if im.size[0] * im.size[1] > max_pixels:
                raise MediaTooLargeError(f"{path}: {im.size} exceeds the pixel limit")
            im.load()
            size = im.size
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(f"{path}: refused as a decompression bomb ({exc})") from exc
    except PIL_DECODE_ERRORS as exc:
        raise CorruptMediaError(f"{path}: the image does not decode completely ({exc})") from exc
    return MediaCheck("image", size[0], size[1], 1, None, path.stat().st_size)

"""Metadata and validation of evidence media before it enters a case.

``read_metadata`` returns a JSON-serialisable dict with stable keys and units in their names;
every time in it is labelled with the clock it comes from ("camera", "gps", "container").
``check_media`` proves a file is usable: images decode fully within a pixel limit (the size
is read from the header first, so a decompression bomb is refused before any decoding), and
videos are demuxed end to end (see ``analysis.videoprobe.check_video``).

Common keys for both kinds: ``kind``, ``file_name``, ``size_bytes``, ``format``,
``suggested_extension``, ``times`` (name -> labelled time, see ``analysis.exif.labelled_time``),
``clock_notes`` (sentences comparing two clocks), ``clock_differences`` (``{"clocks": [a, b],
"difference_s": a minus b}``) and ``warnings`` (strings: what could not be decoded).
"""

from __future__ import annotations

import io
import struct
import warnings as pywarnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import CorruptMediaError, MediaTooLargeError
from analysis.exif import (
    compare_clocks,
    decode_camera,
    decode_gps,
    decode_times,
    process_exif,
    read_exif_tags,
)
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.mediakind import MediaKind, pillow_quiet, register_heif, sniff_kind, suggest_extension

DEFAULT_MAX_PIXELS = 200_000_000
# Pillow raises these on damaged image data (its decoders use OSError for "truncated").
_PIL_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError)
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
    except _PIL_DECODE_ERRORS as exc:
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
    except _PIL_DECODE_ERRORS as exc:
        raise CorruptMediaError(f"{path}: the image does not decode completely ({exc})") from exc
    return MediaCheck("image", size[0], size[1], 1, None, path.stat().st_size)


def check_media(
    path: str | Path,
    kind: MediaKind,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MediaCheck:
    """Validate a file before import.

    Args:
        path: the file.
        kind: "image" or "video", as found by ``sniff_kind``.
        max_pixels: largest image accepted, in pixels (width x height).
        progress: optional progress callback.
        cancel: optional cancellation token, checked between packets.

    Returns:
        A MediaCheck describing what was verified.

    Raises:
        MediaTooLargeError: an image over ``max_pixels`` (refused from its header).
        CorruptMediaError: truncated or undecodable; the message says where it stopped.
        UnsupportedMediaError: a video without a video stream.
        JobCancelled: ``cancel`` was cancelled.
    """
    path = Path(path)
    check(cancel)
    if kind == "image":
        result = check_image(path, max_pixels=max_pixels)
        report(progress, 1.0, "image decoded")
        return result
    from analysis.videocheck import check_video

    return check_video(path, progress=progress, cancel=cancel)


def _exif_tags_from_pillow(im: Any, warnings: list[str]) -> dict[str, Any]:
    """EXIF of formats exifread does not walk itself (HEIF, PNG eXIf, WebP): via Pillow."""
    raw = im.info.get("exif")
    if not raw:
        return {}
    if raw.startswith(b"Exif\x00\x00"):
        raw = raw[6:]
    return process_exif(io.BytesIO(raw), warnings)


def clock_fields(comparisons: list[dict[str, Any]]) -> dict[str, list]:
    """``clock_notes`` (sentences for people) and ``clock_differences`` (numbers)."""
    return {
        "clock_notes": [c["note"] for c in comparisons],
        "clock_differences": [
            {"clocks": c["clocks"], "difference_s": c["difference_s"]} for c in comparisons
        ],
    }


def _open_image_with_tags(path: Path, warnings: list[str]) -> tuple[Any, Any, Any, dict]:
    """Pillow header (format, size, mode) and the EXIF tags; Pillow's warnings are recorded."""
    from PIL import Image

    register_heif()
    try:
        with pywarnings.catch_warnings(record=True) as caught:
            # Pillow warns about corrupt EXIF; those warnings belong in the result.
            pywarnings.simplefilter("always")
            pywarnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt, size, mode = im.format, im.size, im.mode
                # exifread walks JPEG and TIFF itself; other containers hand Pillow's block.
                if im.format in ("JPEG", "MPO", "TIFF"):
                    tags = read_exif_tags(path, warnings)
                else:
                    tags = _exif_tags_from_pillow(im, warnings)
                raw_exif = im.info.get("exif") or b""
    except Image.DecompressionBombError:
        return None, image_header_size(path), None, read_exif_tags(path, warnings)
    except _PIL_DECODE_ERRORS as exc:
        raise CorruptMediaError(f"{path}: the image cannot be opened ({exc})") from exc
    if raw_exif and not tags:
        warnings.append(
            f"an EXIF block of {len(raw_exif)} bytes is present but no tag in it "
            "could be read (malformed offsets?)"
        )
    for item in caught:
        text = f"Pillow {item.category.__name__}: {item.message}"
        if text not in warnings:
            warnings.append(text)
    return fmt, size, mode, tags


def read_image_metadata(path: Path) -> dict[str, Any]:
    """Metadata of an image: format, size, camera, labelled times, GPS; see module doc."""
    warnings: list[str] = []
    fmt, size, mode, tags = _open_image_with_tags(path, warnings)
    camera = decode_camera(tags, size)
    times = decode_times(tags, warnings)
    gps = decode_gps(tags, warnings)
    if gps is not None and gps["time"] is not None:
        times["gps"] = gps["time"]
    swapped = camera["orientation"] in (5, 6, 7, 8)
    return {
        "kind": "image",
        "file_name": path.name,
        "size_bytes": path.stat().st_size,
        "format": fmt,
        "suggested_extension": suggest_extension(path, "image"),
        "width_px": size[0],
        "height_px": size[1],
        "display_width_px": size[1] if swapped else size[0],
        "display_height_px": size[0] if swapped else size[1],
        "mode": mode,
        "exif_present": bool(tags),
        "camera": camera,
        "times": times,
        "gps": gps,
        **clock_fields(compare_clocks(times.get("camera_original"), times.get("gps"))),
        "warnings": warnings,
    }


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Read the metadata of an image or video, decided from its content.

    Args:
        path: the media file.

    Returns:
        A JSON-serialisable dict (see the module docstring for the common keys; images add
        ``camera``, ``gps``, ``times``; videos add ``container``, ``streams``, ``tags``).
        Bad EXIF gives partial metadata and ``warnings``, never an exception.

    Raises:
        UnsupportedMediaError: not an image or a video.
        CorruptMediaError: the file cannot be opened as the media it claims to be.
    """
    path = Path(path)
    kind = sniff_kind(path)
    if kind == "image":
        return read_image_metadata(path)
    from analysis.videoprobe import read_video_metadata

    return read_video_metadata(path)

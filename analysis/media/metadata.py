"""Metadata and validation of evidence media before it enters a case.

``read_metadata`` returns a JSON-serialisable dict with stable keys and units in their names;
every time in it is labelled with the clock it comes from ("camera", "gps", "container").
``check_media`` proves a file is usable: images decode fully within a pixel limit (the size
is read from the header first, so a decompression bomb is refused before any decoding), and
videos are demuxed end to end (see ``analysis.media.video_check.check_video``).

Common keys for both kinds: ``kind``, ``file_name``, ``size_bytes``, ``format``,
``suggested_extension``, ``times`` (name -> labelled time, see
``analysis.media.exif.labelled_time``), ``clock_notes`` (sentences comparing two clocks),
``clock_differences`` (``{"clocks": [a, b], "difference_s": a minus b}``)
and ``warnings`` (strings: what could not be decoded).
"""

from __future__ import annotations

import io
import warnings as pywarnings
from pathlib import Path
from typing import Any

from analysis.errors import CorruptMediaError
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.media.check import (
    DEFAULT_MAX_PIXELS,
    PIL_DECODE_ERRORS,
    MediaCheck,
    check_image,
    image_header_size,
)
from analysis.media.clocks import clock_fields, compare_clocks
from analysis.media.exif import (
    decode_camera,
    decode_gps,
    decode_times,
    process_exif,
    read_exif_tags,
)
from analysis.media.kind import (
    MediaKind,
    register_heif,
    sniff_kind,
    suggest_extension,
)


def check_media(
    path: str | Path,
    kind: MediaKind,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    decode_threads: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MediaCheck:
    """Validate a file before import.

    Args:
        path: the file.
        kind: "image" or "video", as found by ``sniff_kind``.
        max_pixels: largest image accepted, in pixels (width x height).
        decode_threads: a video's decoding threads (0: FFmpeg's choice).
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
    from analysis.media.video_check import check_video

    return check_video(path, decode_threads=decode_threads, progress=progress, cancel=cancel)


def _exif_tags_from_pillow(im: Any, warnings: list[str]) -> dict[str, Any]:
    """EXIF of formats exifread does not walk itself (HEIF, PNG eXIf, WebP): via Pillow."""
    raw = im.info.get("exif")
    if not raw:
        return {}
    if raw.startswith(b"Exif\x00\x00"):
        raw = raw[6:]
    return process_exif(io.BytesIO(raw), warnings)


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
    except PIL_DECODE_ERRORS as exc:
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
    from analysis.media.video_metadata import read_video_metadata

    return read_video_metadata(path)

"""Small RGB previews of evidence, shown upright.

Images: EXIF orientation is applied (Pillow's ``ImageOps.exif_transpose``, EXIF 2.32 tag
0x0112); JPEGs are decoded at a reduced DCT scale (``Image.draft``) so a 50-megapixel photo
costs little; the pixel limit of ``check_media`` is enforced from the header first. Videos: a
frame about 10 % into the video is taken, skipping black frames (fades, leaders), and the
display-matrix rotation is applied with FFmpeg's convention (see ``analysis.video.probe``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.errors import CorruptMediaError, MediaTooLargeError
from analysis.media.check import DEFAULT_MAX_PIXELS, image_header_size
from analysis.media.kind import MediaKind, pillow_quiet, register_heif

# A frame is "black" when its mean luma is below this (of 255) and it is nearly flat.
BLACK_MEAN = 24.0
BLACK_STDEV = 12.0
_SEEK_FRACTIONS = (0.10, 0.25, 0.50, 0.75)
_FRAMES_PER_TRY = 90


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def image_thumbnail(
    path: Path, max_side: int = 256, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> np.ndarray:
    """Upright RGB thumbnail of an image whose longer side is at most ``max_side``."""
    from PIL import Image, ImageOps

    width, height = image_header_size(path)
    if width * height > max_pixels:
        raise MediaTooLargeError(f"{path}: {width}x{height} exceeds the pixel limit")
    register_heif()
    try:
        with pillow_quiet(), Image.open(path) as im:
            if im.format == "JPEG":
                im.draft("RGB", (max_side, max_side))
            upright = ImageOps.exif_transpose(im)
            rgb = upright.convert("RGB")
            rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return np.array(rgb, dtype=np.uint8)
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(f"{path}: refused as a decompression bomb ({exc})") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptMediaError(f"{path}: no thumbnail, the image does not decode ({exc})") from exc


def is_black(rgb: np.ndarray) -> bool:
    """True for a dark, flat picture (a fade or a black leader)."""
    luma = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return float(luma.mean()) < BLACK_MEAN and float(luma.std()) < BLACK_STDEV


def _frame_near(container, stream, target_s: float, size: tuple[int, int]):
    """First non-black frame at or after ``target_s``; else the last frame looked at."""
    import av

    from analysis.video.probe import frame_rotation

    time_base = stream.time_base
    offset = int(target_s / time_base) if time_base else 0
    container.seek(max(offset, 0), stream=stream, backward=True, any_frame=False)
    picked = None
    looked = 0
    try:
        for frame in container.decode(stream):
            if frame.time is not None and frame.time < target_s and looked == 0:
                continue  # still before the target, between the keyframe and it
            rgb = frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()
            rotation, _ = frame_rotation(frame)
            picked = (rgb, rotation or 0.0)
            looked += 1
            if not is_black(rgb) or looked >= _FRAMES_PER_TRY:
                break
    except av.FFmpegError as exc:
        if picked is None:
            raise CorruptMediaError(
                f"{container.name}: no thumbnail frame decodes ({exc})"
            ) from exc
    return picked


def video_thumbnail(path: Path, max_side: int = 256) -> np.ndarray:
    """Upright RGB thumbnail from about 10 % into the video, skipping black frames."""
    from analysis.video.probe import ffmpeg_errors, open_video, video_stream

    with open_video(path) as container, ffmpeg_errors(path, "making a thumbnail"):
        stream = video_stream(container, path)
        ctx = stream.codec_context
        if ctx.width <= 0 or ctx.height <= 0:
            raise CorruptMediaError(f"{path}: the video stream has no picture size")
        size = _fit(ctx.width, ctx.height, max_side)
        duration = container.duration / 1_000_000 if container.duration else 0.0
        start = container.start_time / 1_000_000 if container.start_time else 0.0
        picked = None
        for fraction in _SEEK_FRACTIONS:
            found = _frame_near(container, stream, start + fraction * duration, size)
            if found is not None:
                picked = found
                if not is_black(found[0]):
                    break
            if duration <= 0:
                break
    if picked is None:
        raise CorruptMediaError(f"{path}: no video frame decodes for a thumbnail")
    rgb, rotation = picked
    return np.ascontiguousarray(np.rot90(rgb, k=round(rotation / 90.0) % 4))


def make_thumbnail(path: str | Path, kind: MediaKind, max_side: int = 256) -> np.ndarray:
    """Return an upright RGB uint8 thumbnail, longer side at most ``max_side`` pixels.

    Args:
        path: the media file.
        kind: "image" or "video" (from ``sniff_kind``).
        max_side: the longest side of the result in pixels (never upscaled).

    Returns:
        Array of shape (height, width, 3), dtype uint8, as displayed (orientation applied).

    Raises:
        MediaTooLargeError: an image over the pixel limit (refused from its header).
        CorruptMediaError: nothing decodes.
        UnsupportedMediaError: a video file without a video stream.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be positive, got {max_side}")
    path = Path(path)
    if kind == "image":
        return image_thumbnail(path, max_side)
    return video_thumbnail(path, max_side)

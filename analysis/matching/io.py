"""Reading still images for matching: Unicode paths, a pixel limit, typed errors.

OpenCV's ``imread`` cannot open non-ASCII paths on every platform, so the bytes are read by
Python and decoded by ``cv2.imdecode`` (EXIF orientation applied, 8-bit BGR). The image size is
read from the header with Pillow first, so that a decompression bomb is refused before any
pixel is decoded, and so is a file far larger than its pixels need (a JPEG padded to 2 GB made
``imdecode`` fail an assertion after reading it all): neither is read.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from analysis.errors import CorruptMediaError, MediaError, MediaTooLargeError, UnsupportedMediaError

DEFAULT_MAX_PIXELS = 120_000_000
# A file may hold at most this many bytes per pixel plus the headroom (16-bit RGBA is 8, and
# metadata, previews or an appended clip fit in the rest), and never more than the cap, which
# stays well below the 2 GiB that imdecode accepts.
MAX_BYTES_PER_PIXEL = 16
HEADROOM_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024 * 1024


def image_size(source: bytes | BinaryIO, path: Path) -> tuple[int, int]:
    """(width, height) from the image header (of the bytes, or an open binary file), without
    decoding pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            fh = io.BytesIO(source) if isinstance(source, bytes) else source
            with Image.open(fh) as im:
                return int(im.size[0]), int(im.size[1])
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(f"{path}: image is too large to decode safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaError(f"{path}: not an image format the workbench reads") from exc
    except (OSError, ValueError) as exc:
        raise CorruptMediaError(f"{path}: damaged image header ({exc})") from exc


def read_image(path: Path | str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as an 8-bit BGR array.

    Args:
        path: the file (any Unicode path).
        max_pixels: refuse images with more pixels than this.

    Returns:
        (H, W, 3) uint8 BGR array, EXIF orientation applied.

    Raises:
        MediaError: the file cannot be read; UnsupportedMediaError: not an image;
        MediaTooLargeError: over ``max_pixels``, or the file is far larger than its pixels
        need (refused from its header and size, unread); CorruptMediaError: it does not decode.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            w, h = image_size(fh, path)
    except OSError as exc:
        raise MediaError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if w * h > max_pixels:
        raise MediaTooLargeError(
            f"{path}: {w}x{h} pixels is over the limit of {max_pixels:,} pixels"
        )
    limit = min(MAX_FILE_BYTES, HEADROOM_BYTES + MAX_BYTES_PER_PIXEL * w * h)
    if size > limit:
        raise MediaTooLargeError(
            f"{path}: {size:,} bytes is more than a {w}x{h} image can need (limit "
            f"{limit:,} bytes); refused unread"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MediaError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None or img.size == 0:
        raise CorruptMediaError(f"{path}: the image data does not decode")
    return img


def write_image(path: Path | str, image: np.ndarray) -> Path:
    """Write ``image`` (PNG or JPEG by suffix) through a temporary file and ``os.replace``."""
    path = Path(path)
    ext = path.suffix.lower() or ".png"
    ok, buf = cv2.imencode(ext, image)
    if not ok:
        raise UnsupportedMediaError(f"{path}: cannot encode an image with suffix {ext!r}")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buf.tobytes())
    tmp.replace(path)
    return path

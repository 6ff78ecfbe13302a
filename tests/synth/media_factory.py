"""Small media files made on the fly for tests, with known content."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image


def make_jpeg(path: Path, size: tuple[int, int] = (64, 48), colour=(10, 120, 200)) -> Path:
    Image.new("RGB", size, colour).save(path, format="JPEG", quality=90)
    return path


def make_video(
    path: Path,
    frames: int = 24,
    size: tuple[int, int] = (96, 64),
    fps: int = 12,
    fmt: str | None = None,
) -> Path:
    """An H.264 video whose frame n is a flat grey of level 8 * (n % 30)."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for n in range(frames):
            level = (8 * (n % 30)) % 256
            img = np.full((size[1], size[0], 3), level, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_png_bomb_header(path: Path, width: int = 200_000, height: int = 250_000) -> Path:
    """A PNG whose header claims a huge size (the decoder must never be asked to allocate it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def make_crop_zoom_video(
    image_path: Path,
    path: Path,
    *,
    cut_frame: int,
    zoom: float,
    frames: int = 24,
    size: tuple[int, int] = (320, 240),
) -> Path:
    """Two segments of one scene from one position: from ``cut_frame`` on, zoomed ``zoom``x
    about the centre (what a camera zooming in between two takes records)."""
    import cv2

    src = cv2.cvtColor(cv2.imread(str(image_path)), cv2.COLOR_BGR2RGB)
    w, h = size
    big = cv2.resize(src, (2 * w, 2 * h), interpolation=cv2.INTER_AREA)
    cw, ch = round(2 * w / zoom), round(2 * h / zoom)
    x0, y0 = (2 * w - cw) // 2, (2 * h - ch) // 2
    wide = cv2.resize(big, size, interpolation=cv2.INTER_AREA)
    tight = cv2.resize(big[y0 : y0 + ch, x0 : x0 + cw], size, interpolation=cv2.INTER_AREA)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "12"}
        for i in range(frames):
            img = wide if i < cut_frame else tight
            out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(stream.encode(None))
    return path

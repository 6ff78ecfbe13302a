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

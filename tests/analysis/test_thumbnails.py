"""Thumbnails are upright (EXIF orientation, display-matrix rotation) and skip black frames."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from analysis.errors import MediaTooLargeError
from analysis.media.thumbnails import is_black, make_thumbnail

RED, BLUE, GREEN = (220, 20, 20), (20, 20, 220), (20, 200, 20)


def encode_frames(path: Path, frames: list[np.ndarray], *, rotation: float | None = None) -> Path:
    """Encode RGB frames at 10 fps, all keyframes, so the picture at each index is exact."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"g": "1"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv444p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def solid(colour, width=64, height=48) -> np.ndarray:
    return np.tile(np.array(colour, np.uint8), (height, width, 1))


def mean_colour(rgb: np.ndarray) -> np.ndarray:
    return rgb.reshape(-1, 3).mean(axis=0)


def test_exif_orientation_applied(tmp_path):
    """Orientation 6: the stored picture is shown turned 90 degrees clockwise, so its left
    half (red) ends up on top."""
    coded = np.zeros((40, 80, 3), np.uint8)
    coded[:, :40] = RED
    coded[:, 40:] = BLUE
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    Image.fromarray(coded).save(path, exif=exif.tobytes(), quality=95)
    thumb = make_thumbnail(path, "image", max_side=256)
    assert thumb.shape == (80, 40, 3) and thumb.dtype == np.uint8
    assert np.allclose(mean_colour(thumb[5:35]), RED, atol=12)
    assert np.allclose(mean_colour(thumb[45:75]), BLUE, atol=12)


def test_image_max_side_and_aspect(media_data):
    thumb = make_thumbnail(media_data / "photos/gps/HMD_Nokia_8.3_5G.jpg", "image", 128)
    assert thumb.shape[1] == 128  # 4608 x 1976: the width is the longer side
    assert thumb.shape[0] == round(1976 * 128 / 4608)


def test_small_images_are_not_upscaled(tmp_path):
    path = tmp_path / "small.png"
    Image.fromarray(solid(GREEN, 30, 20)).save(path)
    thumb = make_thumbnail(path, "image", max_side=256)
    assert thumb.shape == (20, 30, 3)
    assert tuple(thumb[0, 0]) == GREEN


def test_video_skips_black_frames(tmp_path):
    """10 % of 100 frames is frame 10, black; the first non-black frame after it is green
    (frames 20-39); later frames are blue and must not be chosen."""
    frames = [solid((0, 0, 0))] * 20 + [solid(GREEN)] * 20 + [solid(BLUE)] * 60
    path = encode_frames(tmp_path / "fade.mp4", frames)
    thumb = make_thumbnail(path, "video", max_side=32)
    assert thumb.shape == (24, 32, 3)
    assert np.allclose(mean_colour(thumb), GREEN, atol=8)


def test_video_rotation_applied(tmp_path):
    """Display rotation -90 (FFmpeg: counter-clockwise positive) shows the picture turned
    90 degrees clockwise: the coded top-left block lands at the top-right."""
    coded = solid((128, 128, 128))
    coded[:12, :16] = RED
    path = encode_frames(tmp_path / "rot.mp4", [coded] * 10, rotation=-90.0)
    thumb = make_thumbnail(path, "video", max_side=64)
    assert thumb.shape == (64, 48, 3)
    assert np.allclose(mean_colour(thumb[2:14, -10:-2]), RED, atol=25)
    assert np.allclose(mean_colour(thumb[-14:-2, 2:10]), (128, 128, 128), atol=10)


def test_real_rotated_video_is_portrait(media_data):
    """README: issue-134-rotate.mp4 shown upright is 544 wide and 1280 tall."""
    thumb = make_thumbnail(media_data / "video/issue-134-rotate.mp4", "video", max_side=256)
    assert thumb.shape[0] == 256
    assert thumb.shape[1] == round(544 * 256 / 1280)


def test_real_video_black_leader_skipped(media_data):
    """README: testvideo.mp4 frames 0-29 are black; the thumbnail must not be."""
    thumb = make_thumbnail(media_data / "video/testvideo.mp4", "video", max_side=160)
    assert thumb.shape == (90, 160, 3)
    assert not is_black(thumb)


def test_is_black():
    assert is_black(solid((5, 5, 5)))
    assert not is_black(solid((5, 5, 5)) + np.eye(48, 64, dtype=np.uint8)[..., None] * 250)
    assert not is_black(solid(GREEN))


def test_bomb_refused(tmp_path):
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 99))
    )
    with pytest.raises(MediaTooLargeError):
        make_thumbnail(path, "image")

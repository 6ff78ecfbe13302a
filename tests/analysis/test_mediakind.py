"""Media kind from content: real files, files with lying names, and hostile inputs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from analysis.errors import CorruptMediaError, MediaError, UnsupportedMediaError
from analysis.media.kind import identify_signature, sniff_kind, suggest_extension


def encode_video(
    path: Path, *, fmt: str | None = None, codec: str = "libx264", frames: int = 12
) -> Path:
    """A tiny synthetic video: moving white block on grey, 10 fps."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            rgb = np.full((48, 64, 3), 90, np.uint8)
            rgb[i : i + 8, 10:20] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def encode_audio(path: Path, fmt: str, codec: str) -> Path:
    """One second of a 440 Hz tone, audio only."""
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=44100)
        stream.layout = "mono"
        t = np.arange(44100) / 44100
        samples = (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32)[None, :]
        for start in range(0, 44100, 1152):
            chunk = samples[:, start : start + 1152]
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout="mono"
            )
            frame.sample_rate = 44100
            frame.pts = start
            frame.time_base = Fraction(1, 44100)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@dataclass(frozen=True)
class RealFile:
    relpath: str
    kind: str
    extension: str


REAL_FILES = [
    RealFile("video/counter.mp4", "video", ".mp4"),
    RealFile("video/testvideo.mp4", "video", ".mp4"),
    RealFile("video/issue-134-rotate.mp4", "video", ".mp4"),
    RealFile("video/vtest.avi", "video", ".avi"),
    RealFile("photos/gps/DSCN0010.jpg", "image", ".jpg"),
    RealFile("photos/gps/HMD_Nokia_8.3_5G.jpg", "image", ".jpg"),
    RealFile("satellite/sat_map_00.png", "image", ".png"),
    RealFile("pairs/DSC_0410.JPG", "image", ".jpg"),
]


@pytest.mark.parametrize("case", REAL_FILES, ids=lambda c: c.relpath)
def test_real_files(media_data, case):
    path = media_data / case.relpath
    assert sniff_kind(path) == case.kind
    assert suggest_extension(path, case.kind) == case.extension


def test_drone_clip_is_really_mpeg_ts(media_data):
    """drone-sky.mp4 is an MPEG transport stream inside: 0x47 sync every 188 bytes."""
    path = media_data / "video/drone-sky.mp4"
    head = path.read_bytes()[: 188 * 4]
    assert all(head[i] == 0x47 for i in range(0, len(head), 188))
    assert sniff_kind(path) == "video"
    assert suggest_extension(path, "video") == ".ts"


def test_names_are_ignored(media_data, tmp_path):
    jpeg_named_mp4 = tmp_path / "photo.mp4"
    jpeg_named_mp4.write_bytes((media_data / "photos/gps/DSCN0010.jpg").read_bytes())
    video_named_jpg = tmp_path / "clip.jpg"
    video_named_jpg.write_bytes((media_data / "video/counter.mp4").read_bytes())
    no_extension = tmp_path / "evidence"
    no_extension.write_bytes((media_data / "video/vtest.avi").read_bytes())
    assert (sniff_kind(jpeg_named_mp4), suggest_extension(jpeg_named_mp4, "image")) == (
        "image",
        ".jpg",
    )
    assert (sniff_kind(video_named_jpg), suggest_extension(video_named_jpg, "video")) == (
        "video",
        ".mp4",
    )
    assert (sniff_kind(no_extension), suggest_extension(no_extension, "video")) == ("video", ".avi")


@pytest.mark.parametrize(
    ("fmt", "codec", "extension"),
    [
        ("mp4", "libx264", ".mp4"),
        ("mov", "libx264", ".mov"),
        ("matroska", "libx264", ".mkv"),
        ("webm", "libvpx-vp9", ".webm"),
        ("avi", "mpeg4", ".avi"),
        ("mpegts", "libx264", ".ts"),
    ],
)
def test_synthetic_containers(tmp_path, fmt, codec, extension):
    path = encode_video(tmp_path / "video.bin", fmt=fmt, codec=codec)
    assert sniff_kind(path) == "video"
    assert suggest_extension(path, "video") == extension


@pytest.mark.parametrize(
    ("pil_format", "extension"),
    [("PNG", ".png"), ("GIF", ".gif"), ("WEBP", ".webp"), ("TIFF", ".tif"), ("BMP", ".bmp")],
)
def test_synthetic_images(tmp_path, pil_format, extension):
    path = tmp_path / "picture.dat"
    Image.new("RGB", (20, 10), (10, 200, 30)).save(path, format=pil_format)
    assert sniff_kind(path) == "image"
    assert suggest_extension(path, "image") == extension


def test_heic(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "iphone.jpg"  # a lying name on purpose
    Image.new("RGB", (64, 48), (200, 100, 50)).save(path, format="HEIF")
    assert sniff_kind(path) == "image"
    assert suggest_extension(path, "image") == ".heic"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.jpg", b"Strike reported at 14:05, see attached.\n" * 20, "text file"),
        ("utf8.mp4", "Зв'язок втрачено о 14:05 — ضربة جوية\n".encode() * 30, "text file"),
        ("archive.mp4", _zip_bytes(), "ZIP"),
        ("doc.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("page.png", b"<!DOCTYPE html><html><body>x</body></html>", "HTML"),
    ],
)
def test_non_media_is_unsupported_and_described(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedMediaError) as err:
        sniff_kind(path)
    assert str(path) in str(err.value)
    assert says in str(err.value)


@pytest.mark.parametrize(("fmt", "codec"), [("mp3", "libmp3lame"), ("mp4", "aac")])
def test_audio_only_is_unsupported(tmp_path, fmt, codec):
    path = encode_audio(tmp_path / "call.mp4", fmt, codec)
    with pytest.raises(UnsupportedMediaError) as err:
        sniff_kind(path)
    assert "no video stream" in str(err.value)
    assert f"audio:{'mp3' if fmt == 'mp3' else 'aac'}" in str(err.value)


def test_empty_missing_and_directory(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedMediaError, match="empty"):
        sniff_kind(empty)
    with pytest.raises(MediaError, match="not found"):
        sniff_kind(tmp_path / "missing.mp4")
    with pytest.raises(UnsupportedMediaError, match="directory"):
        sniff_kind(tmp_path)


def test_signature_without_body_is_corrupt(tmp_path):
    jpeg_head_only = tmp_path / "cut.jpg"
    jpeg_head_only.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 10)
    with pytest.raises(CorruptMediaError, match="JPEG"):
        sniff_kind(jpeg_head_only)
    mp4_head_only = tmp_path / "cut.mp4"
    mp4_head_only.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
    with pytest.raises(CorruptMediaError, match="MPEG-4"):
        sniff_kind(mp4_head_only)


def test_identify_signature_table():
    assert identify_signature(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic").extension == (
        ".heic"
    )
    assert identify_signature(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ").extension == ".mov"
    assert identify_signature(b"RIFF\x00\x00\x00\x00WEBPVP8 ").kind == "image"
    assert identify_signature(b"RIFF\x00\x00\x00\x00WAVEfmt ").kind == "audio"
    assert identify_signature(bytes(range(256))).kind == "unknown"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(
        [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x18ftypisom", b"RIFF"]
    ),
    body=st.binary(min_size=0, max_size=600),
)
def test_hostile_bytes_raise_only_typed_errors(tmp_path, prefix, body):
    path = tmp_path / "fuzz.mp4"
    path.write_bytes(prefix + body)
    try:
        kind = sniff_kind(path)
    except MediaError:
        return
    assert kind in ("image", "video")

"""Metadata and import validation against known truth: the real media in tests/data/media
(truth in its README.md) and synthetic files whose every value is chosen here."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from analysis.errors import CorruptMediaError, MediaError, MediaTooLargeError
from analysis.jobs import CancelToken, JobCancelled
from analysis.media.exif import dms_to_degrees, ratio_to_float
from analysis.media.metadata import check_media, read_metadata
from analysis.media.video_metadata import parse_iso6709

R = TiffImagePlugin.IFDRational


def encode_video(
    path: Path,
    *,
    frames: int = 30,
    fmt: str | None = None,
    pts_ms: list[int] | None = None,
    rotation: float | None = None,
    faststart: bool = False,
    tags: dict[str, str] | None = None,
) -> Path:
    """H.264 64x48 at 30 fps (or at the exact ``pts_ms`` given, in a 1/1000 time base)."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format=fmt, options=options) as container:
        container.metadata.update(tags or {})
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        if pts_ms is not None:
            stream.time_base = Fraction(1, 1000)
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(frames):
            rgb = np.full((48, 64, 3), (i * 7) % 256, np.uint8)
            rgb[(i % 40) : (i % 40) + 8, 10:20] = 255
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            if pts_ms is not None:
                frame.pts, frame.time_base = pts_ms[i], Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ----------------------------------------------------------------------------- real photos


@dataclass(frozen=True)
class GpsPhoto:
    name: str
    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    gps_utc_prefix: str  # the README gives GPS time to the minute (Nikon) or second (Nokia)


GPS_PHOTOS = [
    GpsPhoto("DSCN0010.jpg", (43.464, 43.468), (11.879, 11.885 + 1e-3), "2008-10-23T14:27"),
    GpsPhoto("DSCN0012.jpg", (43.464, 43.468), (11.879, 11.886), "2008-10-23T"),
    GpsPhoto("DSCN0025.jpg", (43.464, 43.469), (11.879, 11.886), "2008-10-23T"),
    GpsPhoto("DSCN0038.jpg", (43.464, 43.468), (11.879, 11.886), "2008-10-23T"),
    GpsPhoto(
        "HMD_Nokia_8.3_5G.jpg",
        (60.14671 - 5e-6, 60.14671 + 5e-6),
        (24.90677 - 5e-6, 24.90677 + 5e-6),
        "2022-08-14T11:12:32+00:00",
    ),
]


@pytest.mark.parametrize("case", GPS_PHOTOS, ids=lambda c: c.name)
def test_gps_photos(media_data, case):
    md = read_metadata(media_data / "photos/gps" / case.name)
    json.dumps(md)  # JSON-serialisable as stored in the case
    assert md["kind"] == "image" and md["format"] == "JPEG"
    gps = md["gps"]
    assert case.lat_range[0] <= gps["latitude_deg"] <= case.lat_range[1]
    assert case.lon_range[0] <= gps["longitude_deg"] <= case.lon_range[1]
    assert (gps["latitude_ref"], gps["longitude_ref"]) == ("N", "E")
    assert md["times"]["gps"]["clock"] == "gps"
    assert md["times"]["gps"]["utc"].startswith(case.gps_utc_prefix)
    assert md["times"]["camera_original"]["clock"] == "camera"
    assert md["warnings"] == []


def test_nikon_clocks_disagree_by_about_a_day(media_data):
    """README: camera 2008-10-22 16:28 (no offset) vs GPS 2008-10-23 14:27 UTC."""
    md = read_metadata(media_data / "photos/gps/DSCN0010.jpg")
    camera = md["times"]["camera_original"]
    assert camera["value"].startswith("2008-10-22T16:28")
    assert camera["utc_offset"] is None and camera["utc"] is None
    assert md["camera"]["make"] == "NIKON"
    (difference,) = md["clock_differences"]
    assert difference["clocks"] == ["camera", "gps"]
    readme = datetime(2008, 10, 22, 16, 28) - datetime(2008, 10, 23, 14, 27)
    assert abs(difference["difference_s"] - readme.total_seconds()) < 120
    (note,) = md["clock_notes"]
    assert "DISAGREE" in note and "-21:58" in note


def test_nokia_clocks_agree_with_offset(media_data):
    """README: GPS 11:12:32 UTC, local 14:12:31; the file records +03:00."""
    md = read_metadata(media_data / "photos/gps/HMD_Nokia_8.3_5G.jpg")
    camera = md["times"]["camera_original"]
    assert (camera["value"], camera["utc_offset"]) == ("2022-08-14T14:12:31", "+03:00")
    assert camera["utc"] == "2022-08-14T11:12:31+00:00"
    assert md["clock_differences"][0]["difference_s"] == pytest.approx(-1.0)
    assert "agree" in md["clock_notes"][0]


@pytest.mark.parametrize(
    "name", ["36-memory_error.jpg", "42_IndexError.jpg", "image00971.jpg", "image01088.jpg"]
)
def test_broken_photos_give_partial_metadata(media_data, name):
    path = media_data / "photos/broken" / name
    try:
        md = read_metadata(path)
    except MediaError as exc:  # a clear, typed error naming the file is also acceptable
        assert name in str(exc)
        return
    json.dumps(md)
    with Image.open(path) as im:
        assert (md["width_px"], md["height_px"]) == im.size
    assert isinstance(md["warnings"], list)
    result = check_media(path, "image")
    assert (result.width_px, result.height_px) == (md["width_px"], md["height_px"])


def test_broken_photo_exif_still_read(media_data):
    md = read_metadata(media_data / "photos/broken/36-memory_error.jpg")
    assert md["camera"]["make"] == "CASIO COMPUTER CO.,LTD."
    assert md["camera"]["focal_length_mm"] == 7.5
    assert md["camera"]["focal_length_35mm_source"] == "exif:FocalLengthIn35mmFilm"


# ------------------------------------------------------------------ hand-built EXIF


def _exif_jpeg(path: Path, gps: dict, exif: dict, base: dict, size=(64, 32)) -> Path:
    meta = Image.Exif()
    for tag, value in base.items():
        meta[tag] = value
    gps_ifd = meta.get_ifd(0x8825)
    gps_ifd.update(gps)
    exif_ifd = meta.get_ifd(0x8769)
    exif_ifd.update(exif)
    Image.new("RGB", size, (200, 10, 10)).save(path, exif=meta.tobytes())
    return path


def test_handbuilt_exif_read_back_exactly(tmp_path):
    gps = {
        1: "S",
        2: (R(33, 1), R(51, 1), R(244224, 10000)),  # 33 deg 51' 24.4224" = 33.856784
        3: "E",
        4: (R(151, 1), R(12, 1), R(550692, 10000)),  # 151 deg 12' 55.0692" = 151.215297
        5: b"\x01",  # below sea level
        6: R(25, 2),
        7: (R(23, 1), R(59, 1), R(117, 2)),
        0x10: "T",
        0x11: R(493, 4),
        0x12: "WGS-84",
        0x1D: "2021:06:01",
    }
    exif = {
        0x9003: "2021:06:02 09:59:58",
        0x9011: "+10:00",
        0x920A: R(21, 5),
        0xA002: 640,
        0xA003: 480,
        0xA20E: R(100, 1),  # FocalPlaneXResolution: 100 px/mm -> 6.4 mm sensor width
        0xA20F: R(100, 1),
        0xA210: 4,  # millimetres
    }
    base = {0x010F: "TestMake", 0x0110: "TestModel", 0x0112: 6}
    md = read_metadata(_exif_jpeg(tmp_path / "exif.jpg", gps, exif, base))
    g = md["gps"]
    assert g["latitude_deg"] == pytest.approx(-33.856784, abs=1e-12)
    assert g["longitude_deg"] == pytest.approx(151.215297, abs=1e-12)
    assert (g["altitude_m"], g["altitude_ref"]) == (-12.5, "below_sea_level")
    assert (g["img_direction_deg"], g["img_direction_ref"]) == (123.25, "true")
    assert g["map_datum"] == "WGS-84"
    assert md["times"]["gps"]["utc"] == "2021-06-01T23:59:58.500+00:00"
    assert md["times"]["camera_original"]["utc"] == "2021-06-01T23:59:58+00:00"
    assert md["clock_differences"][0]["difference_s"] == pytest.approx(-0.5)
    cam = md["camera"]
    assert (cam["make"], cam["model"], cam["focal_length_mm"]) == ("TestMake", "TestModel", 4.2)
    # 6.4 x 4.8 mm sensor: diagonal 8 mm; 35 mm diagonal 43.2666 mm; 4.2 * 5.40833 = 22.7
    assert cam["focal_length_35mm"] == pytest.approx(22.7, abs=0.05)
    assert cam["focal_length_35mm_source"].startswith("computed:")
    assert cam["orientation"] == 6
    assert (md["display_width_px"], md["display_height_px"]) == (32, 64)
    assert md["warnings"] == []


def test_gps_zero_denominator_and_missing_ref(tmp_path):
    gps = {2: (R(43, 1), R(28, 1), R(0, 0)), 3: "W", 4: (R(11, 1), R(30, 1), R(0, 1))}
    md = read_metadata(_exif_jpeg(tmp_path / "zero.jpg", gps, {}, {}))
    assert md["gps"]["latitude_deg"] is None
    assert md["gps"]["longitude_deg"] == pytest.approx(-11.5)
    assert any("GPSLatitude" in w and "zero denominator" in w for w in md["warnings"])


def test_gps_without_ref_is_flagged(tmp_path):
    gps = {2: (R(10, 1), R(30, 1), R(0, 1))}
    md = read_metadata(_exif_jpeg(tmp_path / "noref.jpg", gps, {}, {}))
    assert md["gps"]["latitude_deg"] == pytest.approx(10.5)
    assert any("GPSLatitudeRef is missing" in w for w in md["warnings"])


def test_malformed_times_are_warnings(tmp_path):
    exif = {0x9003: "0000:00:00 00:00:00", 0x9011: "garbage"}
    gps = {7: (R(25, 1), R(0, 1), R(0, 1)), 0x1D: "2021:02:30"}
    md = read_metadata(_exif_jpeg(tmp_path / "times.jpg", gps, exif, {}))
    assert md["times"]["camera_original"]["value"] is None
    assert md["times"]["camera_original"]["raw"] == "0000:00:00 00:00:00"
    assert md["times"]["gps"]["value"] is None
    assert md["clock_notes"] == []
    assert len(md["warnings"]) >= 2


def test_garbage_exif_offsets_give_partial_metadata(tmp_path):
    """An APP1 Exif block whose IFD offset points far past the data."""
    plain = tmp_path / "plain.jpg"
    Image.new("RGB", (40, 30), (1, 2, 3)).save(plain)
    jpg = plain.read_bytes()
    app1 = b"Exif\x00\x00II*\x00" + struct.pack("<I", 0xFFFFFF00)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(jpg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpg[2:])
    md = read_metadata(bad)
    assert (md["width_px"], md["height_px"]) == (40, 30)
    assert md["warnings"] and "EXIF" in md["warnings"][0]
    assert check_media(bad, "image").width_px == 40


def test_dms_and_ratio_decoding():
    assert dms_to_degrees([R(60, 1), R(8, 1), R(2407, 50)]) == pytest.approx(60.1467055556)
    assert dms_to_degrees([R(4346, 100)]) == pytest.approx(43.46)  # decimal degrees only
    assert dms_to_degrees([R(43, 1), R(2790, 100)]) == pytest.approx(43.465)  # deg + dec. min
    assert dms_to_degrees([]) is None
    assert ratio_to_float(R(1, 0)) is None
    assert ratio_to_float(7) == 7.0


# ----------------------------------------------------------------------------- HEIC


def test_heic_with_gps(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    meta = Image.Exif()
    meta[0x010F] = "Apple"
    meta.get_ifd(0x8825).update({1: "N", 2: (R(48, 1), R(51, 1), R(2952, 100)), 3: "W"})
    meta.get_ifd(0x8825)[4] = (R(2, 1), R(17, 1), R(4020, 100))
    path = tmp_path / "IMG_0001.HEIC"
    Image.new("RGB", (96, 64), (30, 60, 90)).save(path, format="HEIF", exif=meta.tobytes())
    md = read_metadata(path)
    assert (md["format"], md["suggested_extension"]) == ("HEIF", ".heic")
    assert (md["width_px"], md["height_px"]) == (96, 64)
    assert md["camera"]["make"] == "Apple"
    assert md["gps"]["latitude_deg"] == pytest.approx(48 + 51 / 60 + 29.52 / 3600, abs=1e-12)
    assert md["gps"]["longitude_deg"] == pytest.approx(-(2 + 17 / 60 + 40.2 / 3600), abs=1e-12)
    assert check_media(path, "image").width_px == 96


# --------------------------------------------------------------------- image validation


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_bomb_refused_from_header(tmp_path):
    ihdr = struct.pack(">IIBBBBB", 200_000, 250_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10_000)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
    started = time.perf_counter()
    with pytest.raises(MediaTooLargeError, match="200000x250000") as err:
        check_media(bomb, "image")
    assert time.perf_counter() - started < 1.0
    assert "bomb.png" in str(err.value)
    md = read_metadata(bomb)  # metadata comes from the header, nothing is decoded
    assert (md["width_px"], md["height_px"]) == (200_000, 250_000)


def test_pixel_limit_is_a_parameter(media_data):
    path = media_data / "photos/gps/DSCN0010.jpg"  # 640 x 480 = 307200 px
    assert check_media(path, "image", max_pixels=307_200).width_px == 640
    with pytest.raises(MediaTooLargeError):
        check_media(path, "image", max_pixels=307_199)


def test_truncated_jpeg_is_corrupt_but_metadata_survives(media_data, tmp_path):
    data = (media_data / "photos/gps/DSCN0010.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) * 6 // 10])
    with pytest.raises(CorruptMediaError, match="cut.jpg"):
        check_media(cut, "image")
    assert read_metadata(cut)["gps"]["latitude_ref"] == "N"


# ------------------------------------------------------------------------- real videos


@dataclass(frozen=True)
class VideoTruth:
    name: str
    size: tuple[int, int]
    frames: int
    rate: str
    rotation_deg: float
    display: tuple[int, int]


VIDEOS = [
    VideoTruth("counter.mp4", (1920, 1080), 30, "10/1", 0.0, (1920, 1080)),
    VideoTruth("testvideo.mp4", (1280, 720), 720, "30000/1001", 0.0, (1280, 720)),
    VideoTruth("issue-134-rotate.mp4", (1280, 544), 240, "24000/1001", -90.0, (544, 1280)),
    VideoTruth("vtest.avi", (768, 576), 295, "10/1", 0.0, (768, 576)),  # trimmed copy
    VideoTruth("drone-sky.mp4", (640, 360), 167, "30/1", 0.0, (640, 360)),  # trimmed copy
]


@pytest.mark.parametrize("truth", VIDEOS, ids=lambda t: t.name)
def test_real_videos(media_data, truth):
    path = media_data / "video" / truth.name
    md = read_metadata(path)
    json.dumps(md)
    video = md["streams"][md["video_stream_index"]]
    assert (video["width_px"], video["height_px"]) == truth.size
    assert video["real_frame_rate"]["ratio"] == truth.rate
    assert video["rotation_deg"] == truth.rotation_deg
    assert (video["display_width_px"], video["display_height_px"]) == truth.display
    assert video["frame_rate_mode"]["is_vfr"] is False
    assert video["frame_count"] in (truth.frames, None)  # MPEG-TS has no frame count
    result = check_media(path, "video")
    assert result.frame_count == truth.frames


def test_container_creation_time_is_labelled(media_data):
    md = read_metadata(media_data / "video/testvideo.mp4")
    created = md["times"]["container_creation"]
    assert created["clock"] == "container" and "re-encode" in created["note"]
    assert created["utc"] == "2013-10-20T05:38:05+00:00"


# -------------------------------------------------------------------- synthetic videos


def test_vfr_detected_from_uneven_pts(tmp_path):
    pts = [i * 33 for i in range(20)] + [660 + i * 100 for i in range(20)]
    # Matroska keeps the 1/1000 time base, so the pts read back are exactly those written.
    md = read_metadata(encode_video(tmp_path / "vfr.mkv", frames=40, pts_ms=pts, fmt="matroska"))
    mode = md["streams"][0]["frame_rate_mode"]
    assert mode["is_vfr"] is True
    assert mode["pts_delta_min_s"] == pytest.approx(0.033)
    assert mode["pts_delta_max_s"] == pytest.approx(0.100)


def test_cfr_has_constant_deltas(tmp_path):
    md = read_metadata(encode_video(tmp_path / "cfr.mp4", frames=40))
    mode = md["streams"][0]["frame_rate_mode"]
    assert mode["is_vfr"] is False
    assert mode["pts_delta_median_s"] == pytest.approx(1 / 30)
    assert mode["packets_examined"] == 40


def test_rotation_location_and_tags(tmp_path):
    tags = {
        "location": "+48.8584+002.2945+035.000/",
        "creation_time": "2020-01-02T03:04:05.000000Z",
    }
    md = read_metadata(encode_video(tmp_path / "r.mov", fmt="mov", rotation=90.0, tags=tags))
    video = md["streams"][0]
    assert (video["rotation_deg"], video["rotation_source"]) == (90.0, "display_matrix")
    assert (video["display_width_px"], video["display_height_px"]) == (48, 64)
    assert md["location"]["latitude_deg"] == pytest.approx(48.8584)
    assert md["location"]["longitude_deg"] == pytest.approx(2.2945)
    assert md["location"]["altitude_m"] == pytest.approx(35.0)
    assert md["times"]["container_creation"]["utc"] == "2020-01-02T03:04:05+00:00"


def test_iso6709_forms():
    assert parse_iso6709("+60.1467+024.9068/")["longitude_deg"] == pytest.approx(24.9068)
    ddmm = parse_iso6709("-3351.4070+15112.9178/")
    assert ddmm["latitude_deg"] == pytest.approx(-(33 + 51.4070 / 60))
    dms = parse_iso6709("+403045.5-0740012.0+10.5/")
    assert dms["latitude_deg"] == pytest.approx(40 + 30 / 60 + 45.5 / 3600)
    assert dms["longitude_deg"] == pytest.approx(-(74 + 0 / 60 + 12 / 3600))
    assert parse_iso6709("somewhere") is None
    assert parse_iso6709("+95.0+010.0/") is None


@pytest.mark.parametrize(
    ("fmt", "faststart", "fraction"),
    [
        ("mp4", False, 0.5),  # index (moov) lost
        ("mp4", False, 0.99),  # only the tail of the index lost
        ("mp4", True, 0.5),  # index intact, media data cut
        ("mp4", True, 0.9),
        ("matroska", False, 0.5),
        ("avi", False, 0.5),
    ],
)
def test_truncated_video_is_corrupt(tmp_path, fmt, faststart, fraction):
    whole = encode_video(tmp_path / "whole.bin", frames=60, fmt=fmt, faststart=faststart)
    assert check_media(whole, "video").frame_count == 60
    data = whole.read_bytes()
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CorruptMediaError) as err:
        check_media(cut, "video")
    message = str(err.value)
    assert "cut.bin" in message
    assert "truncated" in message or "does not decode" in message or "cannot be opened" in message


def test_truncated_faststart_says_where_it_stopped(tmp_path):
    whole = encode_video(tmp_path / "fs.mp4", frames=60, faststart=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.9)])
    with pytest.raises(CorruptMediaError, match=r"top-level box 'mdat'.*declares"):
        check_media(cut, "video")


PEAK_CHECK_THREADS = """
import json, os, sys
from analysis.media.metadata import check_media
def peak(threads):
    before, counts = len(os.listdir("/proc/self/task")), []
    check_media(sys.argv[1], "video", decode_threads=threads,
                progress=lambda _f, _m: counts.append(len(os.listdir("/proc/self/task"))))
    return max(counts) - before
print(json.dumps({t: peak(t) for t in (1, 0)}))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads under /proc")
def test_check_with_one_decoding_thread_starts_no_threads(media_data):
    """The archive's workers check with one thread each (a worker is one core); the threads
    are counted in a fresh process, where no other test's thread can come or go."""
    path = media_data / "video/testvideo.mp4"
    done = subprocess.run([sys.executable, "-c", PEAK_CHECK_THREADS, str(path)],
                          capture_output=True, text=True, check=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    peaks = {int(k): v for k, v in json.loads(done.stdout).items()}
    assert peaks[1] == 0
    if (os.cpu_count() or 1) > 1:  # the control: FFmpeg's own choice starts decoding threads
        assert peaks[0] > 0


def test_check_reports_progress_and_honours_cancel(media_data):
    path = media_data / "video/vtest.avi"
    seen: list[float] = []
    check_media(path, "video", progress=lambda f, _msg: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        check_media(path, "video", cancel=token)


def _noise_mkv(path: Path, frames: int = 30) -> tuple[Path, int, int]:
    """Random-noise frames at 10 fps in Matroska; returns (path, last packet pos, size)."""
    rng = np.random.default_rng(7)
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(frames):
            rgb = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with av.open(str(path)) as container:
        last = max((p for p in container.demux() if p.size), key=lambda p: p.pos)
        return path, last.pos, last.size


def test_damaged_last_block_is_caught(tmp_path):
    """A Matroska block whose header is wiped is skipped by the demuxer: the stream then
    stops a frame (0.1 s) before the end its header announces."""
    path, pos, size = _noise_mkv(tmp_path / "clip.mkv")
    assert check_media(path, "video").frame_count == 30
    data = bytearray(path.read_bytes())
    data[pos : pos + size] = b"\x00" * size
    damaged = tmp_path / "damaged.mkv"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CorruptMediaError, match=r"announces .* 3\.000 s .* stop at 2\.900 s"):
        check_media(damaged, "video")


def test_undecodable_last_frame_is_caught(tmp_path):
    path, pos, size = _noise_mkv(tmp_path / "clip.mkv")
    data = bytearray(path.read_bytes())
    data[pos + 4 : pos + size] = np.random.default_rng(1).bytes(size - 4)
    damaged = tmp_path / "garbled.mkv"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CorruptMediaError, match="last frames do not decode"):
        check_media(damaged, "video")


@pytest.mark.parametrize("name", ["testvideo.mp4", "drone-sky.mp4"])
def test_tail_found_by_seeking_when_too_big_to_keep(media_data, monkeypatch, name):
    """A last group of pictures over TAIL_MAX_BYTES is found again by seeking (MPEG-TS seeks
    are approximate, hence drone-sky.mp4)."""
    import analysis.media.video_check as videocheck

    monkeypatch.setattr(videocheck, "TAIL_MAX_BYTES", 1)
    expected = {"testvideo.mp4": 720, "drone-sky.mp4": 167}[name]
    assert check_media(media_data / "video" / name, "video").frame_count == expected


def test_out_of_range_times_do_not_crash(tmp_path):
    """Found by fuzzing: hours past 24 in GPSTimeStamp, and a year-9999 camera time whose
    UTC instant would overflow."""
    exif = {0x9003: "9999:12:31 23:59:59", 0x9011: "-05:00", 0x9291: "5"}
    gps = {7: (R(99, 1), R(0, 1), R(0, 1)), 0x1D: "9999:12:31"}
    md = read_metadata(_exif_jpeg(tmp_path / "far.jpg", gps, exif, {}))
    assert md["times"]["camera_original"]["value"] == "9999-12-31T23:59:59.500"
    assert md["times"]["camera_original"]["utc"] is None
    assert md["times"]["gps"]["value"] is None
    assert any("GPS date/time" in w for w in md["warnings"])

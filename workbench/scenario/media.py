"""Writing the scenario's media: H.264/AAC MP4 videos (PyAV) and JPEG photos with EXIF (Pillow).

Videos: libx264, yuv420p, constant frame rate, a fixed thread count so that the encoded bytes
do not depend on the machine's core count; a constant rate factor around 26 gives the mild
blocking and ringing of phone footage. On processors with AVX-512, x264's AVX-512 routines
(x264 core 164 in PyAV 16-18's wheels) give different bytes for the same pictures from one
encode to the next, so the same seed gave different frames; the encoder is then told to use
the AVX2 routines (`x264_params`). Audio: AAC-LC, mono. Each file is written to a
temporary name and moved into place with ``os.replace``.

Photos: EXIF written with Pillow's ``Image.Exif`` API: Make/Model, DateTimeOriginal in local
time with OffsetTimeOriginal, FocalLength and FocalLengthIn35mmFilm, and a GPS IFD (WGS-84
latitude/longitude as degrees/minutes/seconds rationals, altitude, UTC date and time stamp,
image direction).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ExifTags, Image, TiffImagePlugin

from analysis.jobs import CancelToken, check

SECONDS_DENOMINATOR = 10000  # GPS seconds are written as n / 10000 (about 3 mm)
AUDIO_CHUNK = 1024

# x264's CPU flags (x264.h, X264_CPU_*): MMX to AVX2 without AMD's XOP and FMA4, plus
# CACHELINE_64; every processor with AVX-512 has all of these.
_X264_AVX2_LEVEL = 0x0000_F3FF | 0x0004_0000
_CV_CPU_AVX_512F = 13  # cv::CPU_AVX_512F in OpenCV's core/cvdef.h


def x264_params() -> str | None:
    """The ``x264-params`` that keep the encoder deterministic on this processor, or None."""
    import cv2  # lazy, as av below

    if cv2.checkHardwareSupport(_CV_CPU_AVX_512F):
        return f"asm={_X264_AVX2_LEVEL}"
    return None


@dataclass(frozen=True)
class ExifRecord:
    """The EXIF values written into a photo, as a reader should find them."""

    make: str
    model: str
    datetime_original_local: str  # "YYYY:MM:DD HH:MM:SS"
    offset_time_original: str  # "+03:00"
    focal_length_mm: float
    focal_length_35mm: int
    gps_latitude_deg: float  # the value the DMS rationals encode (to float precision)
    gps_longitude_deg: float
    gps_latitude_dms: tuple[tuple[int, int], ...]  # (num, den) of degrees, minutes, seconds
    gps_longitude_dms: tuple[tuple[int, int], ...]
    gps_altitude_m: float
    gps_datestamp: str  # "YYYY:MM:DD", UTC
    gps_timestamp_utc: str  # "HH:MM:SS", UTC
    gps_img_direction_deg: float


def _dms(value_deg: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Degrees to (deg, min, sec) as integer ratios; seconds on a 1/10000 grid."""
    total = round(abs(value_deg) * 3600 * SECONDS_DENOMINATOR)
    deg, rem = divmod(total, 3600 * SECONDS_DENOMINATOR)
    minutes, sec_num = divmod(rem, 60 * SECONDS_DENOMINATOR)
    return (deg, 1), (minutes, 1), (sec_num, SECONDS_DENOMINATOR)


def dms_value(value_deg: float) -> float:
    """The signed decimal degrees that ``_dms`` encodes exactly."""
    (d, _), (m, _), (s, den) = _dms(value_deg)
    return math.copysign(d + m / 60.0 + s / den / 3600.0, value_deg)


def make_exif_record(
    *,
    make: str,
    model: str,
    taken_utc: datetime,
    utc_offset_h: int,
    focal_length_mm: float,
    focal_length_35mm: int,
    lat_deg: float,
    lon_deg: float,
    altitude_m: float,
    direction_deg: float,
) -> ExifRecord:
    """The EXIF values for a photo, rounded as they will be stored."""
    local = taken_utc.astimezone(timezone(timedelta(hours=utc_offset_h)))
    utc = taken_utc.astimezone(UTC)
    return ExifRecord(
        make=make,
        model=model,
        datetime_original_local=local.strftime("%Y:%m:%d %H:%M:%S"),
        offset_time_original=f"{utc_offset_h:+03d}:00",
        focal_length_mm=round(focal_length_mm * 100) / 100,
        focal_length_35mm=int(focal_length_35mm),
        gps_latitude_deg=dms_value(lat_deg),
        gps_longitude_deg=dms_value(lon_deg),
        gps_latitude_dms=_dms(lat_deg),
        gps_longitude_dms=_dms(lon_deg),
        gps_altitude_m=round(altitude_m * 100) / 100,
        gps_datestamp=utc.strftime("%Y:%m:%d"),
        gps_timestamp_utc=utc.strftime("%H:%M:%S"),
        gps_img_direction_deg=round((direction_deg % 360.0) * 100) / 100,
    )


def write_jpeg(path: Path, rgb: np.ndarray, record: ExifRecord, quality: int = 88) -> None:
    """Write an RGB image as JPEG with the EXIF of ``record``."""
    rat = TiffImagePlugin.IFDRational
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = record.make
    exif[ExifTags.Base.Model] = record.model
    exif[ExifTags.Base.Software] = "geoworkbench scenario generator"
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    ifd[ExifTags.Base.DateTimeOriginal] = record.datetime_original_local
    ifd[ExifTags.Base.OffsetTimeOriginal] = record.offset_time_original
    ifd[ExifTags.Base.FocalLength] = rat(round(record.focal_length_mm * 100), 100)
    ifd[ExifTags.Base.FocalLengthIn35mmFilm] = record.focal_length_35mm
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if record.gps_latitude_deg >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = tuple(rat(*r) for r in _dms(record.gps_latitude_deg))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if record.gps_longitude_deg >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = tuple(rat(*r) for r in _dms(record.gps_longitude_deg))
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = rat(round(record.gps_altitude_m * 100), 100)
    h, m, s = (int(v) for v in record.gps_timestamp_utc.split(":"))
    gps[ExifTags.GPS.GPSTimeStamp] = (rat(h, 1), rat(m, 1), rat(s, 1))
    gps[ExifTags.GPS.GPSDateStamp] = record.gps_datestamp
    gps[ExifTags.GPS.GPSImgDirectionRef] = "T"
    gps[ExifTags.GPS.GPSImgDirection] = rat(round(record.gps_img_direction_deg * 100), 100)
    tmp = path.with_name(path.name + ".part")
    Image.fromarray(rgb).save(tmp, "JPEG", quality=quality, exif=exif)
    os.replace(tmp, path)


def write_mp4(
    path: Path,
    frames: Iterable[np.ndarray],
    *,
    fps: Fraction,
    size: tuple[int, int],
    audio: np.ndarray | None,
    sample_rate: int,
    crf: int = 26,
    preset: str = "veryfast",
    on_frame: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Encode RGB frames (and mono float audio in [-1, 1]) into an H.264/AAC MP4.

    Returns:
        The number of video frames written.
    """
    import av  # lazy: keeps CLI start-up fast

    tmp = path.with_name(path.name + ".part")
    written = 0
    with av.open(str(tmp), "w", format="mp4") as container:
        vstream = container.add_stream("libx264", rate=fps)
        vstream.width, vstream.height = size
        vstream.pix_fmt = "yuv420p"
        vstream.codec_context.thread_count = 2
        options = {"crf": str(crf), "preset": preset, "g": str(int(2 * fps))}
        if (params := x264_params()) is not None:
            options["x264-params"] = params
        vstream.options = options
        astream = None
        if audio is not None:
            astream = container.add_stream("aac", rate=sample_rate, layout="mono")
            astream.bit_rate = 128000
        sent = 0
        for frame in frames:
            check(cancel)
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            vf.pts = written
            container.mux(vstream.encode(vf))
            written += 1
            if astream is not None and audio is not None:
                upto = min(len(audio), int(round(written / fps * sample_rate)))
                sent = _send_audio(container, astream, audio, sent, upto, sample_rate)
            if on_frame is not None:
                on_frame(written)
        container.mux(vstream.encode(None))
        if astream is not None and audio is not None:
            _send_audio(container, astream, audio, sent, len(audio), sample_rate)
            container.mux(astream.encode(None))
    os.replace(tmp, path)
    return written


def _send_audio(
    container: Any,
    astream: Any,
    audio: np.ndarray,
    sent: int,
    upto: int,
    sample_rate: int,
) -> int:
    import av

    while upto - sent >= AUDIO_CHUNK or (upto == len(audio) and sent < upto):
        n = min(AUDIO_CHUNK, upto - sent)
        chunk = np.ascontiguousarray(audio[sent : sent + n], dtype=np.float32)[None, :]
        af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        af.sample_rate = sample_rate
        af.pts = sent
        af.time_base = Fraction(1, sample_rate)
        container.mux(astream.encode(af))
        sent += n
    return sent

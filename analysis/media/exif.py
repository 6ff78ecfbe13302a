"""Decode EXIF (camera, lens, times, GPS) into plain, labelled values.

Tags are read with exifread (``details=False``: maker notes are skipped). Tag meanings follow
the EXIF 2.32 specification (CIPA DC-008): GPS latitude/longitude are three rationals
(degrees, minutes, seconds) plus a reference letter (N/S, E/W); GPSAltitudeRef 0 is above and
1 below sea level; GPSImgDirectionRef "T" is true north and "M" magnetic north; GPSTimeStamp
is UTC; DateTimeOriginal is the camera's clock, whose UTC offset is only known when
OffsetTimeOriginal (EXIF 2.31) is present. Nothing here guesses: a value that cannot be
decoded becomes ``None`` and a line in ``warnings``.
"""

from __future__ import annotations

import logging
import math
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

# Exceptions exifread is known to let escape on malformed files (bad offsets, short reads,
# odd counts). Anything else is a bug and should surface.
EXIF_PARSER_ERRORS = (
    AssertionError,  # exifread's HEIC reader validates boxes with assert
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    struct.error,
    OverflowError,
    ZeroDivisionError,
    MemoryError,
    RecursionError,
    UnicodeError,
    EOFError,
    OSError,
)

# Diagonal of the 36 x 24 mm film frame, for the 35 mm equivalent focal length (CIPA DC-004).
FILM_35MM_DIAGONAL_MM = math.hypot(36.0, 24.0)
# FocalPlaneResolutionUnit: 2 inch, 3 centimetre, 4 millimetre, 5 micrometre.
_UNIT_MM = {1: 25.4, 2: 25.4, 3: 10.0, 4: 1.0, 5: 0.001}
_EXIF_DATETIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$")
_UTC_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_ORIENTATIONS = {
    1: "normal",
    2: "mirrored horizontally",
    3: "rotated 180",
    4: "mirrored vertically",
    5: "mirrored horizontally, rotated 270 CW",
    6: "rotated 90 CW",
    7: "mirrored horizontally, rotated 90 CW",
    8: "rotated 270 CW",
}


class _ExifreadLogCapture(logging.Handler):
    """Collects what exifread logs about a file ("Possibly corrupted field ...")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"exifread: {record.getMessage()}"
        if text not in self.messages:
            self.messages.append(text)


@contextmanager
def exifread_messages(warnings: list[str]) -> Iterator[None]:
    """Route exifread's log lines into ``warnings`` (the evidence record) for the block."""
    logger = logging.getLogger("exifread")
    capture = _ExifreadLogCapture()
    logger.addHandler(capture)
    try:
        yield
    finally:
        logger.removeHandler(capture)
        warnings.extend(m for m in capture.messages if m not in warnings)


def process_exif(fh: BinaryIO, warnings: list[str]) -> dict[str, Any]:
    """exifread on an open stream; parser failures become a warning and an empty result."""
    import exifread

    try:
        with exifread_messages(warnings):
            return dict(exifread.process_file(fh, details=False, extract_thumbnail=False))
    except EXIF_PARSER_ERRORS as exc:
        warnings.append(f"EXIF could not be parsed ({type(exc).__name__}: {exc}); ignored")
        return {}


def read_exif_tags(path: Path, warnings: list[str]) -> dict[str, Any]:
    """Run exifread on the file at ``path`` (JPEG, TIFF); see ``process_exif``."""
    with open(path, "rb") as fh:
        return process_exif(fh, warnings)


def labelled_time(
    when: datetime | None,
    clock: str,
    utc_offset: str | None,
    raw: str,
    source_tags: list[str],
) -> dict[str, Any]:
    """A time as this project reports it, with the clock it was read from.

    ``value`` is the clock's reading as written (ISO 8601, no offset); ``utc_offset`` is
    "+HH:MM" when the source records it, else None; ``utc`` is the UTC instant when the
    offset is known, else None. ``raw`` is the text as stored in the file.
    """
    label: dict[str, Any] = {"value": None, "clock": clock, "utc_offset": utc_offset}
    label.update({"utc": None, "raw": raw, "source_tags": list(source_tags)})
    if when is None:
        return label
    spec = "seconds" if when.microsecond == 0 else "milliseconds"
    label["value"] = when.isoformat(timespec=spec)
    if utc_offset is not None:
        aware = datetime.fromisoformat(label["value"] + utc_offset)
        try:
            label["utc"] = aware.astimezone(UTC).isoformat(timespec=spec)
        except OverflowError:  # year 1 or 9999 shifted out of range: no UTC instant
            label["utc"] = None
    return label


def _values(tags: dict[str, Any], name: str) -> list[Any] | None:
    tag = tags.get(name)
    if tag is None:
        return None
    values = getattr(tag, "values", None)
    if isinstance(values, (list, tuple)):
        return list(values)
    return [values] if values is not None else None


def _text(tags: dict[str, Any], name: str) -> str | None:
    tag = tags.get(name)
    if tag is None:
        return None
    values = getattr(tag, "values", tag)
    if isinstance(values, bytes):
        values = values.decode("utf-8", "replace")
    if not isinstance(values, str):
        return None
    cleaned = values.replace("\x00", "").strip()
    return cleaned or None


def ratio_to_float(value: Any) -> float | None:
    """An EXIF RATIONAL (or integer) as float; None for a zero denominator or garbage."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    num = getattr(value, "numerator", None)
    den = getattr(value, "denominator", None)
    if not isinstance(num, int) or not isinstance(den, int) or den == 0:
        return None
    return num / den


def _number(tags: dict[str, Any], name: str) -> float | None:
    values = _values(tags, name)
    if not values:
        return None
    return ratio_to_float(values[0])


def dms_to_degrees(parts: list[Any]) -> float | None:
    """Degrees, minutes, seconds rationals to unsigned decimal degrees.

    One or two parts are accepted (some writers store decimal degrees, or degrees and decimal
    minutes); a zero denominator in any part given makes the whole value unknown (None).
    """
    if not parts or len(parts) > 3:
        return None
    decoded = [ratio_to_float(p) for p in parts]
    if any(d is None or d < 0 for d in decoded):
        return None
    return sum(d / 60.0**i for i, d in enumerate(decoded))  # type: ignore[operator]


def _signed_coordinate(
    tags: dict[str, Any], axis: str, warnings: list[str]
) -> tuple[float | None, str | None]:
    """Latitude or longitude with its sign from the reference letter."""
    limit, negative = (90.0, "S") if axis == "Latitude" else (180.0, "W")
    parts = _values(tags, f"GPS GPS{axis}")
    if parts is None:
        return None, None
    degrees = dms_to_degrees(parts)
    ref = (_text(tags, f"GPS GPS{axis}Ref") or "").upper()[:1] or None
    if degrees is None:
        warnings.append(f"GPS{axis} {parts} cannot be decoded (zero denominator or bad parts)")
        return None, ref
    if degrees > limit:
        warnings.append(f"GPS{axis} {degrees} is out of range; ignored")
        return None, ref
    if ref is None:
        warnings.append(f"GPS{axis}Ref is missing: sign unknown, value given as positive")
    elif ref not in ("N", "S", "E", "W"):
        warnings.append(f"GPS{axis}Ref {ref!r} is not a valid reference letter")
    return (-degrees if ref == negative else degrees), ref


def _gps_time_utc(tags: dict[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    date_raw = _text(tags, "GPS GPSDate")
    time_parts = _values(tags, "GPS GPSTimeStamp")
    if date_raw is None and time_parts is None:
        return None
    raw = f"{date_raw} {time_parts}"
    match = re.match(r"^(\d{4}):(\d{2}):(\d{2})$", date_raw or "")
    hms = [ratio_to_float(p) for p in (time_parts or [])]
    sources = ["GPSDateStamp", "GPSTimeStamp"]
    if (
        match is None
        or len(hms) != 3
        or any(v is None for v in hms)
        or not (0 <= hms[0] < 24 and 0 <= hms[1] < 60 and 0 <= hms[2] < 61)  # type: ignore[operator]
    ):
        warnings.append(f"GPS date/time {raw!r} is incomplete or malformed")
        return labelled_time(None, "gps", "+00:00", raw, sources)
    try:
        day = datetime(*map(int, match.groups()))
        when = day + timedelta(hours=hms[0], minutes=hms[1], seconds=hms[2])  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        warnings.append(f"GPS date {date_raw!r} is not a valid date")
        return labelled_time(None, "gps", "+00:00", raw, sources)
    return labelled_time(when, "gps", "+00:00", raw, sources)


def decode_gps(tags: dict[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    """The GPS IFD as signed decimal degrees, metres and references; None if absent."""
    if not any(name.startswith("GPS ") for name in tags):
        return None
    lat, lat_ref = _signed_coordinate(tags, "Latitude", warnings)
    lon, lon_ref = _signed_coordinate(tags, "Longitude", warnings)
    altitude = _number(tags, "GPS GPSAltitude")
    alt_ref_values = _values(tags, "GPS GPSAltitudeRef")
    alt_ref_code = alt_ref_values[0] if alt_ref_values else None
    alt_ref = {0: "above_sea_level", 1: "below_sea_level"}.get(alt_ref_code)  # type: ignore[arg-type]
    if altitude is not None and alt_ref == "below_sea_level":
        altitude = -altitude
    direction = _number(tags, "GPS GPSImgDirection")
    dir_ref_code = (_text(tags, "GPS GPSImgDirectionRef") or "").upper()[:1]
    dir_ref = {"T": "true", "M": "magnetic"}.get(dir_ref_code)
    if direction is not None and dir_ref is None:
        warnings.append("GPSImgDirection has no valid reference (true or magnetic north)")
    return {
        "latitude_deg": lat,
        "latitude_ref": lat_ref,
        "longitude_deg": lon,
        "longitude_ref": lon_ref,
        "altitude_m": altitude,
        "altitude_ref": alt_ref,
        "img_direction_deg": direction,
        "img_direction_ref": dir_ref,
        "horizontal_error_m": _number(tags, "GPS GPSHPositioningError"),
        "map_datum": _text(tags, "GPS GPSMapDatum"),
        "time": _gps_time_utc(tags, warnings),
    }


def _camera_time(
    tags: dict[str, Any], name: str, offset_name: str, subsec_name: str, warnings: list[str]
) -> dict[str, Any] | None:
    """A camera-clock time with its UTC offset when the file records one."""
    raw = _text(tags, name)
    if raw is None:
        return None
    sources = [name.split(" ", 1)[1]]
    match = _EXIF_DATETIME.match(raw)
    try:
        when = datetime(*map(int, match.groups())) if match else None
    except ValueError:
        when = None
    if when is None:
        warnings.append(f"{name} {raw!r} is not a valid EXIF date/time")
        return labelled_time(None, "camera", None, raw, sources)
    subsec = _text(tags, subsec_name)
    if subsec and subsec.isdigit():
        try:
            when += timedelta(seconds=float(f"0.{subsec}"))
            sources.append(subsec_name.split(" ", 1)[1])
        except OverflowError:
            warnings.append(f"{subsec_name} {subsec!r} overflows {raw!r}; ignored")
    offset = _text(tags, offset_name)
    if offset is not None and not _UTC_OFFSET.match(offset):
        warnings.append(f"{offset_name} {offset!r} is not a valid UTC offset; ignored")
        offset = None
    if offset is not None:
        sources.append(offset_name.split(" ", 1)[1])
    return labelled_time(when, "camera", offset, raw, sources)


def decode_times(tags: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Camera-clock times (original, digitized, file modified), each labelled."""
    times: dict[str, Any] = {}
    for key, name, suffix in (
        ("original", "EXIF DateTimeOriginal", "Original"),
        ("digitized", "EXIF DateTimeDigitized", "Digitized"),
        ("modified", "Image DateTime", ""),
    ):
        offset, subsec = f"EXIF OffsetTime{suffix}", f"EXIF SubSecTime{suffix}"
        label = _camera_time(tags, name, offset, subsec, warnings)
        if label is not None:
            times[f"camera_{key}"] = label
    return times


def _focal_35mm(
    tags: dict[str, Any], focal_mm: float | None, size_px: tuple[int, int] | None
) -> tuple[float | None, str | None]:
    tagged = _number(tags, "EXIF FocalLengthIn35mmFilm")
    if tagged:  # 0 means "unknown" in EXIF
        return tagged, "exif:FocalLengthIn35mmFilm"
    xres = _number(tags, "EXIF FocalPlaneXResolution")
    yres = _number(tags, "EXIF FocalPlaneYResolution") or xres
    unit_values = _values(tags, "EXIF FocalPlaneResolutionUnit")
    unit_mm = _UNIT_MM.get(unit_values[0] if unit_values else 2)
    width = _number(tags, "EXIF ExifImageWidth") or (size_px[0] if size_px else None)
    height = _number(tags, "EXIF ExifImageLength") or (size_px[1] if size_px else None)
    if not (focal_mm and xres and yres and unit_mm and width and height):
        return None, None
    sensor_diag_mm = math.hypot(width / xres * unit_mm, height / yres * unit_mm)
    if sensor_diag_mm <= 0:
        return None, None
    crop = FILM_35MM_DIAGONAL_MM / sensor_diag_mm
    return round(focal_mm * crop, 1), "computed:FocalPlaneResolution(sensor diagonal)"


def decode_camera(tags: dict[str, Any], size_px: tuple[int, int] | None) -> dict[str, Any]:
    """Make, model, lens, focal lengths and orientation."""
    focal = _number(tags, "EXIF FocalLength")
    focal_35, source = _focal_35mm(tags, focal, size_px)
    orientation_values = _values(tags, "Image Orientation")
    orientation = orientation_values[0] if orientation_values else None
    if orientation not in _ORIENTATIONS:
        orientation = None
    return {
        "make": _text(tags, "Image Make"),
        "model": _text(tags, "Image Model"),
        "software": _text(tags, "Image Software"),
        "body_serial": _text(tags, "EXIF BodySerialNumber"),
        "lens_make": _text(tags, "EXIF LensMake"),
        "lens_model": _text(tags, "EXIF LensModel"),
        "focal_length_mm": focal,
        "focal_length_35mm": focal_35,
        "focal_length_35mm_source": source,
        "orientation": orientation,
        "orientation_desc": _ORIENTATIONS.get(orientation) if orientation else None,
    }

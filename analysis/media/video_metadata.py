"""Video metadata through PyAV (FFmpeg): container, streams, tags, rotation, frame-rate mode.

Conventions: rotation is FFmpeg's display-matrix angle in degrees, counter-clockwise
positive (``av_display_rotation_get``), so -90 means the picture is shown turned 90 degrees
clockwise (``numpy.rot90(frame, k=round(rotation_deg / 90))`` gives the displayed picture);
it is read from the display-matrix side data of the first decoded frame, else from the
legacy ``rotate`` stream tag. Frame rates are exact fractions as strings ("30000/1001") plus
a float. Container ``creation_time`` is labelled clock "container": muxers write it when the
file is (re-)encoded, so it is often the time of a re-encode or upload, not of filming.
QuickTime location (``com.apple.quicktime.location.ISO6709`` or the ``location``/``(c)xyz``
tag) is parsed as ISO 6709 Annex H (decimal degrees, or DDMM / DDMMSS forms).
"""

from __future__ import annotations

import re
import statistics
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from analysis.media.clocks import clock_fields
from analysis.media.exif import labelled_time
from analysis.media.kind import suggest_extension
from analysis.video.probe import (
    ffmpeg_errors,
    first_frame,
    frame_rotation,
    open_video,
    video_stream,
)

VFR_PACKETS = 300
# Packets after which a reordered (B-) frame may still arrive; pts past this are not used.
_REORDER_GUARD = 16
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS.*)?/?$")
_LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
_MAKE_TAGS = ("com.apple.quicktime.make", "make", "com.android.manufacturer")
_MODEL_TAGS = ("com.apple.quicktime.model", "model", "com.android.model")
CONTAINER_CLOCK_NOTE = (
    "written by the muxer: often the time of a re-encode or upload, not of filming"
)


def _fraction(value: Fraction | None) -> dict[str, Any] | None:
    if value is None or value.denominator == 0 or value == 0:
        return None
    return {"ratio": f"{value.numerator}/{value.denominator}", "value": float(value)}


def _parse_iso6709_part(text: str, degree_digits: int) -> float:
    sign = -1.0 if text[0] == "-" else 1.0
    whole, _, frac = text[1:].partition(".")
    frac_value = float(f"0.{frac}") if frac else 0.0
    extra = len(whole) - degree_digits
    if extra == 0:
        return sign * (int(whole) + frac_value)
    if extra == 2:  # DDMM.mmm
        return sign * (int(whole[:-2]) + (int(whole[-2:]) + frac_value) / 60.0)
    if extra == 4:  # DDMMSS.sss
        minutes, seconds = int(whole[-4:-2]), int(whole[-2:]) + frac_value
        return sign * (int(whole[:-4]) + minutes / 60.0 + seconds / 3600.0)
    raise ValueError(f"unexpected ISO 6709 component {text!r}")


def parse_iso6709(text: str) -> dict[str, Any] | None:
    """ISO 6709 point ("+60.1467+024.9068+012.000/") to latitude, longitude, altitude.

    Returns:
        {"latitude_deg", "longitude_deg", "altitude_m" (or None), "raw"}, or None if the
        string is not an ISO 6709 point or is out of range.
    """
    match = _ISO6709.match(text.strip())
    if match is None:
        return None
    lat_text, lon_text, alt_text = match.groups()
    try:
        lat = _parse_iso6709_part(lat_text, 2)
        lon = _parse_iso6709_part(lon_text, 3)
    except ValueError:
        return None
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    altitude = float(alt_text) if alt_text else None
    return {"latitude_deg": lat, "longitude_deg": lon, "altitude_m": altitude, "raw": text}


def _container_time(raw: str, clock: str, source: str) -> dict[str, Any]:
    text = raw.strip().replace("Z", "+00:00")
    # QuickTime creationdate writes offsets as +0300; ISO wants +03:00.
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        when: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        when = None
    offset = None
    if when is not None and when.tzinfo is not None:
        delta = when.utcoffset()
        total = int(delta.total_seconds()) if delta is not None else 0
        sign = "-" if total < 0 else "+"
        offset = f"{sign}{abs(total) // 3600:02d}:{abs(total) % 3600 // 60:02d}"
        when = when.replace(tzinfo=None)
    label = labelled_time(when, clock, offset, raw, [source])
    if clock == "container":
        label["note"] = CONTAINER_CLOCK_NOTE
    return label


def _first(tags: dict[str, str], names: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in tags.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value and value.strip():
            return value.strip()
    return None


def frame_rate_mode(
    container: av.container.InputContainer, stream: av.video.VideoStream, limit: int = VFR_PACKETS
) -> dict[str, Any]:
    """Decide constant vs variable frame rate from demuxed packet timestamps (no decoding).

    The pts of the first ``limit`` packets are sorted into presentation order; the spread of
    their successive differences decides: variable if max minus min exceeds two time-base
    ticks and 1 % of the median (rounding of pts to the time base is allowed for).
    """
    pts: list[int] = []
    exhausted = True
    for packet in container.demux(stream):
        if packet.pts is not None and packet.size:
            pts.append(packet.pts)
        if len(pts) >= limit + _REORDER_GUARD:
            exhausted = False
            break
    if not exhausted:  # drop pts a reordered frame might still fall between
        cutoff = min(pts[-_REORDER_GUARD:])
        pts = [p for p in pts if p < cutoff]
    pts.sort()
    deltas = [b - a for a, b in zip(pts, pts[1:], strict=False)]
    time_base = float(stream.time_base) if stream.time_base else 0.0
    if len(deltas) < 2 or time_base <= 0:
        return {"is_vfr": None, "packets_examined": len(pts)}
    median = statistics.median(deltas)
    spread = max(deltas) - min(deltas)
    is_vfr = spread > max(2, 0.01 * median)
    return {
        "is_vfr": bool(is_vfr),
        "packets_examined": len(pts),
        "pts_delta_min_s": min(deltas) * time_base,
        "pts_delta_median_s": median * time_base,
        "pts_delta_max_s": max(deltas) * time_base,
        "pts_delta_stdev_s": statistics.pstdev(deltas) * time_base,
    }


def _video_stream_info(
    container: av.container.InputContainer, stream: av.video.VideoStream, path: Path
) -> dict[str, Any]:
    ctx = stream.codec_context
    info = _common_stream_info(stream)
    info.update(
        {
            "profile": stream.profile,
            "width_px": ctx.width,
            "height_px": ctx.height,
            "pix_fmt": ctx.pix_fmt,
            "avg_frame_rate": _fraction(stream.average_rate),
            "real_frame_rate": _fraction(stream.base_rate),
            "sample_aspect_ratio": _fraction(stream.sample_aspect_ratio),
            "display_aspect_ratio": _fraction(stream.display_aspect_ratio),
        }
    )
    frame = first_frame(container, stream, path)
    rotation, mirrored = frame_rotation(frame)
    source = "display_matrix" if rotation is not None else None
    if rotation is None and stream.metadata.get("rotate"):
        try:
            rotation, source = -float(stream.metadata["rotate"]), "rotate_tag"
        except ValueError:
            rotation = None
    info["rotation_deg"] = rotation if rotation is not None else 0.0
    info["rotation_source"] = source
    info["mirrored"] = mirrored
    quarter_turns = round((rotation or 0.0) / 90.0) % 2 == 1
    info["display_width_px"] = ctx.height if quarter_turns else ctx.width
    info["display_height_px"] = ctx.width if quarter_turns else ctx.height
    container.seek(0)
    info["frame_rate_mode"] = frame_rate_mode(container, stream)
    return info


def _common_stream_info(stream: av.stream.Stream) -> dict[str, Any]:
    time_base = stream.time_base
    start = stream.start_time
    duration = stream.duration
    ctx = stream.codec_context
    return {
        "index": stream.index,
        "type": stream.type,
        "codec": ctx.name if ctx else None,
        "codec_long_name": ctx.codec.long_name if ctx else None,
        "time_base": f"{time_base.numerator}/{time_base.denominator}" if time_base else None,
        "start_pts": start,
        "start_time_s": float(start * time_base) if start is not None and time_base else None,
        "duration_s": float(duration * time_base) if duration and time_base else None,
        "frame_count": stream.frames or None,
        "bit_rate_bps": (ctx.bit_rate or None) if ctx else None,
        "tags": dict(stream.metadata),
    }


def _audio_stream_info(stream: av.audio.AudioStream) -> dict[str, Any]:
    info = _common_stream_info(stream)
    ctx = stream.codec_context
    info["sample_rate_hz"] = ctx.sample_rate
    info["channels"] = ctx.channels
    return info


def _times_and_location(tags: dict[str, str], warnings: list[str]) -> tuple[dict, dict | None]:
    times: dict[str, Any] = {}
    if tags.get("creation_time"):
        times["container_creation"] = _container_time(
            tags["creation_time"], "container", "creation_time"
        )
    capture = _first(tags, ("com.apple.quicktime.creationdate",))
    if capture:
        times["device_creation"] = _container_time(
            capture, "camera", "com.apple.quicktime.creationdate"
        )
    for label in times.values():
        if label["value"] is None:
            warnings.append(f"time tag {label['source_tags'][0]} {label['raw']!r} is malformed")
    location = None
    raw_location = _first(tags, _LOCATION_TAGS)
    if raw_location:
        location = parse_iso6709(raw_location)
        if location is None:
            warnings.append(f"location tag {raw_location!r} is not an ISO 6709 point")
    return times, location


def _compare_creation(times: dict[str, Any]) -> list[dict[str, Any]]:
    """Device capture time (QuickTime creationdate) against the muxer's creation_time."""
    device, container = times.get("device_creation"), times.get("container_creation")
    if not device or not container or not device.get("utc") or not container.get("utc"):
        return []
    diff = (
        datetime.fromisoformat(container["utc"]) - datetime.fromisoformat(device["utc"])
    ).total_seconds()
    verdict = "agree" if abs(diff) <= 2.0 else "DISAGREE (re-encoded or re-muxed later?)"
    note = (
        f"container creation_time {container['utc']} and device creationdate {device['utc']} "
        f"{verdict}: container minus device is {diff:+.3f} s"
    )
    return [{"clocks": ["container", "camera"], "difference_s": diff, "note": note}]


def read_video_metadata(path: Path) -> dict[str, Any]:
    """Metadata of a video: container, streams, tags, labelled times, location.

    Raises:
        CorruptMediaError: the container does not open or the first frame does not decode.
        UnsupportedMediaError: the file has no video stream.
    """
    warnings: list[str] = []
    with open_video(path) as container, ffmpeg_errors(path, "reading the video metadata"):
        main = video_stream(container, path)
        tags = dict(container.metadata)
        streams = []
        for stream in container.streams:
            if stream is main:
                streams.append(_video_stream_info(container, stream, path))
            elif stream.type == "audio":
                streams.append(_audio_stream_info(stream))
            else:
                streams.append(_common_stream_info(stream))
        times, location = _times_and_location(tags, warnings)
        fmt = container.format
        duration = container.duration
        result = {
            "kind": "video",
            "file_name": path.name,
            "size_bytes": path.stat().st_size,
            "format": fmt.name,
            "format_description": fmt.long_name,
            "suggested_extension": suggest_extension(path, "video"),
            "duration_s": duration / av.time_base if duration is not None else None,
            "start_time_s": (
                container.start_time / av.time_base if container.start_time is not None else None
            ),
            "bit_rate_bps": container.bit_rate or None,
            "video_stream_index": main.index,
            "streams": streams,
            "tags": tags,
            "encoder": _first(tags, ("encoder", "software", "encoding_tool")),
            "camera": {"make": _first(tags, _MAKE_TAGS), "model": _first(tags, _MODEL_TAGS)},
            "times": times,
            "location": location,
            **clock_fields(_compare_creation(times)),
            "warnings": warnings,
        }
    return result

"""``geoworkbench info FILE``: the kind and metadata of a media file, without a case.

Human output is grouped (file, camera, times with their clock, position, streams, notes);
``--json`` prints the dict of ``analysis.media.metadata.read_metadata`` unchanged. Heavy modules
(PyAV, Pillow) are imported inside the handler so that ``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "info", help="show the kind and metadata of a media file (no case needed)"
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--check",
        action="store_true",
        help="also validate the file as import does (full image decode / video demux)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_info)


def cmd_info(args: argparse.Namespace) -> int:
    """Print the metadata of one file; MediaError reaches cli.main, which exits 1."""
    from analysis.media.metadata import check_media, read_metadata

    metadata = read_metadata(args.file)
    if args.check:
        result = check_media(args.file, metadata["kind"])
        metadata = {**metadata, "check": {"ok": True, "frame_count": result.frame_count}}
    if args.json:
        print_json(metadata)
    else:
        print("\n".join(format_metadata(metadata)))
    return 0


LABEL_WIDTH = 26


def _row(label: str, value: str) -> str:
    return f"  {label:<{LABEL_WIDTH}} {value}"


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()


def _time_line(name: str, label: dict[str, Any]) -> str:
    clock = label.get("clock", "?")
    value = label.get("value") or f"unreadable ({label.get('raw')!r})"
    offset = label.get("utc_offset")
    zone = f" UTC{offset}" if offset else " (no UTC offset recorded)"
    if clock == "gps":
        zone = " UTC"
    text = _row(name, f"{value}{zone}  [clock: {clock}]")
    if label.get("utc") and clock != "gps":
        text += f" = {label['utc']}"
    if label.get("note"):
        text += "\n" + _row("", f"note: {label['note']}")
    return text


def _image_lines(md: dict[str, Any]) -> list[str]:
    lines = [_row("size", f"{md['width_px']} x {md['height_px']} px ({md['mode']})")]
    cam = md.get("camera") or {}
    lines.append("camera")
    for key, unit in (
        ("make", ""),
        ("model", ""),
        ("lens_model", ""),
        ("focal_length_mm", "mm"),
        ("focal_length_35mm", "mm (35 mm equivalent)"),
        ("focal_length_35mm_source", ""),
        ("orientation_desc", ""),
        ("software", ""),
    ):
        if cam.get(key) is not None:
            lines.append(_row(key, _fmt(cam[key], unit)))
    gps = md.get("gps")
    if gps:
        lines.append("position (EXIF GPS)")
        lines.append(_row("latitude_deg", f"{_fmt(gps['latitude_deg'])}"))
        lines.append(_row("longitude_deg", f"{_fmt(gps['longitude_deg'])}"))
        if gps.get("altitude_m") is not None:
            ref = gps.get("altitude_ref") or "unknown reference"
            lines.append(_row("altitude_m", f"{_fmt(gps['altitude_m'])} ({ref})"))
        if gps.get("img_direction_deg") is not None:
            ref = gps.get("img_direction_ref") or "unknown north"
            lines.append(_row("img_direction_deg", f"{_fmt(gps['img_direction_deg'])} ({ref})"))
        if gps.get("map_datum"):
            lines.append(_row("map_datum", f"{gps['map_datum']}"))
    return lines


def _video_lines(md: dict[str, Any]) -> list[str]:
    lines = [
        _row("duration_s", f"{_fmt(md.get('duration_s'))}"),
        _row("bit_rate_bps", f"{_fmt(md.get('bit_rate_bps'))}"),
        _row("encoder", f"{_fmt(md.get('encoder'))}"),
    ]
    cam = md.get("camera") or {}
    if cam.get("make") or cam.get("model"):
        lines.append(_row("camera", f"{_fmt(cam.get('make'))} {_fmt(cam.get('model'))}"))
    location = md.get("location")
    if location:
        lines.append("position (container location tag)")
        lines.append(_row("latitude_deg", f"{_fmt(location['latitude_deg'])}"))
        lines.append(_row("longitude_deg", f"{_fmt(location['longitude_deg'])}"))
        lines.append(_row("altitude_m", f"{_fmt(location.get('altitude_m'))}"))
    lines.append("streams")
    for s in md.get("streams", []):
        lines.append(f"  #{s['index']} {s['type']}: {s['codec']}")
        if s["type"] == "video":
            rate = (s.get("avg_frame_rate") or {}).get("ratio", "-")
            vfr = (s.get("frame_rate_mode") or {}).get("is_vfr")
            mode = {True: "variable", False: "constant", None: "unknown"}[vfr]
            lines.append(
                f"     {s['width_px']} x {s['height_px']} {s['pix_fmt']}, {rate} fps ({mode} "
                f"frame rate), {_fmt(s.get('frame_count'))} frames, rotation "
                f"{_fmt(s.get('rotation_deg'))} deg, shown {s['display_width_px']} x "
                f"{s['display_height_px']}"
            )
        elif s["type"] == "audio":
            lines.append(f"     {s.get('sample_rate_hz')} Hz, {s.get('channels')} channels")
    return lines


def format_metadata(md: dict[str, Any]) -> list[str]:
    """Human-readable lines, grouped; every time carries its clock label."""
    lines = [
        f"{md.get('file_name')}: {md['kind']} ({md.get('format')})",
        "file",
        _row("size_bytes", f"{md.get('size_bytes')}"),
        _row("usual extension", f"{md.get('suggested_extension')}"),
    ]
    lines += _image_lines(md) if md["kind"] == "image" else _video_lines(md)
    times = md.get("times") or {}
    if times:
        lines.append("times")
        lines += [_time_line(name, label) for name, label in times.items()]
    for title, key in (("clock notes", "clock_notes"), ("warnings", "warnings")):
        if md.get(key):
            lines.append(title)
            lines += [f"  ! {text}" for text in md[key]]
    if md.get("check"):
        lines.append(f"check: OK ({md['check']['frame_count']} frame(s) verified)")
    return lines

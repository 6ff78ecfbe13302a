"""Comparing the clocks of one photo: camera time (local, unlabelled) against GPS time (UTC).

A camera clock carries no time zone, so its difference from the GPS clock is reported as a
sentence for people (``clock_notes``) and as a number (``clock_differences``, camera minus GPS
in seconds). Without a recorded offset, a difference within the range of real time zones
(-12:00 to +14:00) is read as the camera's local zone; anything larger means the clocks disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def to_utc(label: dict[str, Any]) -> datetime | None:
    """The UTC instant of a labelled time, or None if its offset is unknown."""
    if label.get("utc") is None:
        return None
    return datetime.fromisoformat(label["utc"])


def _format_span(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"
    return f"{sign}{int(days)} d {text}" if days else f"{sign}{text}"


def compare_clocks(camera: dict[str, Any] | None, gps: dict[str, Any] | None) -> list[dict]:
    """Compare the camera's DateTimeOriginal with the GPS UTC time.

    With an offset recorded, the two instants are compared directly. Without one, the camera
    reading minus GPS UTC is what a correct clock set to local time would show as its UTC
    offset; real offsets lie between -12:00 and +14:00, anything else means a wrong clock
    (or a stale GPS fix).
    """
    if not camera or not gps or camera.get("value") is None or gps.get("utc") is None:
        return []
    gps_utc = datetime.fromisoformat(gps["utc"])
    camera_utc = to_utc(camera)
    if camera_utc is not None:
        diff = (camera_utc - gps_utc).total_seconds()
        verdict = "agree" if abs(diff) <= 2.0 else "DISAGREE"
        note = (
            f"camera clock {camera['value']}{camera['utc_offset']} and GPS clock {gps['utc']} "
            f"{verdict}: camera minus GPS is {_format_span(diff)}"
        )
        return [{"clocks": ["camera", "gps"], "difference_s": diff, "note": note}]
    naive_gps = gps_utc.replace(tzinfo=None)
    diff = (datetime.fromisoformat(camera["value"]) - naive_gps).total_seconds()
    plausible = -12 * 3600 <= diff <= 14 * 3600
    note = (
        f"camera clock reads {camera['value']} with no UTC offset recorded; GPS clock reads "
        f"{gps['value']} UTC. Camera minus GPS is {_format_span(diff)}: "
        + (
            "consistent with a camera set to a local time zone of that offset"
            if plausible
            else "larger than any time-zone offset, so the two clocks DISAGREE"
        )
    )
    return [{"clocks": ["camera", "gps"], "difference_s": diff, "note": note}]


def clock_fields(comparisons: list[dict[str, Any]]) -> dict[str, list]:
    """``clock_notes`` (sentences for people) and ``clock_differences`` (numbers)."""
    return {
        "clock_notes": [c["note"] for c in comparisons],
        "clock_differences": [
            {"clocks": c["clocks"], "difference_s": c["difference_s"]} for c in comparisons
        ],
    }

"""The Sun panel's words: the day's rise, noon and set, and each shadow's intervals, in the
chosen zone and in UTC (plain text: names typed by analysts are never HTML here)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workbench.sun_view import ShadowFit, SunView


def _local(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def describe_day(view: SunView) -> str:
    """Sunrise, noon and sunset (local and UTC) and the sun at the chosen time."""
    tz, day = ZoneInfo(view.query.zone_name), view.day
    parts = []
    for name, when in (("sunrise", day.sunrise_utc), ("noon", day.noon_utc),
                       ("sunset", day.sunset_utc)):  # fmt: skip
        if when is None:
            parts.append(f"{name} –")
        else:
            parts.append(f"{name} {_local(when, tz)} ({when:%H:%M} UTC)")
    at = _local(view.at_utc, tz)
    sun = (
        f"At {at}: sun at azimuth {view.at_azimuth_deg:.1f}°, elevation "
        f"{view.at_elevation_deg:.1f}°"
    )
    if view.at_elevation_deg > 0:
        sun += f"; shadows point {(view.at_azimuth_deg + 180) % 360:.1f}°"
    return f"{', '.join(parts)}; noon elevation {day.noon_elevation_deg:.1f}°.\n{sun}."


def describe_fit(fit: ShadowFit, zone_name: str) -> list[str]:
    """One line per interval of a shadow (or why none fits), then its warnings."""
    tz = ZoneInfo(zone_name)
    if not fit.intervals:
        lines = [f"{fit.label}: no time of this day fits"]
    else:
        lines = [
            f"{fit.label}: {_local(iv['start_utc'], tz)}–{_local(iv['end_utc'], tz)} "
            f"({iv['start_utc']:%H:%M}–{iv['end_utc']:%H:%M} UTC), {iv['branch']}, "
            f"carried by {iv['carried_by']}"
            for iv in fit.intervals
        ]
    return lines + [f"  ⚠ {w}" for w in fit.warnings]

"""Instants with a zone, local time from the IANA database, and offsets checked against it.

An instant typed by a person must say its zone: ``2016-10-26T10:37:00+03:00`` or ``...Z``. A
time without one is refused, never assumed UTC or local. Local time for a place is computed
with ``zoneinfo`` (the IANA time-zone database; the ``tzdata`` package where the system has
none): Syria changed its daylight-saving rules repeatedly (in October 2022 it stayed at
UTC+3 for good), so "local time" is a fact of the date as well as the place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.errors import WorkbenchError


class TimeInputError(WorkbenchError):
    """A time that cannot be placed on the UTC axis (no zone, not ISO 8601, unknown zone)."""


@dataclass(frozen=True)
class Instant:
    """A moment in UTC and the offset it was given with (seconds east of UTC)."""

    utc: datetime  # timezone-aware, UTC
    given_offset_s: int
    given_text: str


@dataclass(frozen=True)
class LocalTime:
    """What a clock at a place showed at an instant, and whether a stated offset agrees."""

    zone: str
    local_iso: str
    offset_s: int  # the database's offset at that instant
    dst: bool
    stated_offset_s: int | None
    offset_disagrees: bool


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds dropped when zero and a ``Z``."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def parse_instant(text: str) -> Instant:
    """Parse ISO 8601 with a zone (``Z`` or ``+HH:MM``).

    Raises:
        TimeInputError: not ISO 8601, or no zone given.
    """
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise TimeInputError(
            f"{text!r} is not an ISO 8601 time (write 2016-10-26T10:37:00+03:00)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeInputError(
            f"{text!r} has no time zone: add Z for UTC or the offset it was given in "
            "(+03:00); a time is never assumed to be UTC or local"
        )
    offset = moment.utcoffset() or timedelta(0)
    return Instant(moment.astimezone(UTC), int(offset.total_seconds()), raw)


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Asia/Damascus``).

    Raises:
        TimeInputError: the database has no such zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeInputError(f"{name!r} is not an IANA time zone (e.g. Asia/Damascus)") from None


def local_time(utc: datetime, zone_name: str, stated_offset_s: int | None = None) -> LocalTime:
    """Local time at ``zone_name`` for a UTC instant, flagging a stated offset that differs.

    Args:
        utc: a timezone-aware instant.
        zone_name: an IANA zone.
        stated_offset_s: an offset someone typed or a source gave (seconds east of UTC).
    """
    if utc.tzinfo is None:
        raise TimeInputError("a naive datetime has no place on the UTC axis")
    local = utc.astimezone(zone(zone_name))
    offset = int((local.utcoffset() or timedelta(0)).total_seconds())
    dst = bool(local.dst())
    disagrees = stated_offset_s is not None and stated_offset_s != offset
    return LocalTime(zone_name, local.isoformat(), offset, dst, stated_offset_s, disagrees)


def format_offset(offset_s: int) -> str:
    """``+03:00`` for 10800."""
    sign = "+" if offset_s >= 0 else "-"
    h, rem = divmod(abs(offset_s), 3600)
    return f"{sign}{h:02d}:{rem // 60:02d}"

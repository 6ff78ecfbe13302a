"""Dates that come with a file: a downloader's ``.info.json`` and messenger file names.

- yt-dlp writes ``NAME.info.json`` beside a download. Its ``timestamp`` (Unix seconds, UTC)
  is the upload instant when the site gives one; ``upload_date`` (``YYYYMMDD``, UTC) is the
  day only. Both are the platform's word, kept with that basis.
- Messenger file names carry a date (WhatsApp ``VID-20161026-WA0003.mp4``, ``IMG-...``;
  Telegram Desktop ``video_2016-10-26_10-37-00.mp4``; Android screen and camera names
  ``VID_20161026_103700.mp4``). A name is what someone typed or an app chose, in the phone's
  local time: these are *candidates*, labelled with their pattern, never a capture time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.errors import WorkbenchError

INFO_FIELDS = ("title", "description", "uploader", "uploader_id", "channel", "channel_id",
               "webpage_url", "extractor", "id")  # fmt: skip


class InfoJsonError(WorkbenchError):
    """A ``.info.json`` that is not a downloader's record."""


@dataclass(frozen=True)
class DownloaderInfo:
    """What yt-dlp recorded about a download (the platform's word)."""

    upload_time_utc: str  # ISO 8601 with Z; "" when unknown
    upload_time_basis: str  # "info.json timestamp" | "info.json upload_date (day only)" | ""
    fields: dict[str, str]


@dataclass(frozen=True)
class NameDate:
    """A date read from a file name: a candidate, not a capture time."""

    pattern: str
    local_date: str  # YYYY-MM-DD
    local_time: str  # HH:MM:SS or "" (the phone's local time, zone unknown)
    label: str


def info_json_beside(path: Path) -> Path | None:
    """``NAME.info.json`` for ``NAME.mp4`` (yt-dlp's name), if it exists."""
    candidate = path.with_name(path.stem + ".info.json")
    return candidate if candidate.is_file() else None


def read_info_json(path: Path) -> DownloaderInfo:
    """Read a yt-dlp ``.info.json``.

    Raises:
        InfoJsonError: not JSON, not an object, or none of the fields a downloader writes.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InfoJsonError(f"{path}: not a downloader's .info.json ({exc})") from None
    if not isinstance(data, dict) or not (
        {"id", "extractor", "webpage_url", "upload_date", "timestamp"} & set(data)
    ):
        raise InfoJsonError(
            f"{path}: not a downloader's .info.json (no id, extractor, URL or upload date)"
        )
    fields = {k: str(data[k]) for k in INFO_FIELDS if isinstance(data.get(k), str | int)}
    when, basis = "", ""
    stamp = data.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        when = datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")
        basis = "info.json timestamp"
    elif isinstance(data.get("upload_date"), str) and re.fullmatch(r"\d{8}", data["upload_date"]):
        d = data["upload_date"]
        try:
            datetime(int(d[:4]), int(d[4:6]), int(d[6:]))
        except ValueError:
            raise InfoJsonError(f"{path}: upload_date {d!r} is not a date") from None
        when, basis = f"{d[:4]}-{d[4:6]}-{d[6:]}T00:00:00Z", "info.json upload_date (day only)"
    return DownloaderInfo(when, basis, fields)


_DATE = r"(\d{4})(\d{2})(\d{2})"
_PATTERNS = (
    ("whatsapp", re.compile(r"^(?:VID|IMG|AUD|PTT)-" + _DATE + r"-WA\d+", re.I), False),
    (
        "telegram",
        re.compile(r"^(?:video|photo|audio)_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})", re.I),
        True,
    ),
    (
        "camera",
        re.compile(r"^(?:VID|IMG|PXL)[_-]" + _DATE + r"[_-](\d{2})(\d{2})(\d{2})", re.I),
        True,
    ),
)


def dates_from_name(name: str) -> list[NameDate]:
    """Date candidates in a file name (WhatsApp, Telegram Desktop, phone camera patterns)."""
    out = []
    for pattern, regex, timed in _PATTERNS:
        m = regex.match(name)
        if not m:
            continue
        y, mo, d = (int(g) for g in m.groups()[:3])
        try:
            day = datetime(y, mo, d)
        except ValueError:
            continue
        clock = ""
        if timed:
            hh, mm, ss = (int(g) for g in m.groups()[3:6])
            if hh > 23 or mm > 59 or ss > 59:
                continue
            clock = f"{hh:02d}:{mm:02d}:{ss:02d}"
        label = (f"{pattern} file name: {day:%Y-%m-%d}{' ' + clock if clock else ''} "
                 "(a candidate from the name, phone's local time; not a capture time)")  # fmt: skip
        out.append(NameDate(pattern, f"{day:%Y-%m-%d}", clock, label))
    return out

"""A downloader's record beside an imported file becomes the evidence's source record.

yt-dlp writes ``NAME.info.json`` beside ``NAME.mp4``. At import (``workbench.case.intake``)
its upload time, uploader, channel, title, description and URL fill the ``evidence_source``
row, with the basis of the time ("info.json timestamp": the platform's word, not a capture
time). A ``.info.json`` that is not one refuses the import before anything is copied.
"""

from __future__ import annotations

from pathlib import Path

from analysis.timekeeping.sources import info_json_beside, read_info_json

MAX_CAPTION_CHARS = 20_000


def source_from_info_json(media: Path) -> dict[str, str] | None:
    """``evidence_source`` columns from the ``.info.json`` beside ``media``; None if none.

    Raises:
        InfoJsonError: the file beside it is not a downloader's record.
    """
    found = info_json_beside(media)
    if found is None:
        return None
    info = read_info_json(found)
    f = info.fields
    title, description = f.get("title", ""), f.get("description", "")
    caption = title if not description else f"{title}\n\n{description}"
    account = f.get("uploader") or f.get("channel") or ""
    if f.get("channel") and f.get("channel") != account:
        account = f"{account} (channel {f['channel']})"
    return {
        "platform": f.get("extractor", ""),
        "url": f.get("webpage_url", ""),
        "account": account,
        "upload_time_utc": info.upload_time_utc,
        "upload_time_basis": info.upload_time_basis,
        "caption": caption[:MAX_CAPTION_CHARS],
        "downloader": f"yt-dlp .info.json ({found.name})",
    }

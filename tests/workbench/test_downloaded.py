"""A yt-dlp .info.json beside an imported video fills its source record; a bad one refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis.timekeeping.sources import InfoJsonError
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.timeline import build_timeline

VIDEO = Path(__file__).resolve().parents[1] / "data" / "media" / "video" / "drone-sky.mp4"


def test_info_json_fills_the_source_record_and_the_timeline(tmp_path):
    video = tmp_path / "VID-20161026-WA0003.mp4"
    shutil.copy(VIDEO, video)
    (tmp_path / "VID-20161026-WA0003.info.json").write_text(json.dumps({
        "id": "abc", "extractor": "youtube", "webpage_url": "https://youtu.be/abc",
        "timestamp": 1477474620, "uploader": "RFS Media Office", "channel": "RFS",
        "title": "غارة جوية على مدرسة حاس", "description": "Hass, Idlib",
    }), encoding="utf-8")  # fmt: skip
    case = create_case(tmp_path / "c.gwcase")
    try:
        got = import_file(case, video)
        row = case.read().execute(
            "SELECT platform, url, account, upload_time_utc, upload_time_basis, caption"
            " FROM evidence_source WHERE evidence_id = ?", (got.id,),
        ).fetchone()  # fmt: skip
        assert row[:5] == ("youtube", "https://youtu.be/abc", "RFS Media Office (channel RFS)",
                           "2016-10-26T09:37:00Z", "info.json timestamp")  # fmt: skip
        assert row[5].startswith("غارة جوية")
        events = build_timeline(case.read(), zone_name="Asia/Damascus")
    finally:
        case.close()
    upload = next(e for e in events if e.kind == "upload")
    assert upload.at_utc == "2016-10-26T09:37:00Z"
    assert upload.local_time == "2016-10-26T12:37:00+03:00"
    (name_date,) = [e for e in events if e.kind == "name-date"]
    assert "whatsapp" in name_date.label and "candidate" in name_date.label


def test_a_bad_info_json_refuses_the_import_and_stores_nothing(tmp_path):
    video = tmp_path / "clip.mp4"
    shutil.copy(VIDEO, video)
    (tmp_path / "clip.info.json").write_text("<html>not json</html>")
    case = create_case(tmp_path / "c.gwcase")
    try:
        with pytest.raises(InfoJsonError, match="clip.info.json"):
            import_file(case, video)
        assert case.read().execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0
        assert [p for p in case.evidence_dir.iterdir() if p.is_file()] == []
    finally:
        case.close()

"""Time zones (Damascus across its rule changes), zone-less times, downloader and name dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analysis.timekeeping.sources import (
    InfoJsonError,
    dates_from_name,
    info_json_beside,
    read_info_json,
)
from analysis.timekeeping.zones import TimeInputError, local_time, parse_instant

# Damascus: UTC+2 in winter, +3 in summer until 2022, when Syria stayed on +3 all year
# (tzdata 2022f). Each row: a UTC instant and the offset the database must give, hours.
DAMASCUS = [
    ("2012-01-15T10:00:00Z", 2), ("2012-07-15T10:00:00Z", 3),
    ("2016-03-24T21:00:00Z", 2), ("2016-03-25T12:00:00Z", 3),
    ("2016-10-26T07:32:10Z", 3), ("2016-10-28T12:00:00Z", 2),
    ("2018-06-01T00:00:00Z", 3), ("2020-12-01T00:00:00Z", 2),
    ("2022-07-01T00:00:00Z", 3), ("2022-12-01T00:00:00Z", 3),
]  # fmt: skip


@pytest.mark.parametrize("utc, hours", DAMASCUS)
def test_damascus_offsets_from_the_database(utc, hours):
    got = local_time(parse_instant(utc).utc, "Asia/Damascus")
    assert got.offset_s == hours * 3600


def test_every_hour_2012_2022_agrees_with_the_database_and_flags_a_wrong_offset():
    zone = ZoneInfo("Asia/Damascus")
    t = datetime(2012, 1, 1, tzinfo=UTC)
    changes = 0
    last = None
    while t < datetime(2023, 1, 1, tzinfo=UTC):
        expected = int(t.astimezone(zone).utcoffset().total_seconds())
        got = local_time(t, "Asia/Damascus", stated_offset_s=7200)
        assert got.offset_s == expected
        assert got.offset_disagrees == (expected != 7200)
        changes += last is not None and expected != last
        last = expected
        t += timedelta(hours=1)
    assert changes >= 20  # two a year, 2012-2022, until +3 became permanent


def test_the_worked_example_upload_is_flagged():
    # "uploaded at 9:37 GMT (11:37 local time)": the database says Damascus was at +3.
    got = local_time(parse_instant("2016-10-26T09:37:00Z").utc, "Asia/Damascus", 7200)
    assert got.local_iso == "2016-10-26T12:37:00+03:00" and got.offset_disagrees


@pytest.mark.parametrize("text", ["2016-10-26T10:37:00", "26/10/2016 10:37", "yesterday"])
def test_a_time_without_a_zone_is_refused(text):
    with pytest.raises(TimeInputError):
        parse_instant(text)


def test_info_json(tmp_path):
    video = tmp_path / "strike.mp4"
    video.write_bytes(b"")
    (tmp_path / "strike.info.json").write_text(json.dumps({
        "id": "abc", "extractor": "youtube", "webpage_url": "https://youtu.be/abc",
        "timestamp": 1477474620, "upload_date": "20161026", "uploader": "RFS Media Office",
        "channel": "RFS", "title": "غارة على حاس", "description": "...",
    }), encoding="utf-8")  # fmt: skip
    info = read_info_json(info_json_beside(video))
    assert info.upload_time_utc == "2016-10-26T09:37:00Z"
    assert info.upload_time_basis == "info.json timestamp"
    assert info.fields["title"] == "غارة على حاس" and info.fields["uploader"] == "RFS Media Office"
    (tmp_path / "day.info.json").write_text('{"id": "x", "upload_date": "20161026"}')
    assert read_info_json(tmp_path / "day.info.json").upload_time_utc == "2016-10-26T00:00:00Z"
    for bad in ("[1, 2]", "{not json", '{"hello": 1}', '{"id": "x", "upload_date": "20161399"}'):
        (tmp_path / "bad.info.json").write_text(bad)
        with pytest.raises(InfoJsonError, match="info.json"):
            read_info_json(tmp_path / "bad.info.json")


def test_messenger_names_are_candidates():
    (wa,) = dates_from_name("VID-20161026-WA0003.mp4")
    assert (wa.pattern, wa.local_date, wa.local_time) == ("whatsapp", "2016-10-26", "")
    assert "candidate" in wa.label
    (tg,) = dates_from_name("video_2016-10-26_10-37-00.mp4")
    assert (tg.pattern, tg.local_time) == ("telegram", "10:37:00")
    assert dates_from_name("VID-20161399-WA0003.mp4") == []
    assert dates_from_name("strike.mp4") == []

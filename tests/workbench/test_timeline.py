"""The timeline: analyst events, hypotheses in time and claims on one UTC axis, in order."""

from __future__ import annotations

import pytest

from analysis.timekeeping.zones import TimeInputError
from workbench.case import create_case
from workbench.claims import add_claim
from workbench.hypotheses import add_hypothesis
from workbench.timeline import TimelineError, _labelled_times, add_event, build_timeline


def test_events_sorted_on_one_axis_with_local_time(tmp_path):
    case = create_case(tmp_path / "t.gwcase")
    try:
        add_event(case, at="2016-10-26T10:32:10+03:00", label="flash seen in both videos",
                  sigma_s=0.04).result()  # fmt: skip
        add_hypothesis(case, "Strikes", None, None, time_from="2016-10-26T07:30:00Z",
                       time_to="2016-10-26T07:45:00Z").result()  # fmt: skip
        add_claim(case, text="Russian aviation has not been used since October 18",
                  claimed_by="MoD", claimed_at="2016-10-28T12:00:00+03:00").result()  # fmt: skip
        events = build_timeline(case.read(), zone_name="Asia/Damascus")
    finally:
        case.close()
    assert [e.kind for e in events] == ["hypothesis", "analyst", "claim"]
    analyst = events[1]
    assert analyst.at_utc == "2016-10-26T07:32:10Z" and analyst.offset_flag == ""
    assert analyst.local_time == "2016-10-26T10:32:10+03:00"
    # On 28 Oct 2016 Damascus was back on +02:00: the claim's stated +03:00 is flagged.
    assert "disagrees" in events[2].offset_flag


def test_bad_events_write_nothing(tmp_path):
    case = create_case(tmp_path / "t.gwcase")
    try:
        with pytest.raises(TimeInputError):
            add_event(case, at="2016-10-26 10:32", label="x")
        with pytest.raises(TimelineError):
            add_event(case, at="2016-10-26T10:32Z", label="x", until="2016-10-26T10:00Z")
        with pytest.raises(TimelineError):
            add_event(case, at="2016-10-26T10:32Z", label="  ")
        assert build_timeline(case.read()) == []
    finally:
        case.close()


def test_labelled_clocks_are_found_anywhere_in_metadata():
    meta = {
        "times": {"camera": {"clock": "camera", "value": "2016:10:26", "utc": None}},
        "video": [{"clock": "container", "value": "x", "utc": "2016-10-26T09:00:00Z"}],
    }
    assert sorted(t["clock"] for t in _labelled_times(meta)) == ["camera", "container"]


def test_hypothesis_command_takes_a_time_range_and_refuses_unknown_observations(tmp_path, capsys):
    import json

    from workbench import cli

    path = tmp_path / "h.gwcase"
    create_case(path).close()
    argv = ["hypothesis", str(path), "--title", "Strikes", "--time-from",
            "2016-10-26T10:30+03:00", "--time-to", "2016-10-26T10:45+03:00", "--json"]  # fmt: skip
    assert cli.main(argv) == 0
    added = json.loads(capsys.readouterr().out)
    assert (added["time_from_utc"], added["time_to_utc"]) == (
        "2016-10-26T07:30:00Z", "2016-10-26T07:45:00Z")  # fmt: skip
    assert cli.main(["hypothesis", str(path), "--title", "x", "--observation", "7"]) == 1
    assert "observation 7 does not exist" in capsys.readouterr().err
    assert cli.main(["hypotheses", str(path), "--json"]) == 0
    assert [h["title"] for h in json.loads(capsys.readouterr().out)] == ["Strikes"]


def test_an_event_deleted_and_restored_keeps_its_id_and_the_case_verifies(tmp_path):
    from workbench.case.verify import verify_case
    from workbench.timeline import delete_event, restore_event

    with create_case(tmp_path / "c.gwcase") as case:
        eid = add_event(case, at="2016-10-26T10:32:00+03:00", label="strike").result()
        record = delete_event(case, eid).result()
        assert not [e for e in build_timeline(case.read()) if e.kind == "analyst"]
        with pytest.raises(TimelineError, match="does not exist"):
            delete_event(case, eid).result()
        assert restore_event(case, record).result() == eid
        [back] = [e for e in build_timeline(case.read()) if e.kind == "analyst"]
        assert back.source == f"timeline_event:{eid}" and back.at_utc == "2016-10-26T07:32:00Z"
        assert verify_case(case).ok

"""The sample case's sound: sync, flash to bang, the range fix, claims and timeline vs truth."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import EnuFrame, LatLon
from tests.synth.sound_demo import sound_demo
from workbench.case import open_case
from workbench.case.verify import verify_case
from workbench.claim_targets import frame_at_moment
from workbench.claims import list_claims
from workbench.cli import main as cli_main
from workbench.geodata_records import list_observations
from workbench.sync_store import sync_by_sound, video_clocks
from workbench.timeline import build_timeline


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return sound_demo(tmp_path_factory)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_two_videos_share_one_clock_within_a_frame(demo):
    built, truth = demo
    va, vb = truth["videos"]["video_rooftop"], truth["videos"]["video_second"]
    with open_case(built.case_path, read_only=True) as case:
        [sync] = list_observations(case.read(), "video_sync")
        clocks = video_clocks(case.read())
    true_offset = (_utc(va["start_utc"]) - _utc(vb["start_utc"])).total_seconds()
    assert sync.result["offset_s"] == pytest.approx(true_offset, abs=1.0 / vb["fps"])
    lo, hi = sync.result["offset_ci95_s"]
    assert lo <= true_offset <= hi
    with open_case(built.case_path) as case:  # independent jet noise: no match, nothing kept
        ids = built.evidence_ids
        assert sync_by_sound(case, ids["video_rooftop"], ids["video_second"], tool="t") is None
        assert len(list_observations(case.read(), "video_sync")) == 1
    second = clocks[built.evidence_ids["video_second"]]
    error = (_utc(second.start_utc) - _utc(vb["start_utc"])).total_seconds()
    assert abs(error) <= 1.0 / vb["fps"]
    # the rooftop's clock holds until its edit cut, which removed real time
    rooftop = clocks[built.evidence_ids["video_rooftop"]]
    assert rooftop.until_s == pytest.approx(va["cut"]["file_time_s"], abs=1.0 / va["fps"])
    assert second.until_s is None
    with open_case(built.case_path, read_only=True) as case:
        after_cut = _utc(va["start_utc"]) + timedelta(seconds=va["cut"]["file_time_s"] + 0.5)
        assert frame_at_moment(case.read(), rooftop.evidence_id, after_cut.isoformat()) is None
        at_flash = _utc(va["flash"]["utc"]).isoformat()
        assert frame_at_moment(case.read(), rooftop.evidence_id, at_flash) == va["flash"][
            "frames"][0]  # fmt: skip


def test_flash_to_bang_gives_the_distance_and_a_range_fix_near_the_strike(demo):
    built, truth = demo
    vb = truth["videos"]["video_second"]
    with open_case(built.case_path, read_only=True) as case:
        [fb] = list_observations(case.read(), "flash_bang")
        fixes = list_observations(case.read(), "intersection")
        assert verify_case(case).ok
    true_m = vb["bang"]["slant_distance_m"]
    frame_m = 343.0 / vb["fps"]  # what one frame's time allows
    assert abs(fb.result["distance_m"] - true_m) <= 0.03 * true_m + frame_m
    lo, hi = fb.result["distance_ci95_m"]
    assert lo <= true_m <= hi
    assert fb.evidence_id == built.evidence_ids["video_second"]
    [ranged] = [f for f in fixes if f.inputs.get("rings")]
    assert ranged.inputs["flash_bang_ids"] == [fb.id]
    strike = truth["landmarks"]["strike_point"]
    s = LatLon(strike["lat_deg"], strike["lon_deg"])
    fix = LatLon(ranged.result["lat_deg"], ranged.result["lon_deg"])
    assert geodesy.distance_m(fix, s) < ranged.result["ellipse"]["semi_major_m"]
    east, north, _ = EnuFrame(fix).to_enu(s)
    assert abs(east) < 50 and abs(north) < 50


def test_claims_in_arabic_and_english_with_links_and_timeline_events(demo):
    built, _truth = demo
    with open_case(built.case_path, read_only=True) as case:
        claims = list_claims(case.read())
        events = build_timeline(case.read(), zone_name="Asia/Damascus")
    arabic = next(c for c in claims if c.language == "ar")
    assert arabic.verdict == "refuted" and arabic.translation
    assert {k.target_kind for k in arabic.links} >= {"observation", "hypothesis"}
    assert any(c.language == "en" for c in claims)
    labels = [e.label for e in events if e.kind == "analyst"]
    assert any("first frame" in t for t in labels) and any("Strike" in t for t in labels)
    # 26 Oct 2016: Damascus at UTC+3; the claim typed +03:00 is not flagged
    claim_events = [e for e in events if e.kind == "claim"]
    assert claim_events and not any(e.offset_flag for e in claim_events)


def test_flashbang_command_stores_an_observation_or_nothing(demo, tmp_path, capsys):
    built, truth = demo
    case_path = tmp_path / "copy.gwcase"
    shutil.copytree(built.case_path, case_path)
    second = str(built.evidence_ids["video_second"])
    flash = truth["videos"]["video_second"]["flash"]["frames"][0]
    vb = truth["videos"]["video_second"]
    bang_s = vb["flash"]["file_time_s"] + vb["bang"]["delay_s"]
    args = ["flashbang", "--case", str(case_path), "--evidence", second, "--flash-frame",
            str(flash), "--temperature-c", "20", "--bang-near", f"{bang_s + 0.1}",
            "--json"]  # fmt: skip
    assert cli_main(args) == 0
    out = json.loads(capsys.readouterr().out)
    true_m = truth["videos"]["video_second"]["bang"]["slant_distance_m"]
    assert out["distance_m"] == pytest.approx(true_m, rel=0.03)
    assert out["bang_s"] == pytest.approx(bang_s, abs=0.005)
    with open_case(case_path, read_only=True) as case:
        stored = list_observations(case.read(), "flash_bang")
    assert out["observation_id"] == stored[-1].id and len(stored) == 2
    too_late = ["flashbang", "--case", str(case_path), "--evidence", second,
                "--flash-frame", "39", "--json"]  # fmt: skip
    assert cli_main(too_late) != 0  # the bang is before this frame
    assert "flash" in capsys.readouterr().err
    with open_case(case_path, read_only=True) as case:
        assert len(list_observations(case.read(), "flash_bang")) == 2  # nothing half-done


def test_a_named_stretch_of_sound_is_kept_with_its_utc_times(demo, tmp_path):
    from analysis.errors import GeometryError
    from workbench.sound_store import store_sound_mark

    built, truth = demo
    case_path = tmp_path / "marks.gwcase"
    shutil.copytree(built.case_path, case_path)
    second = built.evidence_ids["video_second"]
    with open_case(case_path) as case:
        with pytest.raises(GeometryError, match="end after it starts"):
            store_sound_mark(case, second, 2.0, 1.0, "jet noise")
        with pytest.raises(GeometryError, match="needs a label"):
            store_sound_mark(case, second, 1.0, 2.0, "  ")
        obs_id = store_sound_mark(case, second, 1.0, 2.5, "jet noise").result()
        [mark] = list_observations(case.read(), "sound_mark")
        events = build_timeline(case.read())
    assert mark.id == obs_id and mark.result["duration_s"] == pytest.approx(1.5)
    start = _utc(truth["videos"]["video_second"]["start_utc"])
    got = (_utc(mark.inputs["start_utc"]) - start).total_seconds()
    assert got == pytest.approx(1.0, abs=1.0 / truth["videos"]["video_second"]["fps"])
    assert any(e.source == f"observation:{obs_id}" for e in events)

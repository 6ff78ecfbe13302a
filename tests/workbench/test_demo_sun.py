"""The sample case's shadows (issue 17): each segment's shadow gives the true time within its
95% interval, and the continuity note says "same time" for the two segments.

Truth: truth.json's segment start instants (the scenario's NOAA sun drew the shadows; the
workbench solves with SPA through the continuity homography it measured by matching).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.sun.spa import sun_at
from tests.synth.small_demo import build_small_demo, small_demo_config
from workbench import observations
from workbench.case import audit, open_case
from workbench.case.verify import verify_case
from workbench.continuity_sun import same_time_figure
from workbench.demo_sun import ground_homography, latest_note_between
from workbench.geodata_records import list_observations


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    config = replace(
        small_demo_config(),
        second_size=(320, 180),
        second_duration_s=1.0,
        still_size=(160, 120),
        photo_size=(160, 120),
    )
    built = build_small_demo(tmp_path_factory.mktemp("sun_demo"), config)
    truth = json.loads(built.truth_path.read_text(encoding="utf-8"))
    with open_case(built.case_path, read_only=True) as case:
        shadows = list_observations(case.read(), "shadow")
        note = latest_note_between(case.read(), built.evidence_ids["video_rooftop"])
        log = audit.entries(case.read())
        ok = verify_case(case).ok
    return truth, shadows, note, log, ok


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _with_posed(obs, posed: dict):
    """A typed shadow observation with another posed member (not stored)."""
    inputs = replace(obs.inputs, other=dict(obs.inputs.other) | {"posed": posed})
    return replace(obs, inputs=inputs)


def test_each_segments_shadow_holds_its_true_time(demo) -> None:
    truth, shadows, _note, _log, ok = demo
    segments = truth["videos"]["video_rooftop"]["segments"]
    assert ok and len(shadows) == 2
    for obs, seg in zip(shadows, segments, strict=True):
        true = _utc(seg["start_utc"])
        assert obs.frame_index == seg["first_frame"]
        intervals = obs.result["intervals"]
        assert intervals, obs.result
        assert any(_utc(iv["start_utc"]) <= true <= _utc(iv["end_utc"]) for iv in intervals)
        assert all(iv["carried_by"] == "tip position (posed frame)" for iv in intervals)
        # recomputed from the stored inputs alone, the same result
        e = observations.entry("shadow")
        assert e.result_to_json(observations.recompute(obs)) == obs.result
    # the zoomed segment's shadow is long in pixels: it pins the time to well under 2 hours
    widths = [
        (_utc(iv["end_utc"]) - _utc(iv["start_utc"])).total_seconds() / 60
        for iv in shadows[1].result["intervals"]
    ]
    assert min(widths) < 120


def test_the_continuity_note_says_same_time(demo) -> None:
    _truth, shadows, note, log, _ok = demo
    figure = note.figures["same_time"]
    assert note.verdict.endswith(", same time")
    assert figure["same_time"] and figure["observations"] == [s.id for s in shadows]
    assert 0 < figure["within_min"] < 300
    assert "same time of day" in note.figures["time_note"]
    assert any(r.action == "continuity.same_time" for r in log)


def test_an_hour_and_a_half_apart_is_not_the_same_time(demo) -> None:
    """The zoomed segment's shadow against itself with the tip moved to where SPA puts it
    an hour and a half later: no common time (the figure can say no)."""
    truth, shadows, note, _log, _ok = demo
    b = observations.read(shadows[1])
    posed = dict(b.inputs.other["posed"])
    seg = truth["videos"]["video_rooftop"]["segments"][1]
    mark = truth["landmarks"]["minaret"]
    later = sun_at(_utc(seg["start_utc"]).replace(hour=9), mark["lat_deg"], mark["lon_deg"])
    assert same_time_figure(b, b, None)["same_time"]
    az, el = np.radians(float(later.azimuth_deg)), np.radians(float(later.apparent_elevation_deg))
    base = np.asarray(posed["base_en_m"])
    tip = base - posed["height_m"] / np.tan(el) * np.array([np.sin(az), np.cos(az)])
    v = ground_homography(seg["camera"]) @ np.array([tip[0], tip[1], 1.0])
    posed["tip_px"] = [float(np.round(v[0] / v[2])), float(np.round(v[1] / v[2]))]
    fig = same_time_figure(b, _with_posed(b, posed), np.asarray(note.figures["homography"]))
    assert not fig["same_time"] and fig["within_min"] is None


def test_a_frame_without_pose_takes_the_first_through_the_homography(demo) -> None:
    _truth, shadows, note, _log, _ok = demo
    a, b = (observations.read(s) for s in shadows)
    bare = _with_posed(b, dict(b.inputs.other["posed"]) | {"image_from_ground": None})
    fig = same_time_figure(a, bare, np.asarray(note.figures["homography"]))
    assert fig["same_time"] and fig == note.figures["same_time"]
    with pytest.raises(GeometryError, match="no pose"):
        same_time_figure(a, bare, None)
    assert note.figures["verdict"] == note.verdict.removesuffix(", same time")

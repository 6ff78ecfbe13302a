"""The descent observation kind: stored from a tracked case video, read back typed, the stored
result equal to the recompute from the row's inputs, the note edited and undone, and bad
scale or track input refused with a message (nothing written)."""

from __future__ import annotations

import json
import math

import pytest

from analysis.errors import GeometryError
from analysis.tracking.video_track import Mark
from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from workbench import observations
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.descent_store import (
    add_descent,
    descent_inputs,
    descents,
    measure_track,
    set_descent_note,
)
from workbench.geodata_records import get_observation
from workbench.observations.descent import CAMERA, STATED, ScaleInputs, range_text
from workbench.track_runs import track_evidence
from workbench.tracks import read_track, store_track

pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


@pytest.fixture(scope="module")
def case_with_track(tmp_path_factory):
    folder = tmp_path_factory.mktemp("descent_obs")
    r = write_descent_video(folder / "canopy.mp4", seed=5)
    case = create_case(folder / "d.gwcase", analyst="tester")
    eid = import_file(case, folder / "canopy.mp4").id
    run = track_evidence(case, eid, Mark(0, *r.truth_xy[0]))
    track_id = store_track(case, eid, run.track, params=run.params).result()
    yield case, track_id, r
    case.close()


def test_stored_result_is_the_recompute(case_with_track) -> None:
    case, track_id, r = case_with_track
    hfov = 60.0
    focal = (r.spec.size[0] / 2) / math.tan(math.radians(hfov / 2))
    scale = ScaleInputs(CAMERA, distance_m=focal / r.ref_px_per_m, distance_sigma_m=5.0,
                        hfov_deg=hfov, origin="typed")  # fmt: skip
    obs_id = measure_track(case, track_id, scale, note="canopy seen").result()
    row = get_observation(case.read(), obs_id)
    assert row.kind == "descent" and row.inputs["schema"] == 1
    typed = observations.read(row)
    assert typed.inputs.track_id == track_id and typed.inputs.note == "canopy seen"
    again = observations.entry("descent").result_to_json(observations.recompute(row))
    assert again == row.result  # the stored result follows from the row alone
    res = typed.result
    assert res.verdict == "retarded" and res.unit == "m"
    truth = r.spec.rate0_m_s
    assert abs(res.rate.value - truth) < 0.08 * truth
    assert res.rate.low < res.rate.value < res.rate.high
    assert "nan" not in json.dumps(row.result).lower()
    assert observations.map_items([row], observations.MapContext({})) == []
    text = observations.report_section(row).as_text()
    assert "retarded" in text and "m/s" in text and "canopy seen" in text

    old = set_descent_note(case, obs_id, "parachute visible in frame 3").result()
    assert old == "canopy seen"
    row2 = get_observation(case.read(), obs_id)
    assert row2.inputs["note"] == "parachute visible in frame 3" and row2.result == row.result
    set_descent_note(case, obs_id, old).result()  # undo
    assert get_observation(case.read(), obs_id).inputs["note"] == "canopy seen"
    assert [o.id for o in descents(case.read(), track_id)] == [obs_id]
    assert verify_case(case).ok


def test_no_scale_gives_px_and_says_why(case_with_track) -> None:
    case, track_id, _r = case_with_track
    obs_id = measure_track(case, track_id, None).result()
    res = observations.read(get_observation(case.read(), obs_id)).result
    assert res.unit == "px" and res.verdict == "inconclusive" and "no metric scale" in res.reason
    assert "px/s" in range_text(res.rate, "px/s", ".1f")


@pytest.mark.parametrize(
    "scale, words",
    [
        (ScaleInputs(CAMERA, distance_m=-5.0, hfov_deg=60.0), "positive"),
        (ScaleInputs(CAMERA, distance_m=900.0, hfov_deg=200.0), "between 0 and 180"),
        (ScaleInputs(CAMERA, distance_m=900.0), "needs the distance and the field of view"),
        (ScaleInputs(STATED, px_per_m=0.0), "positive"),
        (ScaleInputs("guess", px_per_m=2.0), "not one of"),
    ],
)
def test_bad_scale_is_refused(case_with_track, scale, words) -> None:
    case, track_id, _r = case_with_track
    rows = len(audit.entries(case.read()))
    with pytest.raises(GeometryError, match=words):
        measure_track(case, track_id, scale)
    assert len(audit.entries(case.read())) == rows


def test_short_track_is_refused(case_with_track) -> None:
    case, track_id, _r = case_with_track
    stored = read_track(case.read(), track_id)
    short = stored.__class__(**{**stored.__dict__, "points": stored.points[:5]})
    with pytest.raises(GeometryError, match="at least 8 are needed"):
        add_descent(case, descent_inputs(short, ScaleInputs(STATED, px_per_m=2.0)))
    shuffled = descent_inputs(stored, None)
    bad = shuffled.__class__(**{**shuffled.__dict__, "samples": shuffled.samples[::-1]})
    with pytest.raises(GeometryError, match="out of order"):
        add_descent(case, bad)


def test_a_flash_at_the_end_is_reported_as_the_impact(case_with_track) -> None:
    from dataclasses import replace

    case, track_id, r = case_with_track
    stored = read_track(case.read(), track_id)
    last = stored.points[-1]
    impact = {"frame_index": last.frame_index + 2, "pts_s": (last.frame_index + 2) / 30,
              "time_s": (last.frame_index + 2) / 30, "luma_jump": 40.0}  # fmt: skip
    inputs = replace(descent_inputs(stored, ScaleInputs(STATED, px_per_m=r.ref_px_per_m)),
                     impact=impact)  # fmt: skip
    obs_id = add_descent(case, inputs).result()
    row = get_observation(case.read(), obs_id)
    assert row.inputs["impact"] == impact
    text = observations.report_section(row).as_text()
    assert f"impact: a flash in frame {last.frame_index + 2} at {impact['pts_s']:.3f} s" in text

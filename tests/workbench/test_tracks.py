"""Tracks in the case: the tracker's result stored with its frames, read back, one point
corrected by the analyst, the track re-propagated from the correction (tracker points after
it replaced, analyst points kept), undo, audit and verify; bad input writes nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.tracking.model import ANALYST, TRACKER
from analysis.tracking.video_track import Mark
from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.track_runs import repropagate, track_evidence
from workbench.tracks import (
    TrackError,
    correct_point,
    delete_track,
    list_tracks,
    read_track,
    replace_after,
    restore_point,
    restore_points,
    restore_track,
    store_track,
)

pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracks")
    r = write_descent_video(folder / "canopy.mp4")
    return folder / "canopy.mp4", r


@pytest.fixture
def tracked_case(tmp_path, rendered):
    path, r = rendered
    case = create_case(tmp_path / "t.gwcase", analyst="tester")
    eid = import_file(case, path).id
    yield case, eid, r
    case.close()


def _error_px(points, r) -> list[float]:
    return [
        math.hypot(p.x_px - r.truth_xy[p.frame_index, 0], p.y_px - r.truth_xy[p.frame_index, 1])
        for p in points
    ]


def test_store_read_correct_repropagate(tracked_case) -> None:
    case, eid, r = tracked_case
    partials: list = []
    run = track_evidence(case, eid, Mark(0, *r.truth_xy[0]), partial=partials.append)
    assert partials and len(partials[-1]) == len(run.track.points)  # the track grew
    track_id = store_track(case, eid, run.track, label="canopy", params=run.params).result()

    stored = read_track(case, track_id)  # a Case reads through its reader
    assert stored.evidence_id == eid and stored.label == "canopy"
    assert stored.method == "template" and stored.params["reference_frame"] == 0
    assert [p.frame_index for p in stored.points] == [p.frame_index for p in run.track.points]
    first = stored.points[0]
    assert first.source == ANALYST and first.confidence == 1.0
    assert all(p.source == TRACKER for p in stored.points[1:])
    assert all(len(p.md5) == 32 and p.pts_s is not None for p in stored.points)
    assert stored.points[5].pts_s == pytest.approx(5 / 30, abs=1e-6)  # pts, not a count
    assert np.median(_error_px(stored.points, r)) < 0.5
    assert [t.id for t in list_tracks(case.read(), eid)] == [track_id]

    # The analyst drags frame 20's point off by 6 px, then back onto the truth.
    k = 20
    wrong = correct_point(case, track_id, k, r.truth_xy[k, 0] + 6, r.truth_xy[k, 1]).result()
    assert wrong is not None and wrong.source == TRACKER
    restore_point(case, track_id, k, wrong).result()  # undo
    assert read_track(case.read(), track_id).point_at(k) == wrong
    correct_point(case, track_id, k, *r.truth_xy[k]).result()
    fixed = read_track(case.read(), track_id).point_at(k)
    assert fixed.source == ANALYST and fixed.bg_x_px is None and fixed.md5 == wrong.md5

    # Re-propagation: tracker points after the correction replaced, analyst points kept,
    # points before it untouched; the correction gets its background position.
    stored = read_track(case.read(), track_id)
    again = repropagate(case, stored)
    before = replace_after(case, track_id, k, again.track, impact=again.impact).result()
    after = read_track(case.read(), track_id)
    assert before == stored.points
    assert after.point_at(k).source == ANALYST
    assert after.point_at(k).x_px == pytest.approx(r.truth_xy[k, 0])
    assert after.point_at(k).bg_x_px is not None
    assert after.point_at(0) == stored.point_at(0)
    assert all(after.point_at(i) == stored.point_at(i) for i in range(1, k))
    assert np.median(_error_px(after.points, r)) < 0.5
    assert sum(p.source == ANALYST for p in after.points) == 2

    restore_points(case, track_id, before).result()  # undo the re-propagation
    assert read_track(case.read(), track_id).points == stored.points

    actions = [e.action for e in audit.entries(case.read())]
    for action in ("track.add", "track.correct", "track.restore_point", "track.repropagate",
                   "track.restore_points"):  # fmt: skip
        assert action in actions
    assert verify_case(case).ok

    gone = delete_track(case, track_id).result()
    assert gone.id == track_id and list_tracks(case.read()) == []
    assert case.read().execute("SELECT COUNT(*) FROM track_point").fetchone()[0] == 0
    assert restore_track(case, gone).result() == track_id  # undo of the deletion
    assert read_track(case.read(), track_id) == gone
    assert verify_case(case).ok


def test_bad_input_writes_nothing(tracked_case) -> None:
    case, eid, r = tracked_case
    run = track_evidence(case, eid, Mark(0, *r.truth_xy[0]))
    rows = len(audit.entries(case.read()))
    with pytest.raises(TrackError, match="no points"):
        store_track(case, eid, run.track.with_points([]))
    with pytest.raises(TrackError, match="not a video"):
        store_track(case, eid + 99, run.track).result()
    with pytest.raises(TrackError, match="does not exist"):
        read_track(case.read(), 12345)
    track_id = store_track(case, eid, run.track, params=run.params).result()
    rows += 1
    with pytest.raises(TrackError, match="finite"):
        correct_point(case, track_id, 3, math.nan, 4.0)
    with pytest.raises(TrackError, match="frame 9999 is not in the frame table"):
        correct_point(case, track_id, 9999, 4.0, 4.0).result()
    with pytest.raises(ValueError, match="frame 500 is not in"):
        track_evidence(case, eid, Mark(500, 10.0, 10.0))
    assert len(audit.entries(case.read())) == rows

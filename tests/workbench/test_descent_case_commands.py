"""``track --case`` and ``descent --case --track``: a case's video tracked and stored, its
descent measured and stored as an observation; bad input is one line, nothing written."""

from __future__ import annotations

import json
import math
import re

import pytest

from analysis.tracking.video_track import Mark
from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from workbench import cli
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.descent_store import descents
from workbench.track_runs import track_evidence
from workbench.tracks import read_track, store_track

pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """(case folder, rendered truth, evidence id) of a case holding a canopy video."""
    folder = tmp_path_factory.mktemp("descent_case")
    r = write_descent_video(folder / "canopy.mp4", seed=9)
    case_dir = folder / "c.gwcase"
    with create_case(case_dir, analyst="tester") as case:
        eid = import_file(case, folder / "canopy.mp4").id
        run_ = track_evidence(case, eid, Mark(0, *r.truth_xy[0]))
        store_track(case, eid, run_.track, params=run_.params).result()  # track 1
    return case_dir, r, eid


def test_track_and_descent_into_a_case(tracked, capsys) -> None:
    case_dir, r, eid = tracked
    x, y = r.truth_xy[0]
    code, out, err = run(capsys, "track", str(eid), "--case", str(case_dir), "--frame", "0",
                         "--point", f"{x},{y}", "--label", "canopy", "--json")  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert made["frames"] >= 0.8 * len(r.frames) and made["first_frame"] == 0
    track_id = made["track_id"]

    hfov = 60.0
    distance = (r.spec.size[0] / 2) / math.tan(math.radians(hfov / 2)) / r.ref_px_per_m
    code, out, err = run(capsys, "descent", "--case", str(case_dir), "--track", str(track_id),
                         "--distance-m", str(distance), "--hfov-deg", str(hfov),
                         "--note", "canopy", "--json")  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["verdict"] == "retarded" and res["track_id"] == track_id
    assert abs(res["rate_m_s"] - r.spec.rate0_m_s) < 0.08 * r.spec.rate0_m_s
    code, out, _ = run(capsys, "descent", "--case", str(case_dir), "--track", str(track_id))
    assert code == 0 and "px/s" in out and "nan" not in out.lower() and "stored: observation" in out
    with open_case(case_dir, read_only=True) as case:
        assert read_track(case, track_id).label == "canopy"
        stored = descents(case.read(), track_id)
        assert [o.inputs["note"] for o in stored] == ["canopy", ""]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--track", "7"], "no track 7|track 7 does not exist"),
        (["--track", "1", "--distance-m", "-3", "--hfov-deg", "60"], "positive"),
        (["--track", "1", "--hfov-deg", "60"], "needs both"),
        ([], "needs both --case CASE and --track ID"),
    ],
)
def test_descent_case_bad_input(tracked, capsys, argv, words) -> None:
    case_dir, _r, _eid = tracked
    with open_case(case_dir, read_only=True) as case:
        rows = len(audit.entries(case.read()))
    code, out, err = run(capsys, "descent", "--case", str(case_dir), *argv)
    assert code in (1, 2) and err.count("\n") == 1
    assert re.search(words, err), err
    with open_case(case_dir, read_only=True) as case:
        assert len(audit.entries(case.read())) == rows

"""``geoworkbench annotate`` and ``annotations``: shapes added from the command line with their
frame's md5, listed, deleted (audited); bad input refused with nothing written."""

from __future__ import annotations

import json

import pytest

from analysis.video.decode import VideoReader
from tests.workbench.test_video_store import make_cut_video
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.cli import main


@pytest.fixture
def fresh_case(tmp_path):
    """A case holding the cut video, its frame table not built yet."""
    video = make_cut_video(tmp_path / "cut.mp4")
    with create_case(tmp_path / "c.gwcase", analyst="tester") as case:
        eid = import_file(case, video).id
    return tmp_path / "c.gwcase", eid, video


def _run(capsys, *args) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_annotate_list_delete(fresh_case, capsys):
    path, eid, video = fresh_case
    box = _run(capsys, "annotate", str(path), str(eid), "--frame", "30", "--box",
               "100,90,20,10", "--label", "crater")  # fmt: skip
    with VideoReader(video) as reader:
        assert box["frame_md5"] == reader.frame_at(30).md5
    assert box["points"] == [[20, 10], [100, 90]] and box["label"] == "crater"
    _run(capsys, "annotate", str(path), str(eid), "--frame", "3", "--text", "5,5",
         "--label", "<b>smoke</b>")  # fmt: skip
    listed = _run(capsys, "annotations", str(path), str(eid))
    kinds = [(a["frame_index"], a["kind"]) for a in listed["annotations"]]
    assert kinds == [(3, "text"), (30, "box")]
    assert listed["annotations"][0]["label"] == "<b>smoke</b>"
    assert [a["id"] for a in _run(capsys, "annotations", str(path), str(eid), "--frame",
                                  "30")["annotations"]] == [box["id"]]  # fmt: skip
    after = _run(capsys, "annotations", str(path), str(eid), "--delete", str(box["id"]))
    assert [a["kind"] for a in after["annotations"]] == ["text"]
    with open_case(path, read_only=True) as case:
        actions = [e.action for e in audit.entries(case.read())]
    assert actions.count("annotation.add") == 2 and actions.count("annotation.delete") == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--frame", "48", "--point", "1,1"], 1, "frame 48 does not exist (frames 0 to 47)"),
        (["--frame", "0", "--polygon", "0,0,1,1,2,2"], 1, "on one line"),
        (["--frame", "0", "--point", "1,nan"], 1, "not a finite number"),
        (["--frame", "0", "--point", "170,1"], 1, "outside the 160 x 120 frame"),
        (["--frame", "0", "--box", "1,2,3"], 2, "x,y pairs"),
        (["--frame", "0", "--text", "1,1"], 1, "needs its text"),
        (["--frame", "0"], 2, "one of the arguments"),
    ],
)
def test_bad_input_writes_nothing(fresh_case, capsys, args, code, message):
    path, eid, _ = fresh_case
    assert main(["annotate", str(path), str(eid), *args]) == code
    assert message in capsys.readouterr().err
    with open_case(path, read_only=True) as case:
        assert not [e for e in audit.entries(case.read()) if e.action.startswith("annotation")]


def test_unknown_evidence_and_annotation(fresh_case, capsys):
    path, eid, _ = fresh_case
    assert main(["annotate", str(path), "77", "--frame", "0", "--point", "1,1"]) == 1
    assert "no evidence with id 77" in capsys.readouterr().err
    assert main(["annotations", str(path), str(eid), "--delete", "5"]) == 1
    assert "annotation 5 does not exist" in capsys.readouterr().err

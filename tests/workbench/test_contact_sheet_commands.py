"""``geoworkbench contact-sheet``: the frames asked for in a grid, in order, each labelled with
its index, pts and time code, annotations burned in, one provenance sidecar, bad input refused
with nothing written."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from analysis.video.decode import VideoReader, time_code
from tests.workbench.test_video_store import make_cut_video
from workbench.annotations import add_annotation
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.cli import main
from workbench.contact_sheet import LABEL_PX
from workbench.contact_sheet_export import evenly
from workbench.frame_table_store import load_or_build_frame_table

CELL, GAP = 80, 4  # cell width asked for; the grid's gap


@pytest.fixture
def sheet_case(tmp_path):
    video = make_cut_video(tmp_path / "cut.mp4")
    with create_case(tmp_path / "s.gwcase", analyst="tester") as case:
        eid = import_file(case, video).id
        load_or_build_frame_table(case, eid)
        add_annotation(case, eid, 30, "box", [(20, 10), (100, 90)], "<script>x</script>").result()
        add_annotation(case, eid, 2, "arrow", [(10, 100), (80, 20)]).result()
    return tmp_path / "s.gwcase", eid, video


def _label_strip(text: str, width: int) -> np.ndarray:
    strip = Image.new("RGB", (width, LABEL_PX), "white")
    ImageDraw.Draw(strip).text((4, 3), text, fill=(0, 0, 0))
    return np.asarray(strip)


def test_frames_in_a_grid_with_their_labels(sheet_case, tmp_path, capsys):
    path, eid, video = sheet_case
    out = tmp_path / "sheet.png"
    args = ["contact-sheet", str(path), str(eid), "--frames", "40,3,30,3", "-o", str(out)]
    assert main([*args, "--columns", "2", "--cell-px", str(CELL), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["frame_index"] for c in result["cells"]] == [3, 30, 40]  # sorted, no repeats
    sheet = np.asarray(Image.open(out).convert("RGB"))
    cell_h = CELL * 120 // 160 + LABEL_PX  # 160 x 120 frames scaled to 80 px wide
    assert sheet.shape == (2 * cell_h + 3 * GAP, 2 * CELL + 3 * GAP, 3)
    with VideoReader(video) as reader:
        for k, c in enumerate(result["cells"]):
            x, y = GAP + (k % 2) * (CELL + GAP), GAP + (k // 2) * (cell_h + GAP)
            f = reader.frame_at(c["frame_index"])
            label = f"#{f.index}  {f.pts_s:.3f} s  {time_code(f.time_s)}"
            assert c["time_code"] == time_code(f.time_s) and c["frame_md5"] == f.md5
            got = sheet[y + cell_h - LABEL_PX : y + cell_h, x : x + CELL]
            assert np.array_equal(got, _label_strip(label, CELL)), label
            small = np.asarray(Image.fromarray(f.image).resize((CELL, 60), Image.LANCZOS))
            picture = sheet[y : y + 60, x : x + CELL].astype(int)
            changed = np.abs(picture - small).max(axis=2) > 60
            if not c["annotation_ids"]:  # a clean frame: the picture is the frame, scaled
                assert not changed.any()
            else:  # frame 30's box (20, 10)-(100, 90) burned in, seen at half size
                # its left and right edges (x = 10 and 50) on most rows: a yellow edge over a
                # yellowish patch of the scene differs little
                assert changed[8:43, 9:12].any(axis=1).mean() > 0.8
                assert changed[8:43, 49:52].any(axis=1).mean() > 0.8
                assert not changed[10:42, 13:48].any()  # inside it (below the label) untouched
                assert not changed[9:42, 13:48].any()  # inside it the frame is untouched
    side = json.loads((tmp_path / "sheet.png.json").read_text(encoding="utf-8"))
    assert [s["frame_index"] for s in side["sources"]] == [3, 30, 40]
    assert [o["op"] for o in side["operations"]][-2:] == ["overlay", "grid"]
    [overlay] = [o for o in side["operations"] if o["op"] == "overlay"]
    assert overlay["params"]["annotations"][0]["label"] == "<script>x</script>"
    assert side["outputs"][0]["sha256"] == result["png_sha256"]
    assert side["audit_head"] == result["audit_head"]
    with open_case(path, read_only=True) as case:
        [row] = [e for e in audit.entries(case.read()) if e.action == "frame.contact_sheet"]
        assert row.details["png_sha256"] == result["png_sha256"]
        assert row.details["frames"] == [3, 30, 40]


def test_annotated_frames_and_the_overwrite_guard(sheet_case, tmp_path, capsys):
    path, eid, _ = sheet_case
    out = tmp_path / "a.png"
    args = ["contact-sheet", str(path), str(eid), "--annotated", "-o", str(out), "--json"]
    assert main(args) == 0
    assert [c["frame_index"] for c in json.loads(capsys.readouterr().out)["cells"]] == [2, 30]
    before = out.read_bytes()
    assert main(args) == 1
    assert "pass --force to replace it" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main([*args, "--force"]) == 0


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--frames", "3,48"], 1, "frame 48 does not exist (frames 0 to 47)"),
        (["--frames", "3,x"], 2, "not a list of frame numbers"),
        (["--frames", "-1"], 2, "give frame numbers from 0"),
        (["--frames", "3", "--columns", "0"], 2, "--columns must be 1 to 20"),
        (["--track", "7"], 1, "track 7 does not exist"),
        ([], 2, "one of the arguments"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(sheet_case, tmp_path, capsys, extra, code,
                                                  message):  # fmt: skip
    path, eid, _ = sheet_case
    out = tmp_path / "bad.png"
    assert main(["contact-sheet", str(path), str(eid), *extra, "-o", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "bad.png.json").exists()


def test_unknown_evidence_and_no_annotations(tmp_path, capsys):
    video = make_cut_video(tmp_path / "v.mp4", frames=6, cut=3)
    with create_case(tmp_path / "n.gwcase", analyst="t") as case:
        eid = import_file(case, video).id
    out = str(tmp_path / "n.png")
    assert main(["contact-sheet", str(tmp_path / "n.gwcase"), "9", "--annotated", "-o", out]) == 1
    assert "no evidence with id 9" in capsys.readouterr().err
    assert main(["contact-sheet", str(tmp_path / "n.gwcase"), str(eid), "--annotated",
                 "-o", out]) == 1  # fmt: skip
    assert "no frame carries an annotation" in capsys.readouterr().err


def test_evenly_keeps_first_and_last():
    assert evenly(range(100), 5) == [0, 25, 50, 74, 99]
    assert evenly([5, 1, 3], 12) == [1, 3, 5]
    assert evenly(range(10), 1) == [0]


def test_track_frames_sampled_along_it_with_the_track_drawn(sheet_case, tmp_path, capsys):
    from analysis.tracking.model import Track, TrackPoint
    from workbench.tracks import store_track

    path, eid, _ = sheet_case
    points = tuple(TrackPoint(i, None, 80.0, 20.0 + i, 0.9, "tracker") for i in range(10, 41))
    track = Track(reference_frame=10, box_w_px=9, box_h_px=9, method="template",
                  points=points, frame_width_px=160, frame_height_px=120)  # fmt: skip
    with open_case(path) as case:
        tid = store_track(case, eid, track).result()
    out = tmp_path / "t.png"
    args = ["contact-sheet", str(path), str(eid), "--track", str(tid), "--count", "4"]
    assert main([*args, "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["frame_index"] for c in result["cells"]] == [10, 20, 30, 40]
    side = json.loads((tmp_path / "t.png.json").read_text(encoding="utf-8"))
    assert side["details"]["track_id"] == tid
    [drawn] = [o for o in side["operations"] if o["params"].get("kind") == "track"]
    assert drawn["params"]["reference_frame"] == 10
    other = make_cut_video(tmp_path / "o.mp4", frames=6, cut=3)
    with open_case(path) as case:
        oid = import_file(case, other).id
    assert main(["contact-sheet", str(path), str(oid), "--track", str(tid), "-o",
                 str(tmp_path / "o.png")]) == 1  # fmt: skip
    assert f"track {tid} follows evidence {eid}" in capsys.readouterr().err


def test_a_sheet_in_the_case_is_vouched_for_by_verify(sheet_case):
    from workbench.case.verify import verify_case
    from workbench.contact_sheet_export import sheet_in_case

    path, eid, _ = sheet_case
    with open_case(path) as case:
        seen = []
        case.changes.subscribe(seen.append)
        sheet = sheet_in_case(case, eid)
        assert sheet.png_path.parent == case.exports_dir / "contact_sheets"
        assert seen and seen[-1].touches("export")
        assert verify_case(case).ok
        sheet.png_path.write_bytes(sheet.png_path.read_bytes() + b"x")
        found = [f for f in verify_case(case).findings if f.severity == "error"]
        assert any("contact_sheets" in f.where and "changed" in f.problem for f in found)

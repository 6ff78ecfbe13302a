"""Annotations burned into exported frames: the shape where it was drawn, the rest of the frame
untouched, the sidecar listing the overlay and keeping the clean frame's md5; ``frames
--annotations`` and ``--annotated`` from the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.video.decode import VideoReader
from tests.workbench.test_video_store import make_cut_video
from workbench.annotations import add_annotation, update_annotation
from workbench.annotations.burn import COLOUR, line_width_px
from workbench.case import create_case, open_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.cli import main
from workbench.frame_export import export_frame
from workbench.frame_table_store import load_or_build_frame_table

BOX = ((20, 10), (100, 90))


@pytest.fixture
def case_video(tmp_path):
    video = make_cut_video(tmp_path / "cut.mp4")
    case = create_case(tmp_path / "e.gwcase", analyst="tester")
    eid = import_file(case, video).id
    load_or_build_frame_table(case, eid)
    yield case, eid, video
    case.close()


def _png(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_a_burned_box_is_where_it_was_drawn_and_nothing_else_moved(case_video):
    case, eid, video = case_video
    add_annotation(case, eid, 30, "box", BOX).result()
    with VideoReader(video) as reader:
        truth = reader.frame_at(30)
    clean = export_frame(case, eid, 30)
    burned = export_frame(case, eid, 30, annotations=True)
    assert clean.png_path != burned.png_path  # the burned copy never replaces the clean one
    assert np.array_equal(_png(clean.png_path), truth.image)
    out = _png(burned.png_path)
    width = line_width_px(160, 120)
    (x0, y0), (x1, y1) = BOX
    for x, y in ((x0, 50), (x1, 50), (60, y0), (60, y1), (x0 + width - 1, 50)):
        assert tuple(out[y, x]) == COLOUR, (x, y)
    diff = np.argwhere(np.any(out != truth.image, axis=2))  # (row, col) of every changed pixel
    assert diff[:, 1].min() >= x0 - 1 and diff[:, 1].max() <= x1 + 1
    assert diff[:, 0].min() >= y0 - 1 and diff[:, 0].max() <= y1 + 1
    inner = (slice(y0 + width + 1, y1 - width), slice(x0 + width + 1, x1 - width))
    assert np.array_equal(out[inner], truth.image[inner])
    side = json.loads(burned.sidecar_path.read_text(encoding="utf-8"))
    [source] = side["sources"]
    assert source["frame_md5"] == truth.md5 == side["details"]["clean_frame_md5"]
    assert side["details"]["clean_png_sha256"] == clean.png_sha256
    assert side["outputs"][0]["sha256"] == hashlib.sha256(burned.png_path.read_bytes()).hexdigest()
    [overlay] = [o for o in side["operations"] if o["op"] == "overlay"]
    [shape] = overlay["params"]["annotations"]
    assert shape["kind"] == "box" and shape["points"] == [[20, 10], [100, 90]]
    assert shape["frame_md5"] == truth.md5
    assert verify_case(case).ok


def test_a_frame_without_annotations_exports_clean(case_video):
    case, eid, video = case_video
    x = export_frame(case, eid, 5, annotations=True)
    side = json.loads(x.sidecar_path.read_text(encoding="utf-8"))
    assert "overlay" not in [o["op"] for o in side["operations"]]
    with VideoReader(video) as reader:
        assert np.array_equal(_png(x.png_path), reader.frame_at(5).image)


def test_an_edited_annotation_gets_its_own_file_and_labels_stay_text(case_video):
    case, eid, _ = case_video
    aid = add_annotation(case, eid, 8, "text", [(5, 5)], "<script>alert(1)</script>").result()
    first = export_frame(case, eid, 8, annotations=True)
    update_annotation(case, aid, label="moved").result()
    second = export_frame(case, eid, 8, annotations=True)
    assert first.png_path != second.png_path and first.png_path.is_file()
    side = json.loads(first.sidecar_path.read_text(encoding="utf-8"))
    [overlay] = [o for o in side["operations"] if o["op"] == "overlay"]
    assert overlay["params"]["annotations"][0]["label"] == "<script>alert(1)</script>"


def test_frames_command_burns_annotations_of_the_annotated_frames(case_video, capsys):
    case, eid, _ = case_video
    add_annotation(case, eid, 3, "point", [(40, 40)], "a").result()
    add_annotation(case, eid, 30, "arrow", [(10, 100), (80, 20)], "b").result()
    path = case.path
    case.close()
    assert main(["frames", str(path), str(eid), "--annotated", "--annotations", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["frame_index"] for f in out["frames"]] == [3, 30]
    assert out["mode"] == "annotated" and out["annotations_burned_in"] is True
    for f in out["frames"]:
        side = json.loads(Path(f["sidecar"]).read_text(encoding="utf-8"))
        assert "overlay" in [o["op"] for o in side["operations"]]
        assert side["details"]["clean_frame_md5"] == f["frame_md5"]
    with open_case(path) as again:
        assert verify_case(again).ok


def test_frames_annotated_without_any_is_an_error(case_video, capsys):
    case, eid, _ = case_video
    path = case.path
    case.close()
    assert main(["frames", str(path), str(eid), "--annotated"]) == 1
    assert "no frame carries an annotation" in capsys.readouterr().err


def test_a_shape_drawn_on_another_picture_is_refused_not_burned(case_video):
    from workbench.annotations import AnnotationError

    case, eid, _ = case_video
    aid = add_annotation(case, eid, 4, "point", [(9, 9)]).result()

    def tamper(conn):  # as if the frame table had been rebuilt by another decoder
        (g,) = conn.execute("SELECT geometry_json FROM annotation WHERE id = ?", (aid,)).fetchone()
        g = json.loads(g) | {"frame_md5": "0" * 32}
        conn.execute("UPDATE annotation SET geometry_json = ? WHERE id = ?", (json.dumps(g), aid))

    case.write_sync(tamper)
    with pytest.raises(AnnotationError, match="drawn on frame 4 with framemd5 0000"):
        export_frame(case, eid, 4, annotations=True)
    assert not list((case.exports_dir / "frames").glob("*_f4_a*.png"))

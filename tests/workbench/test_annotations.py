"""Annotations on frames: geometry rules, storage with the frame's md5, audit, edit, delete,
restore, the change feed, and bad input (nothing written)."""

from __future__ import annotations

import json
import math

import pytest

from tests.workbench.test_video_store import make_cut_video
from workbench.annotations import (
    AnnotationError,
    add_annotation,
    annotated_frames,
    delete_annotation,
    get_annotation,
    list_annotations,
    make_shape,
    restore_annotation,
    update_annotation,
)
from workbench.annotations.shapes import polygon_area_px2
from workbench.case import CaseError, audit, create_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.frame_table_store import load_or_build_frame_table

W, H = 160, 120  # make_cut_video's frame size


@pytest.fixture
def annotated_case(tmp_path):
    """(case, evidence id, frame table) of a case holding the 160 x 120, 48-frame cut video."""
    video = make_cut_video(tmp_path / "cut.mp4")
    case = create_case(tmp_path / "a.gwcase", analyst="tester")
    eid = import_file(case, video).id
    table = load_or_build_frame_table(case, eid)
    yield case, eid, table
    case.close()


GOOD = [
    ("point", [(0, 0)], [(0.0, 0.0)]),
    ("point", [(-0.5, H - 0.5)], None),  # the outer edges of the corner pixels
    ("line", [(10, 10), (50, 90)], [(10.0, 10.0), (50.0, 90.0)]),
    ("arrow", [(50, 90), (10, 10)], [(50.0, 90.0), (10.0, 10.0)]),  # direction kept
    ("box", [(80, 70), (20, 30)], [(20.0, 30.0), (80.0, 70.0)]),  # corners ordered
    ("polygon", [(0, 0), (100, 0), (0, 100)], None),
]


@pytest.mark.parametrize(("kind", "points", "stored"), GOOD)
def test_good_shapes_are_kept_with_their_points(kind, points, stored):
    s = make_shape(kind, points, " a label ", W, H)
    assert s.kind == kind and s.label == "a label"
    assert list(s.points) == (stored or [(float(x), float(y)) for x, y in points])


BAD = [
    ("circle", [(1, 1)], "", "not an annotation kind"),
    ("point", [(1, 1), (2, 2)], "", "needs 1 point"),
    ("line", [(1, 1)], "", "needs 2 points"),
    ("line", [(5, 5), (5, 5)], "", "two different points"),
    ("box", [(5, 5), (5, 50)], "", "width and a height"),
    ("polygon", [(0, 0), (10, 10)], "", "3 to"),
    ("polygon", [(0, 0), (10, 10), (20, 20), (30, 30)], "", "on one line"),
    ("point", [(math.nan, 3)], "", "not a finite number"),
    ("point", [(math.inf, 3)], "", "not a finite number"),
    ("point", [(W - 0.4, 3)], "", "outside the 160 x 120 frame"),
    ("point", [(3, -0.6)], "", "outside the 160 x 120 frame"),
    ("text", [(3, 3)], "   ", "needs its text"),
    ("point", [("a", 3)], "", "pairs of numbers"),
    ("point", [(3, 3)], "x" * 501, "at most 500"),
]


@pytest.mark.parametrize(("kind", "points", "label", "message"), BAD)
def test_bad_shapes_are_refused_saying_why(kind, points, label, message):
    with pytest.raises(AnnotationError, match=message):
        make_shape(kind, points, label, W, H)


def test_polygon_area_and_label_cleaning():
    assert polygon_area_px2([(0, 0), (4, 0), (4, 3), (0, 3)]) == 12
    s = make_shape("text", [(1, 1)], "two\nlines\tand\u0065\u0301", W, H)
    assert s.label == "two lines and\u00e9"  # control characters to spaces, NFC


def test_an_annotation_is_stored_with_its_frame_md5_and_audited(annotated_case):
    case, eid, table = annotated_case
    aid = add_annotation(case, eid, 30, "box", [(100, 90), (20, 10)], "crater").result()
    a = get_annotation(case.read(), aid)
    assert (a.evidence_id, a.frame_index, a.kind, a.label) == (eid, 30, "box", "crater")
    assert a.shape.points == ((20.0, 10.0), (100.0, 90.0))
    assert a.frame_md5 == table.frames[30].md5 and a.frame_size_px == (W, H)
    raw = case.read().execute("SELECT geometry_json FROM annotation WHERE id = ?", (aid,))
    g = json.loads(raw.fetchone()[0])
    assert g["frame_md5"] == table.frames[30].md5 and g["kind"] == "box"
    [row] = [e for e in audit.entries(case.read()) if e.action == "annotation.add"]
    assert row.target == f"annotation:{aid}"
    assert row.details["frame_md5"] == table.frames[30].md5 and row.details["label"] == "crater"
    assert verify_case(case).ok


def test_edit_delete_restore_each_logged_and_the_chain_holds(annotated_case):
    case, eid, _ = annotated_case
    aid = add_annotation(case, eid, 3, "line", [(1, 1), (9, 9)], "a").result()
    add_annotation(case, eid, 7, "point", [(5, 5)]).result()
    old = update_annotation(case, aid, label="b", points=[(2, 2), (8, 9)]).result()
    assert old.label == "a" and old.shape.points == ((1.0, 1.0), (9.0, 9.0))
    assert get_annotation(case.read(), aid).label == "b"
    update_annotation(case, aid, label=old.label, points=old.shape.points).result()  # undo
    assert get_annotation(case.read(), aid).shape.points == old.shape.points
    record = delete_annotation(case, aid).result()
    assert [a.frame_index for a in list_annotations(case.read(), eid)] == [7]
    assert restore_annotation(case, record).result() == aid
    assert get_annotation(case.read(), aid) == record  # same id, creation time, md5
    assert annotated_frames(case.read(), eid) == [3, 7]
    assert [a.id for a in list_annotations(case.read(), eid, 3)] == [aid]
    actions = [e.action for e in audit.entries(case.read()) if e.action.startswith("annotation")]
    assert actions == ["annotation." + a for a in
                       ("add", "add", "update", "update", "delete", "restore")]  # fmt: skip
    assert verify_case(case).ok


def test_the_change_feed_announces_annotations(annotated_case):
    case, eid, _ = annotated_case
    seen = []
    case.changes.subscribe(seen.append)
    add_annotation(case, eid, 0, "point", [(1, 1)]).result()
    assert seen and seen[-1].touches("annotation")


def test_bad_input_writes_nothing(annotated_case, tmp_path):
    case, eid, _ = annotated_case
    before = case.audit_head()
    with pytest.raises(CaseError, match="no evidence with id 99"):
        add_annotation(case, 99, 0, "point", [(1, 1)]).result()
    with pytest.raises(AnnotationError, match="frame 48 does not exist"):
        add_annotation(case, eid, 48, "point", [(1, 1)]).result()
    with pytest.raises(AnnotationError, match="on one line"):
        add_annotation(case, eid, 0, "polygon", [(0, 0), (1, 1), (2, 2)]).result()
    with pytest.raises(AnnotationError, match="outside"):
        add_annotation(case, eid, 0, "point", [(500, 1)]).result()
    aid = add_annotation(case, eid, 0, "point", [(1, 1)]).result()
    with pytest.raises(AnnotationError, match="outside"):
        update_annotation(case, aid, points=[(1, 900)]).result()
    with pytest.raises(AnnotationError, match="does not exist"):
        delete_annotation(case, aid + 1).result()
    assert get_annotation(case.read(), aid).shape.points == ((1.0, 1.0),)
    assert case.audit_head()[0] == before[0] + 1  # only the one good add


def test_a_video_without_its_frame_table_is_refused(tmp_path):
    video = make_cut_video(tmp_path / "v.mp4", frames=6, cut=3)
    with create_case(tmp_path / "b.gwcase", analyst="t") as case:
        eid = import_file(case, video).id
        with pytest.raises(AnnotationError, match="frame table is not built"):
            add_annotation(case, eid, 0, "point", [(1, 1)]).result()

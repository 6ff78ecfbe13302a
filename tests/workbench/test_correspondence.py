"""Correspondence figures: the pixels at the marked points (drawn on synthetic pictures whose
every pixel is known), the record and its sidecar, verify, delete and restore (undo)."""

from __future__ import annotations

import json
import sqlite3

import cv2
import numpy as np
import pytest

from tests.synth.video import SynthSpec, write_video
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.case.verify import verify_case
from workbench.correspondence.draw import (
    LOUPE_PX,
    LOUPE_SOURCE_PX,
    RING_RADIUS_PX,
    TICK_GAP_PX,
    TICK_PX,
    colour_of,
    draw_figure,
    scale_b_over_a,
)
from workbench.correspondence.model import CorrespondenceError, Mark, Pair
from workbench.correspondence.store import (
    delete_figure,
    draw_correspondence,
    list_figures,
    record_figure,
    restore_figure,
)
from workbench.frame_table_store import cached_frame_table
from workbench.match_store import ViewRef


def picture(w: int, h: int, seed: int) -> np.ndarray:
    """Every pixel different enough to be told from its neighbours (RGB)."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3)).astype(np.uint8)


A, B = picture(400, 300, 1), picture(320, 300, 2)  # one height: both drawn at scale 1
PAIRS = [
    Pair(Mark(50, 60), Mark(30, 40)),
    Pair(Mark(200, 100, 20, 30), Mark(150, 80, 10, 15)),
    Pair(Mark(399, 299), Mark(0, 0)),  # corners: the loupe reaches past the edge
]


def _px(fig: np.ndarray, xy: tuple[float, float]) -> tuple[int, ...]:
    x, y = (int(round(v)) for v in xy)
    return tuple(int(v) for v in fig[y, x])


def test_figure_pixels_at_the_marked_points():
    fig, lay = draw_figure(A, B, PAIRS, title="t", captions=("A", "B"), note="a note",
                           provenance_lines=["line"])  # fmt: skip
    assert fig.shape == (lay.height_px, lay.width_px, 3)
    assert lay.a.scale == lay.b.scale == 1.0
    for k, pair in enumerate(PAIRS, 1):
        for panel, mark, image in ((lay.a, pair.a, A), (lay.b, pair.b, B)):
            if mark.is_box:
                x0, y0 = panel.to_figure(mark.x, mark.y)
                assert _px(fig, (x0 + mark.w / 2, y0)) == colour_of(k)  # the outline's top
                continue
            cx, cy = panel.to_figure(mark.x, mark.y)
            # the marked pixel itself is left as it was; the ring of the pair's colour round it
            assert _px(fig, (cx, cy)) == tuple(image[int(mark.y), int(mark.x)])
            ring = [_px(fig, (cx + d, cy)) for d in (RING_RADIUS_PX - 1, -RING_RADIUS_PX + 1)]
            inside = [(cx + d, cy) for d in (1, -1) if 0 <= cx + d < fig.shape[1]]
            assert any(r == colour_of(k) for r in ring), (k, ring)
            for xy in inside:
                x, y = int(mark.x + round(xy[0] - cx)), int(mark.y)
                if 0 <= x < image.shape[1]:
                    assert _px(fig, xy) == tuple(image[y, x])
    # each loupe shows the image's own pixels, enlarged, around the mark
    for pair, (la, lb) in zip(PAIRS, lay.loupes, strict=True):
        for loupe, mark, image in ((la, pair.a, A), (lb, pair.b, B)):
            cx, cy = (int(round(v)) for v in mark.centre)
            for dx, dy in ((0, 0), (2, 1), (-1, 3)):
                x, y = cx + dx, cy + dy
                if 0 <= x < image.shape[1] and 0 <= y < image.shape[0]:
                    assert _px(fig, loupe.to_figure(x, y)) == tuple(image[y, x])
    # the loupes of a pair show the same part of the scene: B's crop follows B's scale
    ratio = lay.scale_b_over_a
    assert ratio == pytest.approx(scale_b_over_a(PAIRS))
    for la, lb in lay.loupes:
        assert abs(lb.size - la.size * ratio) <= 2 + 2 * ratio  # odd sizes, rounded up
    la, _ = lay.loupes[0]
    cx, cy = la.to_figure(50, 60)
    gap = max(1.5 * la.magnification, TICK_GAP_PX)
    assert _px(fig, (cx + gap + TICK_PX / 2, cy)) == colour_of(1)  # a tick, right of the mark
    corner, _ = lay.loupes[2]
    assert _px(fig, corner.to_figure(405, 305)) == (96, 96, 96)  # past the edge: padding


def test_a_far_landmark_and_its_near_view_get_loupes_of_the_same_scene():
    """A tower 5 px wide in A, 40 px in B: B's crop is 8 times A's, shrunk into the loupe."""
    pairs = [
        Pair(Mark(100, 100, 5, 5), Mark(100, 100, 40, 40)),
        Pair(Mark(102.5, 110), Mark(120, 180)),
        Pair(Mark(102.5, 102.5), Mark(120, 120)),
    ]
    assert scale_b_over_a(pairs) == pytest.approx(8.0)
    fig, lay = draw_figure(A, B, pairs, title="t", captions=("A", "B"), note="",
                           provenance_lines=[])  # fmt: skip
    (la, lb), (pa, pb), _ = lay.loupes
    assert (pa.size, pa.magnification) == (LOUPE_SOURCE_PX, 8)
    assert abs(pb.size - 8 * LOUPE_SOURCE_PX) <= 2 and pb.magnification < 1
    assert abs(lb.size / la.size - 8) < 0.5
    # a shrunk loupe still maps the mark to its place: the ticks sit round it
    cx, cy = pb.to_figure(120, 180)
    assert pb.fig_x <= cx <= pb.fig_x + LOUPE_PX
    assert _px(fig, (cx + TICK_GAP_PX + TICK_PX / 2, cy)) == colour_of(2)


def test_same_marks_same_pixels():
    first, _ = draw_figure(A, B, PAIRS, title="t", captions=("A", "B"), note="",
                           provenance_lines=[])  # fmt: skip
    again, _ = draw_figure(A, B, PAIRS, title="t", captions=("A", "B"), note="",
                           provenance_lines=[])  # fmt: skip
    assert np.array_equal(first, again)


@pytest.fixture
def case_with_views(tmp_path):
    cv2.imwrite(str(tmp_path / "tower_photo.png"), cv2.cvtColor(A, cv2.COLOR_RGB2BGR))
    spec = SynthSpec(frames=6, width_px=320, height_px=240, b_frames=0)
    video = write_video(tmp_path / "rooftop.mkv", spec, lambda i: picture(320, 240, 10 + i),
                        barcode=False)  # fmt: skip
    with create_case(tmp_path / "c.gwcase", analyst="tester") as case:
        photo = import_file(case, tmp_path / "tower_photo.png").id
        vid = import_file(case, video).id
        yield case, photo, vid


def test_figure_saved_with_record_sidecar_and_verified(case_with_views):
    case, photo, vid = case_with_views
    a, b = ViewRef(vid, 3), ViewRef(photo)
    pairs = [Pair(Mark(10, 20), Mark(50, 60)), Pair(Mark(100, 100, 8, 14), Mark(200, 90, 30, 50))]
    drawn = draw_correspondence(case, a, b, pairs, title="Water tower", note="tank and column")
    figure_id = record_figure(case, drawn).result()
    [stored] = list_figures(case.read())
    assert (stored.id, stored.a, stored.b, stored.pairs) == (figure_id, a, b, tuple(pairs))
    assert stored.png_path == drawn.png_path.relative_to(case.path).as_posix()
    assert stored.png_path.startswith("derived/figures/correspondence_")
    side = json.loads(drawn.sidecar_path.read_text(encoding="utf-8"))
    conn = case.read()
    table = cached_frame_table(conn, vid)
    sha = dict(conn.execute("SELECT id, sha256 FROM evidence").fetchall())
    src_a, src_b = side["sources"]
    assert (src_a["source_sha256"], src_a["frame_index"]) == (sha[vid], 3)
    assert (src_a["pts"], src_a["frame_md5"]) == (table.frames[3].pts, table.frames[3].md5)
    assert (src_b["source_sha256"], src_b["frame_index"], src_b["pts"]) == (sha[photo], None, None)
    assert side["outputs"][0]["sha256"] == drawn.png_sha256 == stored.png_sha256
    marks = side["operations"][0]["params"]["pairs"]
    assert marks[1] == {"number": 2, "a": [100.0, 100.0, 8.0, 14.0], "b": [200.0, 90.0, 30.0, 50.0]}
    assert side["audit_head"] == drawn.audit_head and side["details"]["note"] == "tank and column"
    last = audit.entries(conn)[-1]
    assert last.action == "correspondence.add" and last.details["png_sha256"] == drawn.png_sha256
    assert verify_case(case).ok
    # the PNG altered afterwards: verify names it
    drawn.png_path.write_bytes(drawn.png_path.read_bytes() + b"\0")
    report = verify_case(case)
    assert not report.ok
    assert any(drawn.png_path.name in f.where for f in report.findings)


def test_delete_and_restore_are_audited_and_keep_the_id(case_with_views):
    case, photo, vid = case_with_views
    drawn = draw_correspondence(case, ViewRef(photo), ViewRef(vid, 0),
                                [Pair(Mark(5, 5), Mark(6, 6))])  # fmt: skip
    figure_id = record_figure(case, drawn).result()
    record = delete_figure(case, figure_id).result()
    assert list_figures(case.read()) == []
    assert restore_figure(case, record).result() == figure_id
    assert list_figures(case.read()) == [record]
    actions = [e.action for e in audit.entries(case.read())][-3:]
    assert actions == ["correspondence.add", "correspondence.delete", "correspondence.restore"]
    assert verify_case(case).ok


def test_a_row_changed_outside_is_named_by_verify(case_with_views):
    case, photo, vid = case_with_views
    drawn = draw_correspondence(case, ViewRef(photo), ViewRef(vid, 0),
                                [Pair(Mark(5, 5), Mark(6, 6))])  # fmt: skip
    record_figure(case, drawn).result()
    raw = sqlite3.connect(case.db_path)
    raw.execute("UPDATE correspondence_figure SET note = 'moved'")
    raw.commit()
    raw.close()
    report = verify_case(case)
    assert any("correspondence_figure" in f.where for f in report.findings), report.findings


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([], "at least one pair"),
        ([Pair(Mark(500, 5), Mark(6, 6))], "pair 1: the mark in A at \\(500.0, 5.0\\) is outside"),
        ([Pair(Mark(5, 5), Mark(6, 6, 400, 2))], "pair 1: the mark in B"),
    ],
)
def test_marks_off_the_images_are_refused_before_anything_is_written(
    case_with_views, pairs, message
):
    case, photo, vid = case_with_views
    with pytest.raises(CorrespondenceError, match=message):
        draw_correspondence(case, ViewRef(photo), ViewRef(vid, 0), pairs)
    assert not (case.derived_dir / "figures").exists()

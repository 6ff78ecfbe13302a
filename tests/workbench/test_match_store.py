"""The case side of matching: feature cache, comparisons, continuity notes, figure provenance.

Truth: a real photo (tests/data/media/pairs/aero1.jpg) warped by a homography chosen here, and a
synthetic two-segment video whose second segment is an exact 1.5x centre crop-zoom of the
first (one camera position, zoom ratio 1.5 by construction).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.matching.geometry import mean_corner_error_px
from tests.synth.media_factory import make_crop_zoom_video
from workbench.case import audit, create_case
from workbench.case.intake import import_file
from workbench.continuity_store import (
    list_continuity_notes,
    save_continuity_note,
    update_continuity_note,
    write_match_figures,
)
from workbench.frame_table_store import load_or_build_frame_table
from workbench.match_store import (
    ViewRef,
    compare_evidence,
    compare_segments_of,
    feature_cache_path,
    find_landmark,
)
from workbench.video_store import add_cut, list_segments

WORK_SIZE = (800, 600)  # the source photo is reduced to this before warping
CUT_FRAME = 12
ZOOM_TRUTH = 1.5


def truth_homography(zoom: float, rot_deg: float, w: int, h: int) -> np.ndarray:
    """Zoom and rotation about the image centre plus a mild perspective term (A -> B)."""
    c = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1.0]])
    t = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1.0]])
    r = np.deg2rad(rot_deg)
    s = np.array(
        [[zoom * np.cos(r), -zoom * np.sin(r), 0], [zoom * np.sin(r), zoom * np.cos(r), 0],
         [2e-5, 1e-5, 1.0]]
    )  # fmt: skip
    return c @ s @ t


def warped_pair(media: Path, out: Path, zoom: float = 1.3, rot_deg: float = 8.0):
    """(path A, path B, H) with B = A warped by H; both PNG (lossless)."""
    src = cv2.imread(str(media / "pairs" / "aero1.jpg"))
    a = cv2.resize(src, WORK_SIZE, interpolation=cv2.INTER_AREA)
    h = truth_homography(zoom, rot_deg, *WORK_SIZE)
    b = cv2.warpPerspective(a, h, WORK_SIZE, flags=cv2.INTER_LINEAR)
    pa, pb = out / "view_a.png", out / "view_b.png"
    cv2.imwrite(str(pa), a)
    cv2.imwrite(str(pb), b)
    return pa, pb, h


def crop_zoom_video(media, path, frames: int = 24, size=(320, 240)):
    """Segment 1: the scene; from CUT_FRAME the same scene zoomed ZOOM_TRUTH x about its centre."""
    return make_crop_zoom_video(
        media / "pairs" / "aero1.jpg",
        path,
        cut_frame=CUT_FRAME,
        zoom=ZOOM_TRUTH,
        frames=frames,
        size=size,
    )


@pytest.fixture
def pair_case(tmp_path, media_data):
    pa, pb, h = warped_pair(media_data, tmp_path)
    case = create_case(tmp_path / "m.gwcase", analyst="tester")
    ia = import_file(case, pa).id
    ib = import_file(case, pb).id
    yield case, ia, ib, h
    case.close()


def test_features_are_cached_and_the_second_compare_reads_the_npz(pair_case, monkeypatch):
    case, ia, ib, h_true = pair_case
    first = compare_evidence(case, (ia, None), (ib, None))
    assert first.matched
    assert abs(first.zoom_ratio / 1.3 - 1) < 0.02
    assert mean_corner_error_px(first.homography, h_true, WORK_SIZE, WORK_SIZE) < 2.0
    sha_a = case.read().execute("SELECT sha256 FROM evidence WHERE id = ?", (ia,)).fetchone()[0]
    npz = feature_cache_path(case, sha_a, ViewRef(ia), "sift")
    assert npz.is_file() and npz.name == f"{sha_a}_image_sift.npz"
    mtime = npz.stat().st_mtime_ns

    def refuse(*_a, **_k):
        raise AssertionError("features recomputed although cached")

    monkeypatch.setattr("analysis.matching.features.compute_features", refuse)
    second = compare_evidence(case, (ia, None), (ib, None))
    assert npz.stat().st_mtime_ns == mtime
    assert second.n_inliers == first.n_inliers
    np.testing.assert_allclose(second.homography, first.homography, atol=1e-9)


def test_continuity_note_stored_with_figures_and_audit_rows(pair_case):
    from workbench.match_store import compare_views

    case, ia, ib, _h = pair_case
    result = compare_views(case, (ia, None), (ib, None))
    note_id = save_continuity_note(case, (ia, None), (ib, None), result, "same shadows").result()
    [note] = list_continuity_notes(case.read(), ia)
    assert note.id == note_id and note.note == "same shadows"
    assert note.verdict == result.verdict == "same position"  # a pure warp: one viewpoint
    f = note.figures
    assert abs(f["zoom_ratio"] / 1.3 - 1) < 0.02
    assert f["inliers"] == result.match.n_inliers > 50
    assert f["reprojection_rmse_px"] < 1.0 and f["ncc"] > 0.9
    assert f["frames_compared"][0] == {"evidence_id": ia, "frame_index": None}
    assert "continuity" in f["algorithm"]
    assert f["software"]["libraries"]["opencv"] == cv2.__version__
    last = audit.entries(case.read())[-1]
    assert last.action == "continuity.note" and last.target == f"continuity_note:{note_id}"
    assert last.details["verdict"] == "same position"
    update_continuity_note(case, note_id, "same shadows and smoke").result()
    assert list_continuity_notes(case.read())[0].note == "same shadows and smoke"
    edit = audit.entries(case.read())[-1]
    assert edit.action == "continuity.note_edit" and edit.details["old"] == "same shadows"
    assert audit.walk(case.read()) == []


def test_figure_sidecar_names_inputs_parameters_and_audit_head(pair_case):
    case, ia, ib, _h = pair_case
    result = compare_evidence(case, (ia, None), (ib, None))
    seq, head = case.audit_head()
    figs = write_match_figures(case, (ia, None), (ib, None), result, parameters={"method": "sift"})
    assert figs.sidecar_path.name == figs.side_by_side_path.name + ".json"
    side = json.loads(figs.sidecar_path.read_text(encoding="utf-8"))
    shas = [
        case.read().execute("SELECT sha256 FROM evidence WHERE id = ?", (i,)).fetchone()[0]
        for i in (ia, ib)
    ]
    assert [s["source_sha256"] for s in side["sources"]] == shas
    assert [s["frame_index"] for s in side["sources"]] == [None, None]
    assert [i["evidence_id"] for i in side["details"]["inputs"]] == [ia, ib]
    assert side["audit_head"] == f"{seq}:{head}" == figs.audit_head
    assert side["as_of_utc"] == audit.entries(case.read())[-1].at_utc  # the head row's time
    assert side["operations"][0] == {"op": "match", "params": {"method": "sift"}}
    assert side["software"]["version"]
    outputs = {o["role"]: o for o in side["outputs"]}
    for key, path in (("side_by_side", figs.side_by_side_path), ("overlay", figs.overlay_path)):
        assert path.parent == case.derived_dir / "figures"
        assert outputs[key]["file"] == path.name
        assert outputs[key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    pair = cv2.imread(str(figs.side_by_side_path))
    assert pair.shape[1] > pair.shape[0]  # two views next to each other


def test_region_box_is_found_where_the_homography_puts_it(pair_case):
    case, ia, ib, h_true = pair_case
    box = (300.0, 220.0, 160.0, 120.0)
    region = find_landmark(case, (ia, None), (ib, None), box)
    assert region.found
    x, y, w, h = box
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) - 0.5
    want = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), h_true).reshape(-1, 2)
    assert np.abs(region.quad_b_px - want).max() < 3.0


def test_segments_of_a_crop_zoom_video_same_position_zoom_within_3_percent(tmp_path, media_data):
    video = crop_zoom_video(media_data, tmp_path / "cut.mp4")
    with create_case(tmp_path / "v.gwcase", analyst="tester") as case:
        vid = import_file(case, video).id
        load_or_build_frame_table(case, vid)
        # The cut is placed by hand: this test is about continuity, not cut detection.
        segs = add_cut(case, vid, CUT_FRAME).result()
        assert [s.first_frame for s in segs] == [0, CUT_FRAME]
        assert list_segments(case.read(), vid) == segs
        result, fa, fb = compare_segments_of(case, vid, segs[0], segs[1])
        assert result.verdict == "same position", result.reason
        assert abs(result.zoom_ratio / ZOOM_TRUTH - 1) < 0.03
        assert fa.frame_index < CUT_FRAME <= fb.frame_index
        sha = case.read().execute("SELECT sha256 FROM evidence WHERE id = ?", (vid,)).fetchone()
        cached = sorted(p.name for p in (case.derived_dir / "features").glob(f"{sha[0]}_*.npz"))
        assert f"{sha[0]}_{fa.frame_index}_sift.npz" in cached and len(cached) >= 4


def test_two_jobs_on_the_same_views_compute_each_view_once(pair_case, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import analysis.matching.features as mf

    case, ia, ib, _h = pair_case
    calls: list[tuple[int, int]] = []
    real = mf.compute_features

    def counting(image, *args, **kwargs):
        calls.append(image.shape[:2])
        return real(image, *args, **kwargs)

    monkeypatch.setattr(mf, "compute_features", counting)
    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(compare_evidence, case, (ia, None), (ib, None)) for _ in range(2)]
        results = [j.result() for j in jobs]
    assert len(calls) == 2  # A once and B once, not once per job
    assert results[0].n_inliers == results[1].n_inliers > 50


def test_blank_view_gives_no_match_a_storable_note_and_no_overlay(pair_case, tmp_path):
    from tests.synth.media_factory import make_jpeg
    from workbench.match_store import compare_views

    case, ia, _ib, _h = pair_case
    blank = import_file(case, make_jpeg(tmp_path / "sky.jpg", size=(640, 480))).id
    result = compare_views(case, (ia, None), (blank, None))
    assert result.verdict == "inconclusive" and not result.match.matched
    assert result.match.homography is None and result.zoom_ratio is None
    note_id = save_continuity_note(case, (ia, None), (blank, None), result, "blank sky").result()
    [note] = [n for n in list_continuity_notes(case.read()) if n.id == note_id]
    assert note.figures["zoom_ratio"] is None and note.figures["homography"] is None
    figs = write_match_figures(case, (ia, None), (blank, None), result)
    assert figs.overlay_path is None and figs.side_by_side_path.is_file()
    side = json.loads(figs.sidecar_path.read_text(encoding="utf-8"))
    assert [o["role"] for o in side["outputs"]] == ["side_by_side"]
    assert side["details"]["result"]["match_verdict"] == "no match"


def test_mixed_resolution_pair_keeps_the_per_image_cache(tmp_path, media_data, monkeypatch):
    """A 1152 px frame is a part of the 4608 px photo: the second pass on the overlap (its
    features chosen for this pair) is not cached; each view's cached features stay the
    per-image ones, read again on the next comparison."""
    from analysis.matching.geometry import mean_corner_error_larger_px
    from tests.synth.matching import WarpSpec, make_mixed_pair

    photo_path = media_data / "photos" / "gps" / "HMD_Nokia_8.3_5G.jpg"
    photo = cv2.imread(str(photo_path))
    frame, _, h_true = make_mixed_pair(photo, WarpSpec(zoom=4.0, roll_deg=5, tilt_x_deg=15), 4)
    cv2.imwrite(str(tmp_path / "frame.png"), frame)
    case = create_case(tmp_path / "mixed.gwcase", analyst="tester")
    try:
        ia = import_file(case, tmp_path / "frame.png").id
        ib = import_file(case, photo_path).id
        first = compare_evidence(case, (ia, None), (ib, None))
        assert first.matched and "second pass" in first.reason
        wh_a, wh_b = (frame.shape[1], frame.shape[0]), (photo.shape[1], photo.shape[0])
        assert mean_corner_error_larger_px(first.homography, h_true, wh_a, wh_b) < 1.0
        cached = sorted((case.derived_dir / "features").glob("*.npz"))
        assert len(cached) == 2 and all(p.name.endswith("_image_sift.npz") for p in cached)

        def refuse(*_a, **_k):
            raise AssertionError("per-image features recomputed although cached")

        monkeypatch.setattr("analysis.matching.features.compute_features", refuse)
        second = compare_evidence(case, (ia, None), (ib, None))
        np.testing.assert_allclose(second.homography, first.homography, atol=1e-9)
        assert sorted((case.derived_dir / "features").glob("*.npz")) == cached
    finally:
        case.close()

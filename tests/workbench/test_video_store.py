"""The case side of video: cached frame table, segments and cut edits, frame exports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from analysis.errors import CorruptMediaError
from analysis.video.decode import VideoReader
from analysis.video.enhance import Enhancements, apply_enhancements
from analysis.video.table import build_frame_table
from workbench import __version__
from workbench.case import CaseError, audit, create_case
from workbench.case.intake import import_file
from workbench.frame_export import export_frame
from workbench.frame_table_store import cached_frame_table, load_or_build_frame_table
from workbench.provenance import FRAME_DECODE_OPS
from workbench.video_store import (
    add_cut,
    delete_cut,
    detect_and_store_segments,
    list_segments,
    move_cut,
    restore_cut,
)

CUT_FRAME = 24
N_FRAMES = 48


def _scene(seed: int, index: int, w: int = 160, h: int = 120) -> np.ndarray:
    """A smooth colour field drifting one pixel per frame (a pan inside one shot)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    big = cv2.resize(base, (w + 32, h), interpolation=cv2.INTER_CUBIC)
    x0 = index % 32
    return np.ascontiguousarray(big[:, x0 : x0 + w])


def make_cut_video(path: Path, frames: int = N_FRAMES, cut: int = CUT_FRAME) -> Path:
    """H.264 (GOP 12, B-frames), 12 fps, 160x120: shot A before ``cut``, shot B from it."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.codec_context.gop_size = 12
        stream.codec_context.max_b_frames = 2
        for i in range(frames):
            img = _scene(1 if i < cut else 2, i)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(stream.encode(None))
    return path


@pytest.fixture
def video_case(tmp_path):
    """(case, evidence id, video path) for a case holding the synthetic cut video."""
    video = make_cut_video(tmp_path / "cut.mp4")
    case = create_case(tmp_path / "v.gwcase", analyst="tester")
    imported = import_file(case, video)
    yield case, imported.id, video
    case.close()


def _actions(case) -> list[str]:
    return [e.action for e in audit.entries(case.read())]


def test_frame_table_is_built_once_cached_and_identical_to_a_fresh_build(video_case):
    case, eid, video = video_case
    assert cached_frame_table(case.read(), eid) is None
    built = load_or_build_frame_table(case, eid)
    assert len(built) == N_FRAMES
    cached = cached_frame_table(case.read(), eid)
    assert cached == build_frame_table(video)
    assert cached == built
    again = load_or_build_frame_table(case, eid)
    assert again == built
    assert _actions(case).count("video.frame_table") == 1  # the second call read the cache
    n = case.read().execute("SELECT count(*) FROM frame WHERE evidence_id = ?", (eid,))
    assert n.fetchone()[0] == N_FRAMES


def test_segments_are_detected_at_the_known_cut(video_case):
    case, eid, _ = video_case
    segments = detect_and_store_segments(case, eid)
    assert [(s.first_frame, s.last_frame) for s in segments] == [(0, 23), (24, 47)]
    assert segments[1].boundary_kind == "cut" and segments[1].origin == "auto"
    assert segments[1].boundary_score > 0.4
    assert all(s.first_frame <= s.keyframe_index <= s.last_frame for s in segments)
    assert list_segments(case.read(), eid) == segments
    assert "video.segments_detect" in _actions(case)


def _focus_scene(seed: int, sharp: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 256, size=(15, 20, 3)).astype(np.float32)
    cells *= np.array([1.0, 0.5, 0.2] if seed == 1 else [0.2, 0.6, 1.0], dtype=np.float32)
    img = np.kron(cells.astype(np.uint8), np.ones((8, 8, 1), dtype=np.uint8))
    return img if sharp else cv2.GaussianBlur(img, (0, 0), 3.0)


def test_representative_frame_is_the_sharpest_of_each_segment(tmp_path):
    # two static shots, out of focus except frame 7 of the first and frame 30 of the second
    path = tmp_path / "focus.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(N_FRAMES):
            img = _focus_scene(1 if i < CUT_FRAME else 2, i in (7, 30))
            out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(stream.encode(None))
    with create_case(tmp_path / "f.gwcase") as case:
        eid = import_file(case, path).id
        segments = detect_and_store_segments(case, eid)
        assert [s.first_frame for s in segments] == [0, CUT_FRAME]
        assert [s.keyframe_index for s in segments] == [7, 30]
        # an edit keeps the representative of a segment it does not change
        segments = add_cut(case, eid, 40).result()
        assert [s.keyframe_index for s in segments] == [7, 30, 43]


def test_user_cut_edits_are_audited_and_survive_redetection(video_case):
    case, eid, _ = video_case
    detect_and_store_segments(case, eid)
    segs = add_cut(case, eid, 10).result()
    assert [s.first_frame for s in segs] == [0, 10, 24]
    assert segs[1].origin == "user" and segs[0].last_frame == 9
    segs = move_cut(case, eid, 10, 12).result()
    assert [s.first_frame for s in segs] == [0, 12, 24]
    segs = delete_cut(case, eid, CUT_FRAME).result()  # an auto cut the user rejects
    assert [(s.first_frame, s.last_frame) for s in segs] == [(0, 11), (12, 47)]
    actions = _actions(case)
    for action in ("segment.cut_add", "segment.cut_move", "segment.cut_delete"):
        assert actions.count(action) == 1
    moved = [e for e in audit.entries(case.read()) if e.action == "segment.cut_move"][0]
    assert moved.details == {"old_frame": 10, "new_frame": 12, "was": "user"}
    # re-detection keeps the user's cut and does not bring back the deleted auto cut
    segs = detect_and_store_segments(case, eid)
    assert [(s.first_frame, s.origin) for s in segs] == [(0, "auto"), (12, "user")]
    # adding the cut back by hand makes it a user cut again
    segs = add_cut(case, eid, CUT_FRAME).result()
    assert [(s.first_frame, s.origin) for s in segs] == [(0, "auto"), (12, "user"), (24, "user")]
    assert audit.walk(case.read()) == []


def test_bad_cut_edits_are_refused_and_change_nothing(video_case):
    case, eid, _ = video_case
    detect_and_store_segments(case, eid)
    before = list_segments(case.read(), eid)
    n_audit = len(_actions(case))
    for future in (
        add_cut(case, eid, 0),
        add_cut(case, eid, N_FRAMES),
        add_cut(case, eid, 24),
        delete_cut(case, eid, 5),
        move_cut(case, eid, 24, 0),
    ):
        with pytest.raises(CaseError):
            future.result()
    assert list_segments(case.read(), eid) == before
    assert len(_actions(case)) == n_audit


def test_exported_frame_is_the_exact_frame_with_its_provenance(video_case):
    case, eid, video = video_case
    index = 30  # a B/P frame inside the second GOP of shot B
    exported = export_frame(case, eid, index)
    with VideoReader(video) as reader:
        truth = reader.frame_at(index)
    png = exported.png_path.read_bytes()
    assert np.array_equal(np.asarray(Image.open(exported.png_path).convert("RGB")), truth.image)
    assert hashlib.sha256(png).hexdigest() == exported.png_sha256
    sha = hashlib.sha256(video.read_bytes()).hexdigest()
    assert exported.png_path.name == f"{sha[:12]}_f{index}.png"
    assert exported.sidecar_path.name == exported.png_path.name + ".json"
    side = json.loads(exported.sidecar_path.read_text(encoding="utf-8"))
    [source] = side["sources"]
    assert source["source_sha256"] == sha
    assert source["frame_index"] == index and source["frame_md5"] == truth.md5
    assert source["pts"] == truth.pts and source["pts_s"] == pytest.approx(index / 12)
    assert side["details"]["time_code"] == "00:00:02.500"
    assert side["outputs"] == [
        {"role": "frame", "file": exported.png_path.name, "sha256": exported.png_sha256}
    ]
    assert [o["op"] for o in side["operations"]] == list(FRAME_DECODE_OPS)  # no enhancement
    assert side["software"]["version"] == __version__
    libraries = side["software"]["libraries"]
    assert "libavcodec" in libraries and "pyav" in libraries
    entries = audit.entries(case.read())
    last = entries[-1]
    assert last.action == "frame.export" and last.details["png_sha256"] == exported.png_sha256
    head = entries[-2]  # the sidecar quotes the head before its own row, as of that row's time
    assert side["audit_head"] == f"{head.seq}:{head.row_hash}"
    assert side["as_of_utc"] == head.at_utc
    row = case.read().execute("SELECT png_path, png_sha256, sidecar_json FROM frame_export")
    rel, png_sha, text = row.fetchone()
    assert (case.path / rel) == exported.png_path and png_sha == exported.png_sha256
    assert json.loads(text) == side
    assert not list(exported.png_path.parent.glob(".*.tmp"))


def test_enhanced_export_says_what_was_applied_and_leaves_evidence_alone(video_case):
    case, eid, video = video_case
    before = hashlib.sha256(video.read_bytes()).hexdigest()
    enh = Enhancements(brightness=20, gamma=1.5, clahe_clip_limit=2.0)
    exported = export_frame(case, eid, 5, enh)
    with VideoReader(video) as reader:
        truth = apply_enhancements(reader.frame_at(5).image, enh)
    assert np.array_equal(np.asarray(Image.open(exported.png_path)), truth)
    side = json.loads(exported.sidecar_path.read_text(encoding="utf-8"))
    ops = side["operations"][len(FRAME_DECODE_OPS) :]
    assert [o["op"] for o in ops] == ["clahe", "levels"]
    assert ops[0]["params"]["clip_limit"] == 2.0
    assert ops[1]["params"]["gamma"] == 1.5 and ops[1]["params"]["brightness"] == 20
    assert audit.entries(case.read())[-1].details["enhancements"] == ["clahe", "levels"]
    assert "_e" in exported.png_path.stem  # never overwrites the unenhanced export
    stored = next(case.evidence_dir.glob(f"{before}.*"))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == before


def test_a_frame_whose_hash_differs_from_the_table_is_not_exported(video_case):
    case, eid, _ = video_case
    load_or_build_frame_table(case, eid)
    case.write_sync(
        lambda conn: conn.execute(
            "UPDATE frame SET md5 = ? WHERE evidence_id = ? AND frame_index = 3", ("0" * 32, eid)
        )
    )
    with pytest.raises(CorruptMediaError, match="frame 3"):
        export_frame(case, eid, 3)
    assert "frame.export" not in _actions(case)
    assert not (case.exports_dir / "frames").exists() or not any(
        (case.exports_dir / "frames").glob("*.png")
    )


def test_a_dark_frame_with_a_caption_does_not_count_as_sharp():
    from workbench.video_store import frame_sharpness

    caption = np.zeros((27, 48), np.uint8)
    caption[21, 5:40:4] = 80  # a thin grey caption on black: sharp, but no scene
    scene = cv2.GaussianBlur(
        np.random.default_rng(0).integers(0, 255, (27, 48), np.uint8), (0, 0), 1
    )
    stds = [float(caption.std()), float(scene.std())]
    assert stds[0] < 10 < stds[1]
    sharp = frame_sharpness([caption, scene], stds)
    assert sharp[0] == 0.0 and sharp[1] > 10.0


def test_table_from_another_decoder_version_is_rebuilt_and_logged(tmp_path):
    """MPEG-4 Part 2 is not bit-exact across FFmpeg releases: a table from another
    libavcodec is rebuilt rather than trusted, and the rebuild is in the audit log."""
    import json as _json

    from tests.synth.media_factory import make_video
    from workbench.case import audit as _audit
    from workbench.case import create_case as _create
    from workbench.case.intake import import_file as _import
    from workbench.frame_table_store import cached_frame_table, load_or_build_frame_table

    with _create(tmp_path / "v") as case:
        ev = _import(case, make_video(tmp_path / "v.mp4", frames=12, fmt="mp4"))
        first = load_or_build_frame_table(case, ev.id)

        def pretend_old_build(conn):
            meta = _json.loads(
                conn.execute(
                    "SELECT meta_json FROM frame_table WHERE evidence_id = ?", (ev.id,)
                ).fetchone()[0]
            )
            meta["versions"]["libavcodec"] = "0.0.1"
            conn.execute(
                "UPDATE frame_table SET meta_json = ? WHERE evidence_id = ?",
                (_json.dumps(meta), ev.id),
            )
            conn.execute(
                "UPDATE frame SET md5 = 'stale' WHERE evidence_id = ? AND frame_index = 3", (ev.id,)
            )

        case.write_sync(pretend_old_build)
        again = load_or_build_frame_table(case, ev.id)
        assert [r[4] for r in again.to_rows()] == [r[4] for r in first.to_rows()]
        stored = cached_frame_table(case.read(), ev.id)
        assert dict(stored.versions)["libavcodec"] == dict(first.versions)["libavcodec"]
        [entry] = [
            e for e in _audit.entries(case.read()) if e.action == "video.frame_table_rebuilt"
        ]
        assert entry.details["hashes_changed"] == 1
        assert entry.details["old_versions"]["libavcodec"] == "0.0.1"


def test_fades_and_dissolves_keep_their_mixed_frames_through_edits(tmp_path):
    from tests.analysis.test_cuts import edited_sequence

    frames, truth = edited_sequence()
    path = tmp_path / "edited.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = (
            frames[0].shape[1],
            frames[0].shape[0],
            "yuv420p",
        )
        stream.options = {"crf": "12"}
        for f in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode(None))
    with create_case(tmp_path / "t.gwcase") as case:
        eid = import_file(case, path).id
        segs = detect_and_store_segments(case, eid)
        spans = {s.first_frame: s.transition for s in segs}
        for t in truth:
            [start] = [f for f in spans if t.start <= f <= t.end + 1]
            if t.kind == "cut":
                assert spans[start] is None  # a hard cut mixes no frames
            else:
                first, last = spans[start]
                assert abs(first - t.start) <= 2 and abs(last - t.end) <= 2, (t, spans[start])
        # a user's cut elsewhere leaves the detected transitions as they were
        after = {s.first_frame: s.transition for s in add_cut(case, eid, 15).result()}
        assert after[15] is None and all(after[f] == spans[f] for f in spans)
        # deleting or moving the dissolve, then undoing, puts back the boundary as it was
        dissolve = next(s for s in segs if s.boundary_kind == "dissolve")

        def boundary(s):
            return s.first_frame, s.boundary_kind, s.boundary_score, s.origin, s.transition

        delete_cut(case, eid, dissolve.first_frame).result()
        back = restore_cut(case, eid, dissolve).result()
        assert boundary(dissolve) in map(boundary, back)
        moved = move_cut(case, eid, dissolve.first_frame, dissolve.first_frame + 3).result()
        assert (
            moved[[s.first_frame for s in moved].index(dissolve.first_frame + 3)].transition is None
        )
        back = restore_cut(case, eid, dissolve, replacing=dissolve.first_frame + 3).result()
        assert boundary(dissolve) in map(boundary, back)
        assert dissolve.first_frame + 3 not in [s.first_frame for s in back]
        # and re-detection does not drop it: the restored auto boundary is no longer suppressed
        again = detect_and_store_segments(case, eid)
        assert any(
            s.boundary_kind == "dissolve" and s.transition == dissolve.transition for s in again
        )

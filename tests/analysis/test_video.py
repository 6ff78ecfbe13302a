"""Frame-exact decoding: per container and codec, against the bar code each frame carries."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from analysis.errors import CorruptMediaError, MediaError, UnsupportedMediaError
from analysis.video.decode import VideoReader, iter_frames, time_code
from analysis.video.image import display_to_coded
from analysis.video.probe import display_size
from analysis.video.table import FrameTable, build_frame_table
from tests.synth.video import SynthSpec, read_barcode, write_video

X264 = "keyint=12:min-keyint=12:scenecut=0:bframes=2"
X264_OPTS = (("x264-params", X264),)


@dataclass(frozen=True)
class Case:
    name: str
    spec: SynthSpec


CASES = [
    Case("h264_bframes.mp4", SynthSpec(options=X264_OPTS)),
    Case("h264.mov", SynthSpec(options=X264_OPTS)),
    Case("h264.mkv", SynthSpec(options=X264_OPTS)),
    Case(
        "vp9.webm",
        SynthSpec(
            codec="libvpx-vp9",
            b_frames=0,
            options=(("deadline", "realtime"), ("cpu-used", "8"), ("lag-in-frames", "0")),
        ),
    ),
    Case("mpeg4_bframes.avi", SynthSpec(codec="mpeg4", b_frames=2)),
    Case(
        "hevc_open_gop.mp4",
        SynthSpec(
            codec="libx265",
            b_frames=0,
            options=(
                (
                    "x265-params",
                    "log-level=error:keyint=12:min-keyint=12:bframes=2:open-gop=1:scenecut=0",
                ),
            ),
        ),
    ),
    Case("h264_open_gop.mkv", SynthSpec(options=(("x264-params", X264 + ":open-gop=1"),))),
    Case(
        "vfr.mp4",
        SynthSpec(time_base=Fraction(1, 1000), durations=(33, 40, 27, 50, 20), options=X264_OPTS),
    ),
    Case("start_pts.mkv", SynthSpec(start_pts=137, options=X264_OPTS)),
    Case("start_pts.mp4", SynthSpec(start_pts=37, options=X264_OPTS)),
    # long GOPs: random access far from a keyframe drops non-reference pictures on the way
    Case(
        "h264_long_gop.mp4",
        SynthSpec(frames=90, options=(("x264-params", "keyint=60:min-keyint=60:bframes=3"),)),
    ),
    Case("mpeg4_long_gop.avi", SynthSpec(codec="mpeg4", frames=90, gop=60, b_frames=2)),
    Case("odd_width_padded.mp4", SynthSpec(width_px=150, height_px=100, options=X264_OPTS)),
]


def _encoder_available(codec: str) -> bool:
    try:
        av.codec.Codec(codec, "w")
    except av.error.FFmpegError:
        return False
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("synth_video")
    out = {}
    for case in CASES:
        if _encoder_available(case.spec.codec):
            out[case.name] = write_video(root / case.name, case.spec)
    return out


def _indices_to_check(table: FrameTable, count: int, seed: int) -> list[int]:
    """Around every keyframe (where open GOPs and seeks go wrong), plus random ones, shuffled."""
    n = len(table)
    around = {i + d for i in table.keyframe_indices for d in (-2, -1, 0, 1)}
    rng = random.Random(seed)
    picks = [i for i in around if 0 <= i < n] + [rng.randrange(n) for _ in range(count)]
    rng.shuffle(picks)
    return picks


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_frame_at_is_the_sequential_frame(videos, case):
    if case.name not in videos:
        pytest.skip(f"encoder {case.spec.codec} is not in this FFmpeg build")
    path = videos[case.name]
    table = build_frame_table(path)
    assert len(table) == case.spec.frames
    assert table.complete
    sequential = [read_barcode(f.image) for f in iter_frames(path)]
    assert sequential == list(range(case.spec.frames))
    with VideoReader(path, table) as reader:
        for i in _indices_to_check(table, 25, seed=len(case.name)):
            frame = reader.frame_at(i)
            assert read_barcode(frame.image) == i, f"{case.name}: frame {i}"
            assert frame.md5 == table.frames[i].md5
        assert reader.sequential_only == []


def test_hash_mismatch_falls_back_and_marks_sequential_only(videos, monkeypatch):
    """Fault injection: the first decode of frame 30 after seeking to keyframe 24 comes out
    different (as after a damaged reference or an unflagged recovery point)."""
    import analysis.video.decode as video_mod

    path = videos["h264_bframes.mp4"]
    table = build_frame_table(path)
    real = video_mod.frame_md5
    calls = []

    def flaky(frame):
        calls.append(frame.pts)
        return "0" * 32 if len(calls) == 1 else real(frame)

    monkeypatch.setattr(video_mod, "frame_md5", flaky)
    with VideoReader(path, table) as reader:
        frame = reader.frame_at(30)
        assert read_barcode(frame.image) == 30 and frame.md5 == table.frames[30].md5
        assert reader.fallbacks == 1
        assert reader.sequential_only == [(24, 35)]
        reader.clear_cache()
        assert read_barcode(reader.frame_at(33).image) == 33  # decoded from keyframe 12 now


def test_stepping_back_uses_the_cache(videos):
    path = videos["h264_bframes.mp4"]
    with VideoReader(path) as reader:
        n = len(reader)
        got = [read_barcode(reader.frame_at(i).image) for i in range(n - 1, -1, -1)]
        assert got == list(range(n - 1, -1, -1))
        # one seek per GOP at most (5 GOPs of 12), not one per frame
        assert reader.seeks <= len(reader.table.keyframe_indices) + 1


def test_vfr_times_and_frame_at_time(videos):
    path = videos["vfr.mp4"]
    steps = (33, 40, 27, 50, 20)
    truth_ms = np.cumsum([0] + [steps[i % 5] for i in range(59)])
    with VideoReader(path) as reader:
        times_ms = [round(reader.time_s(i) * 1000) for i in range(len(reader))]
        assert times_ms == truth_ms.tolist()
        for i in (0, 7, 31, 59):
            # just after frame i starts, and just before frame i+1 starts
            assert reader.frame_at_time(truth_ms[i] / 1000 + 0.001).index == i
            if i + 1 < len(truth_ms):
                assert reader.index_at_time(truth_ms[i + 1] / 1000 - 0.001) == i
        assert read_barcode(reader.frame_at_time(truth_ms[31] / 1000).image) == 31


@pytest.mark.parametrize("name", ["start_pts.mkv", "start_pts.mp4"])
def test_non_zero_start_pts(videos, name):
    with VideoReader(videos[name]) as reader:
        assert reader.table.frames[0].pts != 0
        first = reader.frame_at_time(0.0)
        assert first.index == 0 and first.time_s == 0.0
        assert read_barcode(reader.frame_at_time(1.0).image) == 25  # 25 fps
        assert time_code(reader.time_s(25)) == "00:00:01.000"


def test_rotation_is_applied_and_mapped_back(tmp_path):
    path = write_video(tmp_path / "rot.mp4", SynthSpec(rotation_deg=90, options=X264_OPTS))
    with VideoReader(path) as reader:
        assert reader.table.rotation_deg == 90
        frame = reader.frame_at(17)
        assert frame.image.shape == (160, 120, 3)  # upright: coded 160x120 turned a quarter
        # rotation 90 = counter-clockwise, so undo with a clockwise quarter turn
        assert read_barcode(np.rot90(frame.image, k=-1)) == 17
        # the bar code's top-left block (coded x=0..16, y=0..16) is displayed bottom-left
        u, v = display_to_coded(4.0, 156.0, (160, 120), 90, (1, 1))
        assert (u, v) == pytest.approx((4.0, 4.0))


def test_non_square_pixels_are_made_square(tmp_path):
    spec = SynthSpec(frames=24, sar=Fraction(2, 1), options=X264_OPTS)
    path = write_video(tmp_path / "sar.mkv", spec)
    with VideoReader(path) as reader:
        assert reader.table.sar == (2, 1)
        frame = reader.frame_at(13)
        assert frame.image.shape == (120, 320, 3)  # 160 stored pixels, each twice as wide
        assert read_barcode(frame.image[:, ::2]) == 13
        assert display_to_coded(100.0, 50.0, (160, 120), 0, (2, 1)) == (50.0, 50.0)


def test_table_rows_round_trip_through_json(videos):
    table = build_frame_table(videos["vfr.mp4"])
    rows = json.loads(json.dumps(table.to_rows()))
    meta = json.loads(json.dumps(table.meta()))
    again = FrameTable.from_rows(rows, meta)
    assert again == table
    assert "libavcodec" in meta["versions"] and "pyav" in meta["versions"]


def test_downscaled_iteration_keeps_identity(videos):
    frames = list(iter_frames(videos["h264.mkv"], width_px=80, gray=True))
    assert [f.index for f in frames] == list(range(60))
    assert frames[0].image.shape == (60, 80)
    assert frames[0].pts_s == 0.0 and frames[10].pts_s == pytest.approx(0.4)


def test_truncated_file_keeps_what_decoded(tmp_path, videos):
    data = videos["h264.mkv"].read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    table = build_frame_table(cut)
    assert 0 < len(table) < 60
    assert not table.complete and table.stopped_at_s is not None
    assert "stopped" in table.errors[0]
    with VideoReader(cut, table) as reader:
        last = len(reader) - 1
        assert read_barcode(reader.frame_at(last).image) == last
        assert read_barcode(reader.frame_at(3).image) == 3


def test_garbled_file_never_returns_a_wrong_picture(tmp_path, videos):
    data = bytearray(videos["h264_bframes.mp4"].read_bytes())
    mid = len(data) // 2
    data[mid : mid + 2000] = bytes(random.Random(5).randrange(256) for _ in range(2000))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    table = build_frame_table(bad)
    assert 0 < len(table) <= 60
    with VideoReader(bad, table) as reader:
        for i in _indices_to_check(table, 10, seed=1):
            try:
                frame = reader.frame_at(i)
            except CorruptMediaError:
                continue  # honest refusal is allowed; a wrong picture is not
            assert frame.md5 == table.frames[i].md5


def test_no_video_stream_names_the_file(tmp_path):
    path = tmp_path / "tone.wav"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), dtype=np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    with pytest.raises(UnsupportedMediaError, match="tone.wav.*no video stream"):
        build_frame_table(path)


def test_not_a_video_and_missing_file(tmp_path):
    junk = tmp_path / "notes.mp4"
    junk.write_text("this is not a video\n" * 50)
    with pytest.raises(MediaError, match="notes.mp4"):
        build_frame_table(junk)
    with pytest.raises(MediaError, match="absent.mp4"):
        build_frame_table(tmp_path / "absent.mp4")


def test_out_of_range(videos):
    with VideoReader(videos["h264.mkv"]) as reader:
        with pytest.raises(MediaError, match="out of range"):
            reader.frame_at(60)
        with pytest.raises(MediaError, match="outside"):
            reader.frame_at_time(-1.0)


# --- real media ----------------------------------------------------------------------------


def test_counter_frames_and_times(media_data):
    path = media_data / "video" / "counter.mp4"
    with VideoReader(path) as reader:
        assert len(reader) == 30
        for n in (29, 0, 15, 9, 10, 21):
            frame = reader.frame_at(n)
            assert frame.time_s == pytest.approx(n / 10, abs=1e-9)  # "PTS = n/10 s"
            assert frame.image.shape == (1080, 1920, 3)
        # the background colour changes at frames 10 and 20
        corner = [reader.frame_at(i).image[5:50, 5:50].mean(axis=(0, 1)) for i in (9, 10, 19, 20)]
        assert np.abs(corner[0] - corner[1]).max() > 20
        assert np.abs(corner[2] - corner[3]).max() > 20


def test_frame_table_reads_stream_facts(media_data):
    table = build_frame_table(media_data / "video" / "issue-134-rotate.mp4")
    assert (table.codec, table.width_px, table.height_px) == ("h264", 1280, 544)
    assert table.rotation_deg == 270
    assert display_size(table.width_px, table.height_px, table.sar, table.rotation_deg) == (
        544,
        1280,
    )
    assert len(table) == 240 and table.mean_fps() == pytest.approx(24000 / 1001, rel=1e-6)


def test_rotated_file_is_upright(media_data):
    path = media_data / "video" / "issue-134-rotate.mp4"
    with VideoReader(path) as reader:
        assert reader.table.rotation_deg == 270  # -90 normalised
        frame = reader.frame_at(100)
        assert frame.image.shape == (1280, 544, 3)
        if shutil.which("ffmpeg"):
            raw = subprocess.run(
                ["ffmpeg", "-v", "error", "-i", str(path), "-vf", "select=eq(n\\,100)",
                 "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                capture_output=True, check=True,
            ).stdout  # fmt: skip
            ref = np.frombuffer(raw, np.uint8).reshape(1280, 544, 3)
            diff = np.abs(ref.astype(int) - frame.image.astype(int)).mean()
            assert diff < 3.0  # same orientation; RGB conversion may differ by rounding


@pytest.mark.parametrize("name", ["counter.mp4", "issue-134-rotate.mp4", "vtest.avi"])
def test_real_random_access(media_data, name):
    path = media_data / "video" / name
    table = build_frame_table(path)
    with VideoReader(path, table) as reader:
        for i in _indices_to_check(table, 6, seed=2)[:16]:
            assert reader.frame_at(i).md5 == table.frames[i].md5


def test_progress_and_cancel(videos):
    from analysis.jobs import CancelToken, JobCancelled

    seen: list[float] = []
    build_frame_table(videos["h264.mkv"], progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 3
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        build_frame_table(videos["h264.mkv"], cancel=token)
    with pytest.raises(JobCancelled):
        list(iter_frames(videos["h264.mkv"], cancel=token))

"""Frame hashes are FFmpeg's framemd5: checked against an independent computation and, where
a system ffmpeg is installed, against its own output."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from analysis.video.framemd5 import framemd5_lines
from analysis.video.table import build_frame_table, frame_md5, frame_size_bytes
from tests.synth.video import SynthSpec, write_video

X264_OPTS = (("x264-params", "keyint=12:min-keyint=12:scenecut=0:bframes=2"),)

SPECS = {
    "h264.mp4": SynthSpec(frames=30, options=X264_OPTS),
    "odd.mkv": SynthSpec(frames=30, width_px=150, height_px=100, options=X264_OPTS),
    "yuv444.mkv": SynthSpec(frames=20, pix_fmt="yuv444p", options=X264_OPTS),
    "ten_bit.mkv": SynthSpec(frames=12, pix_fmt="yuv420p10le", options=X264_OPTS),
    "mpeg4.avi": SynthSpec(frames=30, codec="mpeg4", b_frames=2),
    "vp9.webm": SynthSpec(
        frames=30,
        codec="libvpx-vp9",
        b_frames=0,
        options=(("deadline", "realtime"), ("cpu-used", "8"), ("lag-in-frames", "0")),
    ),
    "start.mkv": SynthSpec(frames=30, start_pts=137, options=X264_OPTS),
    "vfr.mp4": SynthSpec(
        frames=30, time_base=Fraction(1, 1000), durations=(33, 40, 27, 50), options=X264_OPTS
    ),
}


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("framemd5")
    return {name: write_video(root / name, spec) for name, spec in SPECS.items()}


def _independent_md5(frame: av.VideoFrame) -> str:
    """MD5 of the planar picture copied plane by plane through numpy (no shared code)."""
    digest = hashlib.md5()
    w, h = frame.width, frame.height
    cw, ch = (w + 1) // 2, (h + 1) // 2
    if frame.format.name == "yuv444p":
        cw, ch = w, h
    for plane, (pw, ph) in zip(frame.planes, [(w, h), (cw, ch), (cw, ch)], strict=True):
        arr = np.frombuffer(plane, np.uint8).reshape(ph, plane.line_size)[:, :pw]
        digest.update(arr.tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", ["h264.mp4", "odd.mkv", "yuv444.mkv"])
def test_hash_equals_plane_by_plane_md5(synth, name):
    with av.open(str(synth[name])) as container:
        frames = list(container.decode(video=0))
    assert frames[0].planes[0].line_size >= frames[0].width
    if name == "odd.mkv":
        assert frames[0].planes[0].line_size > 150  # FFmpeg pads rows: the case that matters
    for frame in frames[:5]:
        assert frame_md5(frame) == _independent_md5(frame)
    expected = {"h264.mp4": 28800, "odd.mkv": 22500, "yuv444.mkv": 57600}[name]
    assert frame_size_bytes(frames[0]) == expected


def _ffmpeg_lines(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-noautorotate", "-i", str(path), "-map", "0:v:0",
         "-f", "framemd5", "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return [ln for ln in out.splitlines() if not ln.startswith("#software")]


needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no system ffmpeg")


@needs_ffmpeg
@pytest.mark.parametrize("name", sorted(SPECS))
def test_listing_equals_ffmpeg(synth, name):
    ours = [ln for ln in framemd5_lines(synth[name]) if not ln.startswith("#software")]
    ref = _ffmpeg_lines(synth[name])
    if name == "vfr.mp4":
        # ffmpeg rounds VFR times to its average-rate clock (and may drop colliding frames);
        # the hashes, sizes and order must still agree
        assert [ln.split(",")[-2:] for ln in ours] == [ln.split(",")[-2:] for ln in ref]
    else:
        assert ours == ref


@needs_ffmpeg
@pytest.mark.parametrize("name", ["counter.mp4", "issue-134-rotate.mp4"])
def test_real_h264_equals_ffmpeg(media_data, name):
    path = media_data / "video" / name
    ours = [ln for ln in framemd5_lines(path) if not ln.startswith("#software")]
    assert ours == _ffmpeg_lines(path)


def test_table_hashes_are_deterministic(synth):
    a = build_frame_table(synth["h264.mp4"])
    b = build_frame_table(synth["h264.mp4"])
    assert a.to_rows() == b.to_rows()
    assert len({r.md5 for r in a.frames}) == len(a)  # every bar-coded frame differs

"""Bad input is refused in one line naming the file (issue 12: ``cuts`` reported "0 frames,
0 boundaries" with exit 0 on undecodable files, ``match`` read a JPEG padded to 2 GB into
memory and failed inside OpenCV, ``frame`` errors took two lines and libraries' warnings
leaked to stderr)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.synth.media_factory import make_jpeg, make_png_bomb_header
from workbench import cli

REPO = Path(__file__).resolve().parents[2]
VIDEO_COMMANDS = {
    "cuts": [],
    "continuity": [],
    "framemd5": [],
    "frame": ["--index", "0", "-o", "{out}"],
}


def _faststart_video(path: Path, frames: int = 24) -> Path:
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for n in range(frames):
            img = np.full((64, 96, 3), (n * 9) % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _mdat_offset(data: bytes) -> int:
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"mdat":
            return pos
        pos += size
    raise AssertionError("no mdat box")


def _truncated_mp4(folder: Path) -> Path:
    """Headers intact (they declare 24 frames), the frame data cut off: nothing decodes."""
    data = _faststart_video(folder / "whole.mp4").read_bytes()
    path = folder / "truncated.mp4"
    path.write_bytes(data[: _mdat_offset(data) + 16])
    return path


def _bad_inputs(folder: Path) -> dict[str, Path]:
    rand = folder / "random.bin"
    rand.write_bytes(np.random.default_rng(1).bytes(64_000))
    passwd = folder / "passwd.mp4"
    passwd.symlink_to("/etc/passwd")
    text = folder / "notes.txt"  # FFmpeg's tty demuxer would draw it as ANSI art
    text.write_text("root:x:0:0:root:/root:/bin/bash\n" * 40)
    raw = folder / "IMG_0001.dng"  # a raw camera file's TIFF header, no usable image
    raw.write_bytes(b"II*\x00\x08\x00\x00\x00" + bytes(400))
    tiff = folder / "cut.tif"
    buf = folder / "whole.tif"
    Image.effect_noise((320, 240), 60).convert("RGB").save(buf)
    tiff.write_bytes(buf.read_bytes()[:2000])
    empty = folder / "empty.mov"
    empty.write_bytes(b"")
    return {
        "random bytes": rand,
        "symlink to /etc/passwd": passwd,
        "text file": text,
        "PNG bomb": make_png_bomb_header(folder / "bomb.png"),
        "truncated MP4": _truncated_mp4(folder),
        "raw camera file": raw,
        "truncated TIFF": tiff,
        "empty file": empty,
    }


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, Path]:
    return _bad_inputs(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("command", sorted(VIDEO_COMMANDS))
@pytest.mark.parametrize(
    "which",
    ["random bytes", "symlink to /etc/passwd", "text file", "PNG bomb", "truncated MP4",
     "raw camera file", "truncated TIFF", "empty file"],
)  # fmt: skip
def test_every_video_command_refuses_undecodable_input_in_one_line(
    bad, tmp_path, capsys, command, which
):
    path = bad[which]
    extra = [a.replace("{out}", str(tmp_path / "f.png")) for a in VIDEO_COMMANDS[command]]
    assert cli.main([command, str(path), *extra]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"geoworkbench {command}: error: {path}")
    assert "0 frames" not in out
    assert not (tmp_path / "f.png").exists()


def test_match_refuses_a_jpeg_padded_to_2_gb_from_its_size(tmp_path, capsys):
    padded = make_jpeg(tmp_path / "padded.jpg", size=(640, 480))
    with padded.open("r+b") as f:
        f.truncate(2_200_000_000)  # sparse where the file system allows
    started = time.perf_counter()
    assert cli.main(["match", str(padded), str(padded)]) == 1
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(padded) in err[0] and "refused unread" in err[0]
    assert "limit" in err[0]
    assert elapsed < 5.0  # not read: reading 2.2 GB takes far longer


def _partly_truncated(folder: Path) -> Path:
    data = _faststart_video(folder / "long.mp4", frames=120).read_bytes()
    path = folder / "half.mp4"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def test_a_frame_error_on_damaged_video_is_one_line_that_says_why(tmp_path, capsys):
    video = _partly_truncated(tmp_path)
    assert cli.main(["frame", str(video), "--index", "119", "-o", str(tmp_path / "f.png")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "out of range" in lines[0] and "decoded" in lines[0]  # the damage, folded in


def test_a_frame_from_damaged_video_succeeds_with_one_warning(tmp_path, capsys):
    video = _partly_truncated(tmp_path)
    assert cli.main(["frame", str(video), "--index", "1", "-o", str(tmp_path / "f.png")]) == 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "decod" in lines[0]


def _corrupt_jpeg(path: Path) -> Path:
    Image.effect_noise((320, 240), 60).convert("RGB").save(path, quality=90)
    data = bytearray(path.read_bytes())
    cut = len(data) * 2 // 3
    path.write_bytes(bytes(data[:cut]) + b"\xff\xd9")  # premature end of the entropy data
    return path


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main())",
         *argv],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip


def test_libjpeg_messages_are_kept_off_stderr_unless_verbose(tmp_path):
    """libjpeg writes to file descriptor 2 itself: only a real process shows it."""
    bad = _corrupt_jpeg(tmp_path / "corrupt.jpg")
    good = make_jpeg(tmp_path / "good.jpg", size=(320, 240))
    quiet = _cli("match", str(bad), str(good))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    loud = _cli("match", str(bad), str(good), "--verbose")
    assert loud.returncode == 0
    assert "library: " in loud.stderr and "JPEG" in loud.stderr


def test_a_failing_command_in_a_real_process_is_one_line(tmp_path, bad):
    proc = _cli("frame", str(bad["truncated TIFF"]), "--index", "0", "-o", str(tmp_path / "x.png"))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "cut.tif" in proc.stderr

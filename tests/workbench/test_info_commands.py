"""`geoworkbench info FILE`: human and JSON output, clear failures, no heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["info", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_the_metadata_dict(media_data, capsys):
    code, out, _ = run(capsys, str(media_data / "photos/gps/HMD_Nokia_8.3_5G.jpg"), "--json")
    assert code == 0
    md = json.loads(out)
    assert md["kind"] == "image"
    assert md["gps"]["latitude_deg"] == pytest.approx(60.14671, abs=5e-6)
    assert md["times"]["gps"]["utc"] == "2022-08-14T11:12:32+00:00"


def test_human_output_labels_every_clock(media_data, capsys):
    code, out, _ = run(capsys, str(media_data / "photos/gps/DSCN0010.jpg"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "DSCN0010.jpg: image (JPEG)"
    camera_line = next(line for line in lines if line.strip().startswith("camera_original"))
    assert "2008-10-22T16:28:39" in camera_line
    assert "[clock: camera]" in camera_line and "no UTC offset" in camera_line
    gps_line = next(line for line in lines if line.strip().startswith("gps "))
    assert "2008-10-23T14:27:07.240 UTC" in gps_line and "[clock: gps]" in gps_line
    assert any("DISAGREE" in line for line in lines)
    assert any(line.strip().startswith("latitude_deg") and "43.46" in line for line in lines)


def test_human_output_for_rotated_video(media_data, capsys):
    code, out, _ = run(capsys, str(media_data / "video/issue-134-rotate.mp4"), "--check")
    assert code == 0
    assert "rotation -90 deg, shown 544 x 1280" in out
    assert "24000/1001 fps (constant frame rate), 240 frames" in out
    assert "check: OK (240 frame(s) verified)" in out


def test_bad_file_exits_1_with_one_line(tmp_path, capsys):
    fake = tmp_path / "strike.jpg"
    fake.write_text("not a photo\n" * 10)
    code, out, err = run(capsys, str(fake))
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "strike.jpg" in err and "text file" in err


def test_truncated_video_fails_check(tmp_path, media_data, capsys):
    data = (media_data / "video/counter.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, str(cut), "--check")
    assert code == 1
    assert "cut.mp4" in err and err.count("\n") == 1


def test_missing_file(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "nope.mp4"))
    assert code == 1 and "not found" in err


def test_registering_imports_no_heavy_module():
    """`geoworkbench --help` must stay fast: the module imports av/PIL only in handlers."""
    script = (
        "import argparse, sys\n"
        "import workbench.commands.info_commands as m\n"
        "m.register(argparse.ArgumentParser().add_subparsers())\n"
        "print(sorted(n for n in ('av', 'PIL', 'cv2', 'numpy', 'PySide6') if n in sys.modules))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

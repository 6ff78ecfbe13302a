"""The track and descent commands on a rendered descent written as H.264, and their bad input."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.synth.descent import SKY_VIDEO
from tests.synth.descent_video import write_descent_video
from workbench import cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not SKY_VIDEO.exists(), reason="drone-sky.mp4 is absent")


@pytest.fixture(scope="module")
def descent_video(tmp_path_factory):
    """A canopy descent rendered into the sky clip, encoded as H.264 at 30 fps."""
    path = tmp_path_factory.mktemp("descent") / "canopy.mp4"
    r = write_descent_video(path, size=(640, 360))
    return path, r


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_registering_the_commands_imports_no_numpy_or_cv2() -> None:
    code = (
        "import sys, workbench.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('numpy', 'cv2', 'av') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_track_then_descent(descent_video, tmp_path, capsys) -> None:
    path, r = descent_video
    x, y = r.truth_xy[0]
    track_json = tmp_path / "canopy.track.json"
    code, out, err = run(
        capsys,
        "track",
        str(path),
        "--frame",
        "0",
        "--point",
        f"{x},{y}",
        "-o",
        str(track_json),
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["video_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    frames = doc["track"]["frames"]
    assert len(frames) >= 0.9 * len(r.frames)
    assert all(len(f["md5"]) == 32 and f["pts_s"] is not None for f in frames)
    err_px = [
        math.hypot(f["x_px"] - r.truth_xy[f["index"], 0], f["y_px"] - r.truth_xy[f["index"], 1])
        for f in frames
    ]
    assert np.median(err_px) < 1.0
    assert json.loads(track_json.read_text()) == doc

    # H.264 at 30 fps: pts are i/30 exactly, where the rendered truth had jittered times;
    # compare against the truth rate, which is what a constant descent gives at any time.
    code, out, err = run(
        capsys, "descent", str(track_json), "--scale-px-per-m", str(r.ref_px_per_m), "--json"
    )
    assert code == 0, err
    res = json.loads(out)
    assert res["verdict"] == "retarded"
    assert set(res) >= {"rate_m_s", "rate_ci95", "acceleration_m_s2", "acceleration_ci95"}
    truth = r.spec.rate0_m_s
    # the rendered times were jittered (VFR) while the file is at a constant 30 fps
    assert abs(res["rate_m_s"] - truth) < 0.08 * truth

    hfov = 60.0
    focal = (r.spec.size[0] / 2) / math.tan(math.radians(hfov / 2))
    distance = focal / r.ref_px_per_m
    code, out, _ = run(
        capsys,
        "descent",
        str(track_json),
        "--distance-m",
        str(distance),
        "--hfov-deg",
        str(hfov),
        "--json",
    )
    assert code == 0 and json.loads(out)["rate_m_s"] == pytest.approx(res["rate_m_s"], rel=1e-6)

    code, out, _ = run(capsys, "descent", str(track_json))
    assert code == 0 and "px/s" in out and "nan" not in out.lower()
    assert "no metric scale" in out

    figure = tmp_path / "descent.png"
    code, _, _ = run(
        capsys, "descent", str(track_json), "--scale-px-per-m", "2", "--figure", str(figure)
    )
    assert code == 0 and figure.read_bytes()[:4] == b"\x89PNG"
    code, _, err = run(
        capsys, "descent", str(track_json), "--scale-px-per-m", "2", "--figure", str(figure)
    )
    assert code == 1 and "--force" in err


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--distance-m", "-5", "--hfov-deg", "60"], "positive"),
        (["--distance-m", "900", "--hfov-deg", "200"], "between 0 and 180"),
        (["--distance-m", "900"], "needs both"),
        (["--scale-px-per-m", "2", "--distance-m", "900", "--hfov-deg", "60"], "one scale"),
    ],
)
def test_bad_scale_inputs_are_one_line(descent_video, tmp_path, capsys, extra, words) -> None:
    track_json = tmp_path / "t.json"
    frames = [
        {
            "index": i,
            "pts_s": i / 30,
            "md5": "0" * 32,
            "x_px": 10.0,
            "y_px": 10.0 + i,
            "bg_x_px": 10.0,
            "bg_y_px": 10.0 + i,
            "confidence": 1.0,
            "source": "tracker",
        }
        for i in range(30)
    ]
    doc = {
        "schema": "geoworkbench.track/1",
        "video": "v.mp4",
        "video_sha256": "x",
        "track": {
            "reference_frame": 0,
            "box_px": [9, 9],
            "frame_size_px": [640, 360],
            "frames": frames,
        },
    }
    track_json.write_text(json.dumps(doc))
    code, out, err = run(capsys, "descent", str(track_json), *extra)
    assert code == 1 and words in err and len(err.strip().splitlines()) == 1


def test_not_a_track_and_a_short_track(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, _, err = run(capsys, "descent", str(bad))
    assert code == 1 and "not a track JSON" in err
    short = tmp_path / "short.json"
    frames = [
        {"index": i, "pts_s": i / 30, "x_px": 1.0, "y_px": 1.0, "bg_x_px": 1.0, "bg_y_px": 1.0 + i}
        for i in range(4)
    ]
    short.write_text(
        json.dumps(
            {
                "schema": "geoworkbench.track/1",
                "video": "v",
                "track": {"reference_frame": 0, "frames": frames},
            }
        )
    )
    code, _, err = run(capsys, "descent", str(short))
    assert code == 1 and "at least 8" in err


def test_track_refuses_a_missing_frame(descent_video, capsys) -> None:
    path, _ = descent_video
    code, _, err = run(capsys, "track", str(path), "--frame", "99999", "--point", "5,5")
    assert code == 1 and "does not exist" in err
    code, _, err = run(capsys, "track", str(path), "--frame", "0", "--point", "5")
    assert code == 2

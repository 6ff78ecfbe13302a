"""``geoworkbench frames``: exact frames exported into the case with sidecars."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.video.decode import VideoReader
from analysis.video.table import frames_every
from tests.workbench.test_video_store import CUT_FRAME, make_cut_video
from workbench.case import audit, create_case, open_case
from workbench.case.intake import import_file
from workbench.cli import main
from workbench.video_store import list_segments


@pytest.fixture
def case_with_video(tmp_path):
    video = make_cut_video(tmp_path / "cut.mp4")
    with create_case(tmp_path / "c.gwcase") as case:
        imported = import_file(case, video)
    return tmp_path / "c.gwcase", imported, video


def test_every_seconds_exports_the_frames_shown_at_those_times(case_with_video, capsys):
    path, imported, video = case_with_video
    # 12 fps, 48 frames: 0, 1, 2, 3 s are frames 0, 12, 24, 36
    assert main(["frames", str(path), imported.sha256[:10], "--every", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["frame_index"] for f in out["frames"]] == [0, 12, 24, 36]
    assert out["evidence_sha256"] == imported.sha256
    with VideoReader(video) as reader:
        for f in out["frames"]:
            truth = reader.frame_at(f["frame_index"])
            png = Image.open(f["png"]).convert("RGB")
            assert np.array_equal(np.asarray(png), truth.image)
            assert f["frame_md5"] == truth.md5
            data = Path(f["png"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["png_sha256"]
            side = json.loads(Path(f["sidecar"]).read_text(encoding="utf-8"))
            [source] = side["sources"]
            assert source["frame_index"] == f["frame_index"] and source["pts"] == truth.pts
            assert source["frame_md5"] == truth.md5
            assert f["sidecar"] == f["png"] + ".json"
    with open_case(path, read_only=True) as case:
        actions = [e.action for e in audit.entries(case.read())]
        assert actions.count("frame.export") == 4
        assert out["audit_head"] == case.audit_head()[1]


def test_segments_exports_one_representative_frame_per_detected_segment(case_with_video, capsys):
    path, imported, _ = case_with_video
    assert main(["frames", str(path), str(imported.id), "--segments", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    with open_case(path, read_only=True) as case:
        actions = [e.action for e in audit.entries(case.read())]
        segments = list_segments(case.read(), imported.id)
    # segments 0-23 and 24-47 (the cut at 24), each by its stored representative frame
    assert [(s.first_frame, s.last_frame) for s in segments] == [(0, CUT_FRAME - 1), (24, 47)]
    assert [f["frame_index"] for f in out["frames"]] == [s.keyframe_index for s in segments]
    assert "video.segments_detect" in actions and actions.count("frame.export") == 2


def test_usage_errors_and_non_video_evidence(case_with_video, tmp_path, capsys):
    path, imported, _ = case_with_video
    assert main(["frames", str(path), str(imported.id)]) == 2  # neither --every nor --segments
    assert main(["frames", str(path), str(imported.id), "--every", "0"]) == 2
    assert main(["frames", str(path), "999", "--every", "1"]) == 1
    err = capsys.readouterr().err
    assert "no evidence with id 999" in err


def test_frames_every_handles_variable_rate_and_unknown_times():
    # VFR: frames at 0, 0.1, 0.5, 0.55, 1.7 s; one frame without a time
    times = [0.0, 0.1, 0.5, 0.55, None, 1.7]
    # t = 0, 0.5, 1.0, 1.5 show frames 0, 2, 3, 3 (frame 5 comes at 1.7 s, after the last step)
    assert frames_every(times, 0.5) == [0, 2, 3]
    assert frames_every(times, 1.7) == [0, 5]
    assert frames_every([None, None], 1.0) == [0]
    assert frames_every([], 1.0) == []


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from workbench.cli import build_parser; build_parser();"
        "print(sorted(m for m in ('av', 'cv2', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

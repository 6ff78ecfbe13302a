"""``geoworkbench inspect`` on a video whose degradations are known (tests/synth/degraded.py)."""

from __future__ import annotations

import json

import pytest

from tests.synth.degraded import DegradedTruth, write_degraded_video
from workbench import cli


@pytest.fixture(scope="module")
def degraded(tmp_path_factory):
    return write_degraded_video(tmp_path_factory.mktemp("insp") / "tv.mkv")


def test_inspect_json_names_bars_overlays_and_frames(degraded, capsys):
    t = DegradedTruth()
    assert cli.main(["inspect", str(degraded), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["active_area"] == {"kind": "letterbox", "xywh_px": list(t.active_xywh)}
    assert out["duplicated_frames"] == list(t.duplicated)
    assert out["blended_frames"] == list(t.blended)
    assert out["interlaced_frames"] == []
    assert len(out["overlays"]["boxes_xywh_px"]) == 2 and out["overlays"]["reliable"]
    assert out["coded_size_px"] == [t.width_px, t.height_px]
    assert out["effective_size_px"] == [t.width_px, t.height_px - 2 * t.bar_px]
    assert out["algorithm"] == "analysis.media.inspection.inspect_video"


def test_inspect_text(degraded, capsys):
    assert cli.main(["inspect", str(degraded)]) == 0
    text = capsys.readouterr().out
    assert "active picture: 480 x 270 px at (0, 45), letterbox" in text
    assert "static overlays: 2\n" in text
    assert "duplicated frames: 10, 25" in text and "blended frames: 18" in text
    assert "effective resolution: about 480 x 270 px" in text


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 50, None])
def test_bad_input_is_one_line_and_exit_1(tmp_path, capsys, content):
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    assert cli.main(["inspect", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geoworkbench inspect: error:")
    assert "bad.mp4" in lines[0]
    assert captured.out == ""

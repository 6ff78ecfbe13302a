"""``geoworkbench flashbang`` and ``sync``: JSON keys, and bad input in one line, exit 1."""

from __future__ import annotations

import json

import numpy as np

from tests.synth import audio as synth
from workbench import cli

SR = 48000


def test_flashbang_json_and_bad_input(tmp_path, capsys):
    bg = synth.drone_background(SR)
    sound = synth.with_bang(bg, SR, 10 / 25 + 700 / 343.2, np.random.default_rng(1))
    frames = int(len(bg) / SR * 25) - 2
    video = synth.write_flash_video(tmp_path / "v.mp4", sound, SR, frames=frames, fps=25,
                                    flash_frame=10)  # fmt: skip
    assert cli.main(["flashbang", str(video), "--flash-frame", "10", "--temperature-c", "20",
                     "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    for key in ("bang_s", "delay_s", "distance_m", "distance_ci95"):
        assert key in out
    assert abs(out["distance_m"] - 700) < 0.03 * 700 + 343 / 25
    mute = synth.write_flash_video(tmp_path / "mute.mp4", None, SR, frames=25, fps=25,
                                   flash_frame=5)  # fmt: skip
    silent = synth.write_flash_video(tmp_path / "silent.mp4", np.zeros(SR * 2, np.float32), SR,
                                     frames=25, fps=25, flash_frame=5)  # fmt: skip
    for argv, message in (
        ([str(mute), "--flash-frame", "5"], "no audio track"),
        ([str(silent), "--flash-frame", "5"], "silent"),
        ([str(video), "--flash-frame", "10", "--temperature-c", "300"], "300 C"),
        ([str(video), "--flash-frame", "9999"], "not in the video"),
    ):
        assert cli.main(["flashbang", *argv]) == 1
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1, err


def test_sync_cli_no_match_exits_1(tmp_path, capsys):
    one = synth.recording(8.0, SR, np.random.default_rng(1), drone=False)
    other = synth.recording(8.0, SR, np.random.default_rng(2), drone=False)
    a = synth.write_audio(tmp_path / "a.m4a", one, SR)
    b = synth.write_audio(tmp_path / "b.m4a", other, SR)
    assert cli.main(["sync", str(a), str(b), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "no match" and out["offset_s"] is None
    assert cli.main(["sync", str(a), str(a)]) == 0
    assert "offset_s +0.0000" in capsys.readouterr().out

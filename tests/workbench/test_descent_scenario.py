"""The scenario's parachute-retarded object (rooftop video, after the cut): tracked, measured
with the camera model from truth.json (distance and pitch to the object, field of view), and
judged retarded at the scenario's rate."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from workbench import cli
from workbench.scenario import ScenarioConfig, generate_scenario
from workbench.scenario.town import SITES

pytestmark = pytest.mark.slow


def test_scenario_descent_rate(tmp_path, capsys) -> None:
    cfg = ScenarioConfig(
        rooftop_size=(480, 270),
        second_size=(480, 270),
        still_size=(512, 384),
        photo_size=(640, 480),
        write_orthophoto=False,
    )
    result = generate_scenario(tmp_path / "scen", seed=7, config=cfg)
    truth = json.loads(result.truth_path.read_text())
    video = truth["videos"]["video_rooftop"]
    rows = video["descent"]["frames"]
    cut = video["cut"]["frame"]
    cam = video["segments"][1]["camera"]
    k = cut + 10
    track_json = tmp_path / "t.json"
    code = cli.main(
        [
            "track",
            str(tmp_path / "scen" / video["file"]),
            "--frame",
            str(k),
            "--point",
            f"{rows[k]['x_px']},{rows[k]['y_px']}",
            "--from",
            str(cut),
            "-o",
            str(track_json),
        ]
    )
    assert code == 0
    doc = json.loads(track_json.read_text())
    frames = doc["track"]["frames"]
    err = [
        math.hypot(f["x_px"] - rows[f["index"]]["x_px"], f["y_px"] - rows[f["index"]]["y_px"])
        for f in frames
    ]
    assert np.median(err) < 0.5 and len(frames) >= 0.9 * (video["frame_count"] - cut)
    mid = rows[(frames[0]["index"] + frames[-1]["index"]) // 2]
    obj = np.array([*SITES["descent_ground_point"], mid["height_above_ground_m"]])
    cam_enu = np.array(cam["enu_m"])
    cam_enu[2] = cam["height_above_ground_m"]
    d = obj - cam_enu
    distance = float(np.linalg.norm(d))
    pitch = math.degrees(math.atan2(d[2], math.hypot(d[0], d[1])))
    capsys.readouterr()
    code = cli.main(
        [
            "descent",
            str(track_json),
            "--distance-m",
            str(distance),
            "--hfov-deg",
            str(cam["hfov_deg"]),
            "--pitch-deg",
            str(pitch),
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "retarded", out["reason"]
    rate = video["descent"]["rate_mps"]
    assert abs(out["rate_m_s"] - rate) < 0.05 * rate

"""``geoworkbench bearing`` against a synthetic pinhole camera of known truth, and bad input.

Each shot is a camera of known position, field of view, yaw, pitch and roll; the pixels of a
reference, a second reference and a target are their projections
(``analysis.geometry.camera.PinholeCamera.project``), so the true azimuth is the geodesic one
from the camera, and the command must give it back from the pixels alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest

from analysis.geometry import geodesy
from analysis.geometry.camera import PinholeCamera, enu_direction
from analysis.geometry.geodesy import LatLon
from workbench import cli

CAMERA = LatLon(35.6205, 36.5200)
SIZE = (1280, 720)
TOLERANCE_DEG = 1e-6  # the solve is exact: what is left is rounding


@dataclass(frozen=True)
class Shot:
    name: str
    hfov_deg: float
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    target_offset_deg: float  # target azimuth from the optical axis
    target_range_m: float


SHOTS = (
    Shot("level phone, target right of centre", 65.0, 88.0, 0.0, 0.0, 12.0, 2800.0),
    Shot("tilted and rolled, levelled on the horizon", 55.0, 301.0, 2.5, -8.0, -15.0, 900.0),
    Shot("telephoto across the north", 8.0, 359.0, -1.0, 4.0, 2.5, 12000.0),
)


def _project(cam: PinholeCamera, az: float, el: float) -> str:
    x, y = cam.project(enu_direction(az, el))[0]
    return f"{float(x)!r},{float(y)!r}"


def _args(shot: Shot, *, fov: str) -> tuple[list[str], float]:
    """The command line for a shot, and the true azimuth of its target."""
    cam = PinholeCamera(*SIZE, shot.hfov_deg, shot.yaw_deg, shot.pitch_deg, shot.roll_deg)
    spread = shot.hfov_deg / 3.0
    ref = geodesy.destination(CAMERA, shot.yaw_deg - spread, 2000.0)
    ref2 = geodesy.destination(CAMERA, shot.yaw_deg + spread, 3500.0)
    target = geodesy.destination(CAMERA, shot.yaw_deg + shot.target_offset_deg, shot.target_range_m)
    true_az = geodesy.azimuth_deg(CAMERA, target)
    argv = ["--camera", f"{CAMERA.lat_deg!r},{CAMERA.lon_deg!r}", "--size", "1280,720"]
    argv += ["--ref", f"{ref.lat_deg!r},{ref.lon_deg!r}"]
    argv += ["--ref-px", _project(cam, geodesy.azimuth_deg(CAMERA, ref), 0.02 * shot.hfov_deg)]
    argv += ["--target-px", _project(cam, true_az, -0.01 * shot.hfov_deg)]
    h1 = _project(cam, shot.yaw_deg - spread, 0.0).split(",")
    h2 = _project(cam, shot.yaw_deg + spread, 0.0).split(",")
    argv += ["--horizon", ",".join(h1 + h2)]
    if fov == "hfov":
        argv += ["--hfov", repr(shot.hfov_deg)]
    else:
        argv += ["--ref2", f"{ref2.lat_deg!r},{ref2.lon_deg!r}"]
        argv += [
            "--ref2-px",
            _project(cam, geodesy.azimuth_deg(CAMERA, ref2), 0.005 * shot.hfov_deg),
        ]
    return argv, true_az


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["bearing", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fov", ["hfov", "ref2"])
@pytest.mark.parametrize("shot", SHOTS, ids=lambda s: s.name)
def test_json_gives_the_true_azimuth_from_the_pixels(capsys, shot, fov):
    argv, true_az = _args(shot, fov=fov)
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    d = json.loads(out)
    assert abs(geodesy.angle_difference_deg(d["azimuth_deg"], true_az)) < TOLERANCE_DEG
    assert d["hfov_deg"] == pytest.approx(shot.hfov_deg, abs=1e-9)
    assert d["sigma_deg"] == pytest.approx(math.sqrt(2) * 0.5 * d["hfov_deg"] / SIZE[0])
    assert (d["pitch_deg"], d["roll_deg"]) == pytest.approx(
        (shot.pitch_deg, shot.roll_deg), abs=1e-6
    )
    assert d["view_azimuth_deg"] == pytest.approx(shot.yaw_deg, abs=1e-6)
    assert d["levelled"] is True
    if fov == "ref2":
        assert d["hfov_source"] == "from references --ref and --ref2"
        assert d["hfov_from_references_deg"] == d["hfov_deg"]  # the check agrees with the fit
    assert d["inputs"]["target_px"] == [
        float(v) for v in argv[argv.index("--target-px") + 1].split(",")
    ]


def test_text_output_and_a_wider_click_sigma(capsys):
    argv, true_az = _args(SHOTS[0], fov="hfov")
    code, out, _ = _run(capsys, *argv, "--click-sigma", "2")
    assert code == 0
    sigma = math.sqrt(2) * 2.0 * SHOTS[0].hfov_deg / SIZE[0]
    assert f"azimuth       {true_az:.3f} +/- {sigma:.3f} deg" in out
    assert "two clicks of 2 px" in out and "levelled on the horizon" in out
    assert "field of view 65.000 deg, given (--hfov)" in out


def test_without_the_horizon_a_rolled_camera_is_not_levelled(capsys):
    argv, true_az = _args(SHOTS[1], fov="hfov")
    k = argv.index("--horizon")
    del argv[k : k + 2]
    code, out, _ = _run(capsys, *argv, "--json")
    d = json.loads(out)
    assert code == 0 and d["levelled"] is False and d["roll_deg"] == 0.0
    assert abs(geodesy.angle_difference_deg(d["azimuth_deg"], true_az)) > 0.1  # roll matters


@pytest.mark.parametrize(
    "change, message",
    [
        (("--size", "1280"), "2 comma-separated numbers"),
        (("--size", "0,720"), "two positive integers"),
        (("--camera", "95,36.5"), "out of range"),
        (("--target-px", "x,3"), "not a number"),
        (("--target-px", "1500,300"), "outside the 1280x720 frame"),
        (("--hfov", "190"), "below 180"),
        (("--hfov", "-5"), "must be positive"),
        (("--click-sigma", "0"), "must be positive"),
        (("--horizon", "10,300,10,300"), "coincide"),
        (("--ref2-px", "700,300"), "not allowed with argument --hfov|needs --ref2"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, change, message):
    argv, _ = _args(SHOTS[0], fov="hfov")
    flag, value = change
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert any(m in err for m in message.split("|")), err


def test_a_second_reference_needs_its_pixel_and_no_hfov(capsys):
    argv, _ = _args(SHOTS[0], fov="ref2")
    k = argv.index("--ref2-px")
    code, _, err = _run(capsys, *argv[:k], *argv[k + 2 :])
    assert code == 2 and "--ref2 needs --ref2-px" in err
    code, _, err = _run(capsys, *argv, "--hfov", "60")
    assert code == 2 and "not allowed with argument" in err
    # two references on one line of sight cannot fix a field of view
    ref = argv[argv.index("--ref") + 1]
    argv[argv.index("--ref2") + 1] = ref
    code, _, err = _run(capsys, *argv)
    assert code == 2 and "apart seen from the camera" in err

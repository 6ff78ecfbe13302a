"""``geoworkbench resect`` on landmarks placed around a known camera, weak geometry, bad input."""

from __future__ import annotations

import json

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import cli

CAMERA = LatLon(35.6231, 36.5412)
HEADING = 70.0  # azimuth of direction zero


def _seen(az: float, dist: float, sigma: float = 0.1, name: str = "") -> str:
    mark = geodesy.destination(CAMERA, az, dist)
    direction = geodesy.azimuth_deg(CAMERA, mark) - HEADING
    text = f"{mark.lat_deg!r},{mark.lon_deg!r},{direction!r},{sigma!r}"
    return text + (f",{name}" if name else "")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["resect", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_recovers_the_camera_and_the_heading(capsys) -> None:
    args = ["--seen", _seen(40.0, 800.0, name="Minaret, north")]
    args += ["--seen", _seen(75.0, 1500.0), "--seen", _seen(110.0, 600.0), "--json"]
    code, out, _ = _run(capsys, *args)
    assert code == 0
    d = json.loads(out)
    assert d["status"] == "ok"
    assert geodesy.distance_m(LatLon(d["lat"], d["lon"]), CAMERA) < 1e-3
    assert d["orientation_deg"] == pytest.approx(HEADING, abs=1e-6)
    assert d["degrees_of_freedom"] == 0 and len(d["landmarks"]) == 3
    assert d["landmarks"][0]["name"] == "Minaret, north"  # a name may hold commas
    assert 0 < d["ellipse"]["semi_minor_m"] <= d["ellipse"]["semi_major_m"] < 20


def test_text_output_and_weak_geometry_exit_1(capsys) -> None:
    # Three landmarks 3 km away within 4 degrees: solvable, but the ellipse is huge.
    args = ["--seen", _seen(88.0, 3000.0, 0.5), "--seen", _seen(90.0, 3100.0, 0.5)]
    code, out, _ = _run(capsys, *args, "--seen", _seen(92.0, 2900.0, 0.5))
    assert code == 1
    assert "camera" in out and "WARNING" in out and "weak geometry" in out


@pytest.mark.parametrize(
    "bad, message",
    [
        ("35.6,36.5,10", "LAT,LON,DIR_DEG,SIGMA_DEG"),
        ("35.6,36.5,x,0.1", "not a number"),
        ("95,36.5,10,0.1", "out of range"),
        ("35.6,36.5,10,0", "SIGMA_DEG"),
        ("35.6,36.5,inf,0.1", "not finite"),
    ],
)
def test_malformed_landmark_is_a_usage_error(capsys, bad: str, message: str) -> None:
    code, _, err = _run(capsys, "--seen", bad, "--seen", _seen(60.0, 500.0))
    assert code == 2 and message in err


def test_two_landmarks_are_refused(capsys) -> None:
    code, _, err = _run(capsys, "--seen", _seen(60.0, 500.0), "--seen", _seen(80.0, 700.0))
    assert code == 2 and "at least three" in err

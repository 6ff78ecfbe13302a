"""``geoworkbench align``: the camera from objects seen one behind the other, against truth."""

from __future__ import annotations

import json

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import cli

CAMERA = LatLon(35.6209, 36.5221)  # the worked example's rooftop, roughly


def _line(azimuth_deg: float, near_m: float, far_m: float, sigma_m: float = 2.0) -> str:
    near = geodesy.destination(CAMERA, azimuth_deg, near_m)
    far = geodesy.destination(CAMERA, azimuth_deg, far_m)
    return f"{near.lat_deg!r},{near.lon_deg!r},{far.lat_deg!r},{far.lon_deg!r},{sigma_m}"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["align", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_alignments_put_the_camera_where_it_stood(capsys):
    code, out, _ = _run(
        capsys, "--line", _line(20.0, 300.0, 900.0), "--line", _line(115.0, 250.0, 1200.0), "--json"
    )
    d = json.loads(out)
    assert code == 0 and d["status"] == "ok"
    assert geodesy.distance_m(LatLon(d["lat"], d["lon"]), CAMERA) < 0.05
    # the ranges from the near objects are the truth's
    assert [round(r["range_m"]) for r in d["residuals"]] == [300, 250]
    assert 0.0 < d["ellipse"]["semi_minor_m"] <= d["ellipse"]["semi_major_m"] < 20.0


def test_noisier_maps_give_a_larger_ellipse(capsys):
    sizes = []
    for sigma in (1.0, 8.0):
        lines = [
            "--line",
            _line(20.0, 300.0, 900.0, sigma),
            "--line",
            _line(115.0, 250.0, 1200.0, sigma),
        ]
        code, out, _ = _run(capsys, *lines, "--json")
        sizes.append(json.loads(out)["ellipse"]["semi_major_m"])
    assert sizes[1] == pytest.approx(8 * sizes[0], rel=0.05)


@pytest.mark.parametrize(
    "argv",
    [
        ["--line", "35.6,36.5,35.61,36.51"],  # one line only
        ["--line", "35.6,36.5,35.6,36.5", "--line", "35.6,36.5,35.61,36.51"],  # near = far
        ["--line", "35.6,36.5,35.61", "--line", "1,2,3,4"],  # too few numbers
    ],
)
def test_bad_lines_are_usage_errors(capsys, argv):
    code, _, err = _run(capsys, *argv)
    assert code == 2 and "error" in err

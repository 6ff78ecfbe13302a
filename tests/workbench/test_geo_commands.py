"""``geoworkbench triangulate`` on rays with known truth, parallel rays and bad input."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import cli

SCHOOL = LatLon(35.6209, 36.5531)


def _ray_arg(origin: LatLon, target: LatLon, sigma: float) -> str:
    az = geodesy.azimuth_deg(origin, target)
    return f"{origin.lat_deg!r},{origin.lon_deg!r},{az!r},{sigma!r}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["triangulate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_fix_recovers_the_target_and_the_expected_ellipse(capsys) -> None:
    # Two perpendicular rays from 3 km with 0.5 deg sigma: the 95% ellipse is a circle of
    # radius sqrt(5.991) * 3000 m * 0.5 deg in radians = 64.1 m.
    west = geodesy.destination(SCHOOL, 270.0, 3000.0)
    south = geodesy.destination(SCHOOL, 180.0, 3000.0)
    code, out, _ = _run(
        capsys, "--ray", _ray_arg(west, SCHOOL, 0.5), "--ray", _ray_arg(south, SCHOOL, 0.5),
        "--json",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert d["status"] == "ok"
    assert geodesy.distance_m(LatLon(d["lat"], d["lon"]), SCHOOL) < 0.01
    radius = math.sqrt(-2 * math.log(0.05)) * 3000.0 * math.radians(0.5)
    assert d["ellipse"]["semi_major_m"] == pytest.approx(radius, rel=0.005)
    assert d["ellipse"]["semi_minor_m"] == pytest.approx(radius, rel=0.005)
    assert 0.0 <= d["ellipse"]["azimuth_deg"] < 180.0
    assert [r["ray"] for r in d["residuals"]] == [1, 2]
    assert all(abs(r["residual_deg"]) < 1e-7 for r in d["residuals"])
    assert d["residuals"][0]["range_m"] == pytest.approx(3000.0, abs=0.01)
    assert d["samples"] is None


def test_two_rays_report_their_exact_crossing_ranges_and_angle(capsys) -> None:
    # Rays from 2.5 km west and 4 km at azimuth 200 deg from the target: they cross at the
    # target, 70 degrees apart (the angle between the directions 270 and 200 seen from it).
    west = geodesy.destination(SCHOOL, 270.0, 2500.0)
    sw = geodesy.destination(SCHOOL, 200.0, 4000.0)
    code, out, _ = _run(
        capsys, "--ray", _ray_arg(west, SCHOOL, 0.5), "--ray", _ray_arg(sw, SCHOOL, 0.5), "--json"
    )
    crossing = json.loads(out)["two_ray_crossing"]
    assert code == 0
    assert geodesy.distance_m(LatLon(crossing["lat"], crossing["lon"]), SCHOOL) < 0.001
    assert crossing["range1_m"] == pytest.approx(2500.0, abs=0.01)
    assert crossing["range2_m"] == pytest.approx(4000.0, abs=0.01)
    assert crossing["crossing_angle_deg"] == pytest.approx(70.0, abs=0.05)


def test_three_rays_have_no_two_ray_crossing(capsys) -> None:
    rays = [geodesy.destination(SCHOOL, az, 3000.0) for az in (200.0, 270.0, 340.0)]
    argv = [a for o in rays for a in ("--ray", _ray_arg(o, SCHOOL, 0.5))]
    code, out, _ = _run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["two_ray_crossing"] is None


def test_elongated_ellipse_points_along_the_weak_direction(capsys) -> None:
    # Two rays from the west crossing at 30 deg: the ellipse's long axis runs east-west.
    a = geodesy.destination(SCHOOL, 255.0, 4000.0)
    b = geodesy.destination(SCHOOL, 285.0, 4000.0)
    code, out, _ = _run(
        capsys, "--ray", _ray_arg(a, SCHOOL, 0.3), "--ray", _ray_arg(b, SCHOOL, 0.3), "--json"
    )
    d = json.loads(out)
    assert code == 0
    assert abs(geodesy.angle_difference_deg(d["ellipse"]["azimuth_deg"], 90.0)) < 1.0
    # sin(15 deg) / cos(15 deg) sets the axis ratio for this symmetric geometry.
    ratio = d["ellipse"]["semi_major_m"] / d["ellipse"]["semi_minor_m"]
    assert ratio == pytest.approx(1 / math.tan(math.radians(15.0)), rel=0.01)


def test_human_output_names_the_ellipse_and_residuals(capsys) -> None:
    west = geodesy.destination(SCHOOL, 270.0, 2800.0)
    south = geodesy.destination(SCHOOL, 200.0, 5000.0)
    east = geodesy.destination(SCHOOL, 100.0, 900.0)
    rays = [_ray_arg(o, SCHOOL, 0.5) for o in (west, south, east)]
    code, out, _ = _run(capsys, *[x for r in rays for x in ("--ray", r)])
    assert code == 0
    assert "position" in out and "95% ellipse" in out and "semi-major" in out
    assert out.count("  ray ") == 3
    assert f"{SCHOOL.lat_deg:.6f}" in out


def test_parallel_rays_say_so_and_give_samples(capsys) -> None:
    a = geodesy.destination(SCHOOL, 270.0, 3000.0)
    b = geodesy.destination(a, 0.0, 40.0)
    code, out, _ = _run(
        capsys, "--ray", _ray_arg(a, SCHOOL, 0.5), "--ray", _ray_arg(b, SCHOOL, 0.5),
        "--json", "--samples", "300",
    )  # fmt: skip
    d = json.loads(out)
    assert code == 1
    assert d["status"] == "nearly_parallel" and d["ellipse"] is None
    assert "parallel" in d["message"]
    assert 0 < d["samples"]["count"] == len(d["samples"]["lat_lon"]) <= 300
    code, out, _ = _run(
        capsys, "--ray", _ray_arg(a, SCHOOL, 0.5), "--ray", _ray_arg(b, SCHOOL, 0.5)
    )
    assert code == 1 and "NO ELLIPSE" in out and "NOT a fix" in out


def test_rays_meeting_behind_the_observers(capsys) -> None:
    a = geodesy.destination(SCHOOL, 270.0, 1000.0)
    b = geodesy.destination(SCHOOL, 180.0, 1000.0)
    code, out, _ = _run(
        capsys, "--ray", f"{a.lat_deg},{a.lon_deg},270,1", "--ray", f"{b.lat_deg},{b.lon_deg},180,1"
    )
    assert code == 1
    assert "behind" in out and "do not meet in front" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--ray", "35.6,36.5,90"],
        ["--ray", "35.6,36.5,90,x", "--ray", "35.6,36.6,0,1"],
        ["--ray", "95,36.5,90,1", "--ray", "35.6,36.6,0,1"],
        ["--ray", "35.6,36.5,90,0", "--ray", "35.6,36.6,0,1"],
        ["--ray", "35.6,36.5,90,1"],
        ["--ray", "35.6,36.5,90,1", "--ray", "35.6,36.6,0,1", "--samples", "0"],
    ],
)
def test_bad_rays_are_usage_errors(capsys, argv: list[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert "ray" in err or "--samples" in err


def test_help_lists_triangulate_and_the_module_imports_light() -> None:
    code = (
        "import sys, argparse, workbench.commands.geo_commands as g;"
        "g.register(argparse.ArgumentParser().add_subparsers());"
        "heavy = [m for m in ('numpy', 'cv2', 'av', 'PySide6', 'geographiclib') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    helptext = cli.build_parser().format_help()
    assert "triangulate" in helptext


def test_figure_is_deterministic_and_carries_its_provenance(capsys, tmp_path) -> None:
    west = geodesy.destination(SCHOOL, 270.0, 2500.0)
    sw = geodesy.destination(SCHOOL, 200.0, 4000.0)
    rays = ["--ray", _ray_arg(west, SCHOOL, 0.5), "--ray", _ray_arg(sw, SCHOOL, 0.5)]
    outputs = []
    for name in ("a.png", "b.png"):
        fig = tmp_path / name
        code, out, _ = _run(capsys, *rays, "--figure", str(fig), "--as-of", "2016-10-26T12:00Z")
        assert code == 0 and f"figure        {fig}" in out
        outputs.append(fig)
    a, b = outputs
    assert a.read_bytes() == b.read_bytes()  # no timestamp in the PNG
    from PIL import Image

    assert Image.open(a).size == (840, 840)  # 7 x 7 in at 120 dpi
    side = json.loads((tmp_path / "a.png.json").read_text(encoding="utf-8"))
    assert side["as_of_utc"] == "2016-10-26T12:00:00.000000Z"
    [output] = side["outputs"]
    assert output["file"] == "a.png"
    assert output["sha256"] == hashlib.sha256(a.read_bytes()).hexdigest()
    fix = side["details"]["fix"]
    assert geodesy.distance_m(LatLon(fix["lat"], fix["lon"]), SCHOOL) < 0.01
    assert "matplotlib" in side["software"]["libraries"]

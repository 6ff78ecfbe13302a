"""``geoworkbench sun``, ``sun-time`` and ``shadow-place``; and what the sun says about the
real Nikon photos' two clocks."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from workbench.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sun_json_has_the_documented_keys(capsys) -> None:
    code, out, _ = run(
        capsys,
        "sun",
        "--lat",
        "35.62",
        "--lon",
        "36.55",
        "--time",
        "2016-10-26T10:32:00+03:00",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    for key in (
        "azimuth_deg",
        "elevation_deg",
        "apparent_elevation_deg",
        "sunrise",
        "sunset",
        "noon",
    ):
        assert key in d
    assert 140 < d["azimuth_deg"] < 155 and d["apparent_elevation_deg"] > d["elevation_deg"]
    assert d["sunrise"].startswith("2016-10-26T03:50")


def test_a_time_without_zone_is_refused_or_taken_as_utc_when_asked(capsys) -> None:
    base = ("sun", "--lat", "35.62", "--lon", "36.55", "--time", "2016-10-26T07:32:00")
    code, _, err = run(capsys, *base)
    assert code == 2 and "no time zone" in err and "--assume-utc" in err
    code, out, _ = run(capsys, *base, "--assume-utc", "--json")
    assert code == 0 and "taken as UTC" in json.loads(out)["notes"][0]


@pytest.mark.parametrize(("lat", "words"), [("91", "latitude 91.0"), ("-90.5", "latitude")])
def test_a_latitude_beyond_90_is_a_clear_error(capsys, lat: str, words: str) -> None:
    code, _, err = run(capsys, "sun", "--lat", lat, "--lon", "0", "--time", "2016-01-01T12:00Z")
    assert code == 2 and words in err


def test_polar_night_is_said_in_words(capsys) -> None:
    code, out, _ = run(capsys, "sun", "--lat", "80", "--lon", "0", "--time", "2016-12-21T12:00Z")
    assert code == 0 and "polar night" in out and "below the horizon" in out
    code, _, err = run(
        capsys,
        "sun-time",
        "--lat",
        "80",
        "--lon",
        "0",
        "--date",
        "2016-12-21",
        "--azimuth",
        "180",
        "--sigma",
        "1",
    )
    assert code == 2 and "polar night" in err


def test_sun_time_gives_both_branches_and_what_carried_them(capsys) -> None:
    code, out, _ = run(
        capsys,
        "sun-time",
        "--lat",
        "35.62",
        "--lon",
        "36.55",
        "--date",
        "2016-10-26",
        "--elevation",
        "30",
        "--sigma",
        "1",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert [iv["branch"] for iv in d["intervals"]] == ["morning", "afternoon"]
    assert all(iv["carried_by"] == "elevation" for iv in d["intervals"])
    assert "nan" not in out.lower()


def test_sun_time_warns_near_noon_for_elevation(capsys) -> None:
    code, out, _ = run(
        capsys,
        "sun-time",
        "--lat",
        "35.62",
        "--lon",
        "36.55",
        "--date",
        "2016-10-26",
        "--elevation",
        "41.2",
        "--sigma",
        "1",
    )
    assert code == 0 and "warning" in out and "near solar noon" in out


def test_a_shadow_with_the_sun_below_the_horizon_is_refused(capsys) -> None:
    code, _, err = run(
        capsys,
        "sun-time",
        "--lat",
        "35.62",
        "--lon",
        "36.55",
        "--date",
        "2016-10-26",
        "--elevation",
        "-2",
        "--sigma",
        "1",
    )
    assert code == 2 and "above the horizon" in err


def test_shadow_place_prints_a_geojson_band(capsys) -> None:
    code, out, _ = run(
        capsys,
        "shadow-place",
        "--time",
        "2016-10-26T07:32Z",
        "--ratio",
        "1.392",
        "--azimuth",
        "147.7",
        "--sigma",
        "1",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    geom = doc["features"][0]["geometry"]
    assert geom["type"] == "MultiPolygon" and geom["coordinates"]
    south, north = doc["features"][0]["properties"]["lat_range_deg"]
    assert south < 35.62 < north


def test_registering_the_commands_imports_nothing_heavy() -> None:
    code = (
        "import sys, argparse; import workbench.commands.sun_commands as m; "
        "m.register(argparse.ArgumentParser().add_subparsers()); "
        "print(sorted({'numpy', 'cv2', 'av', 'PySide6', 'geographiclib'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_real_photo_clocks_against_the_sun(capsys) -> None:
    # DSCN0010.jpg (Nikon P6000, 43.467448 N 11.885127 E) is in direct low sun with long
    # shadows. GPS clock: 2008-10-23 14:27:07 UTC. Camera clock: 2008-10-22 16:28:39, no zone;
    # Italy was on CEST (UTC+2) until 26 Oct 2008, so 14:28:39 UTC. Both readings put the sun
    # at the same place within 0.6 deg (one day and a minute apart): shadows cannot choose
    # between them. Read as UTC, the camera clock puts the sun below the horizon, which the
    # sunlit photo rules out.
    def sun(when: str) -> dict:
        code, out, _ = run(
            capsys, "sun", "--lat", "43.467448", "--lon", "11.885127", "--time", when, "--json"
        )
        assert code == 0
        return json.loads(out)

    gps, camera_cest, camera_utc = (
        sun("2008-10-23T14:27:07Z"),
        sun("2008-10-22T16:28:39+02:00"),
        sun("2008-10-22T16:28:39Z"),
    )
    assert abs(gps["azimuth_deg"] - camera_cest["azimuth_deg"]) < 0.6
    assert abs(gps["apparent_elevation_deg"] - camera_cest["apparent_elevation_deg"]) < 0.1
    assert gps["apparent_elevation_deg"] > 15
    assert camera_utc["apparent_elevation_deg"] < 0


def test_every_sun_command_prints_its_help(capsys) -> None:
    for name in ("sun", "sun-time", "shadow-place"):
        assert main([name, "--help"]) == 0
    assert "sun-time" in (main(["--help"]), capsys.readouterr().out)[1]


# DSCN0012.jpg (43.467157 N, 11.885395 E; 28 mm equivalent, 65.5 deg across), measured by hand
# on the 640 x 480 picture: the edge between the sunlit gravel and the foreground shadow runs
# from (372, 302) to (540, 300) (read on a 2x enlargement and on the mean brightness of rows
# 240-340 over columns 380-540, which steps from 155 to 105 at row 301); the structure tensor
# of rows 285-320, columns 330-560 puts the edges 0.85 deg off horizontal. The trunk at x = 232
# is lit on its right. So the shadows cross the view at right angles with the sun on the right:
# the sun's azimuth is the camera heading + 90 deg (the EXIF has no heading to close it).
DSCN0012_SHADOW_PX = ((372.0, 302.0), (540.0, 300.0))


def test_dscn0012_shadow_implies_the_same_heading_under_both_clocks(capsys) -> None:
    (x0, y0), (x1, y1) = DSCN0012_SHADOW_PX
    tilt = math.degrees(math.atan2(y0 - y1, x1 - x0))
    assert abs(tilt) < 2.0  # horizontal in the picture: perpendicular to the view

    def heading(when: str) -> float:
        code, out, _ = run(
            capsys, "sun", "--lat", "43.467157", "--lon", "11.885395", "--time", when, "--json"
        )
        d = json.loads(out)
        assert code == 0 and d["apparent_elevation_deg"] > 10
        return (d["azimuth_deg"] - 90.0) % 360.0

    gps = heading("2008-10-23T14:28:17Z")
    camera = heading("2008-10-22T16:29:49+02:00")
    assert abs(gps - camera) < 1.0  # both clocks: the camera looked south-east (~145 deg)
    assert 130 < gps < 160


def test_shadow_place_combines_two_times(capsys) -> None:
    code, out, _ = run(
        capsys, "shadow-place", "--time", "2016-10-26T07:00Z", "--ratio", "1.75",
        "--time", "2016-10-26T12:00Z", "--ratio", "2.2", "--sigma", "1", "--json",
    )  # fmt: skip
    assert code == 0
    props = json.loads(out)["features"][0]["properties"]
    assert props["shadows"] == 2 and props["area_fraction_of_earth"] < 0.01

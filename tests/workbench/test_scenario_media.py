"""The generated media agree with truth.json, checked with independent code.

One small scenario is generated per module. Projections are recomputed with OpenCV's
projectPoints from the truth's lat/lon/height (converted with an independent ENU routine)
and the truth K and R; the media are decoded with PyAV and read with exifread.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import cv2
import exifread
import numpy as np
import pytest

from analysis.jobs import CancelToken, JobCancelled
from tests.workbench.test_scenario_world import enu_reference
from workbench.scenario import ScenarioConfig, generate_scenario

SMALL = ScenarioConfig(
    rooftop_size=(480, 270),
    rooftop_fps=Fraction(10),
    second_size=(480, 270),
    second_fps=Fraction(10),
    still_size=(320, 240),
    photo_size=(640, 480),
    gsd_m=2.0,
    write_orthophoto=False,
    crf=23,
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    seen: list[float] = []
    result = generate_scenario(out, seed=11, config=SMALL, progress=lambda f, m: seen.append(f))
    truth = json.loads(result.truth_path.read_text(encoding="utf-8"))
    return result, truth, seen


def decode_video(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        rate = container.streams.audio[0].rate
        chunks = [f.to_ndarray()[0] for f in container.decode(audio=0)]
    return np.concatenate(chunks), rate


def enu_of(truth: dict, point: dict) -> np.ndarray:
    o = truth["world"]["origin"]
    return enu_reference(
        o["lat_deg"],
        o["lon_deg"],
        o["height_m"],
        point["lat_deg"],
        point["lon_deg"],
        point["height_m"],
    )


def project(truth: dict, camera: dict, points_enu: np.ndarray) -> np.ndarray:
    """OpenCV projection with the truth's K and R and the camera centre from its lat/lon."""
    r = np.array(camera["R"])
    centre = enu_of(truth, camera)
    rvec, _ = cv2.Rodrigues(r)
    pix, _ = cv2.projectPoints(
        np.asarray(points_enu, float).reshape(-1, 3), rvec, -r @ centre, np.array(camera["K"]), None
    )
    return pix.reshape(-1, 2)


def teal_centroid(img: np.ndarray) -> tuple[np.ndarray, int]:
    """Centroid and size of the largest blob of the water tower's teal (G, B well above R)."""
    rgb = img.astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mask = ((g - r > 22) & (b - r > 22) & (np.abs(g - b) < 18)).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 2:
        return np.array([np.nan, np.nan]), 0
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return centroids[best], int(stats[best, cv2.CC_STAT_AREA])


def test_every_role_is_written(scenario) -> None:
    result, truth, seen = scenario
    roles = {f.role for f in result.files}
    assert {
        "video_rooftop",
        "video_second",
        "drone_still",
        "reference_tower_photo",
        "truth",
    } <= roles
    for f in result.files:
        assert f.path.is_file() and f.path.stat().st_size > 1000
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_video_streams_are_as_truth_says(scenario) -> None:
    result, truth, _ = scenario
    for role in ("video_rooftop", "video_second"):
        video = truth["videos"][role]
        with av.open(str(result.path(role))) as container:
            vs = container.streams.video[0]
            assert vs.codec_context.name == "h264" and vs.codec_context.pix_fmt == "yuv420p"
            assert Fraction(vs.average_rate) == Fraction(video["fps_fraction"])
            assert container.streams.audio[0].codec_context.name == "aac"
            n = sum(1 for _ in container.decode(video=0))
        assert n == video["frame_count"]


@pytest.mark.parametrize("role,segment", [("video_rooftop", 1), ("video_second", 0)])
def test_water_tower_is_where_projection_says(scenario, role: str, segment: int) -> None:
    result, truth, _ = scenario
    video = truth["videos"][role]
    seg = video["segments"][segment]
    frame = decode_video(result.path(role))[seg["first_frame"]]
    tank = enu_of(truth, truth["landmarks"]["water_tower_tank_centre"])
    expected = project(truth, seg["camera"], tank)[0]
    found, count = teal_centroid(frame)
    assert count >= 4
    assert np.hypot(*(found - expected)) < 2.0


def test_building_south_east_of_school_is_seen_by_second_camera(scenario) -> None:
    result, truth, _ = scenario
    cam = truth["videos"]["video_second"]["segments"][0]["camera"]
    frame = decode_video(result.path("video_second"))[0].astype(int)
    roof = enu_of(truth, truth["landmarks"]["building_se"])
    half = truth["landmarks"]["building_se"]["height_above_ground_m"] / 2
    inside, above = project(truth, cam, np.array([roof - [0, 0, half], roof + [0, 0, 8.0]]))
    x, y = np.round(inside).astype(int)
    r, g, b = frame[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).mean(axis=0)
    assert r - b > 15 and r - g > 8  # the terracotta facade
    x, y = np.round(above).astype(int)
    r, g, b = frame[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).mean(axis=0)
    assert b > r  # sky right above its roof: it stands above the houses


def test_sunlit_side_is_brighter_for_the_morning_sun(scenario) -> None:
    """Seen from the south-west, the terracotta block's south face is lit, its west face not."""
    result, truth, _ = scenario
    video = truth["videos"]["video_second"]
    cam, sun = video["segments"][0]["camera"], video["segments"][0]["sun"]
    mark = truth["landmarks"]["building_se"]
    fp = np.array(mark["footprint_en_m"])
    (e0, n0), (e1, n1) = fp.min(axis=0), fp.max(axis=0)
    z = mark["height_above_ground_m"] * 0.75
    west, south = project(truth, cam, np.array([[e0, (n0 + n1) / 2, z], [(e0 + e1) / 2, n0, z]]))
    frame = decode_video(result.path("video_second"))[0].astype(float)

    def brightness(p: np.ndarray) -> float:
        x, y = int(round(p[0])), int(round(p[1]))
        return float(frame[y - 1 : y + 2, x - 1 : x + 2].mean())

    s_az = math.radians(sun["azimuth_deg"])
    assert -math.sin(s_az) < 0 < -math.cos(s_az)  # sun south-east: west face dark, south lit
    assert brightness(south) > brightness(west) + 15


def test_water_tower_in_reference_photo(scenario) -> None:
    result, truth, _ = scenario
    photo = truth["photos"]["reference_tower_photo"]
    img = cv2.cvtColor(cv2.imread(str(result.path("reference_tower_photo"))), cv2.COLOR_BGR2RGB)
    tank = enu_of(truth, truth["landmarks"]["water_tower_tank_centre"])
    expected = project(truth, photo["camera"], tank)[0]
    found, count = teal_centroid(img)
    assert count > 200
    assert np.hypot(*(found - expected)) < 3.0


def test_drone_still_is_centred_on_the_school(scenario) -> None:
    _, truth, _ = scenario
    cam = truth["photos"]["drone_still"]["camera"]
    school = project(truth, cam, enu_of(truth, truth["landmarks"]["school"]))[0]
    assert abs(school[0] - (cam["width_px"] - 1) / 2) < 0.1 * cam["width_px"]
    assert abs(school[1] - (cam["height_px"] - 1) / 2) < 0.1 * cam["height_px"]
    assert cam["pitch_deg"] == -90.0


def test_cut_is_at_the_truth_frame(scenario) -> None:
    result, truth, _ = scenario
    video = truth["videos"]["video_rooftop"]
    grey = [
        cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(float)
        for f in decode_video(result.path("video_rooftop"))
    ]
    diff = np.array([np.abs(b - a).mean() for a, b in zip(grey, grey[1:], strict=False)])
    flash = set(video["flash"]["frames"])
    candidates = [i + 1 for i in range(len(diff)) if (i + 1) not in flash and i not in flash]
    best = max(candidates, key=lambda k: diff[k - 1])
    assert best == video["cut"]["frame"]
    assert diff[best - 1] > 5 * np.median(diff)
    zoom = video["cut"]["zoom_ratio"]
    f0, f1 = (video["segments"][k]["camera"]["focal_px"] for k in (0, 1))
    assert zoom == pytest.approx(f1 / f0) and zoom > 2.0


@pytest.mark.parametrize("role", ["video_rooftop", "video_second"])
def test_flash_frames_are_the_brightest(scenario, role: str) -> None:
    result, truth, _ = scenario
    video = truth["videos"][role]
    means = np.array([f.mean() for f in decode_video(result.path(role))])
    flash = video["flash"]["frames"]
    others = np.delete(means, flash)
    # the flash washes out at least 40 % of the headroom left above the brightest other frame
    assert means[flash[0]] > others.max() + 0.4 * (255 - others.max())
    assert int(np.argmax(means)) == flash[0]


@pytest.mark.parametrize("role", ["video_rooftop", "video_second"])
def test_descending_object_is_where_truth_says(scenario, role: str) -> None:
    result, truth, _ = scenario
    video = truth["videos"][role]
    descent = video["descent"]
    frames = decode_video(result.path(role))
    ground = enu_of(truth, truth["landmarks"]["descent_ground_point"])
    t0 = datetime.fromisoformat(descent["start_utc"])
    checked = 0
    for row in descent["frames"]:
        seg = [g for g in video["segments"] if g["first_frame"] <= row["frame"]][-1]
        when = (datetime.fromisoformat(seg["start_utc"]) - t0).total_seconds()
        real_s = when + (row["frame"] - seg["first_frame"]) / video["fps"]
        height = descent["start_height_m"] - descent["rate_mps"] * real_s
        expected = project(truth, seg["camera"], ground + np.array([0.0, 0.0, height]))[0]
        assert (row["x_px"], row["y_px"]) == pytest.approx(tuple(expected), abs=1e-3)
        assert row["height_above_ground_m"] == pytest.approx(height, abs=1e-6)
        if not row["in_view"]:
            continue
        grey = cv2.GaussianBlur(cv2.cvtColor(frames[row["frame"]], cv2.COLOR_RGB2GRAY), (3, 3), 0)
        x, y = int(round(expected[0])), int(round(expected[1]))
        win = grey[y - 6 : y + 7, x - 6 : x + 7].astype(float)
        dy, dx = np.unravel_index(np.argmin(win), win.shape)
        assert math.hypot(x - 6 + dx - expected[0], y - 6 + dy - expected[1]) <= 1.5
        assert win.min() < np.median(win) - 40  # a dark body against the sky
        checked += 1
    assert checked >= 0.9 * len(descent["frames"])


@pytest.mark.parametrize("role", ["video_rooftop", "video_second"])
def test_bang_onset_is_at_truth_time(scenario, role: str) -> None:
    result, truth, _ = scenario
    bang = truth["videos"][role]["bang"]
    samples, rate = decode_audio(result.path(role))
    onset = int(np.argmax(np.abs(samples) > 0.45)) / rate
    assert onset == pytest.approx(bang["file_time_s"], abs=0.003)
    assert bang["delay_s"] == pytest.approx(bang["slant_distance_m"] / 343.0)
    assert np.abs(samples[: int((bang["file_time_s"] - 0.01) * rate)]).max() < 0.3


def _ratio(value) -> float:
    return float(value.num) / float(value.den)


def _dms(tag) -> float:
    d, m, s = (_ratio(v) for v in tag.values)
    return d + m / 60 + s / 3600


@pytest.mark.parametrize("role", ["drone_still", "reference_tower_photo"])
def test_exif_reads_back_as_truth(scenario, role: str) -> None:
    result, truth, _ = scenario
    photo = truth["photos"][role]
    exif, cam = photo["exif"], photo["camera"]
    with open(result.path(role), "rb") as fh:
        tags = exifread.process_file(fh, details=False)
    lat = _dms(tags["GPS GPSLatitude"]) * (1 if str(tags["GPS GPSLatitudeRef"]) == "N" else -1)
    lon = _dms(tags["GPS GPSLongitude"]) * (1 if str(tags["GPS GPSLongitudeRef"]) == "E" else -1)
    for key, tag in (
        ("gps_latitude_dms", "GPS GPSLatitude"),
        ("gps_longitude_dms", "GPS GPSLongitude"),
    ):
        written = [Fraction(num, den) for num, den in exif[key]]
        assert [Fraction(v.num, v.den) for v in tags[tag].values] == written
    assert lat == pytest.approx(exif["gps_latitude_deg"], abs=1e-9)
    assert lon == pytest.approx(exif["gps_longitude_deg"], abs=1e-9)
    assert lat == pytest.approx(cam["lat_deg"], abs=2e-8)  # 1/10000 arcsec rounding
    assert lon == pytest.approx(cam["lon_deg"], abs=2e-8)
    assert _ratio(tags["GPS GPSAltitude"].values[0]) == pytest.approx(cam["height_m"], abs=0.006)
    assert str(tags["EXIF DateTimeOriginal"]) == exif["datetime_original_local"]
    assert str(tags["EXIF OffsetTimeOriginal"]) == exif["offset_time_original"]
    assert str(tags["GPS GPSDate"]) == exif["gps_datestamp"]
    stamp = ":".join(f"{int(_ratio(v)):02d}" for v in tags["GPS GPSTimeStamp"].values)
    assert stamp == exif["gps_timestamp_utc"] == photo["utc"][11:19]
    assert _ratio(tags["EXIF FocalLength"].values[0]) == pytest.approx(exif["focal_length_mm"])
    assert tags["EXIF FocalLengthIn35mmFilm"].values[0] == exif["focal_length_35mm"]
    # the 35 mm equivalent agrees with the truth field of view (diagonal, 43.27 mm)
    diag_fov = 2 * math.atan(math.hypot(cam["width_px"], cam["height_px"]) / 2 / cam["focal_px"])
    assert 43.27 / 2 / math.tan(diag_fov / 2) == pytest.approx(exif["focal_length_35mm"], abs=0.5)


def test_truth_sun_is_morning_south_east_for_the_strike(scenario) -> None:
    _, truth, _ = scenario
    sun = truth["videos"]["video_rooftop"]["segments"][0]["sun"]
    assert 120.0 < sun["azimuth_deg"] < 160.0 and 25.0 < sun["elevation_deg"] < 45.0


def test_cancel_stops_generation(tmp_path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        generate_scenario(tmp_path, seed=1, config=SMALL, cancel=token)

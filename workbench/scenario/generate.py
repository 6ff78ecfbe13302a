"""Generate a whole scenario into a folder: videos, photos, orthophoto and truth.json.

``generate_scenario`` is the entry point used by the ``scenario`` CLI command and by the demo
case. The same seed gives the same truth.json bytes and the same decoded frames.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.scenario import events, render
from workbench.scenario.camera import PinholeCamera
from workbench.scenario.media import make_exif_record, write_jpeg
from workbench.scenario.osm_town import write_town_osm
from workbench.scenario.rasters import write_orthophoto_geotiff, write_terrain
from workbench.scenario.scene import (
    DEFAULT_SEED,
    FILE_NAMES,
    LOCAL_UTC_OFFSET_H,
    ScenarioConfig,
    drone_camera,
    focal_lengths_mm,
    reference_camera,
    rooftop_cameras,
    second_camera,
)
from workbench.scenario.sun import solar_position
from workbench.scenario.town import SITES
from workbench.scenario.truth import (
    CONVENTIONS,
    SCHEMA,
    camera_truth,
    iso_utc,
    landmarks_truth,
    orthophoto_truth,
    sun_truth,
    write_truth,
)
from workbench.scenario.video import VideoPlan, render_video
from workbench.scenario.world import World, build_world, world_seed

GENERATOR_VERSION = "1"
TITLE = (
    "a strike on a school compound beside a water tower, filmed from a rooftop 2.8 km west "
    "(synthetic, after the Hass, Idlib verification of 26 Oct 2016)"
)
MEDIA_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "json": "application/json"}
OSM_MEDIA_TYPE = "application/vnd.openstreetmap.data+xml"


@dataclass(frozen=True)
class ScenarioFile:
    """One written file: its role in the scenario and where it is."""

    role: str
    path: Path
    media_type: str


@dataclass(frozen=True)
class ScenarioResult:
    """What ``generate_scenario`` wrote."""

    out_dir: Path
    seed: int
    files: tuple[ScenarioFile, ...]

    @property
    def truth_path(self) -> Path:
        """Path of truth.json."""
        return self.path("truth")

    def path(self, role: str) -> Path:
        """Path of the file with this role (KeyError if absent)."""
        for f in self.files:
            if f.role == role:
                return f.path
        raise KeyError(role)


def _sub(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn:
    def inner(frac: float, msg: str) -> None:
        report(progress, lo + (hi - lo) * frac, msg)

    return inner


def _video_plans(world: World, cfg: ScenarioConfig) -> list[tuple[str, VideoPlan]]:
    strike = (*SITES["strike_point"], 0.0)
    descent = events.Descent(
        SITES["descent_ground_point"], cfg.descent_start_height_m, cfg.descent_rate_mps
    )
    t0 = cfg.rooftop_start_utc
    rooftop = VideoPlan(
        FILE_NAMES["video_rooftop"],
        rooftop_cameras(world, cfg),
        cfg.rooftop_fps,
        cfg.rooftop_duration_s,
        t0,
        cfg.cut_at_s,
        cfg.cut_gap_s,
        cfg.strike_utc,
        strike,
        descent,
        t0,
    )
    second = VideoPlan(
        FILE_NAMES["video_second"],
        (second_camera(world, cfg),),
        cfg.second_fps,
        cfg.second_duration_s,
        t0 + timedelta(seconds=cfg.second_start_after_s),
        None,
        0.0,
        cfg.strike_utc,
        strike,
        descent,
        t0,
    )
    return [("video_rooftop", rooftop), ("video_second", second)]


def _photo(
    world: World,
    role: str,
    cam: PinholeCamera,
    when: datetime,
    make: str,
    model: str,
    out_dir: Path,
) -> dict[str, Any]:
    """Render, write and describe one photo."""
    sun = solar_position(when, world.origin_lat_deg, world.origin_lon_deg)
    img = render.render_view(world, cam, sun)
    focal, f35 = focal_lengths_mm(cam)
    lat, lon, h = world.enu_to_geodetic(*cam.position_enu_m)
    record = make_exif_record(
        make=make,
        model=model,
        taken_utc=when,
        utc_offset_h=LOCAL_UTC_OFFSET_H,
        focal_length_mm=focal,
        focal_length_35mm=f35,
        lat_deg=lat,
        lon_deg=lon,
        altitude_m=h,
        direction_deg=cam.yaw_deg,
    )
    write_jpeg(out_dir / FILE_NAMES[role], img, record)
    return {
        "file": FILE_NAMES[role],
        "utc": iso_utc(when),
        "camera": camera_truth(world, cam),
        "sun": sun_truth(sun, when),
        "exif": record.__dict__.copy(),
    }


def _base_truth(world: World, cfg: ScenarioConfig, seed: int) -> dict[str, Any]:
    origin = {
        "lat_deg": world.origin_lat_deg,
        "lon_deg": world.origin_lon_deg,
        "height_m": world.origin_height_m,
    }
    return {
        "title": TITLE,
        "schema": SCHEMA,
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "conventions": CONVENTIONS,
        "world": {"origin": origin, "prism_count": len(world.prisms)},
        "landmarks": landmarks_truth(world),
        "videos": {},
        "photos": {},
        "strike_utc": iso_utc(cfg.strike_utc),
    }


def _write_orthophoto(
    world: World, cfg: ScenarioConfig, out_dir: Path, truth: dict[str, Any]
) -> list[ScenarioFile]:
    sun = solar_position(cfg.satellite_utc, world.origin_lat_deg, world.origin_lon_deg)
    name = FILE_NAMES["orthophoto"] if cfg.write_orthophoto else None
    truth["orthophoto"] = orthophoto_truth(world, name, sun, cfg.satellite_utc)
    if name is None:
        return []
    ortho = render.render_orthophoto(world, sun)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(ortho, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88]
    )
    if not ok:
        raise OSError(f"could not encode the orthophoto {name} as JPEG")
    tmp = out_dir / (name + ".part")
    tmp.write_bytes(buf.tobytes())
    os.replace(tmp, out_dir / name)
    tif = out_dir / FILE_NAMES["orthophoto_geotiff"]
    truth["orthophoto"]["geotiff"] = write_orthophoto_geotiff(world, ortho, cfg.satellite_utc, tif)
    return [
        ScenarioFile("orthophoto", out_dir / name, "image/jpeg"),
        ScenarioFile("orthophoto_geotiff", tif, "image/tiff"),
    ]


def _write_map_data(world: World, out_dir: Path, truth: dict[str, Any]) -> list[ScenarioFile]:
    """The elevation model (GeoTIFF) and the town as an OpenStreetMap file."""
    dem, osm = out_dir / FILE_NAMES["terrain"], out_dir / FILE_NAMES["osm"]
    truth["terrain"] = write_terrain(world, dem)
    truth["osm"] = write_town_osm(world, osm)
    return [ScenarioFile("terrain", dem, "image/tiff"), ScenarioFile("osm", osm, OSM_MEDIA_TYPE)]


def _write_videos(
    world: World,
    cfg: ScenarioConfig,
    seed: int,
    out_dir: Path,
    truth: dict[str, Any],
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> list[ScenarioFile]:
    files = []
    spans = {"video_rooftop": (0.12, 0.62), "video_second": (0.62, 0.9)}
    for k, (role, plan) in enumerate(_video_plans(world, cfg)):
        video = render_video(
            world,
            plan,
            out_dir,
            sample_rate=cfg.sample_rate,
            crf=cfg.crf,
            preset=cfg.preset,
            rng=np.random.default_rng([seed, k]),
            progress=_sub(progress, *spans[role]),
            cancel=cancel,
        )
        truth["videos"][role] = {**video, "role": role}
        files.append(ScenarioFile(role, out_dir / plan.file_name, "video/mp4"))
    return files


def _write_photos(
    world: World, cfg: ScenarioConfig, out_dir: Path, truth: dict[str, Any]
) -> list[ScenarioFile]:
    shots = [
        ("drone_still", drone_camera(cfg), cfg.still_utc, "Synthetic drone"),
        ("reference_tower_photo", reference_camera(world, cfg), cfg.photo_utc, "Synthetic phone"),
    ]
    files = []
    for role, cam, when, model in shots:
        truth["photos"][role] = _photo(world, role, cam, when, "Scenario", model, out_dir)
        files.append(ScenarioFile(role, out_dir / FILE_NAMES[role], "image/jpeg"))
    return files


def generate_scenario(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    config: ScenarioConfig | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ScenarioResult:
    """Generate the scenario's media and truth.json into ``out_dir`` (created if needed).

    Args:
        out_dir: Destination folder; existing files of the same names are replaced.
        seed: Seed of every random choice (textures, houses, noise, sound).
        config: Sizes, times and rates; the demo defaults if None.
        progress: Called with (fraction, message).
        cancel: Checked between frames and between files.

    Returns:
        The files written, each with its role.

    Raises:
        JobCancelled: If ``cancel`` was cancelled.
        OSError: If a file cannot be written.
    """
    check(cancel)
    cfg = config or ScenarioConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report(progress, 0.0, "building the world")
    world = build_world(world_seed(seed), gsd_m=cfg.gsd_m)
    check(cancel)
    truth = _base_truth(world, cfg, seed)
    files = _write_orthophoto(world, cfg, out_dir, truth)
    files += _write_map_data(world, out_dir, truth)
    report(progress, 0.12, "world ready")
    files += _write_videos(world, cfg, seed, out_dir, truth, progress, cancel)
    check(cancel)
    report(progress, 0.9, "photos")
    files += _write_photos(world, cfg, out_dir, truth)
    truth["files"] = {f.role: f.path.name for f in files} | {"truth": FILE_NAMES["truth"]}
    write_truth(out_dir / FILE_NAMES["truth"], truth)
    files.append(ScenarioFile("truth", out_dir / FILE_NAMES["truth"], "application/json"))
    report(progress, 1.0, "scenario written")
    return ScenarioResult(out_dir=out_dir, seed=seed, files=tuple(files))

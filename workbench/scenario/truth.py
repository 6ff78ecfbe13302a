"""The truth JSON: every fact of a scenario, in the project's units and conventions.

Floats are rounded to 9 decimals (1e-9 deg of latitude is 0.1 mm) so that the bytes do not
depend on the last bit of a platform's libm; keys are sorted; the text ends with a newline.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from geographiclib.geodesic import Geodesic

from workbench.scenario.camera import PinholeCamera
from workbench.scenario.sun import SunPosition
from workbench.scenario.town import MINARET_TOP_M, SITES, WATER_TOWER_TANK
from workbench.scenario.world import World

SCHEMA = "geoworkbench.scenario.truth/1"
CONVENTIONS = {
    "angles": "degrees; azimuth/yaw clockwise from true north; pitch up positive; roll "
    "positive puts the image's right side down",
    "world_frame": "ENU tangent plane (east, north, up; metres) at world.origin on WGS84; the "
    "ground is the plane up = 0",
    "heights": "height_m is WGS84 ellipsoidal; height_above_ground_m is 'up' in the ENU frame",
    "camera_model": "pinhole, no distortion: x_cam = R @ X_enu + t, pixel ~ K @ x_cam; camera "
    "axes x right, y down, z forward (OpenCV); pixel centres at integer coordinates",
    "frames": "frame index is 0-based decode order; pts_s = index / fps (constant frame rate)",
    "times": "UTC, ISO 8601 with offset",
    "exif": "DateTimeOriginal is local time (UTC+3) with OffsetTimeOriginal; GPS date and time "
    "stamps are UTC; GPSAltitude is the WGS84 ellipsoidal height (no geoid model is applied, "
    "whereas real cameras usually write height above mean sea level)",
}


def clean(value: Any) -> Any:
    """Round floats to 9 decimals, turn numpy values and tuples into JSON types."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"non-finite value in truth: {f}")
        r = round(f, 9)
        return 0.0 if r == 0 else r
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    return value


def iso_utc(when: datetime) -> str:
    """ISO 8601 in UTC with microseconds only when needed."""
    return when.astimezone(UTC).isoformat()


def write_truth(path: Path, truth: dict[str, Any]) -> None:
    """Write the truth JSON atomically (sorted keys, 2-space indent, UTF-8)."""
    text = json.dumps(clean(truth), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def point_truth(world: World, enu: tuple[float, float, float], **extra: Any) -> dict[str, Any]:
    """A point as lat/lon/ellipsoidal height plus its ENU coordinates."""
    lat, lon, h = world.enu_to_geodetic(*enu)
    return {
        "lat_deg": lat,
        "lon_deg": lon,
        "height_m": h,
        "height_above_ground_m": enu[2],
        "enu_m": list(enu),
        **extra,
    }


def sun_truth(sun: SunPosition, when: datetime) -> dict[str, Any]:
    """The sun's position at a time, with the algorithm that computed it."""
    return {
        "utc": iso_utc(when),
        "azimuth_deg": sun.azimuth_deg,
        "elevation_deg": sun.elevation_deg,
        "elevation_geometric_deg": sun.elevation_geometric_deg,
        "algorithm": "NOAA Solar Calculator (Meeus 1998), refraction-corrected elevation",
    }


def camera_truth(world: World, cam: PinholeCamera) -> dict[str, Any]:
    """Everything about a camera: position, orientation, intrinsics, K, R, t."""
    out = point_truth(world, cam.position_enu_m)
    out.update(
        {
            "yaw_deg": cam.yaw_deg,
            "pitch_deg": cam.pitch_deg,
            "roll_deg": cam.roll_deg,
            "hfov_deg": cam.hfov_deg,
            "vfov_deg": cam.vfov_deg,
            "width_px": cam.width_px,
            "height_px": cam.height_px,
            "focal_px": cam.focal_px,
            "K": cam.K,
            "R": cam.R,
            "t": cam.t,
        }
    )
    return out


def landmarks_truth(world: World) -> dict[str, Any]:
    """Named things on the ground, with the heights that make them recognisable."""
    tower = SITES["water_tower"]
    tank_mid = (WATER_TOWER_TANK["base_m"] + WATER_TOWER_TANK["top_m"]) / 2.0
    school_roof = world.prism("school_main_block").top_m
    se_roof = world.prism("building_se").top_m
    geod = Geodesic.WGS84
    school_ll = world.enu_to_geodetic(*SITES["school"], 0.0)
    marks = {
        "school": point_truth(
            world,
            (*SITES["school"], 0.0),
            description="centre of the school compound (100 m x 80 m, walled, "
            "gate in the west wall)",
            main_block_roof_m=school_roof,
        ),
        "water_tower": point_truth(
            world,
            (*tower, 0.0),
            description="foot of the water tower's column",
            tank_base_m=WATER_TOWER_TANK["base_m"],
            tank_top_m=WATER_TOWER_TANK["top_m"],
            tank_radius_m=WATER_TOWER_TANK["radius_m"],
            tank_colour_rgb=list(world.prism("water_tower_tank").wall_rgb),
        ),
        "water_tower_tank_centre": point_truth(
            world, (*tower, tank_mid), description="centre of the teal octagonal tank"
        ),
        "building_se": point_truth(
            world,
            (*SITES["building_se"], se_roof),
            description="seven-storey building with a terracotta facade, south-east of the "
            "school (roof centre)",
            footprint_en_m=list(world.prism("building_se").footprint_en_m),
        ),
        "minaret": point_truth(
            world,
            (*world.prism("minaret_shaft").centroid_en_m, MINARET_TOP_M),
            description="tip of the mosque's minaret (cream, octagonal)",
        ),
        "strike_point": point_truth(
            world,
            (*SITES["strike_point"], 0.0),
            description="where the flash and smoke plume start",
        ),
        "descent_ground_point": point_truth(
            world,
            (*SITES["descent_ground_point"], 0.0),
            description="ground point under the descending object",
        ),
    }
    for name in ("building_se", "water_tower", "strike_point"):
        ll = (marks[name]["lat_deg"], marks[name]["lon_deg"])
        inv = geod.Inverse(school_ll[0], school_ll[1], *ll)
        marks[name]["from_school"] = {"distance_m": inv["s12"], "azimuth_deg": inv["azi1"] % 360}
    return marks


def orthophoto_truth(
    world: World, file_name: str | None, sun: SunPosition, when: datetime
) -> dict[str, Any]:
    """Size, georeference and capture time of the orthophoto (``file_name`` None: not written)."""
    rows, cols = world.ground_rgb.shape[:2]
    corners = {
        "top_left": world.pixel_to_latlon(0.0, 0.0),
        "top_right": world.pixel_to_latlon(cols - 1.0, 0.0),
        "bottom_left": world.pixel_to_latlon(0.0, rows - 1.0),
        "bottom_right": world.pixel_to_latlon(cols - 1.0, rows - 1.0),
    }
    return {
        "file": file_name,
        "width_px": cols,
        "height_px": rows,
        "gsd_m": world.gsd_m,
        "east_min_m": world.east_min_m,
        "north_max_m": world.north_max_m,
        "pixel_to_enu": "east = east_min_m + col * gsd_m; north = north_max_m - row * gsd_m "
        "(pixel centres), on the ground plane up = 0",
        "corner_pixel_centres_latlon_deg": {k: list(v) for k, v in corners.items()},
        "captured_at": sun_truth(sun, when),
    }

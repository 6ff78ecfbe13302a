"""The scenario's plan: when things happen and where each camera stands and looks.

Follows the worked example (Hass, Idlib, 26 Oct 2016): a rooftop camera about 2.8 km west of
the school looking east, whose video has an edit cut to a zoomed-in second segment; a second
camera about 1 km south-west; a drone looking straight down on the school; a reference photo
of the water tower from 300 m. Local time in Syria on that date was UTC+3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from workbench.scenario.camera import PinholeCamera
from workbench.scenario.town import SITES, WATER_TOWER_TANK
from workbench.scenario.world import World

EYE_HEIGHT_M = 1.6
LOCAL_UTC_OFFSET_H = 3
SENSOR_WIDTH_MM = 6.17  # a 1/2.3" sensor, common in phones and small drones
FULL_FRAME_DIAGONAL_MM = 43.27


DEFAULT_SEED = 2016  # the sample case's: `scenario` and `demo` render the same scene by default
# what each file of a scenario folder is called (generate_scenario and osm_town.write_map_files)
FILE_NAMES = {
    "video_rooftop": "rooftop_strike.mp4",
    "video_second": "second_angle.mp4",
    "drone_still": "drone_school.jpg",
    "reference_tower_photo": "water_tower_reference.jpg",
    "orthophoto": "satellite_orthophoto.jpg",
    "orthophoto_geotiff": "satellite_orthophoto.tif",
    "terrain": "terrain_dem.tif",
    "osm": "town.osm",
    "truth": "truth.json",
}


@dataclass(frozen=True)
class ScenarioConfig:
    """Everything that can be chosen about a scenario (defaults: the demo case).

    Sizes are (width, height) in pixels; times in seconds; ``strike_utc`` is the flash.
    """

    strike_utc: datetime = datetime(2016, 10, 26, 7, 32, 10, tzinfo=UTC)
    rooftop_size: tuple[int, int] = (960, 540)
    rooftop_fps: Fraction = Fraction(25)
    rooftop_duration_s: float = 8.0
    flash_at_s: float = 1.0
    cut_at_s: float = 3.6
    cut_gap_s: float = 2.5
    rooftop_hfov_deg: tuple[float, float] = (45.0, 15.0)
    second_size: tuple[int, int] = (960, 540)
    second_fps: Fraction = Fraction(25)
    second_duration_s: float = 6.0
    second_start_after_s: float = 0.4  # its first frame is filmed this long after the rooftop's
    second_hfov_deg: float = 50.0
    descent_start_height_m: float = 300.0
    descent_rate_mps: float = 12.0
    still_size: tuple[int, int] = (1024, 768)
    still_utc: datetime = datetime(2016, 10, 26, 10, 40, 0, tzinfo=UTC)
    photo_size: tuple[int, int] = (1280, 960)
    photo_utc: datetime = datetime(2016, 4, 14, 10, 12, 0, tzinfo=UTC)
    satellite_utc: datetime = datetime(2016, 9, 30, 8, 10, 0, tzinfo=UTC)
    sample_rate: int = 48000
    crf: int = 26
    preset: str = "veryfast"
    gsd_m: float = 1.0
    write_orthophoto: bool = True

    def __post_init__(self) -> None:
        sizes = {
            "rooftop_size": self.rooftop_size,
            "second_size": self.second_size,
            "still_size": self.still_size,
            "photo_size": self.photo_size,
        }
        for name, (w, h) in sizes.items():
            if w < 16 or h < 16 or w % 2 or h % 2:
                raise ValueError(
                    f"{name} must be even and at least 16 px, got {w}x{h} "
                    "(H.264 in yuv420p needs even sizes)"
                )
        if not 0.0 <= self.flash_at_s < self.rooftop_duration_s:
            raise ValueError(f"flash_at_s {self.flash_at_s} is outside the rooftop video")
        if not 0.0 < self.cut_at_s < self.rooftop_duration_s or self.cut_gap_s < 0.0:
            raise ValueError(
                f"cut_at_s {self.cut_at_s} must lie inside the rooftop video and "
                f"cut_gap_s {self.cut_gap_s} must not be negative"
            )
        if self.rooftop_fps <= 0 or self.second_fps <= 0 or self.descent_rate_mps < 0:
            raise ValueError("frame rates must be positive and the descent rate not negative")
        if self.strike_utc.tzinfo is None:
            raise ValueError("strike_utc must be an aware datetime (UTC)")

    @property
    def rooftop_start_utc(self) -> datetime:
        """When the rooftop video's first frame was filmed."""
        return self.strike_utc - timedelta(seconds=self.flash_at_s)


def bearing_deg(frm: tuple[float, float], to: tuple[float, float]) -> float:
    """Grid azimuth from one ENU point to another, clockwise from north (plane geometry)."""
    return math.degrees(math.atan2(to[0] - frm[0], to[1] - frm[1])) % 360.0


def elevation_deg(frm: tuple[float, float, float], to: tuple[float, float, float]) -> float:
    """Elevation angle from one ENU point to another."""
    horiz = math.hypot(to[0] - frm[0], to[1] - frm[1])
    return math.degrees(math.atan2(to[2] - frm[2], horiz))


def rooftop_cameras(world: World, cfg: ScenarioConfig) -> tuple[PinholeCamera, PinholeCamera]:
    """The rooftop camera in its wide first segment and zoomed second segment."""
    e, n = SITES["rooftop_host"]
    e += 8.4  # standing 1.6 m behind the parapet on the east edge of the 20 m wide roof
    pos = (e, n, world.host_roof_m("rooftop_host") + EYE_HEIGHT_M)
    school_az = bearing_deg((e, n), SITES["school"])
    wide = PinholeCamera(
        pos, school_az + 0.8, -1.5, 0.4, cfg.rooftop_hfov_deg[0], *cfg.rooftop_size
    )
    strike = SITES["strike_point"]
    target = ((strike[0] + SITES["descent_ground_point"][0]) / 2, strike[1] + 60.0)
    zoomed = wide.with_changes(
        yaw_deg=bearing_deg((e, n), target) - 0.6,
        pitch_deg=1.2,
        roll_deg=0.0,
        hfov_deg=cfg.rooftop_hfov_deg[1],
    )
    return wide, zoomed


def second_camera(world: World, cfg: ScenarioConfig) -> PinholeCamera:
    """The second camera, on a five-storey block about 1 km south-west of the school."""
    e, n = SITES["second_host"]
    e, n = e + 8.4, n + 6.4  # near the north-east corner of the 20 m x 16 m roof
    pos = (e, n, world.host_roof_m("second_host") + EYE_HEIGHT_M)
    se = SITES["building_se"]
    aim = ((se[0] + SITES["school"][0]) / 2, (se[1] + SITES["school"][1]) / 2)
    return PinholeCamera(
        pos, bearing_deg((e, n), aim), 3.0, -0.8, cfg.second_hfov_deg, *cfg.second_size
    )


def drone_camera(cfg: ScenarioConfig) -> PinholeCamera:
    """The drone, 150 m above the school looking straight down, image top towards 20 deg."""
    return PinholeCamera((4.0, -6.0, 150.0), 20.0, -90.0, 0.0, 73.7, *cfg.still_size)


def reference_camera(world: World, cfg: ScenarioConfig) -> PinholeCamera:
    """A photographer 300 m from the water tower, aiming at the tank."""
    e, n = world.reference_photo_en_m
    pos = (e, n, EYE_HEIGHT_M)
    tower = SITES["water_tower"]
    tank_mid = (WATER_TOWER_TANK["base_m"] + WATER_TOWER_TANK["top_m"]) / 2
    pitch = elevation_deg(pos, (*tower, tank_mid)) - 1.5
    return PinholeCamera(pos, bearing_deg((e, n), tower) - 4.0, pitch, 1.2, 66.0, *cfg.photo_size)


def focal_lengths_mm(camera: PinholeCamera) -> tuple[float, int]:
    """(focal length on a 6.17 mm wide sensor, 35 mm equivalent by the diagonal field of view)."""
    half_h = math.radians(camera.hfov_deg) / 2
    focal = SENSOR_WIDTH_MM / 2 / math.tan(half_h)
    diag_px = math.hypot(camera.width_px, camera.height_px)
    half_diag = math.atan(diag_px / 2 / camera.focal_px)
    f35 = FULL_FRAME_DIAGONAL_MM / 2 / math.tan(half_diag)
    return focal, int(round(f35))

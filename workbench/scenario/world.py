"""The scenario world: a georeferenced, procedurally textured town near 35.62 N 36.55 E.

Geometry: the world frame is the local east-north-up tangent plane at the origin (the school's
centre), computed by ``geo.LocalFrame`` (WGS84). The ground is the plane
up = 0 of that frame, so a ground point's ellipsoidal height grows by about d^2 / 2R (0.6 m at
2.8 km); truth gives both the ellipsoidal height and the height above the plane.

The orthophoto is north-up with square pixels of ``gsd_m`` metres; pixel (col, row) has its
centre at east = east_min_m + col * gsd_m, north = north_max_m - row * gsd_m (pixel centres
at integer coordinates, as in OpenCV), so pixel <-> ENU is an exact affine map and
pixel <-> lat/lon goes exactly through ``geo.LocalFrame``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from workbench.scenario import texture
from workbench.scenario.geo import LocalFrame
from workbench.scenario.town import (
    FLOOR_M,
    PARAPET_M,
    SITES,
    Prism,
    box,
    footprint_in_box,
    footprint_near_segment,
    houses_in_area,
    mosque,
    parapets,
    school_compound,
    water_tower,
)

ORIGIN_LAT_DEG = 35.62
ORIGIN_LON_DEG = 36.55
ORIGIN_HEIGHT_M = 430.0  # ellipsoidal height of the ground at the origin (plausible for Hass)
EXTENT_EN_M = (-3300.0, -1400.0, 1300.0, 1000.0)  # east_min, north_min, east_max, north_max
TOWN_AREA = (-250.0, -430.0, 700.0, 410.0)
SCHOOL_SQUARE = (-250.0, -48.0, -56.0, 48.0)  # open ground west of the school's gate
VILLAGE_AREA = (-2960.0, -170.0, -2620.0, 170.0)
HAMLET_AREA = (-800.0, -790.0, -600.0, -610.0)
REFERENCE_PHOTO_RANGE_M = 300.0
REFERENCE_PHOTO_AZIMUTH_DEG = 200.0  # seen from the tower, where the photographer stood
HOST_FLOORS = {"rooftop_host": 6, "second_host": 5}
SIGHT_CORRIDOR = (-250.0, -70.0, -56.0, 70.0)  # houses here stay low: the rooftop sees the school


@dataclass(frozen=True, eq=False)
class World:
    """The ground texture, the solids and the georeference of the scenario.

    Attributes:
        origin_lat_deg: Latitude of the ENU origin.
        origin_lon_deg: Longitude of the ENU origin.
        origin_height_m: Ellipsoidal height of the ENU origin (the ground there).
        gsd_m: Orthophoto ground sample distance, metres per pixel.
        east_min_m: East coordinate of the centre of column 0.
        north_max_m: North coordinate of the centre of row 0.
        ground_rgb: Ground texture without shadows or roofs (rows, cols, 3), uint8 RGB.
        prisms: Every solid.
        reference_photo_en_m: Where the reference photographer stands (east, north).
    """

    origin_lat_deg: float
    origin_lon_deg: float
    origin_height_m: float
    gsd_m: float
    east_min_m: float
    north_max_m: float
    ground_rgb: np.ndarray
    prisms: tuple[Prism, ...]
    reference_photo_en_m: tuple[float, float]
    _frame: LocalFrame = field(repr=False)
    streets: tuple[tuple[tuple[float, float], ...], ...] = ()  # the town's street centre lines

    def enu_to_geodetic(self, e: float, n: float, u: float) -> tuple[float, float, float]:
        """ENU metres to (lat_deg, lon_deg, ellipsoidal height_m)."""
        return self._frame.reverse(e, n, u)

    def geodetic_to_enu(self, lat: float, lon: float, h: float) -> tuple[float, float, float]:
        """(lat_deg, lon_deg, ellipsoidal height_m) to ENU metres."""
        return self._frame.forward(lat, lon, h)

    def enu_to_pixel(self, e: float, n: float) -> tuple[float, float]:
        """ENU (east, north) to orthophoto (col, row)."""
        return (e - self.east_min_m) / self.gsd_m, (self.north_max_m - n) / self.gsd_m

    def pixel_to_enu(self, col: float, row: float) -> tuple[float, float]:
        """Orthophoto (col, row) to ENU (east, north) on the ground plane."""
        return self.east_min_m + col * self.gsd_m, self.north_max_m - row * self.gsd_m

    def pixel_to_latlon(self, col: float, row: float) -> tuple[float, float]:
        """Orthophoto pixel to (lat_deg, lon_deg) of the ground-plane point under it."""
        lat, lon, _ = self.enu_to_geodetic(*self.pixel_to_enu(col, row), 0.0)
        return lat, lon

    def latlon_to_pixel(self, lat: float, lon: float) -> tuple[float, float]:
        """(lat_deg, lon_deg) to orthophoto pixel: where that lat/lon meets the ground plane.

        A point's ENU position is linear in its ellipsoidal height along the local normal, so
        the height at which it lies on the plane up = 0 is found exactly from two heights.
        """
        p0 = np.array(self.geodetic_to_enu(lat, lon, 0.0))
        p1 = np.array(self.geodetic_to_enu(lat, lon, 1000.0))
        normal = (p1 - p0) / 1000.0
        ground = p0 - p0[2] / normal[2] * normal
        return self.enu_to_pixel(float(ground[0]), float(ground[1]))

    def pixel_to_enu_matrix(self) -> np.ndarray:
        """3x3 affine matrix taking (col, row, 1) to (east, north, 1)."""
        g = self.gsd_m
        return np.array([[g, 0.0, self.east_min_m], [0.0, -g, self.north_max_m], [0, 0, 1.0]])

    def prism(self, name: str) -> Prism:
        """The solid with this name."""
        for p in self.prisms:
            if p.name == name:
                return p
        raise KeyError(name)

    def host_roof_m(self, host: str) -> float:
        """Roof height of a camera host building ("rooftop_host", "second_host")."""
        return HOST_FLOORS[host] * FLOOR_M + PARAPET_M


def reference_photo_position() -> tuple[float, float]:
    """Where the reference photographer stands: 300 m from the tower at azimuth 200 deg."""
    te, tn = SITES["water_tower"]
    az = np.radians(REFERENCE_PHOTO_AZIMUTH_DEG)
    return (
        te + REFERENCE_PHOTO_RANGE_M * float(np.sin(az)),
        tn + REFERENCE_PHOTO_RANGE_M * float(np.cos(az)),
    )


def _solids(rng: np.random.Generator) -> tuple[list[Prism], list[list[tuple[float, float]]]]:
    town, streets = houses_in_area("house", TOWN_AREA, (72.0, 60.0), 7.0, 4, rng)
    village, v_streets = houses_in_area("village", VILLAGE_AREA, (60.0, 55.0), 6.0, 3, rng)
    hamlet, h_streets = houses_in_area("hamlet", HAMLET_AREA, (50.0, 45.0), 6.0, 2, rng)
    ref = reference_photo_position()
    keep_out = [
        (-56.0, -46.0, 56.0, 46.0),  # school compound
        SCHOOL_SQUARE,
        (
            SITES["mosque"][0] - 16,
            SITES["mosque"][1] - 14,
            SITES["mosque"][0] + 22,
            SITES["mosque"][1] + 14,
        ),
        (
            SITES["water_tower"][0] - 14,
            SITES["water_tower"][1] - 14,
            SITES["water_tower"][0] + 14,
            SITES["water_tower"][1] + 14,
        ),
        (106.0, -134.0, 134.0, -106.0),  # the building south-east of the school
    ]
    for host in ("rooftop_host", "second_host"):
        e, n = SITES[host]
        keep_out.append((e - 14.0, n - 12.0, e + 14.0, n + 12.0))
    solids: list[Prism] = []
    lowered: set[str] = set()
    for p in town + village + hamlet:
        if any(footprint_in_box(p, b) for b in keep_out):
            continue
        if footprint_near_segment(p, ref, SITES["water_tower"], 12.0):
            continue
        if abs(p.centroid_en_m[1] - (-70.0)) < 9.0:  # the highway
            continue
        if footprint_in_box(p, SIGHT_CORRIDOR) and p.top_m > 3 * FLOOR_M + PARAPET_M:
            p = replace(p, top_m=2 * FLOOR_M + PARAPET_M)
            lowered.add(p.name)
        solids.append(p)
    solids += school_compound() + water_tower() + mosque()
    solids.append(
        box(
            "building_se",
            SITES["building_se"],
            (18.0, 13.0),
            7 * FLOOR_M + PARAPET_M,  # towers over the houses: the second camera sees it
            (206, 150, 120),
            (190, 182, 170),
            "landmark",
        )
    )
    for host, floors in HOST_FLOORS.items():
        building = box(
            host,
            SITES[host],
            (20.0, 16.0),
            floors * FLOOR_M + PARAPET_M,
            (212, 204, 190),
            (180, 176, 170),
            "house",
        )
        solids += [building, *parapets(building)]
    present = {p.name for p in solids} - lowered
    # attachments whose host was removed or lowered go too
    solids = [p for p in solids if p.on_top_of is None or p.on_top_of in present]
    return solids, streets + v_streets + h_streets


def main_roads() -> list[tuple[list[tuple[float, float]], float, tuple[int, int, int]]]:
    """The highway, the north-south road and the lanes to the camera hosts: (line, width, rgb)."""
    ref = reference_photo_position()
    return [
        ([(-3300.0, -70.0), (1300.0, -70.0)], 9.0, texture.ASPHALT_RGB),
        ([(-156.0, -1400.0), (-156.0, 1000.0)], 8.0, texture.ASPHALT_RGB),
        ([(-2800.0, -70.0), (-2800.0, 170.0)], 6.0, texture.STREET_RGB),
        ([(-700.0, -700.0), (-400.0, -430.0)], 6.0, texture.STREET_RGB),
        ([ref, (ref[0] + 20.0, -70.0)], 5.0, texture.STREET_RGB),
    ]


def world_seed(seed: int) -> int:
    """The seed ``build_world`` gets for a scenario seed."""
    return int(np.random.default_rng(seed).integers(2**31))


def layout_world(seed: int) -> World:
    """``build_world(seed)`` without its ground texture (1 x 1 px): solids, streets, georeference
    (for the map files, which need no picture)."""
    solids, streets = _solids(np.random.default_rng(seed))
    ground = np.zeros((1, 1, 3), np.uint8)
    ground.setflags(write=False)
    frame = LocalFrame(ORIGIN_LAT_DEG, ORIGIN_LON_DEG, ORIGIN_HEIGHT_M)
    e_min, _, _, n_max = EXTENT_EN_M
    return World(
        ORIGIN_LAT_DEG, ORIGIN_LON_DEG, ORIGIN_HEIGHT_M, 1.0, e_min, n_max, ground,
        tuple(solids), reference_photo_position(), frame, tuple(tuple(s) for s in streets),
    )  # fmt: skip


def _paint_ground(
    world_shape: tuple[int, int],
    to_pixel: texture.ToPixel,
    gsd_m: float,
    streets: list[list[tuple[float, float]]],
    rng: np.random.Generator,
) -> np.ndarray:
    img = np.zeros((*world_shape, 3), np.uint8)
    texture.paint_fields(img, gsd_m, rng)
    for area in (TOWN_AREA, VILLAGE_AREA, HAMLET_AREA):
        c0 = to_pixel(area[0], area[3])
        c1 = to_pixel(area[2], area[1])
        cv2.rectangle(
            img, (int(c0[0]), int(c0[1])), (int(c1[0]), int(c1[1])), texture.TOWN_GROUND_RGB, -1
        )
    for line in streets:
        texture.draw_road(img, line, 7.0, texture.STREET_RGB, to_pixel, gsd_m)
    for pts, width, colour in main_roads():
        texture.draw_road(img, pts, width, colour, to_pixel, gsd_m)
    _paint_school_grounds(img, to_pixel)
    return texture.add_grain(img, gsd_m, rng)


def _paint_school_grounds(img: np.ndarray, to_pixel: texture.ToPixel) -> None:
    def rect(
        e0: float,
        n0: float,
        e1: float,
        n1: float,
        colour: tuple[int, int, int],
        thickness: int = -1,
    ) -> None:
        a, b = to_pixel(e0, n1), to_pixel(e1, n0)
        cv2.rectangle(
            img,
            (int(round(a[0])), int(round(a[1]))),
            (int(round(b[0])), int(round(b[1]))),
            colour,
            thickness,
        )

    rect(*SCHOOL_SQUARE, (184, 170, 140))  # the open square west of the school
    rect(-50.0, -40.0, 50.0, 40.0, (208, 194, 164))  # courtyard
    rect(8.0, -34.0, 44.0, -12.0, (172, 92, 72))  # sports court
    rect(9.0, -33.0, 43.0, -13.0, (240, 240, 236), 1)
    rect(25.5, -33.0, 26.5, -13.0, (240, 240, 236))
    for k in range(6):  # a row of trees along the south wall
        a = to_pixel(-40.0 + 12.0 * k, -36.0)
        cv2.circle(img, (int(a[0]), int(a[1])), 2, (70, 90, 52), -1, cv2.LINE_AA)


def build_world(seed: int, gsd_m: float = 1.0) -> World:
    """Generate the world from a seed (same seed, same bytes).

    Args:
        seed: Seed of ``numpy.random.default_rng``.
        gsd_m: Orthophoto resolution in metres per pixel.

    Returns:
        The world with its ground texture, solids and georeference.
    """
    rng = np.random.default_rng(seed)
    e_min, n_min, e_max, n_max = EXTENT_EN_M
    cols = int(round((e_max - e_min) / gsd_m))
    rows = int(round((n_max - n_min) / gsd_m))

    def to_pixel(e: float, n: float) -> tuple[float, float]:
        return (e - e_min) / gsd_m, (n_max - n) / gsd_m

    solids, streets = _solids(rng)
    ground = _paint_ground((rows, cols), to_pixel, gsd_m, streets, rng)
    ground.setflags(write=False)
    frame = LocalFrame(ORIGIN_LAT_DEG, ORIGIN_LON_DEG, ORIGIN_HEIGHT_M)
    return World(
        origin_lat_deg=ORIGIN_LAT_DEG,
        origin_lon_deg=ORIGIN_LON_DEG,
        origin_height_m=ORIGIN_HEIGHT_M,
        gsd_m=gsd_m,
        east_min_m=e_min,
        north_max_m=n_max,
        ground_rgb=ground,
        prisms=tuple(solids),
        reference_photo_en_m=reference_photo_position(),
        _frame=frame,
        streets=tuple(tuple(line) for line in streets),
    )

"""The built objects of the scenario world: houses, the school compound, the water tower.

Every object is an extruded prism: a convex footprint polygon in ENU metres (east, north;
counter-clockwise seen from above) between a base and a top height above the ground plane.
Houses sit in lots along a street grid; the named sites (school, water tower, the building
south-east of the school, the camera hosts) are placed exactly where ``SITES`` says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

FLOOR_M = 3.1
PARAPET_M = 0.6


@dataclass(frozen=True)
class Prism:
    """An extruded convex polygon; the renderer's only kind of solid.

    Attributes:
        name: Unique name ("house-0123", "water_tower_tank", ...).
        footprint_en_m: Footprint vertices (east, north) in metres, counter-clockwise.
        base_m: Bottom height above the ground plane.
        top_m: Top height above the ground plane.
        wall_rgb: Side colour before shading.
        roof_rgb: Top colour before shading.
        kind: "house", "school", "wall", "tower", "roof_tank", "parapet", "landmark".
        on_top_of: Name of the prism this one stands on (a roof tank, a parapet), or None;
            the renderer draws it right after (or before) its host instead of by distance.
    """

    name: str
    footprint_en_m: tuple[tuple[float, float], ...]
    base_m: float
    top_m: float
    wall_rgb: tuple[int, int, int]
    roof_rgb: tuple[int, int, int]
    kind: str
    on_top_of: str | None = None

    @property
    def centroid_en_m(self) -> tuple[float, float]:
        """Mean of the footprint vertices (east, north)."""
        pts = np.asarray(self.footprint_en_m)
        return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def box(
    name: str,
    centre_en: tuple[float, float],
    size_en: tuple[float, float],
    top_m: float,
    wall_rgb: tuple[int, int, int],
    roof_rgb: tuple[int, int, int],
    kind: str,
    base_m: float = 0.0,
) -> Prism:
    """An axis-aligned rectangular prism centred on ``centre_en``."""
    e, n = centre_en
    hw, hh = size_en[0] / 2.0, size_en[1] / 2.0
    fp = ((e - hw, n - hh), (e + hw, n - hh), (e + hw, n + hh), (e - hw, n + hh))
    return Prism(name, fp, base_m, top_m, wall_rgb, roof_rgb, kind)


def polygon_prism(
    name: str,
    centre_en: tuple[float, float],
    radius_m: float,
    sides: int,
    base_m: float,
    top_m: float,
    colour_rgb: tuple[int, int, int],
    kind: str,
) -> Prism:
    """A regular polygonal prism (a tank, a column)."""
    e, n = centre_en
    angles = [2.0 * math.pi * (k + 0.5) / sides for k in range(sides)]
    fp = tuple((e + radius_m * math.cos(a), n + radius_m * math.sin(a)) for a in angles)
    return Prism(name, fp, base_m, top_m, colour_rgb, colour_rgb, kind)


# Named sites, ENU metres relative to the world origin (the school's centre).
SITES: dict[str, tuple[float, float]] = {
    "school": (0.0, 0.0),
    "water_tower": (95.0, 62.0),
    "strike_point": (22.0, -14.0),
    "building_se": (120.0, -120.0),  # 169.7 m at azimuth 135 deg from the school
    "descent_ground_point": (60.0, 150.0),
    "mosque": (-170.0, 200.0),
    "rooftop_host": (-2800.0, 30.0),
    "second_host": (-700.0, -700.0),
}
SCHOOL_SIZE_M = (100.0, 80.0)
WATER_TOWER_TANK = {"radius_m": 6.0, "base_m": 24.0, "top_m": 32.0}
TOWER_TANK_RGB = (38, 150, 148)
SCHOOL_WALL_RGB = (236, 232, 218)


def school_compound() -> list[Prism]:
    """The school: two blocks, a perimeter wall with a gate on the west side."""
    wall, roof = (226, 206, 142), (214, 210, 200)
    prisms = [
        box(
            "school_main_block",
            (5.0, 27.0),
            (66.0, 14.0),
            3 * FLOOR_M + PARAPET_M,
            wall,
            roof,
            "school",
        ),
        box(
            "school_west_block",
            (-35.0, -2.0),
            (14.0, 40.0),
            2 * FLOOR_M + PARAPET_M,
            wall,
            roof,
            "school",
        ),
    ]
    hw, hh = SCHOOL_SIZE_M[0] / 2.0, SCHOOL_SIZE_M[1] / 2.0
    t, h = 0.6, 2.8
    segments = [
        ((0.0, hh), (2 * hw, t)),
        ((0.0, -hh), (2 * hw, t)),
        ((hw, 0.0), (t, 2 * hh)),
        ((-hw, hh / 2 + 4.0), (t, hh - 8.0)),  # west wall north of the gate
        ((-hw, -hh / 2 - 4.0), (t, hh - 8.0)),  # west wall south of the gate
    ]
    for k, (centre, size) in enumerate(segments):
        prisms.append(
            box(f"school_wall_{k}", centre, size, h, SCHOOL_WALL_RGB, SCHOOL_WALL_RGB, "wall")
        )
    return prisms


def water_tower() -> list[Prism]:
    """A concrete column carrying an octagonal tank painted teal."""
    centre = SITES["water_tower"]
    tank = WATER_TOWER_TANK
    return [
        polygon_prism(
            "water_tower_column", centre, 1.8, 8, 0.0, tank["base_m"], (150, 148, 142), "tower"
        ),
        polygon_prism(
            "water_tower_tank",
            centre,
            tank["radius_m"],
            8,
            tank["base_m"],
            tank["top_m"],
            TOWER_TANK_RGB,
            "tower",
        ),
    ]


MINARET_TOP_M = 32.0


def mosque() -> list[Prism]:
    """A prayer hall with a stepped dome and, beside it, a slender minaret."""
    e, n = SITES["mosque"]
    cream, dome = (226, 218, 198), (196, 196, 190)
    hall = box("mosque_hall", (e, n), (22.0, 16.0), 7.5, cream, (204, 198, 186), "landmark")
    steps = [(6.5, 7.5, 9.0), (5.0, 9.0, 10.5), (3.0, 10.5, 11.6), (1.2, 11.6, 12.4)]
    domes = [
        on_top(hall.name, polygon_prism(f"mosque_dome_{k}", (e, n), r, 8, z0, z1, dome, "landmark"))
        for k, (r, z0, z1) in enumerate(steps)
    ]
    spot = (e + 14.0, n + 6.0)
    shaft = polygon_prism("minaret_shaft", spot, 1.6, 8, 0.0, 26.0, cream, "landmark")
    top = on_top(
        shaft.name, polygon_prism("minaret_top", spot, 1.1, 8, 26.0, 30.0, cream, "landmark")
    )
    tip = on_top(
        shaft.name,
        polygon_prism("minaret_tip", spot, 0.5, 8, 30.0, MINARET_TOP_M, dome, "landmark"),
    )
    return [hall, *domes, shaft, top, tip]


def _house_colours(rng: np.random.Generator) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    walls = ((214, 200, 176), (200, 190, 172), (222, 214, 196), (190, 176, 150), (206, 196, 184))
    roofs = ((196, 192, 184), (184, 180, 172), (206, 198, 180), (170, 166, 160))
    wall = np.array(walls[rng.integers(len(walls))]) + rng.integers(-8, 9)
    roof = np.array(roofs[rng.integers(len(roofs))]) + rng.integers(-10, 11)
    return tuple(int(c) for c in wall), tuple(int(c) for c in roof)  # type: ignore[return-value]


def houses_in_area(
    prefix: str,
    area_en: tuple[float, float, float, float],
    block_m: tuple[float, float],
    street_m: float,
    max_floors: int,
    rng: np.random.Generator,
) -> tuple[list[Prism], list[list[tuple[float, float]]]]:
    """Houses in lots along a street grid.

    Args:
        prefix: Name prefix of the houses.
        area_en: (east_min, north_min, east_max, north_max) in metres.
        block_m: Block size (east, north) including half the street on each side.
        street_m: Street width.
        max_floors: Tallest house in floors.
        rng: Seeded generator.

    Returns:
        The houses (and roof water tanks) and the street centre lines as polylines.
    """
    e0, n0, e1, n1 = area_en
    bw, bh = block_m
    prisms: list[Prism] = []
    streets: list[list[tuple[float, float]]] = []
    for e in np.arange(e0, e1 + 0.1, bw):
        streets.append([(float(e), n0), (float(e), n1)])
    for n in np.arange(n0, n1 + 0.1, bh):
        streets.append([(e0, float(n)), (e1, float(n))])
    floors_p = np.array([0.2, 0.35, 0.3, 0.15, 0.05, 0.03])[:max_floors]
    floors_p = floors_p / floors_p.sum()
    for be in np.arange(e0, e1 - bw + 0.1, bw):
        for bn in np.arange(n0, n1 - bh + 0.1, bh):
            inner = (
                be + street_m / 2,
                bn + street_m / 2,
                be + bw - street_m / 2,
                bn + bh - street_m / 2,
            )
            _fill_block(prefix, inner, floors_p, rng, prisms)
    return prisms, streets


def _fill_block(
    prefix: str,
    inner: tuple[float, float, float, float],
    floors_p: np.ndarray,
    rng: np.random.Generator,
    out: list[Prism],
) -> None:
    x0, y0, x1, y1 = inner
    mid = (y0 + y1) / 2.0
    for row_lo, row_hi in ((y0, mid), (mid, y1)):
        x = x0
        while x < x1 - 8.0:
            lot_w = min(rng.uniform(11.0, 20.0), x1 - x)
            if rng.uniform() > 0.1:
                floors = int(np.searchsorted(np.cumsum(floors_p), rng.uniform())) + 1
                setback = rng.uniform(0.5, 3.0)
                w = lot_w * rng.uniform(0.7, 0.95)
                d = (row_hi - row_lo - setback) * rng.uniform(0.65, 0.95)
                cy = row_lo + setback + d / 2 if row_lo == y0 else row_hi - setback - d / 2
                cx = x + lot_w / 2
                wall, roof = _house_colours(rng)
                top = floors * FLOOR_M + PARAPET_M
                name = f"{prefix}-{len(out):04d}"
                out.append(box(name, (cx, cy), (w, d), top, wall, roof, "house"))
                if rng.uniform() < 0.5:
                    te = cx + rng.uniform(-w / 4, w / 4)
                    tn = cy + rng.uniform(-d / 4, d / 4)
                    tank = polygon_prism(
                        f"{name}-tank", (te, tn), 0.7, 6, top, top + 1.3, (40, 40, 44), "roof_tank"
                    )
                    out.append(on_top(name, tank))
            x += lot_w


def on_top(host: str, prism: Prism) -> Prism:
    """``prism`` marked as standing on the roof of ``host``."""
    return replace(prism, on_top_of=host)


def parapets(host: Prism, height_m: float = 1.0, thickness_m: float = 0.3) -> list[Prism]:
    """A low wall around the edge of a rectangular host's roof (the rooftop filmer's view)."""
    fp = np.asarray(host.footprint_en_m)
    e0, n0 = fp.min(axis=0)
    e1, n1 = fp.max(axis=0)
    t, top = thickness_m, host.top_m
    specs = [
        (((e0 + e1) / 2, n1 - t / 2), (e1 - e0, t)),
        (((e0 + e1) / 2, n0 + t / 2), (e1 - e0, t)),
        ((e0 + t / 2, (n0 + n1) / 2), (t, n1 - n0 - 2 * t)),
        ((e1 - t / 2, (n0 + n1) / 2), (t, n1 - n0 - 2 * t)),
    ]
    return [
        replace(
            box(
                f"{host.name}-parapet-{k}",
                c,
                size,
                top + height_m,
                host.wall_rgb,
                host.wall_rgb,
                "parapet",
                base_m=top,
            ),
            on_top_of=host.name,
        )
        for k, (c, size) in enumerate(specs)
    ]


def footprint_near_segment(
    prism: Prism, a: tuple[float, float], b: tuple[float, float], margin_m: float
) -> bool:
    """True if any footprint vertex or the centroid lies within ``margin_m`` of segment a-b."""
    es = [p[0] for p in prism.footprint_en_m]
    ns = [p[1] for p in prism.footprint_en_m]
    if (
        max(es) < min(a[0], b[0]) - margin_m
        or min(es) > max(a[0], b[0]) + margin_m
        or max(ns) < min(a[1], b[1]) - margin_m
        or min(ns) > max(a[1], b[1]) + margin_m
    ):
        return False
    pts = np.vstack([np.asarray(prism.footprint_en_m), np.asarray(prism.centroid_en_m)])
    pa = pts - np.asarray(a)
    ab = np.asarray(b) - np.asarray(a)
    s = np.clip(pa @ ab / float(ab @ ab), 0.0, 1.0)
    d = np.linalg.norm(pa - s[:, None] * ab, axis=1)
    return bool(np.any(d < margin_m))


def footprint_in_box(prism: Prism, area_en: tuple[float, float, float, float]) -> bool:
    """True if any footprint vertex lies inside the (e0, n0, e1, n1) box."""
    e0, n0, e1, n1 = area_en
    return any(e0 <= e <= e1 and n0 <= n <= n1 for e, n in prism.footprint_en_m)

"""The scenario's town as an OpenStreetMap XML file, with decoy places elsewhere.

Everything the renderer builds is mapped: each building (a closed way with ``building`` and
``height``), the streets and roads, the school compound (``amenity=school``), the mosque
(``amenity=place_of_worship``, ``religion=muslim``) and its minaret, and the water tower (a
node, ``man_made=water_tower``). Four decoy places lie outside the rendered area (so no view
contradicts them), each failing the worked example's description ("a water tower within
300 m of a school, a mosque within 500 m") in one way: a tower with a school but the mosque
900 m off, a tower with a mosque but the school 600 m off, a tower near a church and a school
500 m off, and a school beside a mosque with a mast but no water tower.

Node and way ids count from 1 in the order written, so the same seed gives the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from workbench.scenario.scene import FILE_NAMES
from workbench.scenario.town import SCHOOL_SIZE_M, SITES, WATER_TOWER_TANK
from workbench.scenario.world import World, layout_world, main_roads, world_seed

QUERY = {
    "find": "man_made=water_tower",
    "near": ["amenity=school:300", "amenity=place_of_worship+religion=muslim:500"],
}
DECOYS: tuple[tuple[str, tuple[float, float], tuple[tuple[str, tuple[float, float]], ...]], ...] = (
    ("tower and school, mosque 900 m off", (500.0, 4000.0),
     (("water_tower", (0.0, 0.0)), ("school", (150.0, 150.0)), ("mosque", (0.0, 900.0)))),
    ("tower and mosque, school 600 m off", (4000.0, 0.0),
     (("water_tower", (0.0, 0.0)), ("mosque", (200.0, 150.0)), ("school", (0.0, -600.0)))),
    ("tower near a church, school 500 m off", (-1000.0, -4000.0),
     (("water_tower", (0.0, 0.0)), ("church", (100.0, -50.0)), ("school", (0.0, 500.0)))),
    ("school and mosque with a mast, no water tower", (3000.0, 3000.0),
     (("school", (0.0, 0.0)), ("mosque", (100.0, 50.0)), ("mast", (50.0, -50.0)))),
)  # fmt: skip
_DECOY_TAGS = {
    "water_tower": {"man_made": "water_tower", "height": "30"},
    "school": {"amenity": "school", "name": "School"},
    "mosque": {"amenity": "place_of_worship", "religion": "muslim", "name": "Mosque"},
    "church": {"amenity": "place_of_worship", "religion": "christian", "name": "Church"},
    "mast": {"man_made": "mast", "tower:type": "communication"},
}
_SKIP_KINDS = {"wall", "parapet", "roof_tank", "tower"}


class _Osm:
    def __init__(self, world: World) -> None:
        self.world, self.nodes, self.ways = world, [], []

    def node(self, en: tuple[float, float], tags: dict[str, str] | None = None) -> int:
        lat, lon, _ = self.world.enu_to_geodetic(en[0], en[1], 0.0)
        self.nodes.append((len(self.nodes) + 1, lat, lon, tags or {}))
        return len(self.nodes)

    def way(self, pts, tags: dict[str, str], closed: bool = False) -> int:
        refs = [self.node(p) for p in pts]
        if closed:
            refs.append(refs[0])
        self.ways.append((len(self.ways) + 1, refs, tags))
        return len(self.ways)

    def xml(self) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<osm version="0.6" generator="geoworkbench scenario">',
        ]
        for i, lat, lon, tags in self.nodes:
            head = f'  <node id="{i}" version="1" lat="{lat:.8f}" lon="{lon:.8f}"'
            out += [head + "/>"] if not tags else [head + ">", *_tags(tags), "  </node>"]
        for i, refs, tags in self.ways:
            out.append(f'  <way id="{i}" version="1">')
            out += [f'    <nd ref="{r}"/>' for r in refs] + _tags(tags) + ["  </way>"]
        return "\n".join([*out, "</osm>", ""])


def _tags(tags: dict[str, str]) -> list[str]:
    return [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items())]


def _building_tags(p) -> dict[str, str] | None:
    if p.kind in _SKIP_KINDS or p.on_top_of is not None:
        return None
    tags = {"building": "yes", "height": f"{p.top_m:.1f}"}
    if p.kind == "school":
        tags["building"] = "school"
    elif p.name == "mosque_hall":
        tags |= {"building": "mosque", "amenity": "place_of_worship", "religion": "muslim",
                 "name": "Mosque"}  # fmt: skip
    elif p.name == "minaret_shaft":
        tags = {"man_made": "tower", "tower:type": "minaret", "height": "32.0"}
    elif p.name == "building_se":
        tags |= {"building": "apartments", "building:levels": "7"}
    return tags


def _box(centre: tuple[float, float], size: tuple[float, float]) -> list[tuple[float, float]]:
    (e, n), (w, h) = centre, (size[0] / 2.0, size[1] / 2.0)
    return [(e - w, n - h), (e + w, n - h), (e + w, n + h), (e - w, n + h)]


def town_osm(world: World) -> tuple[str, dict[str, Any]]:
    """The OSM XML text of the town and its decoys, and what truth.json says about them."""
    osm = _Osm(world)
    school = osm.way(
        _box(SITES["school"], SCHOOL_SIZE_M), {"amenity": "school", "name": "School"}, closed=True
    )
    for p in world.prisms:
        tags = _building_tags(p)
        if tags is not None:
            osm.way(list(p.footprint_en_m), tags, closed=True)
    for line in world.streets:
        osm.way(list(line), {"highway": "residential"})
    for pts, width, _ in main_roads():
        osm.way(pts, {"highway": "primary" if width >= 8.0 else "unclassified"})
    tower_height = f"{WATER_TOWER_TANK['top_m']:.1f}"
    tower = osm.node(SITES["water_tower"], {"man_made": "water_tower", "height": tower_height})
    decoys = []
    for label, (e0, n0), parts in DECOYS:
        ids = {}
        for kind, (de, dn) in parts:
            ids[kind] = osm.node((e0 + de, n0 + dn), dict(_DECOY_TAGS[kind]))
        osm.way([(e0 - 400.0, n0 - 100.0), (e0 + 400.0, n0 - 100.0)], {"highway": "residential"})
        lat, lon, _ = world.enu_to_geodetic(e0, n0, 0.0)
        decoys.append({"label": label, "lat_deg": lat, "lon_deg": lon, "node_ids": ids})
    lat, lon, _ = world.enu_to_geodetic(*SITES["water_tower"], 0.0)
    truth = {
        "query": QUERY,
        "true_place": {"osm_type": "node", "osm_id": tower, "lat_deg": lat, "lon_deg": lon},
        "school_way_id": school,
        "decoys": decoys,
        "note": "decoys lie outside the rendered area; every rendered building is a way",
    }
    return osm.xml(), truth


def write_map_files(out_dir: Path, seed: int) -> dict[str, dict[str, Any]]:
    """The scenario's town OSM file and elevation model for a scenario seed, without rendering
    anything (the same bytes ``generate_scenario`` writes); their truth by role."""
    from workbench.scenario.rasters import write_terrain

    world = layout_world(world_seed(seed))
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "osm": write_town_osm(world, out_dir / FILE_NAMES["osm"]),
        "terrain": write_terrain(world, out_dir / FILE_NAMES["terrain"]),
    }


def write_town_osm(world: World, path: Path) -> dict[str, Any]:
    """Write the town's OSM XML atomically; returns its truth (file name included)."""
    text, truth = town_osm(world)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return {"file": path.name, **truth}

"""The scenario's map data: the town as OSM, the elevation model and the GeoTIFF orthophoto,
checked with the libraries that read them (osmium, rasterio, pyproj) against truth.json."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import osmium
import pytest
import rasterio
from pyproj import Transformer

from analysis.geometry.geodesy import LatLon, distance_m
from analysis.imagery.dem import Dem
from tests.workbench.test_scenario_commands import TINY
from workbench.osm.run import OsmQuery, run_search
from workbench.scenario import generate_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    config = replace(TINY, write_orthophoto=True, gsd_m=8.0)
    result = generate_scenario(tmp_path_factory.mktemp("mapdata"), seed=4, config=config)
    return result, json.loads(result.truth_path.read_text(encoding="utf-8"))


def test_the_osm_town_maps_the_landmarks_and_the_search_ranks_the_true_tower_first(
    scenario, tmp_path
):
    result, truth = scenario
    osm = truth["osm"]
    tags_of, ways = {}, 0
    for obj in osmium.FileProcessor(str(result.path("osm"))).with_locations():
        if isinstance(obj, osmium.osm.Node) and obj.tags:
            tags_of[obj.id] = (dict(obj.tags), obj.location.lat, obj.location.lon)
        elif isinstance(obj, osmium.osm.Way) and "building" in obj.tags:
            ways += 1
            assert float(obj.tags["height"]) > 0 and obj.nodes[0].ref == obj.nodes[-1].ref
    assert ways > 1000
    tower_tags, lat, lon = tags_of[osm["true_place"]["osm_id"]]
    assert tower_tags["man_made"] == "water_tower"
    mark = truth["landmarks"]["water_tower"]
    assert distance_m(LatLon(lat, lon), LatLon(mark["lat_deg"], mark["lon_deg"])) < 0.01
    q = osm["query"]
    found = run_search(result.path("osm"), OsmQuery.parse(q["find"], q["near"]), tmp_path)
    first, *rest = found.candidates
    assert (first.anchor.osm_type, first.anchor.osm_id) == ("node", osm["true_place"]["osm_id"])
    assert first.complete and len(rest) == 3 and not any(c.complete for c in rest)
    decoy_towers = {d["node_ids"].get("water_tower") for d in osm["decoys"]}
    assert {c.anchor.osm_id for c in rest} == decoy_towers - {None}


def test_the_elevation_model_is_the_rendered_ground_plus_a_hill_no_camera_sees(scenario):
    result, truth = scenario
    dem = Dem.open(result.path("terrain"))
    for name in ("school", "strike_point", "water_tower", "descent_ground_point"):
        m = truth["landmarks"][name]
        ground = m["height_m"] - m["height_above_ground_m"]
        assert float(dem.height_m(m["lat_deg"], m["lon_deg"])) == pytest.approx(ground, abs=0.02)
    hill = truth["terrain"]["hill"]
    peak = float(dem.height_m(hill["lat_deg"], hill["lon_deg"]))
    assert peak - truth["world"]["origin"]["height_m"] == pytest.approx(35.0 + 0.7, abs=0.6)
    with rasterio.open(result.path("terrain")) as ds:
        assert ds.crs.to_epsg() == 4326 and ds.tags()["VERTICAL_DATUM"] == "WGS84 ellipsoid"
    top = np.array([*hill["centre_en_m"], hill["peak_m"]])
    cams = [s["camera"] for v in truth["videos"].values() for s in v["segments"]]
    cams += [p["camera"] for p in truth["photos"].values()]
    for cam in cams:  # the hill's top, and its flanks 450 m either side, in no picture
        for de in (-450.0, 0.0, 450.0):
            x = np.array(cam["R"]) @ (top + [de, 0.0, -hill["peak_m"] / 2] - np.array(cam["enu_m"]))
            if x[2] <= 0:
                continue
            u = cam["focal_px"] * x[0] / x[2] + (cam["width_px"] - 1) / 2
            v = cam["focal_px"] * x[1] / x[2] + (cam["height_px"] - 1) / 2
            assert not (0 <= u < cam["width_px"] and 0 <= v < cam["height_px"]), cam


def test_the_geotiff_orthophoto_is_georeferenced_and_dated(scenario):
    result, truth = scenario
    ortho = truth["orthophoto"]
    with rasterio.open(result.path("orthophoto_geotiff")) as ds:
        assert (ds.width, ds.height, ds.count) == (ortho["width_px"], ortho["height_px"], 3)
        assert ds.tags()["TIFFTAG_DATETIME"] == "2016:09:30 08:10:00"
        to_ll = Transformer.from_crs(ds.crs, "EPSG:4326", always_xy=True)
        corners = {
            "top_left": (0, 0),
            "top_right": (ds.width - 1, 0),
            "bottom_left": (0, ds.height - 1),
            "bottom_right": (ds.width - 1, ds.height - 1),
        }
        for name, (col, row) in corners.items():
            x, y = ds.transform @ (col + 0.5, row + 0.5)  # the centre of the pixel
            lon, lat = to_ll.transform(x, y)
            want = ortho["corner_pixel_centres_latlon_deg"][name]
            # 430 m above the ellipsoid, the ground leans by 430 m x d / R: 0.2 m at 3.5 km
            assert distance_m(LatLon(lat, lon), LatLon(*want)) < 0.25, name
    assert math.isfinite(truth["terrain"]["hill"]["peak_m"])

"""Map layers built from a case, checked against the geometry that produced them."""

from __future__ import annotations

import json

import pytest

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.geolayers import (
    LAYER_IDS,
    build_layers,
    evidence_colour,
    export_items,
    layer_bounds,
    map_layers,
)

SCHOOL = LatLon(35.62, 36.55)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "layers.gwcase")
    yield c
    c.close()


def _insert_evidence(case, name: str, metadata: dict, *, reference: bool = False) -> int:
    def do(conn):
        cur = conn.execute(
            "INSERT INTO evidence (sha256, original_name, stored_name, size_bytes, kind,"
            " imported_at_utc, imported_by, metadata_json, is_reference)"
            " VALUES (?, ?, ?, 1, 'image', '2026-01-01T00:00:00Z', 'test', ?, ?)",
            (name[0] * 64, name, name, json.dumps(metadata), int(reference)),
        )
        return cur.lastrowid

    return case.write_sync(do)


def _lonlat(p: LatLon) -> list[float]:
    return [p.lon_deg, p.lat_deg]


def _pos(coord: list[float]) -> LatLon:
    return LatLon(coord[1], coord[0])


def by_id(layers, layer_id):
    return {f["properties"]["id"]: f for f in layers[layer_id]["features"]}


def test_every_layer_is_present_even_when_empty(case):
    layers = build_layers(case.read())
    assert tuple(layers) == LAYER_IDS
    assert all(fc == {"type": "FeatureCollection", "features": []} for fc in layers.values())
    assert layer_bounds(layers) is None


def test_camera_ray_and_wedge_share_the_colour_of_their_video_and_follow_the_camera(case):
    video = _insert_evidence(case, "strike.mp4", {})
    cam = geodesy.destination(SCHOOL, 270.0, 2800.0)
    cam_id = geodata.add_landmark(
        case, "rooftop", cam.lat_deg, cam.lon_deg, kind="camera", evidence_id=video
    ).result()
    az = geodesy.azimuth_deg(cam, SCHOOL)
    obs = geodata.add_bearing(case, cam_id, az, 0.5, hfov_deg=40.0, range_m=4000.0).result()
    layers = build_layers(case.read())
    colour = evidence_colour(video)
    camera = by_id(layers, "cameras")[f"landmark:{cam_id}"]
    ray = by_id(layers, "rays")[f"observation:{obs}"]
    wedge = by_id(layers, "wedges")[f"observation:{obs}:wedge"]
    assert camera["properties"]["colour"] == ray["properties"]["colour"] == colour
    assert wedge["properties"]["colour"] == colour
    assert camera["properties"]["editable"] is True and ray["properties"]["editable"] is False
    line = ray["geometry"]["coordinates"]
    assert geodesy.distance_m(_pos(line[0]), cam) < 1e-3
    end = geodesy.destination(cam, az, 4000.0)
    assert geodesy.distance_m(_pos(line[-1]), end) < 0.01
    # the ray passes over the school, 2.8 km along it
    assert min(geodesy.distance_m(_pos(c), SCHOOL) for c in line) < 300.0
    ring = wedge["geometry"]["coordinates"][0]
    assert geodesy.distance_m(_pos(ring[0]), cam) < 1e-3
    far = [geodesy.distance_m(cam, _pos(c)) for c in ring[1:-1]]
    assert max(far) == pytest.approx(4000.0, abs=0.5)
    # moving the camera moves its ray (the observation keeps the measured origin as input)
    moved = geodesy.destination(cam, 0.0, 100.0)
    geodata.move_landmark(case, cam_id, moved.lat_deg, moved.lon_deg).result()
    ray2 = by_id(build_layers(case.read()), "rays")[f"observation:{obs}"]
    assert geodesy.distance_m(_pos(ray2["geometry"]["coordinates"][0]), moved) < 1e-3


def test_intersection_ellipse_polygon_has_the_stored_axes(case):
    ids = []
    for az_back, range_m in ((270.0, 2800.0), (180.0, 1500.0)):
        cam = geodesy.destination(SCHOOL, az_back, range_m)
        cid = geodata.add_landmark(case, "c", cam.lat_deg, cam.lon_deg, kind="camera").result()
        ids.append(geodata.add_bearing(case, cid, geodesy.azimuth_deg(cam, SCHOOL), 1.0).result())
    oid = geodata.add_intersection(case, ids).result()
    result = geodata_records.get_observation(case.read(), oid).result
    layers = build_layers(case.read())
    features = by_id(layers, "ellipses")
    assert (
        geodesy.distance_m(_pos(features[f"observation:{oid}"]["geometry"]["coordinates"]), SCHOOL)
        < 0.01
    )
    ring = features[f"observation:{oid}:ellipse"]["geometry"]["coordinates"][0]
    radii = [geodesy.distance_m(SCHOOL, _pos(c)) for c in ring]
    e = result["ellipse"]
    assert max(radii) == pytest.approx(e["semi_major_m"], rel=0.005)
    assert min(radii) == pytest.approx(e["semi_minor_m"], rel=0.005)
    far_vertex = _pos(ring[radii.index(max(radii))])
    axis = geodesy.azimuth_deg(SCHOOL, far_vertex) % 180.0
    assert abs(geodesy.angle_difference_deg(axis, e["azimuth_deg"])) % 180.0 < 3.0


def test_alignment_line_runs_from_far_through_near_beyond(case):
    far = geodesy.destination(SCHOOL, 45.0, 600.0)
    near = geodesy.destination(SCHOOL, 45.0, 400.0)
    fid = geodata.add_landmark(case, "far", far.lat_deg, far.lon_deg).result()
    nid = geodata.add_landmark(case, "near", near.lat_deg, near.lon_deg).result()
    oid = geodata.add_alignment(case, nid, fid).result()
    line = by_id(build_layers(case.read()), "sightlines")[f"observation:{oid}"]
    a, b, c = (_pos(p) for p in line["geometry"]["coordinates"])
    assert geodesy.distance_m(a, far) < 1e-3 and geodesy.distance_m(b, near) < 1e-3
    assert geodesy.distance_m(far, c) == pytest.approx(600.0, abs=0.01)  # 3x the 200 m spacing
    assert geodesy.distance_m(c, SCHOOL) < 0.5  # the camera side of the line


def test_hypothesis_circle_has_its_radius(case):
    def add(conn):
        conn.execute(
            "INSERT INTO hypothesis (title, lat_deg, lon_deg, radius_m, confidence, rationale,"
            " created_at_utc) VALUES ('school', 35.62, 36.55, 170, 'high', 'water tower', 'now')"
        )

    case.write_sync(add)
    feats = list(by_id(build_layers(case.read()), "hypotheses").values())
    point, circle = feats
    assert point["properties"]["description"] == "high: water tower"
    # the map draws the circle from its centre and radius; the exports get a polygon
    assert circle["geometry"]["coordinates"] == point["geometry"]["coordinates"]
    assert circle["properties"]["radius_m"] == 170.0
    [polygon] = [i.feature for i in export_items(case.read()) if i.ident.endswith(":radius")]
    radii = [geodesy.distance_m(SCHOOL, p) for p in polygon.ring]
    assert min(radii) == pytest.approx(170.0, abs=0.2) and max(radii) == pytest.approx(170, abs=0.2)
    south, north = layer_bounds(build_layers(case.read()))  # the circle's extent, not its centre
    assert geodesy.distance_m(LatLon(south[0], 36.55), LatLon(north[0], 36.55)) > 330.0


def test_evidence_gps_and_image_direction(case):
    eid = _insert_evidence(
        case,
        "ref.jpg",
        {
            "gps": {
                "latitude_deg": 35.61,
                "longitude_deg": 36.54,
                "img_direction_deg": 45.0,
                "img_direction_ref": "true",
            }
        },
        reference=True,
    )
    _insert_evidence(case, "nogps.jpg", {"gps": None})
    vid = _insert_evidence(
        case, "v.mp4", {"location": {"latitude_deg": 35.6, "longitude_deg": 36.5}}
    )
    feats = by_id(build_layers(case.read()), "evidence")
    assert set(feats) == {f"evidence:{eid}", f"evidence:{eid}:direction", f"evidence:{vid}"}
    assert feats[f"evidence:{eid}"]["properties"]["description"] == "reference GPS position"
    start, end = (_pos(c) for c in feats[f"evidence:{eid}:direction"]["geometry"]["coordinates"])
    assert geodesy.azimuth_deg(start, end) == pytest.approx(45.0, abs=1e-4)  # 9-decimal GeoJSON
    assert geodesy.distance_m(start, end) == pytest.approx(300.0, abs=1e-3)


def test_real_geotagged_photo_lands_on_its_readme_position(case, media_data):
    import_file(case, media_data / "photos" / "gps" / "HMD_Nokia_8.3_5G.jpg")
    [feat] = [
        f
        for f in build_layers(case.read())["evidence"]["features"]
        if f["geometry"]["type"] == "Point"
    ]
    where = _pos(feat["geometry"]["coordinates"])
    assert geodesy.distance_m(where, LatLon(60.14671, 24.90677)) < 1.0  # README: 5 decimals


def test_layer_bounds_cover_every_position(case):
    geodata.add_landmark(case, "a", 35.60, 36.50).result()
    geodata.add_landmark(case, "b", 35.64, 36.58, kind="target").result()
    assert layer_bounds(build_layers(case.read())) == ((35.60, 36.50), (35.64, 36.58))


def test_map_layers_give_each_popup_its_position_and_mgrs(case):
    geodata.add_landmark(case, "school", 35.6205, 36.5533).result()
    cam = geodesy.destination(SCHOOL, 270.0, 2000.0)
    cam_id = geodata.add_landmark(case, "c", cam.lat_deg, cam.lon_deg, kind="camera").result()
    geodata.add_bearing(case, cam_id, 90.0, 0.5, hfov_deg=40.0).result()
    layers = map_layers(case.read())
    [mark] = layers["landmarks"]["features"]
    assert mark["properties"]["at"] == ["position", 35.6205, 36.5533]
    assert mark["properties"]["mgrs"] == "37S BV 78411 44614"  # GeoTrans gives the same
    [wedge] = layers["wedges"]["features"]
    assert wedge["properties"]["at"][0] == "apex"
    assert wedge["properties"]["at"][1:] == pytest.approx([cam.lat_deg, cam.lon_deg], abs=1e-7)
    [ray] = layers["rays"]["features"]
    assert ray["properties"]["at"][0] == "start"
    assert "at" not in build_layers(case.read())["landmarks"]["features"][0]["properties"]

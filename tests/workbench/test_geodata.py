"""Geodata of a case against known truth: edits with audit rows and undo, bearings and their
intersection, placemark import, KML/GeoJSON export carrying the audit head."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest

from analysis.errors import GeoDataError, GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoimport import read_placemarks
from workbench import geodata, geodata_records, geoexchange
from workbench.case import audit, create_case

SCHOOL = LatLon(35.62, 36.55)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "geo.gwcase", title="Hass geodata")
    yield c
    c.close()


def actions(case) -> list[str]:
    return [e.action for e in audit.entries(case.read())]


def test_landmark_edits_are_logged_and_each_undo_restores_the_previous_state(case):
    lid = geodata.add_landmark(case, "water tower", 35.6205, 36.5507, height_m=18.0).result()
    old_pos = geodata.move_landmark(case, lid, 35.6210, 36.5510).result()
    assert old_pos == (35.6205, 36.5507)
    old_name = geodata.rename_landmark(case, lid, XSS).result()
    assert old_name == "water tower"
    mark = geodata_records.get_landmark(case.read(), lid)
    assert (mark.name, mark.lat_deg, mark.lon_deg, mark.height_m) == (XSS, 35.621, 36.551, 18.0)
    # undo, newest first
    geodata.rename_landmark(case, lid, old_name).result()
    geodata.move_landmark(case, lid, *old_pos).result()
    record = geodata.delete_landmark(case, lid).result()
    assert geodata_records.list_landmarks(case.read()) == []
    assert geodata.restore_landmark(case, record).result() == lid
    back = geodata_records.get_landmark(case.read(), lid)
    assert back == record
    assert (back.name, back.lat_deg, back.lon_deg) == ("water tower", 35.6205, 36.5507)
    assert actions(case)[1:] == [
        "landmark.add",
        "landmark.move",
        "landmark.rename",
        "landmark.rename",
        "landmark.move",
        "landmark.delete",
        "landmark.restore",
    ]
    assert audit.walk(case.read()) == []


def test_kinds_and_positions_are_validated(case):
    with pytest.raises(GeometryError, match="kind"):
        geodata.add_landmark(case, "x", 35.0, 36.0, kind="building")
    with pytest.raises(GeometryError, match="latitude"):
        geodata.add_landmark(case, "x", 95.0, 36.0)
    with pytest.raises(GeometryError, match="longitude"):
        geodata.add_landmark(case, "x", 35.0, 190.0)
    with pytest.raises(GeometryError, match="does not exist"):
        geodata.move_landmark(case, 99, 35.0, 36.0).result()


@dataclass(frozen=True)
class Scene:
    name: str
    range_azimuths: tuple[tuple[float, float], ...]  # (range_m, azimuth from target to camera)


SCENES = (
    Scene("rooftop 2.8 km west and 1.5 km south", ((2800.0, 270.0), (1500.0, 190.0))),
    Scene("three cameras 100 m to 10 km", ((100.0, 30.0), (10000.0, 250.0), (4000.0, 140.0))),
)


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.name)
def test_noise_free_bearings_intersect_on_the_truth_within_1_cm(case, scene):
    bearing_ids = []
    for k, (range_m, az_back) in enumerate(scene.range_azimuths):
        cam = geodesy.destination(SCHOOL, az_back, range_m)
        cam_id = geodata.add_landmark(case, f"cam {k}", cam.lat_deg, cam.lon_deg, kind="camera")
        azimuth = geodesy.azimuth_deg(cam, SCHOOL)
        bearing_ids.append(
            geodata.add_bearing(case, cam_id.result(), azimuth, 0.5, hfov_deg=50.0).result()
        )
    obs_id = geodata.add_intersection(case, bearing_ids).result()
    obs = geodata_records.get_observation(case.read(), obs_id)
    assert obs.kind == "intersection" and obs.result["status"] == "ok"
    fix = LatLon(obs.result["lat_deg"], obs.result["lon_deg"])
    assert geodesy.distance_m(fix, SCHOOL) < 0.01
    assert obs.inputs["bearing_ids"] == bearing_ids
    assert len(obs.inputs["rays"]) == len(bearing_ids)
    assert obs.result["ellipse"]["semi_major_m"] >= obs.result["ellipse"]["semi_minor_m"] > 0
    assert actions(case)[-1] == "observation.intersection"


def test_nearly_parallel_bearings_store_the_sampled_region_not_an_ellipse(case):
    a = geodesy.destination(SCHOOL, 270.0, 3000.0)
    b = geodesy.destination(a, 0.0, 20.0)  # 20 m apart, 3 km out: rays cross at 0.4 degrees
    ids = []
    for k, cam in enumerate((a, b)):
        cam_id = geodata.add_landmark(case, f"c{k}", cam.lat_deg, cam.lon_deg, kind="camera")
        az = geodesy.azimuth_deg(cam, SCHOOL)
        ids.append(geodata.add_bearing(case, cam_id.result(), az, 1.0).result())
    obs = geodata_records.get_observation(case.read(), geodata.add_intersection(case, ids).result())
    assert obs.result["status"] == "nearly_parallel"
    assert obs.result["ellipse"] is None
    assert 0 < len(obs.result["samples"]) <= 1000


def test_intersection_refuses_observations_that_are_not_bearings(case):
    lid = geodata.add_landmark(case, "near", 35.62, 36.55).result()
    fid = geodata.add_landmark(case, "far", 35.63, 36.56).result()
    align = geodata.add_alignment(case, lid, fid).result()
    with pytest.raises(GeometryError, match="not a bearing"):
        geodata.add_intersection(case, [align, align])


def test_deleted_observation_is_restored_with_its_inputs(case):
    cam = geodata.add_landmark(case, "cam", 35.62, 36.52, kind="camera").result()
    oid = geodata.add_bearing(case, cam, 91.5, 0.7, frame_index=120).result()
    record = geodata.delete_observation(case, oid).result()
    assert geodata_records.list_observations(case.read()) == []
    geodata.restore_observation(case, record).result()
    assert geodata_records.get_observation(case.read(), oid) == record
    assert record.inputs["azimuth_deg"] == 91.5 and record.frame_index == 120


def test_extra_inputs_are_stored_with_the_observation_and_its_audit_row(case):
    cam = geodata.add_landmark(case, "cam", 35.62, 36.52, kind="camera").result()
    near = geodata.add_landmark(case, "near", 35.62, 36.55).result()
    far = geodata.add_landmark(case, "far", 35.63, 36.56).result()
    extra = {"target_px": [412.5, 233.0], "hfov_source": "typed"}
    oid = geodata.add_bearing(case, cam, 91.5, 0.7, extra_inputs=extra).result()
    stored = geodata_records.get_observation(case.read(), oid).inputs
    assert stored["target_px"] == [412.5, 233.0] and stored["hfov_source"] == "typed"
    assert stored["azimuth_deg"] == 91.5 and stored["camera_id"] == cam
    assert audit.entries(case.read())[-1].details["inputs"]["target_px"] == [412.5, 233.0]
    aid = geodata.add_alignment(case, near, far, extra_inputs={"near_px": [1.0, 2.0]}).result()
    assert geodata_records.get_observation(case.read(), aid).inputs["near_px"] == [1.0, 2.0]
    with pytest.raises(GeometryError, match="may not replace azimuth_deg"):
        geodata.add_bearing(case, cam, 10.0, 0.5, extra_inputs={"azimuth_deg": 11.0}).result()
    assert len(geodata_records.list_observations(case.read())) == 2


def test_measure_matches_the_geodesic(case):
    far = geodesy.destination(SCHOOL, 270.0, 2800.0)
    m = geodata_records.measure(far, SCHOOL)
    assert m.distance_m == pytest.approx(2800.0, abs=1e-6)
    assert m.azimuth_deg == pytest.approx(90.0, abs=0.05)  # due east, meridian convergence
    assert m.back_azimuth_deg == pytest.approx((m.azimuth_deg + 180.0) % 360.0, abs=0.05)


def test_import_placemarks_from_geojson_as_landmarks(case, tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [36.5507, 35.6205, 410]},
                "properties": {"name": XSS, "description": "from QGIS"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[36.5, 35.6], [36.6, 35.7]]},
                "properties": {"name": "road"},
            },
        ],
    }
    src = tmp_path / "marks.geojson"
    src.write_text(json.dumps(doc), encoding="utf-8")
    ids = geoexchange.import_placemarks(case, src).result()
    [mark] = geodata_records.list_landmarks(case.read())
    assert ids == [mark.id]
    assert (mark.name, mark.lat_deg, mark.lon_deg, mark.height_m) == (XSS, 35.6205, 36.5507, 410)
    entry = audit.entries(case.read())[-1]
    assert entry.action == "geodata.import"
    assert entry.details["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert entry.details["skipped_non_points"] == 1
    bad = tmp_path / "bad.kml"
    bad.write_text("<kml><Document>", encoding="utf-8")
    with pytest.raises(GeoDataError, match="bad.kml"):
        geoexchange.import_placemarks(case, bad)


def _populate(case) -> None:
    cam = geodesy.destination(SCHOOL, 270.0, 2800.0)
    cam_id = geodata.add_landmark(case, "rooftop", cam.lat_deg, cam.lon_deg, kind="camera")
    geodata.add_landmark(case, XSS, 35.6190, 36.5515).result()
    geodata.add_landmark(case, "school", SCHOOL.lat_deg, SCHOOL.lon_deg, kind="target").result()
    az = geodesy.azimuth_deg(cam, SCHOOL)
    geodata.add_bearing(case, cam_id.result(), az, 0.5, hfov_deg=40.0, range_m=4000.0).result()


@pytest.mark.parametrize("fmt", ["kml", "geojson"])
def test_export_carries_the_audit_head_and_is_logged(case, tmp_path, fmt):
    _populate(case)
    head_seq, head_hash = case.audit_head()
    out = tmp_path / f"case.{fmt}"
    result = geoexchange.export_geodata(case, out, fmt)
    text = out.read_text(encoding="utf-8")
    assert head_hash in text and (result.audit_head_seq, result.audit_head_hash) == (
        head_seq,
        head_hash,
    )
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.feature_count == 5  # camera, landmark, target, ray, wedge
    entry = audit.entries(case.read())[-1]
    assert entry.action == "geodata.export" and entry.details["sha256"] == result.sha256
    assert entry.prev_hash == head_hash
    points = {p.name: p.position for p in read_placemarks(out).points}
    assert set(points) == {"rooftop", XSS, "school"}
    assert geodesy.distance_m(points["school"], SCHOOL) < 1e-3
    if fmt == "geojson":
        doc = json.loads(text)
        assert doc["geoworkbench"]["audit_head"] == f"{head_seq}:{head_hash}"
        layers = sorted(f["properties"]["layer"] for f in doc["features"])
        assert layers == ["cameras", "landmarks", "rays", "targets", "wedges"]
    else:
        assert "&lt;img src=x" in text and "<img" not in text


def test_export_refuses_an_unknown_format(case, tmp_path):
    with pytest.raises(GeometryError, match="format"):
        geoexchange.export_geodata(case, tmp_path / "x.gpx", "gpx")

"""The observation registry against known truth and against what was stored before it.

Two sources of truth: a synthetic pinhole camera (known position, field of view, yaw, pitch
and roll) whose projections of known landmarks are the clicks, so the true azimuth is the
geodesic one; and ``tests/data/observations_v1.json``, rows of every kind as they were stored
before the registry (no schema member) with the map layers drawn from them then
(``tests/data/make_observations_v1.py``). Stored rows must read, recompute to what was stored
and draw the same layers, byte for byte.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.bearing import hfov_from_references, range_from_height
from analysis.geometry.camera import PinholeCamera, enu_direction
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel
from workbench import geodata, geodata_records, observations
from workbench.case import create_case
from workbench.geodata_records import LANDMARK_COLUMNS
from workbench.geodata_resection import Sighting, add_resection
from workbench.geolayers import build_layers
from workbench.observations.base import SCHEMA_KEY
from workbench.observations.bearing_measure import measured_bearing
from workbench.observations.bearing_model import (
    BearingMeasurement,
    RangeInputs,
    SecondReference,
    extra_inputs,
)

V1 = Path(__file__).resolve().parents[1] / "data" / "observations_v1.json"
CAMERA = LatLon(35.6205, 36.5200)
SIZE = (640, 480)


# -- a synthetic pinhole camera: the clicks are exact projections ---------------------------
@dataclass(frozen=True)
class Shot:
    """A camera of known orientation and what it sees (all truth)."""

    name: str
    hfov_deg: float
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    levelled: bool  # the horizon clicked (needed when the camera is tilted)


SHOTS = (
    Shot("level camera, no horizon", 60.0, 88.0, 0.0, 0.0, False),
    Shot("rolled 10 deg, levelled on the horizon", 60.2842, 88.0, 1.5, 10.0, True),
    Shot("telephoto looking south-west", 12.5, 228.0, -2.0, 3.0, True),
)


def project(shot: Shot, azimuth_deg: float, elevation_deg: float) -> tuple[float, float]:
    cam = PinholeCamera(*SIZE, shot.hfov_deg, shot.yaw_deg, shot.pitch_deg, shot.roll_deg)
    x, y = cam.project(enu_direction(azimuth_deg, elevation_deg))[0]
    return float(x), float(y)


def scene(shot: Shot) -> dict:
    """Reference, second reference and target around the optical axis, and their pixels."""
    spread = shot.hfov_deg / 4.0
    ref = geodesy.destination(CAMERA, shot.yaw_deg - spread, 2000.0)
    ref2 = geodesy.destination(CAMERA, shot.yaw_deg + spread * 0.8, 3000.0)
    target = geodesy.destination(CAMERA, shot.yaw_deg + spread * 0.5, 2800.0)
    az = {k: geodesy.azimuth_deg(CAMERA, p) for k, p in (("ref", ref), ("ref2", ref2))}
    az["target"] = geodesy.azimuth_deg(CAMERA, target)
    horizon = (
        (project(shot, shot.yaw_deg - spread, 0.0), project(shot, shot.yaw_deg + spread, 0.0))
        if shot.levelled
        else None
    )
    return {
        "ref": ref,
        "ref2": ref2,
        "target": target,
        "target_az": az["target"],
        "ref_px": project(shot, az["ref"], 1.0),
        "ref2_px": project(shot, az["ref2"], 0.5),
        "target_px": project(shot, az["target"], -1.0),
        "horizon": horizon,
    }


def measurement(shot: Shot, s: dict, hfov_deg: float | None = None) -> BearingMeasurement:
    return BearingMeasurement(
        *SIZE,
        hfov_deg=shot.hfov_deg if hfov_deg is None else hfov_deg,
        hfov_source="typed",
        reference_lat_deg=s["ref"].lat_deg,
        reference_lon_deg=s["ref"].lon_deg,
        reference_px=s["ref_px"],
        target_px=s["target_px"],
        reference_id=None,
        reference_name="reference",
        horizon_px=s["horizon"],
    )


@pytest.mark.parametrize("shot", SHOTS, ids=lambda s: s.name)
def test_measured_bearing_is_the_true_azimuth_and_recomputes_exactly(shot):
    s = scene(shot)
    inputs = measured_bearing(None, CAMERA, measurement(shot, s))
    assert inputs.azimuth_deg == pytest.approx(s["target_az"], abs=1e-6)
    entry = observations.entry("bearing")
    entry.validate(inputs)
    result = entry.recompute(inputs)
    assert result.azimuth_deg == inputs.azimuth_deg and result.sigma_deg == inputs.sigma_deg
    assert result.sigma_deg == pytest.approx(math.sqrt(2) * 0.5 * shot.hfov_deg / SIZE[0])
    if shot.levelled:
        assert (result.pitch_deg, result.roll_deg) == pytest.approx(
            (shot.pitch_deg, shot.roll_deg), abs=1e-6
        )
    assert result.view_azimuth_deg == pytest.approx(shot.yaw_deg, abs=1e-6)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "observations.gwcase")
    yield c
    c.close()


def _landmark(case, name: str, p: LatLon, kind: str = "landmark") -> int:
    return geodata.add_landmark(case, name, p.lat_deg, p.lon_deg, kind=kind).result()


def _add_measured(case, shot: Shot, *, with_range: bool = True) -> int:
    """A bearing as the Bearing tool stores it: measured, a range, a second reference."""
    s = scene(shot)
    cam_id = _landmark(case, "camera", CAMERA, "camera")
    ref_id, ref2_id = _landmark(case, "ref", s["ref"]), _landmark(case, "ref2", s["ref2"])
    fit = hfov_from_references(
        *SIZE,
        CAMERA,
        ((s["ref"], s["ref_px"]), (s["ref2"], s["ref2_px"])),
        horizon_px=s["horizon"],
    )
    second = SecondReference(
        ref2_id, "ref2", s["ref2"].lat_deg, s["ref2"].lon_deg, s["ref2_px"], ref_id,
        s["ref_px"], s["ref"].lat_deg, s["ref"].lon_deg, s["horizon"], fit.rival_deg,
    )  # fmt: skip
    m = replace(measurement(shot, s, fit.hfov_deg), reference_id=ref_id, second_reference=second)
    rng = None
    if with_range:
        distance = geodesy.inverse(CAMERA, s["target"]).distance_m
        top, bottom = (
            project(shot, s["target_az"], math.degrees(math.atan2(dz, distance)))
            for dz in (8.0, -20.0)
        )
        est = range_from_height(m.setup(CAMERA), top, bottom, 28.0, 2.0)
        rng = RangeInputs(top, bottom, 28.0, 2.0, distance_m=est.distance_m, sigma_m=est.sigma_m)
    typed = measured_bearing(cam_id, CAMERA, m, range_m=4000.0, range_inputs=rng)
    return geodata.add_bearing(
        case,
        cam_id,
        typed.azimuth_deg,
        typed.sigma_deg,
        hfov_deg=typed.hfov_deg,
        view_azimuth_deg=typed.view_azimuth_deg,
        range_m=4000.0,
        extra_inputs=extra_inputs(typed),
    ).result()


def _same_json(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_every_kind_stores_its_schema_and_recomputes_to_what_was_stored(case):
    shot = SHOTS[1]
    measured = _add_measured(case, shot)
    other = geodesy.destination(scene(shot)["target"], 200.0, 1500.0)
    typed_cam = _landmark(case, "second", other, "camera")
    typed = geodata.add_bearing(
        case, typed_cam, geodesy.azimuth_deg(other, scene(shot)["target"]), 0.3
    ).result()
    fix = geodata.add_intersection(case, [measured, typed]).result()
    near = geodesy.destination(CAMERA, 30.0, 400.0)
    far = geodesy.destination(CAMERA, 30.0, 900.0)
    aligned = geodata.add_alignment(
        case, _landmark(case, "near", near), _landmark(case, "far", far)
    ).result()
    marks = [geodata_records.get_landmark(case.read(), i) for i in (2, 3, 5, 6)]
    cam = PinholeCamera(*SIZE, 60.0, 60.0, 0.0, 0.0)
    seen = [enu_direction(geodesy.azimuth_deg(CAMERA, m.position), 0.0) for m in marks]
    sightings = [Sighting(m.id, tuple(cam.project(d)[0])) for m, d in zip(marks, seen, strict=True)]
    resected = add_resection(case, FrameModel(*SIZE, 60.0), sightings, sigma_deg=0.05).result()
    ids = {"bearing": measured, "intersection": fix, "alignment": aligned, "resection": resected}
    for kind, oid in ids.items():
        row = geodata_records.get_observation(case.read(), oid)
        entry = observations.entry(kind)
        assert row.inputs[SCHEMA_KEY] == entry.schema_version, kind
        assert SCHEMA_KEY not in row.result  # the result is exactly what recompute gives
        obs = observations.read(row)
        assert obs.stored_schema == entry.schema_version
        assert observations.recompute(row) == obs.result, kind
        assert _same_json(entry.result_to_json(obs.result), row.result), kind
        stored_inputs = {k: v for k, v in row.inputs.items() if k != SCHEMA_KEY}
        assert _same_json(entry.inputs_to_json(obs.inputs), stored_inputs), kind
    bearing = observations.read(geodata_records.get_observation(case.read(), measured))
    assert bearing.result.azimuth_deg == pytest.approx(scene(shot)["target_az"], abs=1e-6)
    assert bearing.result.hfov_from_references_deg == bearing.inputs.hfov_deg
    fix_part = bearing.result.range_fix
    assert geodesy.distance_m(fix_part.position, scene(shot)["target"]) < 0.5
    assert fix_part.ellipse.semi_major_m > fix_part.ellipse.semi_minor_m > 0.0
    assert (
        observations.read(geodata_records.get_observation(case.read(), typed)).result.range_fix
        is None
    )


def test_the_range_fix_is_an_entry_of_its_own_on_the_bearing_row(case):
    oid = _add_measured(case, SHOTS[0])
    row = geodata_records.get_observation(case.read(), oid)
    entry = observations.entry("range_fix")
    obs = entry.read(replace(row, kind="range_fix"))
    assert entry.recompute(obs.inputs) == obs.result
    assert obs.result == observations.read(row).result.range_fix
    section = entry.report_section(obs)
    assert section.figures["distance_m"] == obs.result.distance_m
    assert "28 ± 2 m height" in section.as_text()


def test_a_stated_azimuth_that_does_not_follow_from_the_pixels_is_refused(case):
    shot, s = SHOTS[1], scene(SHOTS[1])
    cam_id = _landmark(case, "camera", CAMERA, "camera")
    typed = measured_bearing(cam_id, CAMERA, measurement(shot, s))
    with pytest.raises(GeometryError, match="does not follow from the"):
        geodata.add_bearing(
            case,
            cam_id,
            typed.azimuth_deg + 0.01,
            typed.sigma_deg,
            hfov_deg=typed.hfov_deg,
            extra_inputs=extra_inputs(typed),
        ).result()
    with pytest.raises(GeometryError, match="is not the clicks'"):
        geodata.add_bearing(
            case,
            cam_id,
            typed.azimuth_deg,
            typed.sigma_deg * 2,
            hfov_deg=typed.hfov_deg,
            extra_inputs=extra_inputs(typed),
        ).result()
    assert geodata_records.list_observations(case.read()) == []


# -- rows stored before the registry -------------------------------------------------------
@pytest.fixture(scope="module")
def v1() -> dict:
    return json.loads(V1.read_text(encoding="utf-8"))


@pytest.fixture
def v1_case(tmp_path, v1):
    """A new case holding the stored rows, inserted raw as they were."""
    c = create_case(tmp_path / "v1.gwcase")

    def insert(conn):
        conn.execute(
            "INSERT INTO evidence (id, sha256, original_name, stored_name, size_bytes, kind,"
            " imported_at_utc, imported_by, metadata_json, is_reference) VALUES (1, ?,"
            " 'strike.mp4', 'strike.mp4', 1, 'video', '2026-01-01T00:00:00Z', 'test', '{}', 0)",
            ("e" * 64,),
        )
        for row in v1["landmarks"]:
            cols = LANDMARK_COLUMNS.split(", ")[: len(row)]  # rows of the version 1 shape
            conn.execute(
                f"INSERT INTO landmark ({', '.join(cols)}) VALUES ({', '.join('?' * len(row))})",
                row,
            )
        for r in v1["observations"]:
            conn.execute(
                "INSERT INTO observation (id, kind, evidence_id, frame_index, inputs_json,"
                " result_json, created_at_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["id"], r["kind"], r["evidence_id"], r["frame_index"], r["inputs_json"],
                 r["result_json"], r["created"]),
            )  # fmt: skip

    c.write_sync(insert)
    yield c
    c.close()


def test_rows_without_a_schema_draw_the_same_layers_byte_for_byte(v1_case, v1):
    assert all(SCHEMA_KEY not in json.loads(r["inputs_json"]) for r in v1["observations"])
    layers = build_layers(v1_case.read())
    # Since then ellipses carry their map label ("95%: 140 x 16 m"), nothing else changed.
    labels = [
        f["properties"].pop("label")
        for f in layers["ellipses"]["features"]
        if "label" in f["properties"]
    ]
    assert labels == ["95%: 1,961 x 16 m", "95%: 140 x 16 m", "95%: 22 x 2.3 m"]
    assert json.dumps(layers, sort_keys=True) == json.dumps(v1["layers"], sort_keys=True)
    assert len(layers["ellipses"]["features"]) > 500  # fixes, ellipses, a range fix, samples


def test_rows_without_a_schema_read_as_version_1_and_recompute_to_what_was_stored(v1_case):
    kinds = set()
    for row in geodata_records.list_observations(v1_case.read()):
        obs = observations.read(row)
        kinds.add(row.kind)
        assert obs.stored_schema == 1
        entry = observations.entry(row.kind)
        again = entry.recompute(obs.inputs)
        if row.kind == "bearing" and obs.inputs.measurement is not None:
            m = obs.inputs.measurement
            assert m.sigma_decimals == 3  # the tool rounded the sigma to its spin box
            if m.second_reference is not None:
                # schema 1 did not check the field of view; the check is now recomputed and
                # agrees with the value used to the spin box's 3 decimals
                assert obs.result.hfov_from_references_deg is None
                assert again.hfov_from_references_deg == pytest.approx(m.hfov_deg, abs=5e-4)
                again = replace(again, hfov_from_references_deg=None)
            if again.range_fix is not None:  # schema 1 did not store the target's span
                again = replace(again, range_fix=replace(again.range_fix, span_px=None))
        assert again == obs.result, row.kind
        if row.kind != "bearing":  # the bearing's result gained members in schema 2
            assert _same_json(entry.result_to_json(again), row.result)
    assert kinds == {"bearing", "intersection", "alignment", "resection"}
    ranged = observations.read(geodata_records.get_observation(v1_case.read(), 1))
    assert ranged.result.range_fix is not None  # computed on upgrade from the stated range
    assert ranged.result.range_fix.distance_m == ranged.inputs.range.distance_m


def test_report_sections_of_every_stored_kind(v1_case):
    sections = [
        observations.report_section(r) for r in geodata_records.list_observations(v1_case.read())
    ]
    titles = [s.title.split()[0] for s in sections]
    assert titles == ["Bearing"] * 3 + ["Intersection", "Bearing", "Intersection"] + [
        "Alignment",
        "Resection",
    ]
    assert "range 2,800 m" in sections[0].as_text()
    assert sections[3].figures["status"] == "ok" and sections[5].figures["semi_major_m"] is None
    assert sections[6].figures["azimuth_deg"] == pytest.approx(210.0, abs=0.01)


def test_a_newer_schema_is_refused_and_an_unknown_kind_is_not_drawn(case):
    cam = _landmark(case, "camera", CAMERA, "camera")
    oid = geodata.add_bearing(case, cam, 91.5, 0.7).result()
    row = geodata_records.get_observation(case.read(), oid)
    newer = replace(row, inputs={**row.inputs, SCHEMA_KEY: 99})
    with pytest.raises(observations.ObservationSchemaError, match="schema 99"):
        observations.read(newer)
    unknown = replace(row, kind="glint")
    with pytest.raises(observations.ObservationSchemaError, match="not one this version knows"):
        observations.read(unknown)
    ctx = observations.MapContext({})
    assert observations.map_items([unknown], ctx) == []
    assert [i.layer for i in observations.map_items([row], ctx)] == ["rays"]


def test_registry_lists_each_kind_once():
    assert observations.kinds() == (
        "bearing",
        "range_fix",
        "alignment",
        "intersection",
        "resection",
        "shadow",
        "flash_bang",
        "video_sync",
        "descent",
        "pose",
        "osm_search",
        "georeference",
        "sound_mark",
    )
    with pytest.raises(ValueError, match="registered twice"):
        observations.register(observations.entry("bearing"))

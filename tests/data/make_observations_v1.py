"""How tests/data/observations_v1.json was made (kept for the record; run once, with the code
as it stood before the observation registry, geolayers as at commit 521bb13: run now, the
layers would be drawn through the registry and prove nothing): rows of every observation
kind as they were stored then (no ``schema`` member), and the map layers ``build_layers``
drew from them. ``tests/workbench/test_observations.py`` inserts the rows raw into a new case and
checks that they still read, recompute and draw the same layers, byte for byte.

    python tests/data/make_observations_v1.py

The bearing rows stand for the Bearing tool's: the pixels are the projections of known
landmarks through a known pinhole camera, the extra inputs are what the tool stored then
(``_v1_tool_inputs``) plus what it added (a range from a 28 m height, a field of view from a
second reference), and the sigma is rounded to the tool's spin box (3 decimals) as the tool
stored it.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from analysis.geometry import geodesy
from analysis.geometry.bearing import (
    BEARING_METHOD,
    DEFAULT_CLICK_SIGMA_PX,
    BearingSetup,
    default_sigma_deg,
    hfov_from_references,
    range_from_height,
    solve_bearing,
)
from analysis.geometry.camera import PinholeCamera, enu_direction
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel
from workbench import geodata, geodata_records
from workbench.case import create_case
from workbench.geodata_resection import Sighting, add_resection
from workbench.geolayers import build_layers

HERE = Path(__file__).resolve().parent
CAMERA = LatLon(35.6205, 36.5200)
SIZE = (640, 480)
HFOV = 60.0
YAW, PITCH, ROLL = 88.0, 1.5, 10.0


def _px(cam: PinholeCamera, az: float, el: float) -> list[float]:
    x, y = cam.project(enu_direction(az, el))[0]
    return [float(x), float(y)]


def _v1_tool_inputs(setup: BearingSetup, s, source: str, reference_id: int) -> dict:
    """The Bearing tool's extra inputs as it stored them before the registry (the function
    that built them, ``analysis.geometry.bearing.bearing_inputs``, is gone)."""
    return {
        "tool": "bearing_tool",
        "method": BEARING_METHOD,
        "evidence_sha256": "e" * 64,
        "image_size_px": [setup.width_px, setup.height_px],
        "pixel_aspect": setup.pixel_aspect,
        "hfov_source": source,
        "reference_id": reference_id,
        "reference_name": "Water tower",
        "reference_lat_lon_deg": [
            setup.reference_position.lat_deg,
            setup.reference_position.lon_deg,
        ],
        "reference_azimuth_deg": s.reference_azimuth_deg,
        "reference_px": list(setup.reference_px),
        "target_px": list(setup.target_px),
        "horizon_px": [list(p) for p in setup.horizon_px] if setup.horizon_px else None,
        "pitch_deg": s.pitch_deg,
        "roll_deg": s.roll_deg,
        "elevation_deg": s.elevation_deg,
        "click_sigma_px": DEFAULT_CLICK_SIGMA_PX,
    }


def _tool_bearing(case, ids, cam: PinholeCamera, *, with_range: bool, second: bool) -> int:
    reference = geodata_records.get_landmark(case.read(), ids["tower"]).position
    target = geodesy.destination(CAMERA, 101.5, 2800.0)
    ref_az, tgt_az = geodesy.azimuth_deg(CAMERA, reference), geodesy.azimuth_deg(CAMERA, target)
    ref_px, tgt_px = _px(cam, ref_az, 2.0), _px(cam, tgt_az, -4.0)
    horizon = (tuple(_px(cam, YAW - 22.0, 0.0)), tuple(_px(cam, YAW + 22.0, 0.0)))
    hfov, source, calibration = round(HFOV, 3), "typed", None
    if second:
        mast = geodata_records.get_landmark(case.read(), ids["mast"])
        mast_px = _px(cam, geodesy.azimuth_deg(CAMERA, mast.position), 1.0)
        fit = hfov_from_references(
            *SIZE,
            CAMERA,
            ((reference, tuple(ref_px)), (mast.position, tuple(mast_px))),
            horizon_px=horizon,
        )
        hfov, source = round(fit.hfov_deg, 3), f"from references Water tower and {mast.name}"
        calibration = {
            "id": mast.id,
            "name": mast.name,
            "lat_lon_deg": [mast.lat_deg, mast.lon_deg],
            "px": mast_px,
            "reference_id": ids["tower"],
            "reference_px": ref_px,
            "rival_hfov_deg": fit.rival_deg,
        }
    setup = BearingSetup(*SIZE, hfov, CAMERA, reference, tuple(ref_px), tuple(tgt_px), horizon)
    s = solve_bearing(setup)
    extra = _v1_tool_inputs(setup, s, source, ids["tower"])
    extra["click_frames"] = {"reference": 10, "target": 10}
    if with_range:
        distance = geodesy.inverse(CAMERA, target).distance_m
        top, bottom = (
            tuple(_px(cam, tgt_az, math.degrees(math.atan2(dz, distance)))) for dz in (8.0, -20.0)
        )
        r = range_from_height(setup, top, bottom, 28.0, 2.0)
        extra["range_estimate"] = {
            "distance_m": r.distance_m,
            "sigma_m": r.sigma_m,
            "height_m": r.height_m,
            "height_sigma_m": r.height_sigma_m,
            "top_px": list(top),
            "bottom_px": list(bottom),
            "method": "analysis.geometry.camera.distance_from_height_m on the levelled camera",
        }
    if calibration is not None:
        extra["fov_reference2"] = calibration
    sigma = round(default_sigma_deg(SIZE[0], hfov), 3)  # the spin box's 3 decimals
    return geodata.add_bearing(
        case,
        ids["camera"],
        s.azimuth_deg,
        sigma,
        evidence_id=ids["video"],
        frame_index=10,
        hfov_deg=hfov,
        view_azimuth_deg=s.view_azimuth_deg,
        range_m=4000.0,
        extra_inputs=extra,
    ).result()


def _landmarks(case) -> dict[str, int]:
    def video(conn):
        cur = conn.execute(
            "INSERT INTO evidence (sha256, original_name, stored_name, size_bytes, kind,"
            " imported_at_utc, imported_by, metadata_json, is_reference)"
            " VALUES (?, 'strike.mp4', 'strike.mp4', 1, 'video', '2026-01-01T00:00:00Z',"
            " 'test', '{}', 0)",
            ("e" * 64,),
        )
        return cur.lastrowid

    ids = {"video": case.write_sync(video)}
    add = geodata.add_landmark
    ids["camera"] = add(
        case, "Rooftop", CAMERA.lat_deg, CAMERA.lon_deg, kind="camera", evidence_id=ids["video"]
    ).result()
    marks = {"tower": (79.0, 2000.0), "mast": (95.0, 3000.0), "far": (30.0, 900.0)}
    for key, (az, dist) in marks.items():
        p = geodesy.destination(CAMERA, az, dist)
        ids[key] = add(case, key.title(), p.lat_deg, p.lon_deg, height_m=20.0).result()
    near = geodesy.destination(CAMERA, 30.0, 400.0)
    ids["near"] = add(case, "Near", near.lat_deg, near.lon_deg).result()
    other = geodesy.destination(CAMERA, 150.0, 1500.0)
    ids["camera2"] = add(case, "Second", other.lat_deg, other.lon_deg, kind="camera").result()
    return ids


def _rows(case) -> list[dict]:
    rows = case.read().execute(
        "SELECT id, kind, evidence_id, frame_index, inputs_json, result_json, created_at_utc"
        " FROM observation ORDER BY id"
    )
    keys = ("id", "kind", "evidence_id", "frame_index", "inputs_json", "result_json", "created")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def main() -> None:
    cam = PinholeCamera(*SIZE, HFOV, YAW, PITCH, ROLL)
    with tempfile.TemporaryDirectory() as tmp, create_case(Path(tmp) / "v1.gwcase") as case:
        ids = _landmarks(case)
        ranged = _tool_bearing(case, ids, cam, with_range=True, second=False)
        _tool_bearing(case, ids, cam, with_range=False, second=True)
        school = geodesy.destination(CAMERA, 101.5, 2800.0)
        other = geodata_records.get_landmark(case.read(), ids["camera2"]).position
        typed = geodata.add_bearing(
            case, ids["camera2"], geodesy.azimuth_deg(other, school), 0.4, hfov_deg=45.0
        ).result()
        fix = geodata.add_intersection(case, [ranged, typed]).result()
        b = geodesy.destination(other, 0.0, 20.0)
        b_id = geodata.add_landmark(case, "Beside", b.lat_deg, b.lon_deg, kind="camera").result()
        parallel = geodata.add_bearing(case, b_id, geodesy.azimuth_deg(b, school), 1.0).result()
        geodata.add_intersection(case, [typed, parallel]).result()
        geodata.add_alignment(
            case, ids["near"], ids["far"], extra_inputs={"near_px": [1.0, 2.0]}
        ).result()
        seen = [ids["tower"], ids["mast"], ids["far"], ids["near"]]
        frame = FrameModel(*SIZE, HFOV, 1.0, (tuple(_px(cam, 60, 0)), tuple(_px(cam, 110, 0))))
        sightings = []
        for lid in seen:
            mark = geodata_records.get_landmark(case.read(), lid).position
            sightings.append(Sighting(lid, tuple(_px(cam, geodesy.azimuth_deg(CAMERA, mark), 0))))
        add_resection(case, frame, sightings, sigma_deg=0.05, evidence_id=ids["video"]).result()
        # the camera moved after the bearings: rays follow it, inputs keep where it was
        moved = geodesy.destination(CAMERA, 0.0, 15.0)
        geodata.move_landmark(case, ids["camera"], moved.lat_deg, moved.lon_deg).result()
        landmarks = [
            list(r) for r in case.read().execute("SELECT * FROM landmark ORDER BY id").fetchall()
        ]
        doc = {
            "made_by": "tests/data/make_observations_v1.py at commit 521bb13",
            "landmarks": landmarks,
            "observations": _rows(case),
            "intersection_id": fix,
            "layers": build_layers(case.read()),
        }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    (HERE / "observations_v1.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

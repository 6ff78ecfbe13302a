"""Geodata of a case: landmarks, camera positions, targets and geometric observations.

Every edit runs in one transaction on the case's writer thread with its audit row, and
returns the writer's future (the GUI never waits on it). Undo is a new logged write that
restores the previous state: ``move_landmark`` returns the old position, ``rename_landmark``
the old name, ``delete_landmark`` the deleted record (``restore_landmark`` puts it back with
the same id), and likewise for observations. Positions are WGS84 degrees; azimuths are
clockwise from true north in degrees.

Observations (table ``observation``) keep their inputs so that every figure can be
recomputed: a ``bearing`` stores the camera's id and position at the time, the azimuth and its
one-sigma; an ``intersection`` stores the rays it used and the result of
``analysis.geometry.triangulation.locate_from_bearings``; an ``alignment`` stores the two objects
that line up in a frame; a ``resection`` (``workbench.geodata_resection``) the landmarks seen in
one frame with their directions, and the camera position they give.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.triangulation import BearingRay
from analysis.geometry.triangulation_gls import METHOD as GLS_METHOD
from workbench.case import Case
from workbench.case.audit import utc_now_iso
from workbench.geodata_records import (
    LANDMARK_COLUMNS,
    LANDMARK_KINDS,
    OBSERVATION_COLUMNS,
    Landmark,
    Observation,
    check_position,
    check_sigma,
    get_landmark,
    get_observation,
)
from workbench.geofix import TRIANGULATION_METHOD


def add_landmark(
    case: Case,
    name: str,
    lat_deg: float,
    lon_deg: float,
    *,
    kind: str = "landmark",
    height_m: float | None = None,
    notes: str = "",
    evidence_id: int | None = None,
    position_sigma_m: float | None = None,
) -> Future[int]:
    """Add a landmark, camera position or target; the future gives its id.
    ``position_sigma_m``: its position's one-sigma on each axis (None: not stated)."""
    if kind not in LANDMARK_KINDS:
        raise GeometryError(f"kind {kind!r} is not one of {', '.join(LANDMARK_KINDS)}")
    check_position(lat_deg, lon_deg)
    check_sigma(position_sigma_m)

    def do(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "INSERT INTO landmark (name, kind, lat_deg, lon_deg, height_m, notes, evidence_id,"
            " created_at_utc, position_sigma_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, kind, lat_deg, lon_deg, height_m, notes, evidence_id, utc_now_iso())
            + (position_sigma_m,),
        )
        new_id = int(cur.lastrowid)
        details = dict(name=name, lat_deg=lat_deg, lon_deg=lon_deg, height_m=height_m)
        if position_sigma_m is not None:
            details["position_sigma_m"] = position_sigma_m
        case.log(conn, f"{kind}.add", f"landmark:{new_id}", {**details, "evidence": evidence_id})
        return new_id

    return case.write(do)


def move_landmark(
    case: Case, landmark_id: int, lat_deg: float, lon_deg: float
) -> Future[tuple[float, float]]:
    """Move a point; the future gives the old (lat_deg, lon_deg) for undo."""
    check_position(lat_deg, lon_deg)

    def do(conn: sqlite3.Connection) -> tuple[float, float]:
        old = get_landmark(conn, landmark_id)
        conn.execute(
            "UPDATE landmark SET lat_deg = ?, lon_deg = ? WHERE id = ?",
            (lat_deg, lon_deg, landmark_id),
        )
        details = {"old": [old.lat_deg, old.lon_deg], "new": [lat_deg, lon_deg]}
        case.log(conn, f"{old.kind}.move", f"landmark:{landmark_id}", details)
        return old.lat_deg, old.lon_deg

    return case.write(do)


def rename_landmark(case: Case, landmark_id: int, name: str) -> Future[str]:
    """Rename a point; the future gives the old name for undo."""

    def do(conn: sqlite3.Connection) -> str:
        old = get_landmark(conn, landmark_id)
        conn.execute("UPDATE landmark SET name = ? WHERE id = ?", (name, landmark_id))
        details = {"old": old.name, "new": name}
        case.log(conn, f"{old.kind}.rename", f"landmark:{landmark_id}", details)
        return old.name

    return case.write(do)


def set_position_sigma(case: Case, landmark_id: int, sigma_m: float | None) -> Future[float | None]:
    """State a point's position one-sigma (None: not stated); the future gives the old one."""
    check_sigma(sigma_m)

    def do(conn: sqlite3.Connection) -> float | None:
        old = get_landmark(conn, landmark_id)
        conn.execute(
            "UPDATE landmark SET position_sigma_m = ? WHERE id = ?", (sigma_m, landmark_id)
        )
        details = {"old": old.position_sigma_m, "new": sigma_m}
        case.log(conn, f"{old.kind}.position_sigma", f"landmark:{landmark_id}", details)
        return old.position_sigma_m

    return case.write(do)


def delete_landmark(case: Case, landmark_id: int) -> Future[Landmark]:
    """Delete a point; the future gives the deleted record (``restore_landmark`` undoes)."""

    def do(conn: sqlite3.Connection) -> Landmark:
        old = get_landmark(conn, landmark_id)
        conn.execute("DELETE FROM landmark WHERE id = ?", (landmark_id,))
        details = {"name": old.name, "lat_deg": old.lat_deg, "lon_deg": old.lon_deg}
        case.log(conn, f"{old.kind}.delete", f"landmark:{landmark_id}", details)
        return old

    return case.write(do)


def restore_landmark(case: Case, record: Landmark) -> Future[int]:
    """Put a deleted point back with its id and fields (the undo of ``delete_landmark``)."""

    def do(conn: sqlite3.Connection) -> int:
        conn.execute(
            f"INSERT INTO landmark ({LANDMARK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.name,
                record.kind,
                record.lat_deg,
                record.lon_deg,
                record.height_m,
                record.notes,
                record.evidence_id,
                record.created_at_utc,
                record.position_sigma_m,
            ),
        )
        case.log(conn, f"{record.kind}.restore", f"landmark:{record.id}", {"name": record.name})
        return record.id

    return case.write(do)


# -- observations ---------------------------------------------------------------------------
def insert_observation(
    case: Case,
    conn: sqlite3.Connection,
    kind: str,
    inputs: dict[str, Any],
    result: dict[str, Any],
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
) -> int:
    """Insert an observation and its audit row on the writer's connection; the new id.

    The inputs and the result are stored with the kind's schema version
    (``workbench.observations``), so that a later version can tell their shape.
    """
    from workbench.observations import stored_json  # the registry's entries import this module

    inputs, result = stored_json(kind, inputs, result)
    cur = conn.execute(
        "INSERT INTO observation (kind, evidence_id, frame_index, inputs_json, result_json,"
        " created_at_utc) VALUES (?, ?, ?, ?, ?, ?)",
        (
            kind,
            evidence_id,
            frame_index,
            json.dumps(inputs, sort_keys=True),
            json.dumps(result, sort_keys=True),
            utc_now_iso(),
        ),
    )
    new_id = int(cur.lastrowid)
    case.log(
        conn,
        f"observation.{kind}",
        f"observation:{new_id}",
        {
            "inputs": inputs,
            "result": result,
            "evidence_id": evidence_id,
            "frame_index": frame_index,
        },
    )
    return new_id


def add_bearing(
    case: Case,
    camera_id: int,
    azimuth_deg: float,
    sigma_deg: float,
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
    hfov_deg: float | None = None,
    view_azimuth_deg: float | None = None,
    range_m: float = 5000.0,
    target_id: int | None = None,
    extra_inputs: dict[str, Any] | None = None,
) -> Future[int]:
    """A bearing from a camera position: the azimuth to the target and its one-sigma.

    ``hfov_deg`` and ``view_azimuth_deg`` (the optical axis; the bearing when omitted)
    describe the field-of-view wedge drawn on the map; ``range_m`` the drawn length.
    ``extra_inputs`` (the tool's own inputs: pixels clicked, reference landmark, where the
    field of view came from) are stored with the inputs; they may not replace a named one.
    The result is the registry's recompute of the stored inputs
    (``workbench.observations.bearing``): a bearing measured in a frame must follow from its
    pixels, and a range's fix and ellipse are computed here, once.
    """
    from workbench.observations import result_json

    BearingRay(LatLon(0.0, 0.0), azimuth_deg, sigma_deg)  # validates the numbers
    if hfov_deg is not None and not 0.0 < hfov_deg < 360.0:
        raise GeometryError(f"field of view {hfov_deg} deg is not in (0, 360)")
    if not range_m > 0.0:
        raise GeometryError(f"ray length {range_m} m must be positive")

    def do(conn: sqlite3.Connection) -> int:
        cam = get_landmark(conn, camera_id)
        inputs = dict(camera_id=camera_id, camera_lat_deg=cam.lat_deg, camera_lon_deg=cam.lon_deg)
        inputs |= dict(azimuth_deg=azimuth_deg, sigma_deg=sigma_deg, hfov_deg=hfov_deg)
        inputs |= dict(view_azimuth_deg=view_azimuth_deg, range_m=range_m, target_id=target_id)
        inputs = merge_extra(inputs, extra_inputs)
        result = result_json("bearing", inputs)
        ev_id = evidence_id if evidence_id is not None else cam.evidence_id
        return insert_observation(
            case, conn, "bearing", inputs, result, evidence_id=ev_id, frame_index=frame_index
        )

    return case.write(do)


def merge_extra(inputs: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """A tool's own inputs added to the named ones, which they may not replace."""
    clash = sorted(set(inputs) & set(extra or {}))
    if clash:
        raise GeometryError(f"extra inputs may not replace {', '.join(clash)}")
    return inputs | dict(extra or {})


def bearing_ray(obs: Observation) -> BearingRay:
    """The ray a bearing observation recorded (origin as measured, not as moved later)."""
    i = obs.inputs
    return BearingRay(
        LatLon(i["camera_lat_deg"], i["camera_lon_deg"]), i["azimuth_deg"], i["sigma_deg"]
    )


def add_intersection(
    case: Case,
    bearing_ids: Sequence[int],
    *,
    confidence: float = 0.95,
    flash_bang_ids: Sequence[int] = (),
) -> Future[int]:
    """Triangulate two or more bearing observations (or one and flash-bang range rings,
    ``flash_bang_ids``) and store the result with its inputs.

    Computed on the calling thread (run it in a worker from the GUI); stored in one write.
    """
    from workbench.observations import result_json

    conn = case.read()
    bearings = [get_observation(conn, i) for i in bearing_ids]
    for obs in bearings:
        if obs.kind != "bearing":
            raise GeometryError(f"observation {obs.id} is a {obs.kind}, not a bearing")
    rays = [bearing_ray(o) for o in bearings]
    inputs = {
        "bearing_ids": list(bearing_ids),
        "rays": [[r.origin.lat_deg, r.origin.lon_deg, r.azimuth_deg, r.sigma_deg] for r in rays],
        "confidence": confidence,
        "method": TRIANGULATION_METHOD,
    }
    if any(o.result.get("shared_errors") for o in bearings):  # one covariance over all rays
        inputs["method"] = GLS_METHOD
        inputs["correlated"] = [
            [o.result.get("independent_sigma_deg", r.sigma_deg), o.result.get("shared_errors", [])]
            for o, r in zip(bearings, rays, strict=True)
        ]
    if flash_bang_ids:
        _add_rings(conn, inputs, flash_bang_ids)
    result = result_json("intersection", inputs)  # locate_from_bearings on the rays
    return case.write(lambda c: insert_observation(case, c, "intersection", inputs, result))


def _add_rings(conn: sqlite3.Connection, inputs: dict[str, Any], ids: Sequence[int]) -> None:
    """The flash-bang observations' range rings as intersection inputs."""
    from analysis.geometry.triangulation_range import METHOD
    from workbench.observations.flash_bang import range_ring

    rings = []
    for i in ids:
        obs = get_observation(conn, i)
        if obs.kind != "flash_bang":
            raise GeometryError(f"observation {obs.id} is a {obs.kind}, not a flash_bang")
        g = range_ring(obs.inputs, obs.result)
        rings.append([g.centre.lat_deg, g.centre.lon_deg, g.distance_m, g.sigma_m])
    inputs["rings"], inputs["flash_bang_ids"] = rings, list(ids)
    inputs["method"] = METHOD


def add_alignment(
    case: Case,
    near_id: int,
    far_id: int,
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
    position_sigma_m: float = 2.0,
    extra_inputs: dict[str, Any] | None = None,
) -> Future[int]:
    """Two landmarks that line up in a frame: the camera is on the line far -> near, beyond.

    ``extra_inputs`` (pixels clicked, evidence SHA-256) are stored with the inputs.
    """
    from workbench.observations import result_json

    def do(conn: sqlite3.Connection) -> int:
        near, far = get_landmark(conn, near_id), get_landmark(conn, far_id)
        inputs = {
            "near_id": near_id,
            "far_id": far_id,
            "near": [near.lat_deg, near.lon_deg],
            "far": [far.lat_deg, far.lon_deg],
            "position_sigma_m": position_sigma_m,
        }
        inputs = merge_extra(inputs, extra_inputs)
        result = result_json("alignment", inputs)
        return insert_observation(
            case,
            conn,
            "alignment",
            inputs,
            result,
            evidence_id=evidence_id,
            frame_index=frame_index,
        )

    return case.write(do)


def delete_observation(case: Case, observation_id: int) -> Future[Observation]:
    """Delete an observation; the future gives the record (``restore_observation`` undoes)."""

    def do(conn: sqlite3.Connection) -> Observation:
        old = get_observation(conn, observation_id)
        conn.execute("DELETE FROM observation WHERE id = ?", (observation_id,))
        case.log(conn, "observation.delete", f"observation:{observation_id}", {"kind": old.kind})
        return old

    return case.write(do)


def restore_observation(case: Case, record: Observation) -> Future[int]:
    def do(conn: sqlite3.Connection) -> int:
        conn.execute(
            f"INSERT INTO observation ({OBSERVATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.kind,
                record.evidence_id,
                record.frame_index,
                json.dumps(record.inputs, sort_keys=True),
                json.dumps(record.result, sort_keys=True),
                record.created_at_utc,
            ),
        )
        case.log(conn, "observation.restore", f"observation:{record.id}", {"kind": record.kind})
        return record.id

    return case.write(do)

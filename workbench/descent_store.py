"""Descents in the case: a stored track measured, kept as a ``descent`` observation.

``descent_inputs`` turns a stored track (workbench.tracks) and the analyst's scale inputs
into the observation's inputs: the usable samples are copied from the track, so the stored
result is what ``recompute`` gives from the row alone. ``add_descent`` validates, recomputes
and stores through the writer (workbench.geodata.insert_observation, one audit row);
``set_descent_note`` changes the analyst's note beside the numbers (audited, undoable: the
future gives the old note). The maths is analysis.descent; the entry is
workbench.observations.descent.
"""

from __future__ import annotations

import json
import math
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from analysis.geometry import geodesy
from workbench.case import Case
from workbench.descent_io import samples_of
from workbench.geodata import insert_observation
from workbench.geodata_records import (
    Landmark,
    Observation,
    get_observation,
    list_landmarks,
    list_observations,
)
from workbench.observations import entry, read, result_json
from workbench.observations.descent import KIND, DescentInputs, ScaleInputs
from workbench.tracks import StoredTrack, TrackError, read_track


def descent_inputs(
    stored: StoredTrack,
    scale: ScaleInputs | None,
    *,
    roll_deg: float = 0.0,
    note: str = "",
) -> DescentInputs:
    """The descent observation's inputs for a stored track and a scale (None: px/s).

    Raises:
        TrackError: the track has no points.
    """
    if not stored.points:
        raise TrackError(f"track {stored.id} has no points")
    track = stored.as_track()
    samples, spanned = samples_of(track)
    return DescentInputs(
        track_id=stored.id,
        evidence_id=stored.evidence_id,
        samples=tuple(samples),
        frames_spanned=spanned,
        frame_width_px=track.frame_width_px,
        scale=scale,
        roll_deg=float(roll_deg),
        impact=stored.impact,
        note=note,
    )


def add_descent(case: Case, inputs: DescentInputs) -> Future[int]:
    """Validate, recompute and store a descent; the future gives the observation's id.

    Raises:
        GeometryError: inputs that cannot be measured (the message says what is missing);
            nothing is written.
    """
    as_json = entry(KIND).inputs_to_json(inputs)
    result = result_json(KIND, as_json)
    frame = inputs.samples[0].frame_index if inputs.samples else None

    def do(conn: sqlite3.Connection) -> int:
        if inputs.track_id is not None:
            read_track(conn, inputs.track_id)  # still there
        return insert_observation(
            case, conn, KIND, as_json, result, evidence_id=inputs.evidence_id, frame_index=frame
        )

    return case.write(do)


def measure_track(
    case: Case, track_id: int, scale: ScaleInputs | None, *, roll_deg: float = 0.0, note: str = ""
) -> Future[int]:
    """``add_descent`` of a stored track (read now, on the caller's thread)."""
    stored = read_track(case.read(), track_id)
    return add_descent(case, descent_inputs(stored, scale, roll_deg=roll_deg, note=note))


def set_descent_note(case: Case, observation_id: int, note: str) -> Future[str]:
    """Set the analyst's note of a descent; the future gives the note it replaced."""

    def do(conn: sqlite3.Connection) -> str:
        obs = get_observation(conn, observation_id)
        if obs.kind != KIND:
            raise TrackError(f"observation {observation_id} is a {obs.kind}, not a descent")
        old = str(obs.inputs.get("note", ""))
        inputs = obs.inputs | {"note": note}
        conn.execute(
            "UPDATE observation SET inputs_json = ? WHERE id = ?",
            (json.dumps(inputs, sort_keys=True), observation_id),
        )
        case.log(conn, "observation.note", f"observation:{observation_id}",
                 {"note": note, "was": old})  # fmt: skip
        return old

    return case.write(do)


def descents(conn: sqlite3.Connection, track_id: int | None = None) -> list[Observation]:
    """The case's descent observations (of one track if given), oldest first."""
    rows = list_observations(conn, KIND)
    if track_id is not None:
        rows = [o for o in rows if o.inputs.get("track_id") == track_id]
    return rows


def descent_json(row: Observation, video: str = "") -> dict[str, Any]:
    """A stored descent in the keys ``geoworkbench descent --json`` prints for a track file
    (rates in m/s with a scale, else px/s), with the observation and track ids."""
    typed = read(row)
    i, r = typed.inputs, typed.result
    u = r.unit
    return {
        "observation_id": row.id,
        "track_id": i.track_id,
        "evidence_id": i.evidence_id,
        "video": video,
        "frames_used": r.n_points,
        "frames_excluded": max(0, i.frames_spanned - r.n_points),
        "duration_s": r.duration_s,
        "unit": u,
        "models": [dict(m) for m in r.models],
        "chosen_model": r.chosen_model,
        f"rate_{u}_s": r.rate.value,
        "rate_ci95": [r.rate.low, r.rate.high],
        f"acceleration_{u}_s2": r.acceleration.value,
        "acceleration_ci95": [r.acceleration.low, r.acceleration.high],
        "verdict": r.verdict,
        "reason": r.reason,
        "carried_by": list(r.carried_by),
        "scale": None if r.px_per_m is None else {
            "px_per_m": r.px_per_m, "sigma_px_per_m": r.sigma_px_per_m, "detail": r.scale_detail,
        },
        "impact": None if i.impact is None else dict(i.impact),
        "note": i.note,
        "algorithm": "analysis.descent.analyse.analyse_descent",
    }  # fmt: skip


@dataclass(frozen=True)
class DescentView:
    """What the Descent panel shows for a track: the track, its latest stored descent (typed,
    with the analysis behind it for the plot), and the case's landmarks and cameras."""

    track: StoredTrack
    row: Observation | None
    inputs: DescentInputs | None
    result: Any
    descent: Any  # analysis.descent.analyse.Descent, or None
    landmarks: tuple[Landmark, ...]


def read_descent_view(case: Case, track_id: int, progress=None, cancel=None) -> DescentView:
    """Read a track's view (a job: it recomputes the stored descent's fit for its plot).

    Raises:
        TrackError: no such track.
    """
    from workbench.observations.descent import descent_of

    conn = case.read()
    track = read_track(conn, track_id)
    rows = descents(conn, track_id)
    marks = tuple(list_landmarks(conn))
    if not rows:
        return DescentView(track, None, None, None, None, marks)
    typed = read(rows[-1])
    return DescentView(track, rows[-1], typed.inputs, typed.result, descent_of(typed.inputs),
                       marks)  # fmt: skip


def map_distance(camera: Landmark, target: Landmark) -> tuple[float, float | None]:
    """Distance (m) from a camera to a target on the map, along the line of sight when both
    heights are known (WGS84 geodesic for the horizontal part), and the line of sight's pitch
    above the horizon (degrees; None without both heights)."""
    flat = geodesy.distance_m(camera.position, target.position)
    if camera.height_m is None or target.height_m is None:
        return flat, None
    up = target.height_m - camera.height_m
    return math.hypot(flat, up), math.degrees(math.atan2(up, flat))

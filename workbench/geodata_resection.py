"""Resection observations: the camera position from three or more landmarks seen in one frame.

The analyst clicks landmarks of known position in a frame; their pixels become horizontal
directions (``analysis.resection.frame_directions_deg``, after levelling) and
``analysis.resection.resect`` finds the camera position, the azimuth of the optical axis and
the 95% ellipse. The observation keeps every input (landmark ids, names and positions at the
time, pixels, directions, sigmas, the camera model) and the result, so another investigator
can recompute it. The map draws the fix, its ellipse and a line to each landmark used; it
becomes a camera position only when the analyst places one there.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from analysis.errors import GeometryError
from analysis.resection import DirectionObservation, Resection, resect
from workbench.case import Case
from workbench.geodata import get_landmark, insert_observation, merge_extra

RESECTION_METHOD = (
    "least squares on WGS84 geodesic azimuths with an unknown orientation "
    "(analysis.resection.resect); directions from pixels by analysis.resection."
    "frame_directions_deg"
)


@dataclass(frozen=True)
class Sighting:
    """One landmark seen in the frame: its id, its horizontal direction and one-sigma."""

    landmark_id: int
    direction_deg: float
    sigma_deg: float
    pixel: tuple[float, float] | None = None


def resection_to_json(fix: Resection, names: Sequence[str]) -> dict[str, Any]:
    """A resection result as plain JSON (residuals named by landmark)."""
    e = fix.ellipse
    return {
        "lat_deg": fix.position.lat_deg,
        "lon_deg": fix.position.lon_deg,
        "orientation_deg": fix.orientation_deg,
        "orientation_sigma_deg": fix.orientation_sigma_deg,
        "ellipse": {
            "semi_major_m": e.semi_major_m,
            "semi_minor_m": e.semi_minor_m,
            "azimuth_deg": e.azimuth_deg,
            "confidence": e.confidence,
        },
        "residuals": [
            {"landmark": name, "residual_deg": r}
            for name, r in zip(names, fix.residuals_deg, strict=True)
        ],
        "chi_square": fix.chi_square,
        "degrees_of_freedom": fix.degrees_of_freedom,
        "well_conditioned": fix.well_conditioned,
        "message": fix.message,
    }


def compute_resection(
    conn: sqlite3.Connection, sightings: Sequence[Sighting], *, confidence: float = 0.95
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The inputs and result of a resection from the case's landmarks (no write).

    Raises:
        GeometryError: for fewer than three distinct landmarks, a landmark not in the case,
            or a geometry with no solution (see ``analysis.resection.resect``).
    """
    ids = [s.landmark_id for s in sightings]
    if len(set(ids)) != len(ids):
        raise GeometryError("a landmark is listed twice; each may be seen once per frame")
    marks = [get_landmark(conn, i) for i in ids]
    observations = [
        DirectionObservation(m.position, s.direction_deg, s.sigma_deg, m.name)
        for m, s in zip(marks, sightings, strict=True)
    ]
    fix = resect(observations, confidence=confidence)
    inputs = {
        "sightings": [
            {
                "landmark_id": m.id,
                "name": m.name,
                "lat_deg": m.lat_deg,
                "lon_deg": m.lon_deg,
                "direction_deg": s.direction_deg,
                "sigma_deg": s.sigma_deg,
                "pixel": list(s.pixel) if s.pixel is not None else None,
            }
            for m, s in zip(marks, sightings, strict=True)
        ],
        "confidence": confidence,
        "method": RESECTION_METHOD,
    }
    return inputs, resection_to_json(fix, [m.name for m in marks])


def add_resection(
    case: Case,
    sightings: Sequence[Sighting],
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
    confidence: float = 0.95,
    extra_inputs: dict[str, Any] | None = None,
) -> Future[int]:
    """Resect and store the result with its inputs (computed on the calling thread).

    Raises:
        GeometryError: as ``compute_resection``; nothing is stored then.
    """
    for s in sightings:
        if not (math.isfinite(s.direction_deg) and s.sigma_deg > 0.0):
            raise GeometryError(f"landmark {s.landmark_id}: direction or sigma is not usable")
    inputs, result = compute_resection(case.read(), sightings, confidence=confidence)
    inputs = merge_extra(inputs, extra_inputs)
    return case.write(
        lambda conn: insert_observation(
            case,
            conn,
            "resection",
            inputs,
            result,
            evidence_id=evidence_id,
            frame_index=frame_index,
        )
    )

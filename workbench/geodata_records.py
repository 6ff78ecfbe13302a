"""Reading a case's geodata: landmarks, camera positions, targets and observations as records.

The write side (every edit with its audit row, and its undo) is ``workbench.geodata``; the
observation registry (``workbench.observations``) reads these records too, so they live
below both.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon

LANDMARK_KINDS = ("landmark", "camera", "target")
LANDMARK_COLUMNS = (
    "id, name, kind, lat_deg, lon_deg, height_m, notes, evidence_id, created_at_utc, "
    "position_sigma_m"
)
# A point placed by hand on imagery is off by a few metres (the imagery's own registration
# and the click); a camera position found from the footage is usually worse.
DEFAULT_POSITION_SIGMA_M = {"landmark": 5.0, "target": 5.0, "camera": 5.0}
MAP_CLICK_SCREEN_PX = 3.0


def map_click_sigma_m(zoom: float, lat_deg: float) -> float:
    """The one-sigma of a point clicked on a web-mercator map at ``zoom``: a few screen
    pixels of ground (156543.03 m x cos(lat) / 2^zoom a pixel), never below 1 m."""
    return pixel_click_sigma_m(156543.03 * math.cos(math.radians(lat_deg)) / 2.0**zoom)


def pixel_click_sigma_m(metres_per_px: float) -> float:
    """The one-sigma of a click on a map whose screen pixel spans ``metres_per_px`` of
    ground there: ``MAP_CLICK_SCREEN_PX`` pixels of it, never below 1 m."""
    return max(1.0, MAP_CLICK_SCREEN_PX * metres_per_px)


def check_sigma(sigma_m: float | None) -> None:
    if sigma_m is not None and not (sigma_m >= 0.0 and sigma_m < 1e6):
        raise GeometryError(f"position uncertainty {sigma_m} m is not in [0, 1e6)")


OBSERVATION_COLUMNS = "id, kind, evidence_id, frame_index, inputs_json, result_json, created_at_utc"


@dataclass(frozen=True)
class Landmark:
    """A named point on the ground: a landmark, a camera position or a target."""

    id: int
    name: str
    kind: str
    lat_deg: float
    lon_deg: float
    height_m: float | None
    notes: str
    evidence_id: int | None
    created_at_utc: str
    position_sigma_m: float | None = None  # one-sigma per horizontal axis; None: not stated

    @property
    def position(self) -> LatLon:
        return LatLon(self.lat_deg, self.lon_deg)

    def sigma_or_default_m(self) -> float:
        """The stated position one-sigma, or what its kind is usually placed to."""
        if self.position_sigma_m is not None:
            return self.position_sigma_m
        return DEFAULT_POSITION_SIGMA_M.get(self.kind, 5.0)


@dataclass(frozen=True)
class Observation:
    """A measured fact with the inputs it came from and its result (JSON objects)."""

    id: int
    kind: str
    evidence_id: int | None
    frame_index: int | None
    inputs: dict[str, Any]
    result: dict[str, Any]
    created_at_utc: str


@dataclass(frozen=True)
class Measurement:
    """Distance and azimuths between two points along the WGS84 geodesic."""

    distance_m: float
    azimuth_deg: float  # at the first point, clockwise from north
    back_azimuth_deg: float  # at the second point, towards the first


def measure(a: LatLon, b: LatLon) -> Measurement:
    """Geodesic distance and azimuths from ``a`` to ``b`` (geographiclib, Karney 2013)."""
    g = geodesy.inverse(a, b)
    back = geodesy.normalize_azimuth_deg(g.azimuth2_deg + 180.0)
    return Measurement(g.distance_m, geodesy.normalize_azimuth_deg(g.azimuth1_deg), back)


# -- reading --------------------------------------------------------------------------------
def _landmark(row: tuple) -> Landmark:
    return Landmark(*row)


def list_landmarks(conn: sqlite3.Connection, kind: str | None = None) -> list[Landmark]:
    """Landmarks in id order, all kinds or one."""
    sql = f"SELECT {LANDMARK_COLUMNS} FROM landmark"
    rows = (
        conn.execute(sql + " ORDER BY id").fetchall()
        if kind is None
        else conn.execute(sql + " WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    )
    return [_landmark(r) for r in rows]


def get_landmark(conn: sqlite3.Connection, landmark_id: int) -> Landmark:
    row = conn.execute(
        f"SELECT {LANDMARK_COLUMNS} FROM landmark WHERE id = ?", (landmark_id,)
    ).fetchone()
    if row is None:
        raise GeometryError(f"landmark {landmark_id} does not exist in this case")
    return _landmark(row)


def _observation(row: tuple) -> Observation:
    return Observation(
        row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6]
    )


def list_observations(conn: sqlite3.Connection, kind: str | None = None) -> list[Observation]:
    sql = f"SELECT {OBSERVATION_COLUMNS} FROM observation"
    rows = (
        conn.execute(sql + " ORDER BY id").fetchall()
        if kind is None
        else conn.execute(sql + " WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    )
    return [_observation(r) for r in rows]


def get_observation(conn: sqlite3.Connection, observation_id: int) -> Observation:
    row = conn.execute(
        f"SELECT {OBSERVATION_COLUMNS} FROM observation WHERE id = ?", (observation_id,)
    ).fetchone()
    if row is None:
        raise GeometryError(f"observation {observation_id} does not exist in this case")
    return _observation(row)


# -- landmark edits -------------------------------------------------------------------------
def check_position(lat_deg: float, lon_deg: float) -> None:
    LatLon(lat_deg, lon_deg)  # raises GeometryError for non-finite values
    if not -180.0 <= lon_deg <= 180.0:
        raise GeometryError(f"longitude {lon_deg} is outside [-180, 180] degrees")

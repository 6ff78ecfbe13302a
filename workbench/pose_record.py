"""Pose observations: built from control points and a ground, stored through the writer.

The CLI, the demo and the GUI build the same ``PoseInputs`` here. With an elevation model
(``analysis.imagery.dem.Dem``), the ground is the model sampled on a 61 x 61 grid (so the
stored row recomputes from its inputs alone) over the camera and the control points, 200 m
wider: the pose is solved first, then the model sampled there.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from analysis.geometry.geodesy import LatLon, distance_m, offset
from analysis.geometry.pose import ControlPoint, solve_pose
from analysis.geometry.terrain_grid import TerrainGrid
from workbench.case import Case
from workbench.observations import pose_model as m

GRID_NODES = 61
GRID_MARGIN_M = 200.0
FAR_MIN_M = 500.0

HeightFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def far_range_m(points: Sequence[m.PosePoint], camera: LatLon) -> float:
    """The cone's far range: 1.5 x the farthest control point, at least 500 m."""
    far = max(distance_m(camera, LatLon(p.lat_deg, p.lon_deg)) for p in points)
    return max(FAR_MIN_M, 1.5 * far)


def grid_box(points: Sequence[m.PosePoint], camera: LatLon) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the camera and the control points, 200 m wider: where
    the rays of the frame's pixels meet the ground (farther, the cone is drawn flat)."""
    lats = [camera.lat_deg, *(p.lat_deg for p in points)]
    lons = [camera.lon_deg, *(p.lon_deg for p in points)]
    sw = offset(LatLon(min(lats), min(lons)), -GRID_MARGIN_M, -GRID_MARGIN_M)
    ne = offset(LatLon(max(lats), max(lons)), GRID_MARGIN_M, GRID_MARGIN_M)
    return sw.lat_deg, sw.lon_deg, ne.lat_deg, ne.lon_deg


def build_inputs(
    size: tuple[int, int],
    points: Sequence[m.PosePoint],
    *,
    sigma_px: float = 1.0,
    hfov_deg: float | None = None,
    estimate_k1: bool | None = None,
    ground_height_m: float | None = None,
    dem_height: HeightFn | None = None,
    targets: Sequence[m.TargetPixel] = (),
    target_sigma_px: float = 0.0,
    other: dict[str, Any] | None = None,
) -> m.PoseInputs:
    """Inputs of a pose: flat ground at ``ground_height_m`` or the sampled ``dem_height``.

    Without either, the ground is flat at the lowest control point's height.

    Raises:
        GeometryError: as ``solve_pose`` (the pose is solved once to place the grid), or an
            elevation model that does not cover the cone.
    """
    k1 = len(points) >= 6 if estimate_k1 is None else estimate_k1
    ctrl = [ControlPoint(p.x_px, p.y_px, p.lat_deg, p.lon_deg, p.height_m, p.name) for p in points]
    pose = solve_pose(ctrl, size, sigma_px=sigma_px, hfov_deg=hfov_deg, estimate_k1=k1)
    far = far_range_m(points, pose.position)
    terrain = None
    if dem_height is not None:
        terrain = TerrainGrid.sample(
            dem_height, grid_box(points, pose.position), GRID_NODES, GRID_NODES
        )
    elif ground_height_m is None:
        ground_height_m = min(p.height_m for p in points)
    return m.PoseInputs(
        int(size[0]),
        int(size[1]),
        tuple(points),
        float(sigma_px),
        hfov_deg,
        bool(k1),
        ground_height_m,
        terrain,
        tuple(targets),
        float(target_sigma_px),
        float(round(far, 1)),
        other=dict(other or {}),
    )


def add_pose(
    case: Case,
    inputs: m.PoseInputs,
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
) -> Future[int]:
    """Store a pose (validated and recomputed on the writer); the future gives its id."""
    from workbench.geodata import insert_observation
    from workbench.observations import result_json

    stored = m.inputs_to_json(inputs)

    def do(conn: sqlite3.Connection) -> int:
        result = result_json("pose", stored)
        return insert_observation(
            case, conn, "pose", stored, result, evidence_id=evidence_id, frame_index=frame_index
        )

    return case.write(do)


def finite_or_none(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v

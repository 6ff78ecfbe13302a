"""The pose observation's typed inputs and result, their JSON, and the recompute.

Inputs: the frame's size, the control points (pixel, position, height, optional landmark id),
the pixel sigma, a given field of view or none, whether k1 is fitted, the ground (a flat height
or the elevation model sampled on a grid, ``analysis.geometry.terrain_grid``), the pixels to
put on the ground (the strike point) with their sigma, the cone's far range and the ellipse's
confidence. The result is ``analysis.geometry.pose.solve_pose`` on those, the footprint and
each target's ground point with its ellipse (``analysis.geometry.pose_ground``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.pose import ControlPoint, solve_pose
from analysis.geometry.pose_ground import footprint, project_pixel
from analysis.geometry.terrain_grid import TerrainGrid
from workbench.observations.base import ellipse_from_json, ellipse_json, opt_float, opt_int

METHOD = "Levenberg-Marquardt on pixel reprojection, local ENU at the control points"
_IN_KEYS = (
    "width_px", "height_px", "points", "sigma_px", "hfov_deg", "estimate_k1",
    "ground_height_m", "terrain", "targets", "target_sigma_px", "far_m", "confidence",
    "method",
)  # fmt: skip


@dataclass(frozen=True)
class PosePoint:
    """A control point: a pixel and the ground position it shows (height above WGS84)."""

    name: str
    x_px: float
    y_px: float
    lat_deg: float
    lon_deg: float
    height_m: float
    landmark_id: int | None = None


@dataclass(frozen=True)
class TargetPixel:
    name: str
    x_px: float
    y_px: float


@dataclass(frozen=True)
class PoseInputs:
    width_px: int
    height_px: int
    points: tuple[PosePoint, ...]
    sigma_px: float
    hfov_deg: float | None  # given; None: estimated
    estimate_k1: bool
    ground_height_m: float | None  # flat ground, or
    terrain: TerrainGrid | None  # the elevation model sampled around the camera
    targets: tuple[TargetPixel, ...] = ()
    target_sigma_px: float = 0.0
    far_m: float = 5000.0
    confidence: float = 0.95
    method: str = METHOD
    other: Mapping[str, Any] = field(default_factory=dict)

    def ground(self) -> Any:
        return self.terrain.height_m if self.terrain is not None else self.ground_height_m


@dataclass(frozen=True)
class GroundTarget:
    name: str
    x_px: float
    y_px: float
    lat_deg: float
    lon_deg: float
    height_m: float
    range_m: float
    ellipse: ErrorEllipse


@dataclass(frozen=True)
class PoseResult:
    lat_deg: float
    lon_deg: float
    height_m: float
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    hfov_deg: float
    k1: float
    sigmas: Mapping[str, float | None]
    residuals_px: tuple[tuple[str, float, float], ...]
    rms_px: float
    reduced_chi_square: float | None
    estimated: tuple[str, ...]
    footprint: tuple[LatLon, ...]
    targets: tuple[GroundTarget, ...]


def _target(t: Mapping[str, Any]) -> TargetPixel:
    return TargetPixel(str(t["name"]), float(t["x_px"]), float(t["y_px"]))


def inputs_from_json(d: Mapping[str, Any]) -> PoseInputs:
    points = tuple(
        PosePoint(
            str(p.get("name", "")),
            float(p["x_px"]),
            float(p["y_px"]),
            float(p["lat_deg"]),
            float(p["lon_deg"]),
            float(p["height_m"]),
            opt_int(p.get("landmark_id")),
        )
        for p in d["points"]
    )
    terrain = d.get("terrain")
    return PoseInputs(
        int(d["width_px"]),
        int(d["height_px"]),
        points,
        float(d["sigma_px"]),
        opt_float(d.get("hfov_deg")),
        bool(d["estimate_k1"]),
        opt_float(d.get("ground_height_m")),
        TerrainGrid.from_json(terrain) if terrain else None,
        tuple(
            TargetPixel(str(t["name"]), float(t["x_px"]), float(t["y_px"])) for t in d["targets"]
        ),
        float(d.get("target_sigma_px", 0.0)),
        float(d.get("far_m", 5000.0)),
        float(d.get("confidence", 0.95)),
        str(d.get("method", METHOD)),
        {k: v for k, v in d.items() if k not in _IN_KEYS},
    )


def inputs_to_json(i: PoseInputs) -> dict[str, Any]:
    out = {
        "width_px": i.width_px,
        "height_px": i.height_px,
        "points": [p.__dict__.copy() for p in i.points],
        "sigma_px": i.sigma_px,
        "hfov_deg": i.hfov_deg,
        "estimate_k1": i.estimate_k1,
        "ground_height_m": i.ground_height_m,
        "terrain": None if i.terrain is None else i.terrain.to_json(),
        "targets": [t.__dict__.copy() for t in i.targets],
        "target_sigma_px": i.target_sigma_px,
        "far_m": i.far_m,
        "confidence": i.confidence,
        "method": i.method,
    }
    return out | dict(i.other)


def result_from_json(d: Mapping[str, Any]) -> PoseResult:
    return PoseResult(
        *(float(d[k]) for k in ("lat_deg", "lon_deg", "height_m", "yaw_deg", "pitch_deg")),
        *(float(d[k]) for k in ("roll_deg", "hfov_deg", "k1")),
        {str(k): opt_float(v) for k, v in d["sigmas"].items()},
        tuple((str(r[0]), float(r[1]), float(r[2])) for r in d["residuals_px"]),
        float(d["rms_px"]),
        opt_float(d.get("reduced_chi_square")),
        tuple(str(n) for n in d["estimated"]),
        tuple(LatLon(float(a), float(b)) for a, b in d["footprint"]),
        tuple(
            GroundTarget(
                str(t["name"]),
                *(float(t[k]) for k in ("x_px", "y_px", "lat_deg", "lon_deg", "height_m")),
                float(t["range_m"]),
                ellipse_from_json(t["ellipse"]),  # type: ignore[arg-type]
            )
            for t in d["targets"]
        ),
    )


def result_to_json(r: PoseResult) -> dict[str, Any]:
    out = {k: getattr(r, k) for k in ("lat_deg", "lon_deg", "height_m", "yaw_deg", "pitch_deg")}
    out |= {k: getattr(r, k) for k in ("roll_deg", "hfov_deg", "k1", "rms_px")}
    return out | {
        "sigmas": dict(r.sigmas),
        "residuals_px": [list(x) for x in r.residuals_px],
        "reduced_chi_square": r.reduced_chi_square,
        "estimated": list(r.estimated),
        "footprint": [[p.lat_deg, p.lon_deg] for p in r.footprint],
        "targets": [
            {
                "name": t.name,
                "x_px": t.x_px,
                "y_px": t.y_px,
                "lat_deg": t.lat_deg,
                "lon_deg": t.lon_deg,
                "height_m": t.height_m,
                "range_m": t.range_m,
                "ellipse": ellipse_json(t.ellipse),
            }
            for t in r.targets
        ],
    }


def validate(i: PoseInputs) -> None:
    """Raises: GeometryError for missing ground, bad sigmas or a pixel outside the frame."""
    if (i.ground_height_m is None) == (i.terrain is None):
        raise GeometryError("a pose needs its ground: a flat height or an elevation grid")
    for what, v in (("pixel sigma", i.sigma_px), ("far range", i.far_m)):
        if not (math.isfinite(v) and v > 0.0):
            raise GeometryError(f"{what} {v} must be a positive number")
    if not (math.isfinite(i.target_sigma_px) and i.target_sigma_px >= 0.0):
        raise GeometryError(f"target pixel sigma {i.target_sigma_px} must not be negative")
    for p in (*i.points, *i.targets):
        if not (0.0 <= p.x_px <= i.width_px - 1 and 0.0 <= p.y_px <= i.height_px - 1):
            raise GeometryError(
                f"pixel ({p.x_px:g}, {p.y_px:g}) of {p.name or 'a point'} is outside the "
                f"{i.width_px} x {i.height_px} frame"
            )


def compute(i: PoseInputs) -> PoseResult:
    """The pose, its footprint and the targets on the ground, from the inputs alone.

    Raises:
        GeometryError: as ``solve_pose`` and ``project_pixel``.
    """
    pts = [ControlPoint(p.x_px, p.y_px, p.lat_deg, p.lon_deg, p.height_m, p.name) for p in i.points]
    pose = solve_pose(
        pts,
        (i.width_px, i.height_px),
        sigma_px=i.sigma_px,
        hfov_deg=i.hfov_deg,
        estimate_k1=i.estimate_k1,
    )
    ground = i.ground()
    targets = []
    for t in i.targets:
        g = project_pixel(
            pose, t.x_px, t.y_px, ground, pixel_sigma_px=i.target_sigma_px, confidence=i.confidence
        )
        targets.append(
            GroundTarget(
                t.name,
                t.x_px,
                t.y_px,
                g.position.lat_deg,
                g.position.lon_deg,
                g.height_m,
                g.range_m,
                g.ellipse,
            )  # fmt: skip
        )
    names = [p.name for p in i.points]
    return PoseResult(
        pose.position.lat_deg, pose.position.lon_deg, pose.height_m,
        pose.yaw_deg, pose.pitch_deg, pose.roll_deg, pose.hfov_deg, pose.k1,
        dict(pose.sigmas),
        tuple((n, dx, dy) for n, (dx, dy) in zip(names, pose.residuals_px, strict=True)),
        pose.rms_px, pose.reduced_chi_square, pose.estimated,
        tuple(footprint(pose, ground, far_m=i.far_m)), tuple(targets),
    )  # fmt: skip

"""What a resection observation records, and its recompute from those records alone.

The write (``add_resection``, with its audit row) is in ``workbench.geodata_resection``; the
observation registry's resection entry recomputes through ``resection_from_inputs`` here,
below both.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel, FrameResection, resect_frame
from workbench.geodata_records import get_landmark

RESECTION_METHOD = (
    "pixels levelled on the horizon and made horizontal directions, then least squares on "
    "WGS84 geodesic azimuths with an unknown orientation (and field of view when estimated): "
    "analysis.geometry.resection_frame.resect_frame"
)


@dataclass(frozen=True)
class Sighting:
    """One landmark clicked in the frame."""

    landmark_id: int
    pixel: tuple[float, float]


def _frame_json(frame: FrameModel) -> dict[str, Any]:
    return {
        "width_px": frame.width_px,
        "height_px": frame.height_px,
        "hfov_deg": frame.hfov_deg,
        "pixel_aspect": frame.pixel_aspect,
        "horizon_px": [list(p) for p in frame.horizon_px] if frame.horizon_px else None,
    }


def _frame_from_json(d: dict[str, Any]) -> FrameModel:
    horizon = d.get("horizon_px")
    return FrameModel(
        int(d["width_px"]),
        int(d["height_px"]),
        float(d["hfov_deg"]),
        float(d.get("pixel_aspect", 1.0)),
        (tuple(horizon[0]), tuple(horizon[1])) if horizon else None,
    )


def _result_json(fit: FrameResection, names: Sequence[str]) -> dict[str, Any]:
    fix, e = fit.resection, fit.resection.ellipse
    return {
        "lat_deg": fix.position.lat_deg,
        "lon_deg": fix.position.lon_deg,
        "orientation_deg": fix.orientation_deg,
        "orientation_sigma_deg": fix.orientation_sigma_deg,
        "hfov_deg": fit.hfov_deg,
        "hfov_sigma_deg": fit.hfov_sigma_deg,
        "pitch_deg": fit.pitch_deg,
        "roll_deg": fit.roll_deg,
        "ellipse": {
            "semi_major_m": e.semi_major_m,
            "semi_minor_m": e.semi_minor_m,
            "azimuth_deg": e.azimuth_deg,
            "confidence": e.confidence,
        },
        "residuals": [
            {"landmark": name, "direction_deg": d, "residual_deg": r}
            for name, d, r in zip(names, fit.directions_deg, fix.residuals_deg, strict=True)
        ],
        "chi_square": fix.chi_square,
        "degrees_of_freedom": fix.degrees_of_freedom,
        "well_conditioned": fix.well_conditioned,
        "message": fix.message,
    }


def resection_from_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The result of a resection recomputed from its stored inputs alone.

    Raises:
        GeometryError: as ``analysis.geometry.resection_frame.resect_frame``.
    """
    seen = inputs["sightings"]
    sigma = float(inputs["sigma_deg"])
    if not (math.isfinite(sigma) and sigma > 0.0):
        raise GeometryError(f"direction sigma {sigma} deg must be positive")
    fit = resect_frame(
        _frame_from_json(inputs["frame"]),
        [LatLon(s["lat_deg"], s["lon_deg"]) for s in seen],
        [(float(s["pixel"][0]), float(s["pixel"][1])) for s in seen],
        sigma_deg=sigma,
        names=[s["name"] for s in seen],
        estimate_hfov=bool(inputs["estimate_hfov"]),
        confidence=float(inputs["confidence"]),
    )
    return _result_json(fit, [s["name"] for s in seen])


def compute_resection(
    conn: sqlite3.Connection,
    frame: FrameModel,
    sightings: Sequence[Sighting],
    *,
    sigma_deg: float,
    estimate_hfov: bool = False,
    confidence: float = 0.95,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The inputs and result of a resection from the case's landmarks (no write).

    Raises:
        GeometryError: for a landmark listed twice or not in the case, a pixel that is not
            finite, too few landmarks, or a geometry with no solution.
    """
    ids = [s.landmark_id for s in sightings]
    if len(set(ids)) != len(ids):
        raise GeometryError("a landmark is listed twice; each may be seen once per frame")
    for s in sightings:
        if not all(math.isfinite(v) for v in s.pixel):
            raise GeometryError(f"the pixel of landmark {s.landmark_id} is not finite")
    marks = [get_landmark(conn, i) for i in ids]
    inputs = {
        "sightings": [
            {
                "landmark_id": m.id,
                "name": m.name,
                "lat_deg": m.lat_deg,
                "lon_deg": m.lon_deg,
                "pixel": [float(s.pixel[0]), float(s.pixel[1])],
            }
            for m, s in zip(marks, sightings, strict=True)
        ],
        "frame": _frame_json(frame),
        "sigma_deg": sigma_deg,
        "estimate_hfov": estimate_hfov,
        "confidence": confidence,
        "method": RESECTION_METHOD,
    }
    return inputs, resection_from_inputs(inputs)

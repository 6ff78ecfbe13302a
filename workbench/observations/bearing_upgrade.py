"""Bearing rows of older schemas, read as the current one: 1 (before the observation
registry) to 2, and 2 to 3 (no member changes: a row without ``sigma_sources`` keeps the
sigma of its clicks, and its result has no parts)."""

from __future__ import annotations

from typing import Any

from analysis.geometry.bearing import DEFAULT_CLICK_SIGMA_PX
from workbench.observations.base import ObservationSchemaError
from workbench.observations.bearing_model import (
    BearingResult,
    bearing_inputs_from_json,
    bearing_result_json,
    has_measurement,
)
from workbench.observations.range_fix_model import stated_range_fix

TOOL_SIGMA_DECIMALS = 3  # the Bearing tool's sigma spin box, before the registry


def upgrade_bearing_v1(
    version: int, inputs: dict[str, Any], result: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A bearing row stored before the registry, as schema 2.

    The Bearing tool was the only writer of ``click_sigma_px``: it rounded the sigma to its
    spin box's 3 decimals and took the range's clicks as 0.5 px. A second reference's first
    reference is the bearing's when the ids agree, its horizon the bearing's. The result keeps
    the stored azimuth and takes the stated sigma, the orientation the tool recorded and the
    range fix the map drew from the stated range (now stored). The second reference is not
    checked on read: ``recompute`` does that.
    """
    if version == 2:
        return dict(inputs), dict(result)
    if version != 1:
        raise ObservationSchemaError(f"bearing: no upgrade from schema {version}")
    ins = dict(inputs)
    if ins.get("range_estimate"):
        ins["range_estimate"] = {"click_sigma_px": DEFAULT_CLICK_SIGMA_PX, **ins["range_estimate"]}
    measured = has_measurement(ins)
    if measured and ins.get("click_sigma_px") is not None:
        ins.setdefault("sigma_decimals", TOOL_SIGMA_DECIMALS)
    second = ins.get("fov_reference2")
    if measured and second:
        same = second.get("reference_id") == ins.get("reference_id")
        first = ins["reference_lat_lon_deg"] if same else None
        ins["fov_reference2"] = {
            "reference_lat_lon_deg": first,
            "horizon_px": ins.get("horizon_px"),
            **second,
        }
    typed = bearing_inputs_from_json(ins)
    recorded = {k: typed.other.get(k) for k in ("elevation_deg", "pitch_deg", "roll_deg")}
    res = BearingResult(
        azimuth_deg=float(result["azimuth_deg"]),
        sigma_deg=typed.sigma_deg,
        hfov_deg=typed.hfov_deg,
        reference_azimuth_deg=typed.other.get("reference_azimuth_deg"),
        view_azimuth_deg=typed.view_azimuth_deg,
        hfov_from_references_deg=None,  # not checked then; reading does no maths that can fail
        range_fix=stated_range_fix(typed),
        **recorded,
    )
    return ins, bearing_result_json(res)

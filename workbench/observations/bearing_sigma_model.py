"""A bearing's sigma built from its parts, as stored (bearing schema 3).

The inputs' ``sigma_sources`` says how uncertain each input was: one click in frame pixels
(and the view zoom it was clicked at), the positions of the reference landmark, the second
reference and the camera (one-sigma per horizontal axis, metres), a typed field of view's
one-sigma, the tilt assumed when the camera was not levelled, and the keys naming what other
bearings may share (``landmark:7``, ``camera:3``, ``fov:<evidence sha256>:camera:3``). The
result carries the parts of the sum, the independent one-sigma and the shared loadings
(``analysis.geometry.bearing_sigma``), so an intersection can build one covariance over its
rays. A row of schema 2 has no ``sigma_sources`` and keeps its clicks' sigma.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.geometry.bearing import BearingSetup
from analysis.geometry.bearing_sigma import (
    DEFAULT_TILT_SIGMA_DEG,
    BearingSigma,
    Loading,
    PlacedPoint,
    SigmaPart,
    SigmaSources,
    bearing_sigma,
)
from analysis.geometry.geodesy import LatLon
from workbench.observations.base import Pixel, opt_float


@dataclass(frozen=True)
class SigmaInputs:
    """How uncertain a measured bearing's inputs were (see the module doc)."""

    click_sigma_px: float
    reference_sigma_m: float
    camera_sigma_m: float
    hfov_sigma_deg: float = 0.0
    tilt_sigma_deg: float = DEFAULT_TILT_SIGMA_DEG
    second_reference_sigma_m: float | None = None
    zoom: float | None = None  # the view zoom the clicks were made at (for the record)
    target_sigma_px: float | None = None
    camera_key: str = "camera"
    reference_key: str = "reference"
    second_key: str = "second reference"
    fov_key: str = "fov"


def sigma_inputs_from_json(d: Mapping[str, Any]) -> SigmaInputs:
    return SigmaInputs(
        float(d["click_sigma_px"]),
        float(d["reference_sigma_m"]),
        float(d["camera_sigma_m"]),
        float(d.get("hfov_sigma_deg", 0.0)),
        float(d.get("tilt_sigma_deg", DEFAULT_TILT_SIGMA_DEG)),
        opt_float(d.get("second_reference_sigma_m")),
        opt_float(d.get("zoom")),
        opt_float(d.get("target_sigma_px")),
        str(d.get("camera_key", "camera")),
        str(d.get("reference_key", "reference")),
        str(d.get("second_key", "second reference")),
        str(d.get("fov_key", "fov")),
    )


def sigma_inputs_json(s: SigmaInputs) -> dict[str, Any]:
    return {
        "click_sigma_px": s.click_sigma_px,
        "reference_sigma_m": s.reference_sigma_m,
        "camera_sigma_m": s.camera_sigma_m,
        "hfov_sigma_deg": s.hfov_sigma_deg,
        "tilt_sigma_deg": s.tilt_sigma_deg,
        "second_reference_sigma_m": s.second_reference_sigma_m,
        "zoom": s.zoom,
        "target_sigma_px": s.target_sigma_px,
        "camera_key": s.camera_key,
        "reference_key": s.reference_key,
        "second_key": s.second_key,
        "fov_key": s.fov_key,
    }


def breakdown(
    setup: BearingSetup,
    s: SigmaInputs,
    second: tuple[LatLon, Pixel] | None = None,
) -> BearingSigma:
    """The sum's parts for a setup (``analysis.geometry.bearing_sigma.bearing_sigma``).

    Raises:
        GeometryError: as ``solve_bearing``.
    """
    placed_second = None
    if second is not None:
        sigma2 = (
            s.reference_sigma_m
            if s.second_reference_sigma_m is None
            else s.second_reference_sigma_m
        )
        placed_second = (PlacedPoint(s.second_key, second[0], sigma2), second[1])
    sources = SigmaSources(
        click_sigma_px=s.click_sigma_px,
        camera=PlacedPoint(s.camera_key, setup.camera_position, s.camera_sigma_m),
        reference=PlacedPoint(s.reference_key, setup.reference_position, s.reference_sigma_m),
        target_sigma_px=s.target_sigma_px,
        hfov_sigma_deg=0.0 if second is not None else s.hfov_sigma_deg,
        fov_key=s.fov_key,
        second_reference=placed_second,
        tilt_sigma_deg=s.tilt_sigma_deg,
    )
    return bearing_sigma(setup, sources)


def parts_json(b: BearingSigma) -> dict[str, Any]:
    """The members a bearing result gains (schema 3)."""
    return {
        "sigma_parts": [[p.name, p.sigma_deg, p.detail] for p in b.parts],
        "independent_sigma_deg": b.independent_sigma_deg,
        "shared_errors": [[s.key, list(s.loading_deg), s.origin_sigma_m] for s in b.shared],
    }


def parts_from_json(d: Mapping[str, Any]) -> BearingSigma | None:
    if d.get("sigma_parts") is None:
        return None
    return BearingSigma(
        tuple(SigmaPart(str(n), float(v), str(t)) for n, v, t in d["sigma_parts"]),
        float(d["independent_sigma_deg"]),
        tuple(
            Loading(str(k), tuple(float(x) for x in load), float(o))
            for k, load, o in d.get("shared_errors") or ()
        ),
    )

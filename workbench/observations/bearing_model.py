"""The bearing's typed inputs and result, and the JSON they are stored as.

A bearing row's ``inputs_json`` keeps the flat shape it always had (so that what was stored
before the registry reads the same): the camera and the stated azimuth and sigma
(``geodata.add_bearing``), then, for a bearing measured in a frame, what was measured: the
frame's size and pixel aspect, the field of view and its source, the reference landmark (id,
name, position at the time) and its pixel, the target's pixel, the horizon clicks, the clicks'
one-sigma (``click_sigma_px``; null when the sigma was typed), the target's own pixel sigma
when it is not a click (``target_sigma_px``), the decimals the sigma was rounded to for
display (``sigma_decimals``), the second reference the field of view was checked against
(``fov_reference2``) and the range from a known height (``range_estimate``). Every other
member (the tool's name, the frames clicked on, values the tool showed) is kept as it was
(``other``); from schema 3, how uncertain each input was (``sigma_sources``,
``bearing_sigma_model``). Version 1 is the shape before the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from analysis.geometry.bearing import DEFAULT_CLICK_SIGMA_PX, BearingSetup
from analysis.geometry.bearing_sigma import BearingSigma
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from workbench.observations import bearing_sigma_model as sm
from workbench.observations.base import (
    Pixel,
    ellipse_from_json,
    ellipse_json,
    opt_float,
    opt_int,
    pair_json,
    pixel,
    pixel_pair,
)

BEARING_SCHEMA = 3  # 3: the sigma built from its parts (bearing_sigma_model)
RANGE_METHOD = "analysis.geometry.camera.distance_from_height_m on the levelled camera"
DEFAULT_RANGE_M = 5000.0  # the drawn length of a ray when none was stored
_REQUIRED_FOR_MEASUREMENT = ("image_size_px", "reference_lat_lon_deg", "reference_px", "target_px")


@dataclass(frozen=True)
class SecondReference:
    """A second landmark clicked in the frame: with the first, it fixes the field of view."""

    landmark_id: int | None
    name: str
    lat_deg: float
    lon_deg: float
    px: Pixel
    reference_id: int | None  # the first reference when the field of view was fitted
    reference_px: Pixel
    reference_lat_deg: float | None  # None: not recorded, and not the bearing's reference
    reference_lon_deg: float | None
    horizon_px: tuple[Pixel, Pixel] | None  # the horizon clicks the fit was levelled on
    rival_hfov_deg: float | None  # another field of view that fits as well


@dataclass(frozen=True)
class BearingMeasurement:
    """What was measured in the frame (see the module doc)."""

    width_px: int
    height_px: int
    hfov_deg: float
    hfov_source: str
    reference_lat_deg: float
    reference_lon_deg: float
    reference_px: Pixel
    target_px: Pixel
    reference_id: int | None = None
    reference_name: str = ""
    horizon_px: tuple[Pixel, Pixel] | None = None
    pixel_aspect: float = 1.0
    click_sigma_px: float | None = DEFAULT_CLICK_SIGMA_PX  # None: the sigma was typed
    target_sigma_px: float | None = None  # the target's pixel sigma when not a click
    sigma_decimals: int | None = None  # the sigma as shown (a spin box) and stored
    second_reference: SecondReference | None = None
    evidence_sha256: str | None = None
    sigma_sources: sm.SigmaInputs | None = None  # schema 3: the sigma from its parts

    @property
    def reference_position(self) -> LatLon:
        return LatLon(self.reference_lat_deg, self.reference_lon_deg)

    def setup(self, camera: LatLon) -> BearingSetup:
        """The measurement as ``analysis.geometry.bearing.solve_bearing`` takes it."""
        return BearingSetup(
            self.width_px,
            self.height_px,
            self.hfov_deg,
            camera,
            self.reference_position,
            self.reference_px,
            self.target_px,
            self.horizon_px,
            self.pixel_aspect,
        )


@dataclass(frozen=True)
class RangeInputs:
    """The target's top and bottom pixels and its known height (range from height)."""

    top_px: Pixel
    bottom_px: Pixel
    height_m: float
    height_sigma_m: float = 0.0
    click_sigma_px: float = DEFAULT_CLICK_SIGMA_PX
    distance_m: float | None = None  # as stated when stored (recomputed from the pixels)
    sigma_m: float | None = None
    method: str = RANGE_METHOD


@dataclass(frozen=True)
class BearingInputs:
    """A bearing from a camera position: stated figures and, when measured, the measurement."""

    camera_lat_deg: float
    camera_lon_deg: float
    azimuth_deg: float  # as stated when stored: the tool's solve, or a typed azimuth
    sigma_deg: float
    camera_id: int | None = None
    hfov_deg: float | None = None  # the wedge drawn on the map
    view_azimuth_deg: float | None = None  # its axis (the bearing when None)
    range_m: float | None = DEFAULT_RANGE_M  # the drawn length of the ray
    target_id: int | None = None
    measurement: BearingMeasurement | None = None
    range: RangeInputs | None = None
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def camera(self) -> LatLon:
        return LatLon(self.camera_lat_deg, self.camera_lon_deg)


@dataclass(frozen=True)
class RangeFixResult:
    """A bearing with a range: the distance, the fix down the ray and its ellipse."""

    distance_m: float
    sigma_m: float
    lat_deg: float
    lon_deg: float
    ellipse: ErrorEllipse
    span_px: float | None = None  # the target's height in the picture (None: not measured)

    @property
    def position(self) -> LatLon:
        return LatLon(self.lat_deg, self.lon_deg)


@dataclass(frozen=True)
class BearingResult:
    """The bearing recomputed: azimuth and one-sigma, and how the camera was oriented."""

    azimuth_deg: float  # clockwise from true north, [0, 360)
    sigma_deg: float
    hfov_deg: float | None = None
    elevation_deg: float | None = None
    reference_azimuth_deg: float | None = None
    view_azimuth_deg: float | None = None
    pitch_deg: float | None = None
    roll_deg: float | None = None
    hfov_from_references_deg: float | None = None  # the field of view the references give
    range_fix: RangeFixResult | None = None
    sigma: BearingSigma | None = None  # schema 3: the parts of the sum, and what is shared


# -- JSON ------------------------------------------------------------------------------------
def second_reference_from_json(d: Mapping[str, Any]) -> SecondReference:
    ref = d.get("reference_lat_lon_deg")
    return SecondReference(
        opt_int(d.get("id")),
        str(d.get("name", "")),
        float(d["lat_lon_deg"][0]),
        float(d["lat_lon_deg"][1]),
        pixel(d["px"]),
        opt_int(d.get("reference_id")),
        pixel(d["reference_px"]),
        None if ref is None else float(ref[0]),
        None if ref is None else float(ref[1]),
        pixel_pair(d.get("horizon_px")),
        opt_float(d.get("rival_hfov_deg")),
    )


def second_reference_json(s: SecondReference) -> dict[str, Any]:
    known = s.reference_lat_deg is not None and s.reference_lon_deg is not None
    return {
        "id": s.landmark_id,
        "name": s.name,
        "lat_lon_deg": [s.lat_deg, s.lon_deg],
        "px": list(s.px),
        "reference_id": s.reference_id,
        "reference_px": list(s.reference_px),
        "reference_lat_lon_deg": [s.reference_lat_deg, s.reference_lon_deg] if known else None,
        "horizon_px": pair_json(s.horizon_px),
        "rival_hfov_deg": s.rival_hfov_deg,
    }


def has_measurement(d: Mapping[str, Any]) -> bool:
    """Whether stored inputs hold a whole measurement (a typed bearing holds none)."""
    return d.get("hfov_deg") is not None and all(
        d.get(k) is not None for k in _REQUIRED_FOR_MEASUREMENT
    )


def measurement_from_json(d: Mapping[str, Any]) -> BearingMeasurement:
    second = d.get("fov_reference2")
    return BearingMeasurement(
        width_px=int(d["image_size_px"][0]),
        height_px=int(d["image_size_px"][1]),
        hfov_deg=float(d["hfov_deg"]),
        hfov_source=str(d.get("hfov_source", "")),
        reference_lat_deg=float(d["reference_lat_lon_deg"][0]),
        reference_lon_deg=float(d["reference_lat_lon_deg"][1]),
        reference_px=pixel(d["reference_px"]),
        target_px=pixel(d["target_px"]),
        reference_id=opt_int(d.get("reference_id")),
        reference_name=str(d.get("reference_name", "")),
        horizon_px=pixel_pair(d.get("horizon_px")),
        pixel_aspect=float(d.get("pixel_aspect", 1.0)),
        click_sigma_px=opt_float(d.get("click_sigma_px")),
        target_sigma_px=opt_float(d.get("target_sigma_px")),
        sigma_decimals=opt_int(d.get("sigma_decimals")),
        second_reference=None if not second else second_reference_from_json(second),
        evidence_sha256=d.get("evidence_sha256"),
        sigma_sources=sm.sigma_inputs_from_json(d["sigma_sources"])
        if d.get("sigma_sources")
        else None,
    )


def measurement_json(m: BearingMeasurement) -> dict[str, Any]:
    """The measured members of a bearing's inputs (``hfov_deg`` is among the base members)."""
    out: dict[str, Any] = {
        "image_size_px": [m.width_px, m.height_px],
        "pixel_aspect": m.pixel_aspect,
        "hfov_source": m.hfov_source,
        "reference_id": m.reference_id,
        "reference_name": m.reference_name,
        "reference_lat_lon_deg": [m.reference_lat_deg, m.reference_lon_deg],
        "reference_px": list(m.reference_px),
        "target_px": list(m.target_px),
        "horizon_px": pair_json(m.horizon_px),
        "click_sigma_px": m.click_sigma_px,
        "evidence_sha256": m.evidence_sha256,
    }
    if m.target_sigma_px is not None:
        out["target_sigma_px"] = m.target_sigma_px
    if m.sigma_decimals is not None:
        out["sigma_decimals"] = m.sigma_decimals
    if m.second_reference is not None:
        out["fov_reference2"] = second_reference_json(m.second_reference)
    if m.sigma_sources is not None:
        out["sigma_sources"] = sm.sigma_inputs_json(m.sigma_sources)
    return out


def range_from_json(d: Mapping[str, Any]) -> RangeInputs:
    return RangeInputs(
        top_px=pixel(d["top_px"]),
        bottom_px=pixel(d["bottom_px"]),
        height_m=float(d["height_m"]),
        height_sigma_m=float(d.get("height_sigma_m", 0.0)),
        click_sigma_px=float(d.get("click_sigma_px", DEFAULT_CLICK_SIGMA_PX)),
        distance_m=opt_float(d.get("distance_m")),
        sigma_m=opt_float(d.get("sigma_m")),
        method=str(d.get("method", RANGE_METHOD)),
    )


def range_json(r: RangeInputs) -> dict[str, Any]:
    return {
        "distance_m": r.distance_m,
        "sigma_m": r.sigma_m,
        "height_m": r.height_m,
        "height_sigma_m": r.height_sigma_m,
        "top_px": list(r.top_px),
        "bottom_px": list(r.bottom_px),
        "click_sigma_px": r.click_sigma_px,
        "method": r.method,
    }


def bearing_inputs_from_json(d: Mapping[str, Any]) -> BearingInputs:
    """Typed inputs; members the types do not hold are kept in ``other`` as they were."""
    measured = has_measurement(d)
    r = d.get("range_estimate")
    typed = BearingInputs(
        camera_lat_deg=float(d["camera_lat_deg"]),
        camera_lon_deg=float(d["camera_lon_deg"]),
        azimuth_deg=float(d["azimuth_deg"]),
        sigma_deg=float(d["sigma_deg"]),
        camera_id=opt_int(d.get("camera_id")),
        hfov_deg=opt_float(d.get("hfov_deg")),
        view_azimuth_deg=opt_float(d.get("view_azimuth_deg")),
        range_m=opt_float(d.get("range_m")),
        target_id=opt_int(d.get("target_id")),
        measurement=measurement_from_json(d) if measured else None,
        range=range_from_json(r) if r else None,
    )
    used = bearing_inputs_json(typed)
    return replace(typed, other={k: v for k, v in d.items() if k not in used})


def bearing_inputs_json(i: BearingInputs) -> dict[str, Any]:
    out: dict[str, Any] = {
        "camera_id": i.camera_id,
        "camera_lat_deg": i.camera_lat_deg,
        "camera_lon_deg": i.camera_lon_deg,
        "azimuth_deg": i.azimuth_deg,
        "sigma_deg": i.sigma_deg,
        "hfov_deg": i.hfov_deg,
        "view_azimuth_deg": i.view_azimuth_deg,
        "range_m": i.range_m,
        "target_id": i.target_id,
    }
    if i.measurement is not None:
        out |= measurement_json(i.measurement)
    if i.range is not None:
        out["range_estimate"] = range_json(i.range)
    return out | dict(i.other)


def extra_inputs(i: BearingInputs) -> dict[str, Any]:
    """The members a writer passes as ``geodata.add_bearing(extra_inputs=...)``: all but the
    camera's (read from the case) and those ``add_bearing`` takes as arguments."""
    return {k: v for k, v in bearing_inputs_json(i).items() if k not in _ADD_BEARING_NAMES}


_ADD_BEARING_NAMES = frozenset(
    ("camera_id", "camera_lat_deg", "camera_lon_deg", "azimuth_deg", "sigma_deg", "hfov_deg")
    + ("view_azimuth_deg", "range_m", "target_id")
)


def range_fix_result_json(r: RangeFixResult | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "distance_m": r.distance_m,
        "sigma_m": r.sigma_m,
        "lat_deg": r.lat_deg,
        "lon_deg": r.lon_deg,
        "ellipse": ellipse_json(r.ellipse),
        "span_px": r.span_px,
    }


def range_fix_result_from_json(d: Mapping[str, Any] | None) -> RangeFixResult | None:
    if not d:
        return None
    ellipse = ellipse_from_json(d["ellipse"])
    if ellipse is None:
        raise ValueError("a range fix is stored without its ellipse")
    return RangeFixResult(
        float(d["distance_m"]),
        float(d["sigma_m"]),
        float(d["lat_deg"]),
        float(d["lon_deg"]),
        ellipse,
        opt_float(d.get("span_px")),
    )


_RESULT_FLOATS = (
    "hfov_deg",
    "elevation_deg",
    "reference_azimuth_deg",
    "view_azimuth_deg",
    "pitch_deg",
    "roll_deg",
    "hfov_from_references_deg",
)


def bearing_result_json(r: BearingResult) -> dict[str, Any]:
    out: dict[str, Any] = {"azimuth_deg": r.azimuth_deg, "sigma_deg": r.sigma_deg}
    out |= {k: getattr(r, k) for k in _RESULT_FLOATS}
    out["range_fix"] = range_fix_result_json(r.range_fix)
    return out | ({} if r.sigma is None else sm.parts_json(r.sigma))


def bearing_result_from_json(d: Mapping[str, Any]) -> BearingResult:
    return BearingResult(
        float(d["azimuth_deg"]),
        float(d["sigma_deg"]),
        **{k: opt_float(d.get(k)) for k in _RESULT_FLOATS},
        range_fix=range_fix_result_from_json(d.get("range_fix")),
        sigma=sm.parts_from_json(d),
    )

"""A bearing from what was measured in a frame: what the Bearing tool, the demo and
``geoworkbench bearing`` call, and what the bearing entry recomputes with.

The camera is levelled on the horizon clicks, turned so that the reference landmark's pixel
looks along its geodesic azimuth and the target's pixel read off
(``analysis.geometry.bearing.solve_bearing``); the one-sigma comes from the clicks'
(``default_sigma_deg``, or ``sigma_from_pixels_deg`` when the target's pixel is less certain
than a click), rounded as it was shown when the tool stored it (``sigma_decimals``). A field
of view fitted to a second reference is checked by fitting it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.bearing import (
    BEARING_METHOD,
    DEFAULT_HFOV_DEG,
    BearingSetup,
    default_sigma_deg,
    hfov_from_references,
    sigma_from_pixels_deg,
    solve_bearing,
)
from analysis.geometry.bearing_sigma import BearingSigma
from analysis.geometry.geodesy import LatLon
from workbench.observations.base import Pixel
from workbench.observations.bearing_model import (
    DEFAULT_RANGE_M,
    BearingInputs,
    BearingMeasurement,
    BearingResult,
    RangeInputs,
    SecondReference,
)
from workbench.observations.bearing_sigma_model import breakdown


def bearing_sigma_deg(
    m: BearingMeasurement,
    typed_sigma_deg: float | None = None,
    parts: BearingSigma | None = None,
) -> float:
    """The one-sigma of a measured bearing (see the module doc); the typed one when the
    measurement says the sigma was typed (``click_sigma_px`` None).

    Raises:
        GeometryError: for a typed sigma that is missing.
    """
    if m.click_sigma_px is None:
        if typed_sigma_deg is None:
            raise GeometryError("the sigma was typed, but no sigma is given")
        return typed_sigma_deg
    if parts is not None:
        sigma = parts.sigma_deg
    elif m.target_sigma_px is None:
        sigma = default_sigma_deg(m.width_px, m.hfov_deg, m.click_sigma_px)
    else:
        sigma = sigma_from_pixels_deg(m.width_px, m.hfov_deg, m.click_sigma_px, m.target_sigma_px)
    if m.sigma_decimals is None:
        return sigma
    # as a spin box shows it, never below its smallest step
    return max(round(sigma, m.sigma_decimals), 10.0**-m.sigma_decimals)


def hfov_from_second_reference(camera: LatLon, m: BearingMeasurement) -> float | None:
    """The field of view the two references give (the fit nearest the one used), or None when
    no second reference was recorded with the first one's position.

    Raises:
        GeometryError: as ``analysis.geometry.bearing.hfov_from_references``.
    """
    s = m.second_reference
    if s is None or s.reference_lat_deg is None or s.reference_lon_deg is None:
        return None
    first = (LatLon(s.reference_lat_deg, s.reference_lon_deg), s.reference_px)
    fit = hfov_from_references(
        m.width_px,
        m.height_px,
        camera,
        (first, (LatLon(s.lat_deg, s.lon_deg), s.px)),
        horizon_px=s.horizon_px,
        pixel_aspect=m.pixel_aspect,
        near_deg=m.hfov_deg,
    )
    return fit.hfov_deg


def measure_bearing(
    camera: LatLon,
    m: BearingMeasurement,
    typed_sigma_deg: float | None = None,
    *,
    check_fov: bool = True,
) -> BearingResult:
    """The bearing a measurement gives (no range): what the GUI, the demo and the CLI call.

    Raises:
        GeometryError: for an impossible camera, coincident horizon pixels or references that
            no field of view fits.
    """
    setup = m.setup(camera)
    s = solve_bearing(setup)
    parts = sigma_parts(setup, m)
    return BearingResult(
        azimuth_deg=geodesy.normalize_azimuth_deg(s.azimuth_deg),
        sigma_deg=bearing_sigma_deg(m, typed_sigma_deg, parts),
        hfov_deg=m.hfov_deg,
        elevation_deg=s.elevation_deg,
        reference_azimuth_deg=s.reference_azimuth_deg,
        view_azimuth_deg=s.view_azimuth_deg,
        pitch_deg=s.pitch_deg,
        roll_deg=s.roll_deg,
        hfov_from_references_deg=hfov_from_second_reference(camera, m) if check_fov else None,
        sigma=parts,
    )


def sigma_parts(setup: BearingSetup, m: BearingMeasurement) -> BearingSigma | None:
    """The sigma's parts when the measurement says how uncertain its inputs were (schema 3)
    and the sigma was not typed; None otherwise.

    Raises:
        GeometryError: as ``solve_bearing``.
    """
    if m.sigma_sources is None or m.click_sigma_px is None:
        return None
    second = m.second_reference
    at = None if second is None else (LatLon(second.lat_deg, second.lon_deg), second.px)
    return breakdown(setup, m.sigma_sources, at)


def with_fov_from_references(
    camera: LatLon,
    m: BearingMeasurement,
    second: LatLon,
    second_px: Pixel,
    *,
    second_id: int | None = None,
    second_name: str = "second reference",
    near_deg: float = DEFAULT_HFOV_DEG,
) -> BearingMeasurement:
    """The measurement with the field of view that a second reference landmark fixes
    (``hfov_from_references``, levelled on the measurement's horizon; the fit nearest
    ``near_deg`` when two fit) and the second reference recorded for the check.

    Raises:
        GeometryError: as ``analysis.geometry.bearing.hfov_from_references``.
    """
    fit = hfov_from_references(
        m.width_px,
        m.height_px,
        camera,
        ((m.reference_position, m.reference_px), (second, second_px)),
        horizon_px=m.horizon_px,
        pixel_aspect=m.pixel_aspect,
        near_deg=near_deg,
    )
    recorded = SecondReference(
        second_id,
        second_name,
        second.lat_deg,
        second.lon_deg,
        second_px,
        m.reference_id,
        m.reference_px,
        m.reference_lat_deg,
        m.reference_lon_deg,
        m.horizon_px,
        fit.rival_deg,
    )
    source = f"from references {m.reference_name or 'reference'} and {second_name}"
    return replace(m, hfov_deg=fit.hfov_deg, hfov_source=source, second_reference=recorded)


def measured_bearing(
    camera_id: int | None,
    camera: LatLon,
    m: BearingMeasurement,
    *,
    sigma_deg: float | None = None,
    range_m: float | None = DEFAULT_RANGE_M,
    range_inputs: RangeInputs | None = None,
    other: Mapping[str, Any] | None = None,
) -> BearingInputs:
    """The typed inputs of a bearing measured in a frame, ready to store: the azimuth is the
    measurement's (``measure_bearing``), the sigma the given one (typed, or as shown) or else
    the clicks'; the method and the camera's orientation are recorded with it.

    Raises:
        GeometryError: as ``measure_bearing``.
    """
    res = measure_bearing(camera, m, sigma_deg, check_fov=False)
    recorded = {
        "method": BEARING_METHOD,
        "reference_azimuth_deg": res.reference_azimuth_deg,
        "pitch_deg": res.pitch_deg,
        "roll_deg": res.roll_deg,
        "elevation_deg": res.elevation_deg,
    }
    return BearingInputs(
        camera.lat_deg,
        camera.lon_deg,
        res.azimuth_deg,
        res.sigma_deg if sigma_deg is None else sigma_deg,
        camera_id=camera_id,
        hfov_deg=m.hfov_deg,
        view_azimuth_deg=res.view_azimuth_deg,
        range_m=range_m,
        measurement=m,
        range=range_inputs,
        other=recorded | dict(other or {}),
    )

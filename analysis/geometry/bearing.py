"""The maths of the bearing tool, kept out of the widget (Qt-free; tested on its own).

A frame's pixels become azimuths with ``analysis.geometry.camera``: the camera is levelled
first when the analyst clicked two points on the horizon (``level_from_horizon``: pitch and
roll), then turned about the vertical so that the reference landmark's pixel looks along the
landmark's geodesic azimuth from the camera position (``with_reference_azimuth``), and the target's
pixel is read off (``pixel_azimuth_elevation``). Azimuths are clockwise from true north in
degrees; pixels have their origin top-left with pixel centres at integer coordinates.

Without an EXIF focal length the field of view can come from a second reference landmark
(``hfov_from_references``): with the camera position known, the angle between two landmarks
is known, and the field of view is the one that puts that angle between their pixels.

The default one-sigma: both clicks (reference and target) are uncertain by ``click_sigma_px``
each, so their angular separation is uncertain by sqrt(2) x click_sigma_px x (hfov / width)
degrees; an error in the field of view itself adds a part proportional to that separation,
which the analyst should add when the focal length is doubtful.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.camera import (
    PinholeCamera,
    distance_from_height_m,
    hfov_from_focal_35mm,
    level_from_horizon,
    with_reference_azimuth,
)
from analysis.geometry.ellipse import ErrorEllipse, chi2_2dof_quantile
from analysis.geometry.geodesy import LatLon
from analysis.geometry.pinhole_batch import level_azimuths_deg, wrap_deg

DEFAULT_CLICK_SIGMA_PX = 0.5  # a careful click on a sharp feature, zoomed in
DEFAULT_HFOV_DEG = 60.0  # only a starting value for the spin box: the analyst must set it
BEARING_METHOD = (
    "pinhole camera (analysis.geometry.camera): level_from_horizon, with_reference_azimuth, "
    "pixel_azimuth_elevation; reference azimuth on the WGS84 geodesic"
)

Pixel = tuple[float, float]


@dataclass(frozen=True)
class FieldOfView:
    """A horizontal field of view and where it came from (for the stored inputs)."""

    hfov_deg: float
    source: str  # "exif:focal_length_35mm=26 mm" or "typed"


def fov_from_metadata(
    metadata: dict, width_px: int | None = None, height_px: int | None = None
) -> FieldOfView | None:
    """The horizontal field of view from an evidence's EXIF 35 mm-equivalent focal length.

    The 35 mm equivalent describes the sensor's long side (36 mm), so an upright portrait
    picture (height > width) spans that angle vertically: its horizontal angle is then
    2 atan(tan(fov_long / 2) x width / height) (square pixels). None without a focal length.
    """
    camera = metadata.get("camera") or {}
    f35 = camera.get("focal_length_35mm")
    if not isinstance(f35, int | float) or not f35 > 0:
        return None
    fov_long = hfov_from_focal_35mm(float(f35))
    source = f"exif:focal_length_35mm={f35:g} mm"
    if width_px and height_px and height_px > width_px:
        half = math.atan(math.tan(math.radians(fov_long) / 2.0) * width_px / height_px)
        return FieldOfView(math.degrees(2.0 * half), source + " (portrait: long side vertical)")
    return FieldOfView(fov_long, source)


def pixel_aspect_of(sar: tuple[int, int] | None, rotation_deg: int = 0) -> float:
    """Pixel width / height of the upright frame from a video's sample aspect ratio."""
    if sar is None or sar[0] <= 0 or sar[1] <= 0:
        return 1.0
    aspect = sar[0] / sar[1]
    return 1.0 / aspect if int(round(rotation_deg / 90.0)) % 2 else aspect


def default_sigma_deg(
    width_px: int, hfov_deg: float, click_sigma_px: float = DEFAULT_CLICK_SIGMA_PX
) -> float:
    """One-sigma of a bearing from two clicks of ``click_sigma_px`` each (module doc)."""
    return math.sqrt(2.0) * click_sigma_px * hfov_deg / width_px


def sigma_from_pixels_deg(
    width_px: int, hfov_deg: float, reference_sigma_px: float, target_sigma_px: float
) -> float:
    """One-sigma of a bearing whose two pixels are uncertain by different amounts.

    The reference is a click; the target may be a blob whose centre is less certain than a
    click (a flash's core, half hidden by buildings). The two add in quadrature, scaled by the
    angle of one pixel, hfov / width (``default_sigma_deg`` is the case of equal clicks).
    """
    return hfov_deg / width_px * math.hypot(reference_sigma_px, target_sigma_px)


@dataclass(frozen=True)
class BearingSetup:
    """What the analyst gave: the frame's size, the field of view and the clicks."""

    width_px: int
    height_px: int
    hfov_deg: float
    camera_position: LatLon
    reference_position: LatLon
    reference_px: Pixel
    target_px: Pixel
    horizon_px: tuple[Pixel, Pixel] | None = None
    pixel_aspect: float = 1.0


@dataclass(frozen=True)
class BearingSolution:
    """The target's direction and the camera orientation it came from."""

    azimuth_deg: float  # target, clockwise from true north
    elevation_deg: float  # target, up from the horizontal
    reference_azimuth_deg: float  # geodesic azimuth camera -> reference landmark
    view_azimuth_deg: float  # the optical axis (yaw)
    pitch_deg: float
    roll_deg: float


def levelled_camera(setup: BearingSetup) -> PinholeCamera:
    """The frame's camera with the pitch and roll of the horizon clicks (0 without them)."""
    camera = PinholeCamera(
        setup.width_px, setup.height_px, setup.hfov_deg, pixel_aspect=setup.pixel_aspect
    )
    if setup.horizon_px is not None:
        camera = level_from_horizon(camera, *setup.horizon_px)
    return camera


def solve_bearing(setup: BearingSetup) -> BearingSolution:
    """The target's azimuth from a reference landmark's pixel (see the module doc).

    Raises:
        GeometryError: for an impossible camera (field of view, size) or coincident
            horizon pixels.
    """
    camera = levelled_camera(setup)
    reference_az = geodesy.azimuth_deg(setup.camera_position, setup.reference_position)
    oriented = with_reference_azimuth(camera, setup.reference_px, reference_az)
    azimuth, elevation = oriented.pixel_azimuth_elevation(*setup.target_px)
    return BearingSolution(
        azimuth_deg=azimuth,
        elevation_deg=elevation,
        reference_azimuth_deg=reference_az,
        view_azimuth_deg=oriented.yaw_deg,
        pitch_deg=oriented.pitch_deg,
        roll_deg=oriented.roll_deg,
    )


HFOV_SEARCH_DEG = (1.0, 170.0)
MIN_REFERENCE_ANGLE_DEG = 0.5


@dataclass(frozen=True)
class FovFromReferences:
    """A field of view fixed by two references, and another that fits as well (or None)."""

    hfov_deg: float
    rival_deg: float | None


def hfov_from_references(
    width_px: int,
    height_px: int,
    camera_position: LatLon,
    references: tuple[tuple[LatLon, Pixel], tuple[LatLon, Pixel]],
    *,
    horizon_px: tuple[Pixel, Pixel] | None = None,
    pixel_aspect: float = 1.0,
    near_deg: float = DEFAULT_HFOV_DEG,
) -> FovFromReferences:
    """The horizontal field of view that puts the two references' geodesic angle, seen from the
    camera, between their pixels (after levelling on the horizon when given).

    When the pixels straddle the image centre the angle between them grows with the field of
    view and one value fits. When both lie on one side it rises and falls again, and two
    values can fit (a narrow and a wide lens): every change of sign on a log-spaced scan of
    ``HFOV_SEARCH_DEG`` is refined (256 sub-intervals a pass, the pinhole model evaluated for
    many fields of view at once: ``_seen_deg``), the root nearest ``near_deg`` (the value
    the analyst had) is taken and the other is returned as the rival.

    Raises:
        GeometryError: for references less than ``MIN_REFERENCE_ANGLE_DEG`` apart, clicked in
            the opposite order to their azimuths, or an angle no field of view reaches.
    """
    (first, first_px), (second, second_px) = references
    wanted = geodesy.angle_difference_deg(
        geodesy.azimuth_deg(camera_position, second), geodesy.azimuth_deg(camera_position, first)
    )
    if abs(wanted) < MIN_REFERENCE_ANGLE_DEG:
        raise GeometryError(
            f"the two references are {abs(wanted):.2f} deg apart seen from the camera: "
            f"at least {MIN_REFERENCE_ANGLE_DEG} deg is needed to fix the field of view"
        )

    check = PinholeCamera(width_px, height_px, DEFAULT_HFOV_DEG, pixel_aspect=pixel_aspect)
    if horizon_px is not None:  # impossible sizes and coincident horizon pixels are refused
        level_from_horizon(check, *horizon_px)
    lo, hi = HFOV_SEARCH_DEG
    size, pixels = (width_px, height_px, pixel_aspect), (first_px, second_px)

    def excesses(hfovs: np.ndarray) -> np.ndarray:
        seen = _seen_deg(size, hfovs, pixels, horizon_px)
        if np.any(seen * wanted <= 0.0):
            raise GeometryError(
                "the references appear in the frame in the opposite order to their azimuths"
            )
        return np.abs(seen) - abs(wanted)

    scan = lo * (hi / lo) ** (np.arange(200) / 199)
    values = excesses(scan)
    roots = []
    for a, b, fa, fb in zip(scan, scan[1:], values, values[1:], strict=False):
        if fa == 0.0 or fa * fb < 0.0:
            for _ in range(6):  # 255 points a pass: 256^6 is beyond double precision
                grid = np.linspace(a, b, 257)
                flipped = (excesses(grid[1:-1]) < 0.0) != (fa < 0.0)
                k = int(np.argmax(flipped)) if np.any(flipped) else 255
                a, b = grid[k], grid[k + 1]
            roots.append(float(0.5 * (a + b)))
    if not roots:
        raise GeometryError(
            f"no field of view between {lo:g} and {hi:g} deg puts {abs(wanted):.2f} deg "
            "between the two reference pixels"
        )
    roots.sort(key=lambda h: abs(math.log(h / near_deg)))
    return FovFromReferences(roots[0], roots[1] if len(roots) > 1 else None)


def _seen_deg(
    size: tuple[int, int, float],
    hfovs: np.ndarray,
    pixels: tuple[Pixel, Pixel],
    horizon_px: tuple[Pixel, Pixel] | None,
) -> np.ndarray:
    """The horizontal angle from the first pixel to the second for many fields of view at once
    (``analysis.geometry.pinhole_batch``, levelled on the horizon pixels when given), in deg."""
    m = len(hfovs)
    px = np.broadcast_to(np.array(pixels, dtype=float), (m, 2, 2))
    hz = None if horizon_px is None else np.broadcast_to(np.array(horizon_px, float), (m, 2, 2))
    az = level_azimuths_deg(size, hfovs, px, hz)
    return wrap_deg(az[:, 1] - az[:, 0])


@dataclass(frozen=True)
class RangeEstimate:
    """Horizontal distance to the target from the pixels of its top and bottom."""

    distance_m: float
    sigma_m: float  # one-sigma: the two clicks and the height's own uncertainty
    height_m: float
    height_sigma_m: float
    span_px: float  # the object's height in the picture


def range_from_height(
    setup: BearingSetup,
    top_px: Pixel,
    bottom_px: Pixel,
    height_m: float,
    height_sigma_m: float = 0.0,
    click_sigma_px: float = DEFAULT_CLICK_SIGMA_PX,
) -> RangeEstimate:
    """The target's distance from its known height (``camera.distance_from_height_m``
    on the levelled camera). The distance scales as height / span, so two clicks uncertain by
    ``click_sigma_px`` each add D x sqrt(2) x click_sigma / span, and the height's one-sigma
    adds D x height_sigma / height (in quadrature). The field of view's error is not in it.

    Raises:
        GeometryError: for a height that is not positive or a top not above the bottom.
    """
    if height_sigma_m < 0.0:
        raise GeometryError(f"height uncertainty {height_sigma_m} m is negative")
    distance = distance_from_height_m(levelled_camera(setup), top_px, bottom_px, height_m)
    span = math.hypot(top_px[0] - bottom_px[0], top_px[1] - bottom_px[1])
    clicks = distance * math.sqrt(2.0) * click_sigma_px / max(span, 1e-9)
    sigma = math.hypot(clicks, distance * height_sigma_m / height_m)
    return RangeEstimate(distance, sigma, height_m, height_sigma_m, span)


@dataclass(frozen=True)
class RangeFix:
    """A bearing with a range, from one camera: the point down the ray and its ellipse."""

    position: LatLon
    ellipse: ErrorEllipse


def range_fix(
    origin: LatLon,
    azimuth_deg: float,
    sigma_deg: float,
    distance_m: float,
    sigma_m: float,
    confidence: float = 0.95,
) -> RangeFix:
    """The fix a bearing and a range give: the point ``distance_m`` down the geodesic ray and
    its confidence ellipse, along the ray the range's one-sigma, across it the bearing's
    (distance x sigma in radians), scaled by sqrt(chi-square 2 dof) for ``confidence``.
    The two errors are taken as independent, which is right when the range comes from a
    height (pixels of the target's top and bottom) and the bearing from its azimuth.
    """
    centre = geodesy.destination(origin, azimuth_deg, distance_m)
    along, across = sigma_m, distance_m * math.radians(sigma_deg)
    k = math.sqrt(chi2_2dof_quantile(confidence))
    major_az = azimuth_deg if along >= across else azimuth_deg + 90.0
    ellipse = ErrorEllipse(
        k * max(along, across), k * min(along, across), major_az % 180.0, confidence
    )
    return RangeFix(centre, ellipse)

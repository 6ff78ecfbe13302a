"""The one-sigma of a bearing built from its parts, and how its errors are shared (Qt-free).

A bearing measured in a frame is ``az = az(camera -> reference) + D``, where D is the angle,
seen through the levelled pinhole camera, from the reference's pixel to the target's
(``analysis.geometry.bearing.solve_bearing``). Its error comes from:

- the clicks (reference, target, and a second reference when it fixed the field of view),
  each uncertain by ``click_sigma_px`` frame pixels: the angle one pixel spans is taken
  through the pinhole model at the clicked pixel (not hfov / width, which understates it
  near the centre of a wide frame by ~5% at 45-50 degrees);
- the levelling: the horizon clicks (same precision), or, without them, a tilt of
  ``tilt_sigma_deg`` in pitch and in roll that the analyst did not remove;
- the field of view: a typed one's ``hfov_sigma_deg``; one fitted to two references carries
  the errors of those references instead (clicks and positions, through the fit);
- the positions of the reference landmark(s) and of the camera, each uncertain by its
  ``sigma_m`` on each horizontal axis, over the range to it.

Everything is a first-order propagation (Jacobian by forward differences of the pinhole
model, the geodesic's reduced length for positions; Karney 2013, section 3). Errors of
sources that another bearing can share (a landmark, a camera position, a typed field of
view of one camera) are not folded into one number for triangulation: they are returned as
loadings (degrees of azimuth per one-sigma of each component of the source), keyed by what
is shared, so ``analysis.geometry.triangulation_gls`` can build one covariance over all rays.
The camera's own move of the ray's origin depends on where the target is and is added there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.geometry import geodesy
from analysis.geometry.bearing import BearingSetup, Pixel
from analysis.geometry.camera import PinholeCamera
from analysis.geometry.geodesy import LatLon
from analysis.geometry.pinhole_batch import level_azimuths_deg, wrap_deg

SCREEN_CLICK_SIGMA_PX = 1.5  # where a hand click lands, in screen pixels
MIN_CLICK_SIGMA_PX = 1.0  # a feature's own blur and compression, in frame pixels
DEFAULT_TILT_SIGMA_DEG = 2.0  # pitch and roll of a hand-held or unlevelled camera
DEFAULT_TYPED_HFOV_SIGMA_DEG = 1.0
_STEP_PX = 1e-3
_STEP_DEG = 1e-4


def click_sigma_px(zoom: float, screen_sigma_px: float = SCREEN_CLICK_SIGMA_PX) -> float:
    """One click's one-sigma in frame pixels at a view zoom (screen pixels per frame pixel):
    the screen precision divided by the zoom, never below ``MIN_CLICK_SIGMA_PX``."""
    return max(MIN_CLICK_SIGMA_PX, screen_sigma_px / max(zoom, 1e-6))


def pixel_angle_deg(camera: PinholeCamera, px: Pixel) -> float:
    """The horizontal angle one frame pixel spans at ``px`` through the pinhole model."""
    a = camera.pixel_azimuth_elevation(px[0] - 0.5, px[1])[0]
    b = camera.pixel_azimuth_elevation(px[0] + 0.5, px[1])[0]
    return abs(geodesy.angle_difference_deg(b, a))


@dataclass(frozen=True)
class PlacedPoint:
    """A landmark or camera position, what it is called when shared, and its uncertainty."""

    key: str  # "landmark:7", "camera:3": bearings with the same key share its error
    position: LatLon
    sigma_m: float = 0.0  # one-sigma on each horizontal axis


@dataclass(frozen=True)
class SigmaSources:
    """How uncertain each input of a bearing is (see the module doc)."""

    click_sigma_px: float
    camera: PlacedPoint
    reference: PlacedPoint
    target_sigma_px: float | None = None  # a blob's centre, when less certain than a click
    hfov_sigma_deg: float = 0.0  # a typed field of view's one-sigma
    fov_key: str = ""  # bearings of one camera with one typed field of view share its error
    second_reference: tuple[PlacedPoint, Pixel] | None = None  # the field of view came from it
    tilt_sigma_deg: float = DEFAULT_TILT_SIGMA_DEG  # without horizon clicks only


@dataclass(frozen=True)
class SigmaPart:
    """One term of the sum: its one-sigma in degrees and the figure behind it."""

    name: str
    sigma_deg: float
    detail: str


@dataclass(frozen=True)
class Loading:
    """A shared source's effect on one bearing: degrees of azimuth per one-sigma of each of
    its components; ``origin_sigma_m`` when the ray's origin moves with it (a camera)."""

    key: str
    loading_deg: tuple[float, ...]
    origin_sigma_m: float = 0.0


@dataclass(frozen=True)
class BearingSigma:
    """The parts, the independent one-sigma and the shared loadings of a bearing."""

    parts: tuple[SigmaPart, ...]
    independent_sigma_deg: float  # clicks and levelling: this bearing's alone
    shared: tuple[Loading, ...]

    @property
    def sigma_deg(self) -> float:
        """The total, the parts added in quadrature (a camera's move of the origin aside)."""
        return math.sqrt(sum(p.sigma_deg**2 for p in self.parts))


def _position_gradient(camera: LatLon, point: LatLon) -> tuple[np.ndarray, np.ndarray, float]:
    """d az(camera -> point) / d point and / d camera, in degrees per metre (east, north)."""
    g = geodesy.inverse(camera, point)
    m12 = max(g.reduced_length_m, 1e-3)
    a1, a2 = math.radians(g.azimuth1_deg), math.radians(g.azimuth2_deg)
    at_point = np.degrees(np.array([math.cos(a2), -math.sin(a2)]) / m12)
    at_camera = -np.degrees(np.array([math.cos(a1), -math.sin(a1)]) / m12)
    return at_point, at_camera, g.distance_m


class _Frame:
    """The pixel angles of a bearing as a function of its pixels, field of view and tilt."""

    def __init__(self, setup: BearingSetup, second_px: Pixel | None, tilt: bool) -> None:
        self.setup, self.second_px, self.tilt = setup, second_px, tilt
        horizon = setup.horizon_px or ()
        pixels = [setup.reference_px, setup.target_px, *([second_px] if second_px else [])]
        self.x0 = np.array([c for p in (*pixels, *horizon) for c in p] + [setup.hfov_deg])
        if tilt:
            self.x0 = np.append(self.x0, [0.0, 0.0])
        self.n_clicks = 2 * len(pixels)
        self.n_horizon = 2 * len(horizon)

    def angles(self, xs: np.ndarray) -> np.ndarray:
        """(m, 2 or 1) angles target - reference (and second - reference) of m inputs."""
        s, k, h = self.setup, self.n_clicks, self.n_horizon
        size = (s.width_px, s.height_px, s.pixel_aspect)
        pixels = xs[:, :k].reshape(len(xs), k // 2, 2)
        horizon = xs[:, k : k + h].reshape(len(xs), 2, 2) if h else None
        tilt = xs[:, -2:] if self.tilt else None
        az = level_azimuths_deg(size, xs[:, k + h], pixels, horizon, tilt)
        return wrap_deg(az[:, 1:] - az[:, :1])

    def jacobian(self) -> np.ndarray:
        """d angles / d x (rows: target angle, second reference angle), forward differences."""
        n = len(self.x0)
        steps = np.full(n, _STEP_PX)
        steps[self.n_clicks + self.n_horizon :] = _STEP_DEG
        xs = np.vstack([self.x0, self.x0 + np.diag(steps)])
        f = self.angles(xs)
        return ((f[1:] - f[0]) / steps[:, None]).T


def bearing_sigma(setup: BearingSetup, sources: SigmaSources) -> BearingSigma:
    """The one-sigma of a measured bearing from its parts (see the module doc).

    Raises:
        GeometryError: for an impossible camera or coincident horizon pixels.
    """
    second = sources.second_reference
    tilt = setup.horizon_px is None and sources.tilt_sigma_deg > 0.0
    frame = _Frame(setup, second[1] if second else None, tilt)
    jac = frame.jacobian()
    apart_deg = abs(float(frame.angles(frame.x0[None])[0, 0]))
    k, h = frame.n_clicks, frame.n_horizon
    hfov_col = k + h
    click = np.full(k, sources.click_sigma_px)
    if sources.target_sigma_px is not None:
        click[2:4] = sources.target_sigma_px
    cam, ref = sources.camera.position, sources.reference.position
    g_ref, g_cam, range_ref = _position_gradient(cam, ref)
    if second is None:
        gain = jac[0, hfov_col]  # degrees of azimuth per degree of field of view
        direct = jac[0]
        through = 0.0
    else:  # the fit keeps the references' angle: dhfov = (dW - dD2) / (dD2 / dhfov)
        through = jac[0, hfov_col] / jac[1, hfov_col]
        direct = jac[0] - through * jac[1]
        gain = 0.0
    click_part = float(np.sqrt(np.sum((direct[:k] * click) ** 2)))
    if h:
        level_part = float(np.sqrt(np.sum((direct[k:hfov_col] * sources.click_sigma_px) ** 2)))
        level_detail = f"horizon clicks, {sources.click_sigma_px:.2g} px each"
    elif tilt:
        level_part = float(np.hypot(*direct[-2:]) * sources.tilt_sigma_deg)
        level_detail = f"not levelled: pitch and roll ± {sources.tilt_sigma_deg:g}°"
    else:
        level_part, level_detail = 0.0, "not levelled, tilt taken as exact"
    ref_pixel = PinholeCamera(
        setup.width_px, setup.height_px, setup.hfov_deg, pixel_aspect=setup.pixel_aspect
    )
    per_px = pixel_angle_deg(ref_pixel, setup.target_px)
    parts = [
        SigmaPart(
            "clicks",
            click_part,
            f"{sources.click_sigma_px:.2g} px a click; a pixel there spans {per_px:.4f}°",
        ),
        SigmaPart("levelling", level_part, level_detail),
    ]
    shared: list[Loading] = []
    ref_load = (1.0 - through) * g_ref * sources.reference.sigma_m
    cam_load = (1.0 - through) * g_cam * sources.camera.sigma_m
    shared.append(Loading(sources.reference.key, tuple(ref_load)))
    parts.append(
        SigmaPart(
            "reference position",
            float(np.hypot(*ref_load)),
            f"± {sources.reference.sigma_m:g} m at {range_ref:,.0f} m",
        )
    )
    if second is not None:
        placed = second[0]
        g2, g2_cam, range2 = _position_gradient(cam, placed.position)
        load2 = through * g2 * placed.sigma_m
        cam_load = cam_load + through * g2_cam * sources.camera.sigma_m
        shared.append(Loading(placed.key, tuple(load2)))
        parts.append(
            SigmaPart(
                "field of view (second reference)",
                float(np.hypot(*load2)),
                f"± {placed.sigma_m:g} m at {range2:,.0f} m; its click is under clicks",
            )
        )
    else:
        fov_part = abs(gain) * sources.hfov_sigma_deg
        shared.append(Loading(sources.fov_key or "fov", (gain * sources.hfov_sigma_deg,)))
        parts.append(
            SigmaPart(
                "field of view",
                fov_part,
                f"± {sources.hfov_sigma_deg:g}° on a {setup.hfov_deg:.1f}° view, the target "
                f"{apart_deg:.1f}° from the landmark",
            )
        )
    shared.append(Loading(sources.camera.key, tuple(cam_load), sources.camera.sigma_m))
    parts.append(
        SigmaPart(
            "camera position",
            float(np.hypot(*cam_load)),
            f"± {sources.camera.sigma_m:g} m, {range_ref:,.0f} m from the landmark (the "
            "ray's own shift is counted when intersecting)",
        )
    )
    independent = math.hypot(click_part, level_part)
    return BearingSigma(tuple(parts), independent, tuple(shared))


def describe(sigma: BearingSigma, parts: Sequence[SigmaPart] | None = None) -> str:
    """The sum as text, one part a line (what the Bearing tool shows when opened)."""
    lines = [f"± {sigma.sigma_deg:.3f}° in all (1σ, parts added in quadrature):"]
    for p in parts or sigma.parts:
        lines.append(f"  {p.name}: {p.sigma_deg:.3f}°  ({p.detail})")
    return "\n".join(lines)

"""Measuring a shadow on a picture: the maths of the Shadow tool (Qt-free).

The analyst clicks a vertical object's base, its shadow's tip and (for a length ratio on an
oblique frame) the object's top. Two pictures are handled:

* **Nadir imagery** (a satellite or drone picture looking straight down): the shadow's
  direction is read against north directly. ``north_rotation_deg`` is the azimuth the image's
  "up" points to (0 for a north-up image, clockwise from true north). The length ratio needs
  the ground sample distance and the object's height (its top stands over its base).
* **An oblique frame** (bearing geometry, ``analysis.geometry.bearing``): the camera's position,
  a reference landmark's pixel, the field of view and the horizon (pitch and roll) turn every
  pixel into an azimuth and an elevation from the camera. A pixel below the horizon is a
  ground point at distance h / tan(depression), h the camera's height above the (level)
  ground; the shadow's ground direction is the azimuth from the base's ground point to the
  tip's, and the object's height is d_base * (tan(e_top) - tan(e_base)).

Uncertainty: each click has one sigma in x and y; the direction's and the ratio's sigmas are
the clicks' propagated by a numerical Jacobian (first order). On a frame seen from far and
low, ground directions are squeezed by perspective and the sigma says so (ADR 0009).
Conventions: pixels origin top-left, x right, y down; azimuths clockwise from true north.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.sun.errors import SunInputError

Pixel = tuple[float, float]
AzEl = Callable[[float, float], tuple[float, float]]  # pixel -> (azimuth, elevation) deg


@dataclass(frozen=True)
class ShadowReading:
    """A shadow measured on a picture.

    Attributes:
        shadow_azimuth_deg: The shadow's direction (object base to shadow tip).
        azimuth_sigma_deg: One sigma of it, from the clicks.
        length_ratio: Shadow length over object height, or None when it cannot be read.
        ratio_sigma: One sigma of the ratio (None with it).
        length_px: The shadow's length in the picture.
        base_distance_m: Camera to the object's base on the ground (oblique only).
        base_azimuth_deg: Camera to the object's base (oblique only).
    """

    shadow_azimuth_deg: float
    azimuth_sigma_deg: float
    length_ratio: float | None
    ratio_sigma: float | None
    length_px: float
    base_distance_m: float | None = None
    base_azimuth_deg: float | None = None


def _wrap(d: float) -> float:
    return (d + 180.0) % 360.0 - 180.0


def _check_length(base: Pixel, tip: Pixel, click_sigma_px: float) -> float:
    if not click_sigma_px > 0:
        raise SunInputError("the click sigma must be above 0 pixels")
    length = math.dist(base, tip)
    if length < 3 * click_sigma_px:
        raise SunInputError(
            f"the shadow is {length:.1f} px long: too short to give a direction "
            f"(clicks of {click_sigma_px:g} px); zoom in or pick a longer shadow"
        )
    return length


def nadir_shadow(
    base_px: Pixel,
    tip_px: Pixel,
    *,
    click_sigma_px: float = 1.0,
    north_rotation_deg: float = 0.0,
    gsd_m: float | None = None,
    height_m: float | None = None,
    height_sigma_m: float = 0.0,
) -> ShadowReading:
    """The shadow on a picture looking straight down (see the module doc).

    Raises:
        SunInputError: On a shadow too short for its clicks, a GSD or a height not above 0.
    """
    length = _check_length(base_px, tip_px, click_sigma_px)
    dx, dy = tip_px[0] - base_px[0], tip_px[1] - base_px[1]
    az = (math.degrees(math.atan2(dx, -dy)) + north_rotation_deg) % 360.0
    sigma = math.degrees(math.sqrt(2.0) * click_sigma_px / length)
    ratio = ratio_sigma = None
    if gsd_m is not None and height_m is not None:
        if not (gsd_m > 0 and height_m > 0):
            raise SunInputError("the ground sample distance and the height must be above 0")
        ratio = length * gsd_m / height_m
        rel = math.hypot(math.sqrt(2.0) * click_sigma_px / length, height_sigma_m / height_m)
        ratio_sigma = ratio * rel
    return ShadowReading(az, sigma, ratio, ratio_sigma, length)


def _ground(az_el: AzEl, px: Pixel, camera_height_m: float) -> np.ndarray:
    az, el = az_el(px[0], px[1])
    if el >= -0.05:
        raise SunInputError(
            f"the pixel ({px[0]:.0f}, {px[1]:.0f}) is at or above the horizon: it is no point "
            "on the ground (check the horizon clicks, or click the shadow's end on the ground)"
        )
    d = camera_height_m / math.tan(math.radians(-el))
    return np.array([d * math.sin(math.radians(az)), d * math.cos(math.radians(az))])


def _oblique_values(
    az_el: AzEl, px: np.ndarray, camera_height_m: float, with_top: bool
) -> np.ndarray:
    base = _ground(az_el, (px[0], px[1]), camera_height_m)
    tip = _ground(az_el, (px[2], px[3]), camera_height_m)
    v = tip - base
    az = math.degrees(math.atan2(v[0], v[1])) % 360.0
    out = [az, float(np.hypot(*v)), float(np.hypot(*base))]
    if with_top:
        _, e_top = az_el(px[4], px[5])
        _, e_base = az_el(px[0], px[1])
        d = float(np.hypot(*base))
        height = d * (math.tan(math.radians(e_top)) - math.tan(math.radians(e_base)))
        out.append(out[1] / height if height > 0 else math.nan)
    return np.array(out)


def oblique_shadow(
    az_el: AzEl,
    base_px: Pixel,
    tip_px: Pixel,
    camera_height_m: float,
    *,
    top_px: Pixel | None = None,
    click_sigma_px: float = 1.0,
) -> ShadowReading:
    """The shadow on an oblique frame through bearing geometry (see the module doc).

    Args:
        az_el: Pixel to (azimuth, elevation) from the camera, degrees (the oriented, levelled
            camera of the Bearing tool).
        base_px, tip_px: The object's base and its shadow's tip.
        camera_height_m: The camera's height above the ground the shadow lies on.
        top_px: The object's top, for the length ratio (its height from the picture).
        click_sigma_px: One sigma of each click, in x and y.

    Raises:
        SunInputError: On a camera height not above 0, a pixel at or above the horizon, a
            shadow too short for its clicks, or a top not above the base.
    """
    if not camera_height_m > 0:
        raise SunInputError("the camera's height above the ground must be above 0 m")
    length = _check_length(base_px, tip_px, click_sigma_px)
    px = np.array([*base_px, *tip_px, *(top_px or ())], dtype=float)
    with_top = top_px is not None
    values = _oblique_values(az_el, px, camera_height_m, with_top)
    if with_top and not np.isfinite(values[3]):
        raise SunInputError("the object's top must be above its base in the picture")
    step = 0.25
    jac = np.zeros((values.size, px.size))
    for k in range(px.size):
        d = np.zeros(px.size)
        d[k] = step
        hi = _oblique_values(az_el, px + d, camera_height_m, with_top)
        lo = _oblique_values(az_el, px - d, camera_height_m, with_top)
        diff = (hi - lo) / (2 * step)
        diff[0] = _wrap(hi[0] - lo[0]) / (2 * step)
        jac[:, k] = diff
    sigmas = np.sqrt(np.sum(jac**2, axis=1)) * click_sigma_px
    ratio = float(values[3]) if with_top else None
    ratio_sigma = float(sigmas[3]) if with_top else None
    az_base = az_el(base_px[0], base_px[1])[0] % 360.0
    return ShadowReading(
        float(values[0]),
        float(sigmas[0]),
        ratio,
        ratio_sigma,
        length,
        base_distance_m=float(values[2]),
        base_azimuth_deg=float(az_base),
    )

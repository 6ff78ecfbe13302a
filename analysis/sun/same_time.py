"""Same time in two frames: do the shadows in two segments say the same time of day?

A shadow is measured in each frame as a segment from an object's base to its shadow's tip
(pixels). The camera geometry between the frames, a homography H mapping frame 1 to frame 2
(the continuity homography of the ground, or K R K^-1 for a camera that only turned), carries
frame 1's segment into frame 2, where it is compared with the shadow measured there. The sun's
azimuth moves the shadow at a rate known from SPA at the place (or given); the angle between
the two directions, over that rate, is the time between the frames.

The image angle equals the ground azimuth change only on a nadir view; on an oblique view the
perspective squeezes ground directions (seen from a far rooftop almost every shadow on the
ground looks horizontal). So when a frame's pose is known, ``same_time_posed`` takes each
frame's ground-to-image homography (a posed camera: K [r1 r2 t]; for frame 2 it is also H times
frame 1's), maps the clicks back onto the ground and compares true azimuths, the click sigma
propagated through the homography's Jacobian. ``same_time`` (image angles through a frame 1 to
2 homography) is for nadir views, or with ``ground_per_image`` from the pose.
Uncertainty: a segment of length L pixels with clicks of sigma s pixels has a direction sigma of
sqrt(2) s / L radians; the two frames' sigmas add in quadrature; 95% is 1.96 sigma.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.sun.errors import SunInputError
from analysis.sun.spa import angle_diff_deg, sun_positions


@dataclass(frozen=True)
class ShadowSegment:
    """Object base and shadow tip in one frame (pixels, origin top-left, y down)."""

    base_px: tuple[float, float]
    tip_px: tuple[float, float]
    click_sigma_px: float = 1.0

    def length_px(self) -> float:
        return math.dist(self.base_px, self.tip_px)


@dataclass(frozen=True)
class SameTimeVerdict:
    """The answer for two frames.

    Attributes:
        angle_difference_deg: Frame 2's shadow direction minus frame 1's mapped one.
        sigma_deg: One sigma of that difference.
        rate_deg_per_min: How fast the shadow turns at the place and time.
        minutes_apart: Best estimate of the time between the frames (signed).
        within_min: 95% bound on |time between the frames|, minutes.
        same_time: True when the difference is within its 95% uncertainty.
    """

    angle_difference_deg: float
    sigma_deg: float
    rate_deg_per_min: float
    minutes_apart: float
    within_min: float
    same_time: bool


def homography_from_rotation(k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Frame 1 to frame 2 for a camera that turned by R (K R K^-1)."""
    return np.asarray(k, float) @ np.asarray(r, float) @ np.linalg.inv(np.asarray(k, float))


def _apply(h: np.ndarray, p: tuple[float, float]) -> np.ndarray:
    v = h @ np.array([p[0], p[1], 1.0])
    if abs(v[2]) < 1e-12:
        raise SunInputError("the homography sends a shadow point to infinity")
    return v[:2] / v[2]


def _direction_deg(a: np.ndarray, b: np.ndarray) -> float:
    return math.degrees(math.atan2(b[0] - a[0], -(b[1] - a[1])))  # clockwise from image up


def shadow_rate_deg_per_min(t_posix_s: float, lat_deg: float, lon_deg: float) -> float:
    """How fast a vertical object's shadow turns (the sun's azimuth rate), degrees a minute."""
    pos = sun_positions(np.array([t_posix_s - 60.0, t_posix_s + 60.0]), lat_deg, lon_deg)
    return abs(float(angle_diff_deg(pos.azimuth_deg[1], pos.azimuth_deg[0]))) / 2.0


def same_time(
    frame1: ShadowSegment,
    frame2: ShadowSegment,
    homography_1_to_2: np.ndarray,
    rate_deg_per_min: float,
    *,
    ground_per_image: float = 1.0,
) -> SameTimeVerdict:
    """Compare the shadow directions of two frames through the camera geometry.

    Args:
        frame1: The shadow in frame 1.
        frame2: The shadow (of the same object, or a parallel one) in frame 2.
        homography_1_to_2: 3x3 mapping frame 1 pixels to frame 2 pixels.
        rate_deg_per_min: The shadow's turning rate (``shadow_rate_deg_per_min``).
        ground_per_image: Ground azimuth change per degree of image angle.

    Raises:
        SunInputError: On a degenerate segment, homography or rate.
    """
    for name, seg in (("frame 1", frame1), ("frame 2", frame2)):
        if seg.length_px() < 3 * max(seg.click_sigma_px, 0.5):
            raise SunInputError(f"the shadow in {name} is too short to give a direction")
    if not rate_deg_per_min > 0:
        raise SunInputError("the shadow's turning rate must be above 0 degrees a minute")
    h = np.asarray(homography_1_to_2, dtype=float)
    if h.shape != (3, 3) or not np.all(np.isfinite(h)):
        raise SunInputError("the camera geometry must be a finite 3x3 homography")
    a, b = _apply(h, frame1.base_px), _apply(h, frame1.tip_px)
    mapped = _direction_deg(a, b)
    seen = _direction_deg(np.array(frame2.base_px), np.array(frame2.tip_px))
    diff = float(angle_diff_deg(seen, mapped)) * ground_per_image
    s1 = math.degrees(math.sqrt(2) * frame1.click_sigma_px / frame1.length_px())
    s2 = math.degrees(math.sqrt(2) * frame2.click_sigma_px / frame2.length_px())
    sigma = math.hypot(s1, s2) * ground_per_image
    return SameTimeVerdict(
        angle_difference_deg=diff,
        sigma_deg=sigma,
        rate_deg_per_min=rate_deg_per_min,
        minutes_apart=diff / rate_deg_per_min,
        within_min=(abs(diff) + 1.96 * sigma) / rate_deg_per_min,
        same_time=abs(diff) <= 1.96 * sigma,
    )


def ground_azimuth_deg(
    segment: ShadowSegment, image_from_ground: np.ndarray
) -> tuple[float, float]:
    """The ground azimuth of a shadow clicked in a posed frame, and its one sigma.

    Args:
        segment: Base and tip in pixels.
        image_from_ground: 3x3 homography from ground (east, north, 1) metres to pixels.

    Returns:
        Azimuth clockwise from north and its sigma (degrees), from the click sigma pushed
        through the inverse homography (numerical Jacobian).
    """
    inv = np.linalg.inv(np.asarray(image_from_ground, dtype=float))

    def azimuth(px: np.ndarray) -> float:
        base = _apply(inv, (px[0], px[1]))
        tip = _apply(inv, (px[2], px[3]))
        return math.degrees(math.atan2(tip[0] - base[0], tip[1] - base[1])) % 360.0

    px = np.array([*segment.base_px, *segment.tip_px], dtype=float)
    az = azimuth(px)
    grad = np.zeros(4)
    for k in range(4):
        step = np.zeros(4)
        step[k] = 0.01
        grad[k] = float(angle_diff_deg(azimuth(px + step), azimuth(px - step))) / 0.02
    sigma = float(np.linalg.norm(grad) * segment.click_sigma_px)
    return az, sigma


def same_time_posed(
    frame1: ShadowSegment,
    frame2: ShadowSegment,
    image_from_ground_1: np.ndarray,
    image_from_ground_2: np.ndarray,
    rate_deg_per_min: float,
) -> SameTimeVerdict:
    """Compare the ground azimuths of the shadows in two posed frames (see the module notes).

    Raises:
        SunInputError: On a degenerate homography or rate.
    """
    if not rate_deg_per_min > 0:
        raise SunInputError("the shadow's turning rate must be above 0 degrees a minute")
    try:
        az1, s1 = ground_azimuth_deg(frame1, image_from_ground_1)
        az2, s2 = ground_azimuth_deg(frame2, image_from_ground_2)
    except np.linalg.LinAlgError:
        raise SunInputError("a frame's ground homography cannot be inverted") from None
    diff = float(angle_diff_deg(az2, az1))
    sigma = math.hypot(s1, s2)
    return SameTimeVerdict(
        angle_difference_deg=diff,
        sigma_deg=sigma,
        rate_deg_per_min=rate_deg_per_min,
        minutes_apart=diff / rate_deg_per_min,
        within_min=(abs(diff) + 1.96 * sigma) / rate_deg_per_min,
        same_time=abs(diff) <= 1.96 * sigma,
    )

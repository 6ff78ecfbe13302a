"""Same time in two frames: do the shadows in two segments say the same time of day?

A shadow is measured in each frame as a segment from an object's base to its shadow's tip
(pixels). The camera geometry between the frames, a homography H mapping frame 1 to frame 2
(the continuity homography of the ground, or K R K^-1 for a camera that only turned), carries
frame 1's segment into frame 2, where it is compared with the shadow measured there. The sun's
azimuth moves the shadow at a rate known from SPA at the place (or given); the angle between
the two directions, over that rate, is the time between the frames.

The image angle equals the ground azimuth change on a nadir view; on an oblique view it is
scaled by the perspective, given as ``ground_per_image`` (1 by default; a posed camera gives
it). The homography must describe the plane the shadows lie on (or a pure rotation).
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

"""What happens in the videos: the edit cut, the flash, the smoke plume, the descending object.

Times: every event is placed in *real* time (seconds after the video's first frame was filmed);
a video's frame ``i`` shows real time ``i / fps`` before its cut and ``i / fps + gap`` from
the cut on (the cut removes ``gap`` seconds). Positions are ENU metres; every drawn thing is
projected through the segment's camera, so the truth positions come from the same geometry
that tests re-check with OpenCV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.scenario.camera import PinholeCamera

FLASH_GAINS = (1.0, 0.55)  # brightening of the flash frames, in order
BODY_RADIUS_M = 0.6
CANOPY_RADIUS_M = 2.5
CANOPY_ABOVE_M = 6.0
MIN_BODY_RADIUS_PX = 1.8
MIN_CANOPY_RADIUS_PX = 2.2
BODY_RGB = (34, 34, 38)
CANOPY_RGB = (232, 230, 222)
WIND_EN_MPS = (2.2, 0.6)  # the plume drifts east-north-east


@dataclass(frozen=True)
class Timeline:
    """Frame <-> real-time mapping of one video.

    Attributes:
        fps: Frames per second.
        frame_count: Number of frames.
        cut_frame: First frame of the second segment (0-based), or None without a cut.
        cut_gap_s: Real time removed by the cut.
    """

    fps: float
    frame_count: int
    cut_frame: int | None
    cut_gap_s: float

    def segment(self, frame: int) -> int:
        """0 before the cut, 1 from the cut on."""
        return 0 if self.cut_frame is None or frame < self.cut_frame else 1

    def real_time_s(self, frame: int) -> float:
        """Real time filmed by ``frame``, seconds after the first frame."""
        return frame / self.fps + (self.cut_gap_s if self.segment(frame) else 0.0)

    def file_time_of_real_s(self, real_s: float) -> float | None:
        """File (presentation) time at which real time ``real_s`` is heard/seen, or None if cut."""
        if self.cut_frame is None:
            return real_s
        cut_file_s = self.cut_frame / self.fps
        if real_s < cut_file_s:
            return real_s
        if real_s < cut_file_s + self.cut_gap_s:
            return None
        return real_s - self.cut_gap_s


@dataclass(frozen=True)
class Descent:
    """An object descending vertically at a constant rate above a ground point."""

    ground_en_m: tuple[float, float]
    start_height_m: float
    rate_mps: float

    def position_enu(self, real_s: float) -> np.ndarray:
        """ENU position at real time ``real_s`` (never below the ground)."""
        up = max(0.0, self.start_height_m - self.rate_mps * real_s)
        return np.array([self.ground_en_m[0], self.ground_en_m[1], up])


def in_frame(pix: np.ndarray, depth: float, camera: PinholeCamera, margin_px: float = 4.0) -> bool:
    """True if a projected point lies inside the image with a margin and in front."""
    return bool(
        depth > 0.0
        and margin_px <= pix[0] <= camera.width_px - 1 - margin_px
        and margin_px <= pix[1] <= camera.height_px - 1 - margin_px
    )


def draw_descent(frame: np.ndarray, camera: PinholeCamera, position_enu: np.ndarray) -> None:
    """Draw the parachute canopy and the dark body; the body's centre is the truth pixel."""
    pts = np.vstack([position_enu, position_enu + np.array([0.0, 0.0, CANOPY_ABOVE_M])])
    pix, depth = camera.project(pts)
    if depth[0] <= 0:
        return
    f = camera.focal_px
    r_body = max(MIN_BODY_RADIUS_PX, f * BODY_RADIUS_M / depth[0])
    r_canopy = max(MIN_CANOPY_RADIUS_PX, f * CANOPY_RADIUS_M / depth[1])
    c = np.round(pix * 16).astype(int)
    cv2.ellipse(
        frame,
        (int(c[1, 0]), int(c[1, 1])),
        (int(r_canopy * 16), int(r_canopy * 10)),
        0,
        180,
        360,
        CANOPY_RGB,
        -1,
        cv2.LINE_AA,
        shift=4,
    )
    cv2.circle(
        frame,
        (int(c[0, 0]), int(c[0, 1])),
        int(round(r_body * 16)),
        BODY_RGB,
        -1,
        cv2.LINE_AA,
        shift=4,
    )


def _gaussian_patch(
    centre: np.ndarray, sigma: float, x0: int, x1: int, y0: int, y1: int
) -> np.ndarray:
    """exp(-d^2 / 2 sigma^2) on the pixel grid [y0, y1) x [x0, x1), as a separable product."""
    gx = np.exp(-((np.arange(x0, x1, dtype=np.float32) - centre[0]) ** 2) / (2 * sigma * sigma))
    gy = np.exp(-((np.arange(y0, y1, dtype=np.float32) - centre[1]) ** 2) / (2 * sigma * sigma))
    return np.outer(gy, gx)


def _behind(distance_m: np.ndarray | None, point_m: float, margin_m: float) -> np.ndarray | float:
    """1 where the background is farther than ``point_m - margin_m`` (the effect shows), else 0."""
    if distance_m is None:
        return 1.0
    return (distance_m > point_m - margin_m).astype(np.float32)


def apply_flash(
    frame: np.ndarray,
    camera: PinholeCamera,
    strike_enu: np.ndarray,
    gain: float,
    distance_m: np.ndarray | None = None,
) -> None:
    """A blinding flash: a white-hot core at the strike point and the whole frame washed out.

    The core is hidden where ``distance_m`` (per-pixel distance of the background) shows a
    surface nearer than the strike; the wash-out (glare, exposure) covers everything.
    """
    target = strike_enu + np.array([0.0, 0.0, 4.0])
    pix, depth = camera.project(target[None, :])
    f32 = frame.astype(np.float32)
    f32 += (255.0 - f32) * np.float32(0.62 * gain)
    if depth[0] > 0:
        radius = max(6.0, camera.focal_px * 25.0 / depth[0]) * gain
        h, w = frame.shape[:2]
        dist = float(np.linalg.norm(target - np.asarray(camera.position_enu_m)))
        core = _gaussian_patch(pix[0], radius, 0, w, 0, h) * _behind(distance_m, dist, 30.0)
        core = core[..., None]
        f32 = f32 * (1.0 - core) + np.array([255.0, 250.0, 235.0], np.float32) * core
    np.copyto(frame, np.clip(f32, 0, 255).astype(np.uint8))


def plume_puffs(strike_en_m: tuple[float, float], since_flash_s: float) -> list[tuple]:
    """Puffs of the smoke plume at a time after the flash: (centre ENU, radius m, alpha, rgb)."""
    puffs = []
    for j in range(16):
        age = since_flash_s - 0.3 * j
        if age <= 0.0:
            continue
        rise = 6.0 + 7.5 * age**0.8
        radius = 5.0 + 4.0 * age**0.7
        drift = np.array(WIND_EN_MPS) * age
        centre = np.array([strike_en_m[0] + drift[0], strike_en_m[1] + drift[1], rise])
        alpha = 0.9 * math.exp(-age / 30.0)
        shade = min(1.0, age / 6.0)
        rgb = np.array([78.0, 70.0, 64.0]) * (1 - shade) + np.array([150.0, 146.0, 140.0]) * shade
        puffs.append((centre, radius, alpha, rgb))
    return puffs


def draw_plume(
    frame: np.ndarray,
    camera: PinholeCamera,
    strike_en_m: tuple[float, float],
    since_flash_s: float,
    distance_m: np.ndarray | None = None,
) -> None:
    """Blend soft, growing smoke puffs over the frame (far puffs first).

    Where ``distance_m`` (per-pixel distance of the background) shows a surface nearer than
    a puff, the puff passes behind it.
    """
    if since_flash_s <= 0.0:
        return
    h, w = frame.shape[:2]
    puffs = plume_puffs(strike_en_m, since_flash_s)
    centres = np.array([p[0] for p in puffs])
    pix, depth = camera.project(centres)
    puff_dist = np.linalg.norm(centres - np.asarray(camera.position_enu_m), axis=1)
    for k in np.argsort(-depth):
        if depth[k] <= 1.0:
            continue
        centre_px = pix[k]
        _, radius_m, alpha, rgb = puffs[k]
        sigma = max(1.0, camera.focal_px * radius_m / depth[k] * 0.6)
        x0, x1 = int(max(0, centre_px[0] - 3 * sigma)), int(min(w, centre_px[0] + 3 * sigma + 1))
        y0, y1 = int(max(0, centre_px[1] - 3 * sigma)), int(min(h, centre_px[1] + 3 * sigma + 1))
        if x0 >= x1 or y0 >= y1:
            continue
        a = np.float32(alpha) * _gaussian_patch(centre_px, sigma, x0, x1, y0, y1)
        if distance_m is not None:
            a *= _behind(distance_m[y0:y1, x0:x1], puff_dist[k], radius_m)
        a = a[..., None]
        roi = frame[y0:y1, x0:x1].astype(np.float32)
        roi += (rgb.astype(np.float32) - roi) * a
        frame[y0:y1, x0:x1] = roi.astype(np.uint8)

"""A small pinhole camera for the scenario renderer (independent of analysis/geometry/camera.py).

World frame: the local east-north-up (ENU) tangent plane of the scenario's world origin, in
metres. Camera frame: OpenCV's (x right, y down, z forward). ``R`` maps world to camera
coordinates and ``t = -R @ C`` where ``C`` is the camera centre, so ``x_cam = R @ X + t`` and
pixels follow ``K @ x_cam`` with pixel centres at integer coordinates (OpenCV's convention).

Angles: ``yaw_deg`` is the azimuth of the optical axis, clockwise from north; ``pitch_deg``
its elevation above the horizontal (negative looks down; -90 looks straight down, and then
yaw is the azimuth of the image's "up" direction); ``roll_deg`` turns the camera about its
optical axis, positive putting the image's right side down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PinholeCamera:
    """A distortion-free pinhole camera placed in the ENU world.

    Attributes:
        position_enu_m: Camera centre (east, north, up) in metres.
        yaw_deg: Azimuth of the optical axis, clockwise from north.
        pitch_deg: Elevation of the optical axis (negative: down).
        roll_deg: Rotation about the optical axis (positive: right side down).
        hfov_deg: Horizontal field of view.
        width_px: Image width.
        height_px: Image height.
    """

    position_enu_m: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    hfov_deg: float
    width_px: int
    height_px: int

    @property
    def focal_px(self) -> float:
        """Focal length in pixels, from the horizontal field of view."""
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    @property
    def vfov_deg(self) -> float:
        """Vertical field of view implied by hfov and the aspect ratio (square pixels)."""
        return 2.0 * math.degrees(math.atan((self.height_px / 2.0) / self.focal_px))

    @cached_property
    def K(self) -> np.ndarray:
        """Intrinsic matrix; principal point at the image centre ((w-1)/2, (h-1)/2)."""
        f = self.focal_px
        return np.array(
            [
                [f, 0.0, (self.width_px - 1) / 2.0],
                [0.0, f, (self.height_px - 1) / 2.0],
                [0.0, 0.0, 1.0],
            ]
        )

    @cached_property
    def R(self) -> np.ndarray:
        """World (ENU) to camera rotation; its rows are the camera axes in ENU."""
        yaw = math.radians(self.yaw_deg)
        pitch = math.radians(self.pitch_deg)
        roll = math.radians(self.roll_deg)
        forward = np.array(
            [math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), math.sin(pitch)]
        )
        if abs(self.pitch_deg) >= 90.0:
            forward = np.array([0.0, 0.0, math.copysign(1.0, self.pitch_deg)])
            up_hint = np.array([math.sin(yaw), math.cos(yaw), 0.0]) * -math.copysign(
                1.0, self.pitch_deg
            )
            right = np.cross(forward, up_hint)
        else:
            right = np.array([math.cos(yaw), -math.sin(yaw), 0.0])
        up = np.cross(right, forward)
        r0 = np.stack([right, -up, forward])
        cr, sr = math.cos(roll), math.sin(roll)
        rz = np.array([[cr, sr, 0.0], [-sr, cr, 0.0], [0.0, 0.0, 1.0]])
        return rz @ r0

    @cached_property
    def t(self) -> np.ndarray:
        """Translation ``-R @ C``."""
        return -self.R @ np.asarray(self.position_enu_m, dtype=float)

    def with_changes(self, **changes: Any) -> PinholeCamera:
        """A copy with some fields replaced (e.g. a narrower hfov for a zoomed segment)."""
        return replace(self, **changes)

    def to_camera(self, points_enu: np.ndarray) -> np.ndarray:
        """ENU points (N, 3) to camera coordinates (N, 3)."""
        pts = np.asarray(points_enu, dtype=float).reshape(-1, 3)
        return pts @ self.R.T + self.t

    def project(self, points_enu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project ENU points; returns pixels (N, 2) and depths (N,) along the optical axis.

        Points behind the camera get a negative depth; their pixels are meaningless.
        """
        cam = self.to_camera(points_enu)
        depth = cam[:, 2]
        safe = np.where(np.abs(depth) < 1e-9, 1e-9, depth)
        pix = (cam[:, :2] / safe[:, None]) * self.focal_px
        pix[:, 0] += (self.width_px - 1) / 2.0
        pix[:, 1] += (self.height_px - 1) / 2.0
        return pix, depth

    def pixel_rays_enu(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Unnormalised ENU ray directions for pixel coordinates (broadcast arrays)."""
        f = self.focal_px
        dx = (np.asarray(xs, dtype=np.float64) - (self.width_px - 1) / 2.0) / f
        dy = (np.asarray(ys, dtype=np.float64) - (self.height_px - 1) / 2.0) / f
        rt = self.R.T
        return dx[..., None] * rt[:, 0] + dy[..., None] * rt[:, 1] + rt[:, 2]

    def ground_homography(self) -> np.ndarray:
        """Homography from ground-plane ENU (east, north, 1) at up = 0 to pixels."""
        r = self.R
        return self.K @ np.column_stack([r[:, 0], r[:, 1], self.t])

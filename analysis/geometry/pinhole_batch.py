"""Horizontal directions of pixels through many pinhole cameras at once (numpy, Qt-free).

The model is ``analysis.geometry.camera.PinholeCamera`` without distortion: principal point
at ((w - 1) / 2, (h - 1) / 2), fx = (w / 2) / tan(hfov / 2), fy = fx x pixel aspect, camera
axes right, down, forward. A camera is levelled by its up vector in camera coordinates: the
normal of the plane through two horizon pixels (``level_from_horizon``), or straight up
(pitch and roll 0); a tilt (pitch, roll) in degrees can be added on top. A pixel's direction
is its azimuth in the horizontal plane, from the optical axis's own azimuth (yaw 0): only
differences between pixels mean anything. Used where a fit or a Jacobian needs the same
camera evaluated for many fields of view or pixel positions.
"""

from __future__ import annotations

import numpy as np


def _rays(px: np.ndarray, c: tuple[float, float], f: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    x, y = (px[..., 0] - c[0]) / f[0], (px[..., 1] - c[1]) / f[1]
    r = np.stack([x, y, np.ones_like(x)], -1)
    return r / np.linalg.norm(r, axis=-1, keepdims=True)


def level_azimuths_deg(
    size: tuple[int, int, float],
    hfov_deg: np.ndarray,
    pixels: np.ndarray,
    horizon: np.ndarray | None = None,
    tilt_deg: np.ndarray | None = None,
) -> np.ndarray:
    """Azimuths (m, k) of k pixels through m cameras (see the module doc).

    Args:
        size: (width_px, height_px, pixel_aspect).
        hfov_deg: (m,) horizontal fields of view.
        pixels: (m, k, 2) pixel positions.
        horizon: (m, 2, 2) two horizon pixels per camera, or None (pitch and roll 0).
        tilt_deg: (m, 2) pitch and roll added after levelling, or None.
    """
    width, height, aspect = size
    fx = (width / 2.0) / np.tan(np.radians(hfov_deg) / 2.0)
    f = (fx, fx * aspect)
    c = ((width - 1) / 2.0, (height - 1) / 2.0)
    m = len(fx)
    if horizon is None:
        up = np.broadcast_to(np.array([0.0, -1.0, 0.0]), (m, 3))
    else:
        up = np.cross(_rays(horizon[:, 0], c, f), _rays(horizon[:, 1], c, f))
        up = up / np.linalg.norm(up, axis=-1, keepdims=True)
        up = np.where(up[:, 1:2] > 0.0, -up, up)  # up points to the top of the image
    if tilt_deg is not None:
        pitch = np.arcsin(np.clip(up[:, 2], -1.0, 1.0)) + np.radians(tilt_deg[:, 0])
        roll = np.arctan2(-up[:, 0], -up[:, 1]) + np.radians(tilt_deg[:, 1])
        up = np.stack(
            [-np.cos(pitch) * np.sin(roll), -np.cos(pitch) * np.cos(roll), np.sin(pitch)], -1
        )
    ahead = np.array([0.0, 0.0, 1.0]) - up[:, 2:3] * up
    ahead = ahead / np.linalg.norm(ahead, axis=-1, keepdims=True)
    right = np.cross(ahead, up)
    d = _rays(pixels, c, (fx[:, None], f[1][:, None]))
    return np.degrees(np.arctan2((d * right[:, None]).sum(-1), (d * ahead[:, None]).sum(-1)))


def wrap_deg(a: np.ndarray) -> np.ndarray:
    """Angles wrapped into [-180, 180)."""
    return (a + 180.0) % 360.0 - 180.0

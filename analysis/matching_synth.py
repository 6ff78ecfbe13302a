"""Synthetic image pairs with an exactly known homography, for tests and benchmarks.

Image B is image A seen by a camera that zoomed, rolled and tilted about the same centre of
projection: ``H = T_b * S(zoom) * R(roll) * K R_tilt K^-1 * T_a^-1`` with the focal length
equal to the image width (about 53 degrees of horizontal field of view), then degraded as
footage is (blur, brightness and contrast, JPEG re-compression). Zooming out pre-blurs A with
the Gaussian that an optical system would apply, so that the warp does not alias.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class WarpSpec:
    """One synthetic view change (zoom is B's scale relative to A)."""

    zoom: float = 1.0
    roll_deg: float = 0.0
    tilt_x_deg: float = 0.0
    tilt_y_deg: float = 0.0
    shift_px: tuple[float, float] = (0.0, 0.0)
    blur_sigma_px: float = 0.0
    gain: float = 1.0
    offset: float = 0.0
    jpeg_quality: int = 0  # 0: no re-compression


def true_homography(spec: WarpSpec, wh_a: tuple[int, int], wh_b: tuple[int, int]) -> np.ndarray:
    """The homography (A pixels to B pixels) of ``spec``."""
    ca = np.array([[1, 0, -(wh_a[0] - 1) / 2], [0, 1, -(wh_a[1] - 1) / 2], [0, 0, 1.0]])
    cb = np.array(
        [
            [1, 0, (wh_b[0] - 1) / 2 + spec.shift_px[0]],
            [0, 1, (wh_b[1] - 1) / 2 + spec.shift_px[1]],
            [0, 0, 1.0],
        ]
    )
    f = float(wh_a[0])
    k = np.diag([f, f, 1.0])
    rx, _ = cv2.Rodrigues(np.array([np.radians(spec.tilt_x_deg), 0.0, 0.0]))
    ry, _ = cv2.Rodrigues(np.array([0.0, np.radians(spec.tilt_y_deg), 0.0]))
    tilt = k @ rx @ ry @ np.linalg.inv(k)
    c, s = np.cos(np.radians(spec.roll_deg)), np.sin(np.radians(spec.roll_deg))
    # counter-clockwise on screen with y down: (x, y) -> (c x + s y, -s x + c y)
    roll = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1.0]])
    zoom = np.diag([spec.zoom, spec.zoom, 1.0])
    h = cb @ zoom @ roll @ tilt @ ca
    return h / h[2, 2]


def make_pair(
    image: np.ndarray, spec: WarpSpec, out_wh: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Warp ``image`` by ``spec``: returns (A, B, true homography from A to B)."""
    a = image
    wh_a = (a.shape[1], a.shape[0])
    wh_b = out_wh or wh_a
    h = true_homography(spec, wh_a, wh_b)
    src = a
    if spec.zoom < 1.0:
        sigma = 0.5 * np.sqrt(max(1.0 / spec.zoom**2 - 1.0, 0.0))
        src = cv2.GaussianBlur(a, (0, 0), sigma)
    b = cv2.warpPerspective(src, h, wh_b, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT)
    if spec.blur_sigma_px > 0:
        b = cv2.GaussianBlur(b, (0, 0), spec.blur_sigma_px)
    if spec.gain != 1.0 or spec.offset != 0.0:
        b = cv2.convertScaleAbs(b, alpha=spec.gain, beta=spec.offset)
    if spec.jpeg_quality > 0:
        ok, buf = cv2.imencode(".jpg", b, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg_quality])
        if ok:
            b = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return a, b, h


def standard_specs() -> list[WarpSpec]:
    """The benchmark's view changes: zoom 0.25-4, roll, +-30 deg tilt, blur, light, JPEG."""
    return [
        WarpSpec(zoom=1.0, roll_deg=10, jpeg_quality=80),
        WarpSpec(zoom=0.25, roll_deg=5),
        WarpSpec(zoom=0.5, roll_deg=-20, tilt_x_deg=15, gain=0.7, offset=10),
        WarpSpec(zoom=2.0, roll_deg=30, blur_sigma_px=1.0),
        WarpSpec(zoom=4.0, roll_deg=-5, jpeg_quality=70),
        WarpSpec(zoom=1.5, tilt_x_deg=30, gain=1.3),
        WarpSpec(zoom=0.7, tilt_y_deg=-30, roll_deg=45, blur_sigma_px=1.5),
        WarpSpec(zoom=1.2, roll_deg=90, tilt_y_deg=20, jpeg_quality=60, gain=0.6, offset=-5),
        WarpSpec(zoom=3.0, tilt_x_deg=-20, tilt_y_deg=10, shift_px=(40, -30)),
        WarpSpec(zoom=0.35, roll_deg=180, tilt_x_deg=10, jpeg_quality=75),
    ]

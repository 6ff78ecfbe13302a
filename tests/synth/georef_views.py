"""Views of a georeferenced mosaic as footage would show them, with the exact truth.

A virtual pinhole camera hangs over a point of the mosaic (the ground plane, in mosaic
pixels), turned by ``yaw_deg`` and tilted ``tilt_deg`` away from nadir, and sees a footprint
about ``ground_px`` mosaic pixels across at its centre. The frame is rendered at twice its
size then reduced (a camera's anti-aliasing), then blurred, re-lit (gain, offset, gamma, a
colour cast), given sensor noise and re-compressed as JPEG. The truth is the homography from
frame pixels to mosaic pixels (pixel centres at integers on both sides).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class ViewSpec:
    centre_px: tuple[float, float]
    ground_px: float  # footprint width at the centre, in mosaic pixels
    out_wh: tuple[int, int] = (480, 270)
    yaw_deg: float = 0.0
    tilt_deg: float = 0.0
    hfov_deg: float = 60.0
    blur_sigma_px: float = 0.8
    gain: float = 1.0
    offset: float = 0.0
    gamma: float = 1.0
    colour: tuple[float, float, float] = (1.0, 1.0, 1.0)
    noise_sigma: float = 2.0
    jpeg_quality: int = 60


def frame_to_mosaic(spec: ViewSpec) -> np.ndarray:
    """The true homography from frame pixels to mosaic pixels."""
    w, h = spec.out_wh
    f = (w / 2) / np.tan(np.radians(spec.hfov_deg / 2))
    k = np.array([[f, 0, (w - 1) / 2], [0, f, (h - 1) / 2], [0, 0, 1.0]])
    # camera looking straight down: x_cam = ground x, y_cam = ground y, z_cam = down (into map)
    t = np.radians(spec.tilt_deg)
    yaw = np.radians(spec.yaw_deg)
    rz = np.array([[np.cos(yaw), -np.sin(yaw), 0], [np.sin(yaw), np.cos(yaw), 0], [0, 0, 1.0]])
    rx = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    r_cw = rz @ rx  # camera axes in ground coordinates (columns)
    dist = spec.ground_px * f / w  # distance along the optical axis to the centre point
    centre = np.array([spec.centre_px[0], spec.centre_px[1], 0.0])
    cam = centre - r_cw[:, 2] * dist
    r_wc = r_cw.T
    tvec = -r_wc @ cam
    g2i = k @ np.column_stack((r_wc[:, 0], r_wc[:, 1], tvec))
    hm = np.linalg.inv(g2i)
    return hm / hm[2, 2]


def render(mosaic: np.ndarray, spec: ViewSpec, seed: int = 0) -> np.ndarray:
    """The degraded frame (BGR uint8) of ``spec`` over ``mosaic``."""
    rng = np.random.default_rng(seed)
    w, h = spec.out_wh
    up = np.diag([0.5, 0.5, 1.0]) @ np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1.0]])
    up = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1.0]]) @ up  # 2x frame px -> frame px
    hm = frame_to_mosaic(spec) @ up
    big = cv2.warpPerspective(
        mosaic, hm, (2 * w, 2 * h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    )
    img = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    if spec.blur_sigma_px > 0:
        img = cv2.GaussianBlur(img, (0, 0), spec.blur_sigma_px)
    img = img * np.array(spec.colour, np.float32)
    img = 255.0 * (np.clip(img, 0, 255) / 255.0) ** spec.gamma
    img = img * spec.gain + spec.offset + rng.normal(0, spec.noise_sigma, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg_quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def footprint_inside(spec: ViewSpec, mosaic_wh: tuple[int, int], margin: float = 4) -> bool:
    w, h = spec.out_wh
    hm = frame_to_mosaic(spec)
    c = np.array([[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [w - 0.5, h - 0.5, 1], [-0.5, h - 0.5, 1]])
    p = (hm @ c.T).T
    if np.any(p[:, 2] <= 0):
        return False
    p = p[:, :2] / p[:, 2:]
    return bool(
        np.all(p >= margin) and np.all(p[:, 0] <= mosaic_wh[0] - margin)
        and np.all(p[:, 1] <= mosaic_wh[1] - margin)
    )  # fmt: skip


def random_specs(
    n: int, mosaic_wh: tuple[int, int], seed: int = 7, max_tilt_deg: float = 35.0
) -> list[ViewSpec]:
    """``n`` varied views inside the mosaic: 320-640 px wide, 60-180 m-ish footprints."""
    rng = np.random.default_rng(seed)
    out: list[ViewSpec] = []
    while len(out) < n:
        width = int(rng.choice([320, 400, 480, 640]))
        aspect = float(rng.choice([16 / 9, 4 / 3, 1.0]))
        spec = ViewSpec(
            centre_px=(float(rng.uniform(0, mosaic_wh[0])), float(rng.uniform(0, mosaic_wh[1]))),
            ground_px=float(rng.uniform(450, 1300)),
            out_wh=(width, int(round(width / aspect))),
            yaw_deg=float(rng.uniform(0, 360)),
            tilt_deg=float(rng.uniform(0, max_tilt_deg)),
            hfov_deg=float(rng.uniform(45, 75)),
            blur_sigma_px=float(rng.uniform(0.3, 1.5)),
            gain=float(rng.uniform(0.7, 1.3)),
            offset=float(rng.uniform(-25, 25)),
            gamma=float(rng.uniform(0.8, 1.25)),
            colour=tuple(float(v) for v in rng.uniform(0.85, 1.15, 3)),
            noise_sigma=float(rng.uniform(0.5, 3.0)),
            jpeg_quality=int(rng.integers(35, 85)),
        )
        if footprint_inside(spec, mosaic_wh):
            out.append(spec)
    return out

"""A descending dark object rendered into real footage, with the truth known exactly.

The background is a real picture (a sky frame of drone-sky.mp4, or a frame of the scenario's
rooftop video), taken as a plane: the camera sees it through a per-frame homography made of
a slow pan, a zoom, a shake (translation and roll jitter). The object moves in background
coordinates: ``x0 + drift * t`` across, and down by ``s * (v0 t + a t^2 / 2)`` pixels where
``s`` is the scale in background pixels per metre; the free-fall case uses a = g, the canopy
case a = 0 with a canopy drawn above the body. Each frame is then blurred (Gaussian, and
motion blur on shaky frames), noised and JPEG-compressed. Times are pts from a frame rate
with optional jitter (variable frame rate).

Truth per frame: the body's centre in the image, and its position in the reference frame's
(frame 0's) background coordinates, whose scale is ``s * zoom_0`` pixels per metre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
SKY_VIDEO = REPO / "tests" / "data" / "media" / "video" / "drone-sky.mp4"
G = 9.80665


@dataclass(frozen=True)
class DescentSpec:
    kind: str  # "free fall" or "retarded"
    rate0_m_s: float  # downward speed at t = 0
    accel_m_s2: float  # downward
    px_per_m: float  # background pixels per metre (before the camera's zoom)
    duration_s: float
    fps: float
    size: tuple[int, int]  # output (w, h)
    pan_px_s: tuple[float, float]
    zoom_per_s: float  # relative zoom change per second
    shake_px: float
    roll_deg: float
    blur_sigma: float
    jpeg_quality: int
    body_radius_px: float
    vfr_jitter: float  # fraction of a frame interval


@dataclass(frozen=True)
class Rendered:
    spec: DescentSpec
    frames: dict[int, np.ndarray]  # gray uint8 (RGB kept in ``rgb`` when asked)
    times_s: dict[int, float]
    truth_xy: np.ndarray  # (n, 2) body centre in each image
    truth_bg: np.ndarray  # (n, 2) in frame 0's background coordinates
    ref_px_per_m: float  # scale in frame 0's coordinates
    rgb: dict[int, np.ndarray] | None = None


def sky_background(size: tuple[int, int], frame: int = 12) -> np.ndarray:
    """A sky frame of drone-sky.mp4 (clouds, a face, a wire) enlarged to cover ``size``."""
    from analysis.video.decode import VideoReader

    with VideoReader(SKY_VIDEO) as reader:
        img = reader.frame_at(frame).image
    w, h = size
    k = 1.6 * max(w / img.shape[1], h / img.shape[0])
    # The clip is upside down (the sky at the bottom of the picture): turned upright, the
    # person is in the lower right and the object falls through the clouds on the left.
    img = np.ascontiguousarray(img[::-1, ::-1])
    return cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)


def random_spec(rng: np.random.Generator, kind: str, size=(640, 360), fps=30.0) -> DescentSpec:
    """A randomised trial: a canopy at 8-25 m/s, or a free fall, seen at 1-4 px/m."""
    free = kind == "free fall"
    return DescentSpec(
        kind=kind,
        rate0_m_s=float(rng.uniform(0, 30) if free else rng.uniform(8, 25)),
        accel_m_s2=G if free else 0.0,
        px_per_m=float(rng.uniform(1.0, 2.5) if free else rng.uniform(1.5, 4.0)),
        duration_s=float(rng.uniform(2.5, 4.0) if free else rng.uniform(3.0, 5.0)),
        fps=fps,
        size=size,
        pan_px_s=(float(rng.uniform(-15, 15)), float(rng.uniform(-8, 8))),
        zoom_per_s=float(rng.uniform(-0.04, 0.06)),
        shake_px=float(rng.uniform(0.3, 2.0)),
        roll_deg=float(rng.uniform(-0.5, 0.5)),
        blur_sigma=float(rng.uniform(0.4, 1.0)),
        jpeg_quality=int(rng.integers(45, 85)),
        body_radius_px=float(rng.uniform(2.5, 5.0)),
        vfr_jitter=0.15,
    )


def _camera(spec: DescentSpec, t: float, shake: np.ndarray, bg_wh: tuple[int, int]):
    """Homography background -> image at time t."""
    w, h = spec.size
    z = 1.0 + spec.zoom_per_s * t
    cx = bg_wh[0] / 2 + spec.pan_px_s[0] * t + shake[0]
    cy = bg_wh[1] / 2 + spec.pan_px_s[1] * t + shake[1]
    r = math.radians(spec.roll_deg * shake[2])
    c, s = math.cos(r) * z, math.sin(r) * z
    # image = R*z * (bg - centre) + image centre
    return np.array(
        [[c, -s, w / 2 - c * cx + s * cy], [s, c, h / 2 - s * cx - c * cy], [0, 0, 1.0]]
    )


def render(
    spec: DescentSpec, background: np.ndarray, rng: np.random.Generator, keep_rgb: bool = False
) -> Rendered:
    """Render the trial (see the module docstring)."""
    w, h = spec.size
    bg_wh = (background.shape[1], background.shape[0])
    # The fall stays within the upper 60% of the picture (the sky, above the person).
    v, a, room = spec.rate0_m_s, spec.accel_m_s2, 0.5 * h / spec.px_per_m
    longest = room / v if a == 0 else (-v + math.sqrt(v * v + 2 * a * room)) / a
    n = int(round(min(spec.duration_s, longest) * spec.fps))
    dt = 1.0 / spec.fps
    times = np.arange(n) * dt + rng.uniform(-1, 1, n) * spec.vfr_jitter * dt
    times[0] = 0.0
    times = np.maximum.accumulate(times + np.arange(n) * 1e-6)
    x0 = bg_wh[0] / 2 - rng.uniform(0.1, 0.3) * w
    y0 = bg_wh[1] / 2 - 0.3 * h
    drift = rng.uniform(-3, 3)
    frames, rgbs, truth, bgs = {}, {}, [], []
    shakes = rng.normal(0, 1, (n, 3)) * np.array([spec.shake_px, spec.shake_px, 1.0])
    h0 = _camera(spec, 0.0, shakes[0], bg_wh)
    for i, t in enumerate(times):
        cam = _camera(spec, float(t), shakes[i], bg_wh)
        img = cv2.warpPerspective(
            background, cam, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        down = spec.px_per_m * (spec.rate0_m_s * t + 0.5 * spec.accel_m_s2 * t * t)
        p_bg = np.array([x0 + drift * t, y0 + down, 1.0])
        p = cam @ p_bg
        px, py = p[0] / p[2], p[1] / p[2]
        z = 1.0 + spec.zoom_per_s * t
        _draw(img, px, py, spec.body_radius_px * z, spec.kind == "retarded")
        if spec.blur_sigma > 0:
            img = cv2.GaussianBlur(img, (0, 0), spec.blur_sigma)
        if abs(shakes[i, 0]) > 1.5 * spec.shake_px:  # a jolt smears the picture
            k = np.zeros((5, 5), np.float32)
            k[2, :] = 0.2
            img = cv2.filter2D(img, -1, k)
        img = cv2.add(img, rng.normal(0, 2.0, img.shape).astype(np.int16), dtype=cv2.CV_8U)
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg_quality])
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)  # same channel order as encoded
        frames[i] = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        if keep_rgb:
            rgbs[i] = img
        truth.append((px, py))
        q = h0 @ p_bg
        bgs.append((q[0] / q[2], q[1] / q[2]))
    return Rendered(
        spec,
        frames,
        {i: float(t) for i, t in enumerate(times)},
        np.array(truth),
        np.array(bgs),
        spec.px_per_m,
        rgbs or None,
    )


def _draw(img: np.ndarray, x: float, y: float, r: float, canopy: bool) -> None:
    sh = 16
    c = (int(round(x * sh)), int(round(y * sh)))
    if canopy:  # a pale canopy on lines above the body
        top = (c[0], c[1] - int(7 * r * sh))
        for dx in (-3, 3):
            cv2.line(
                img, c, (top[0] + int(dx * r * sh), top[1]), (90, 90, 90), 1, cv2.LINE_AA, shift=4
            )
        cv2.ellipse(
            img,
            top,
            (int(3.2 * r * sh), int(1.8 * r * sh)),
            0,
            180,
            360,
            (235, 225, 205),
            -1,
            cv2.LINE_AA,
            shift=4,
        )
    cv2.circle(img, c, int(round(r * sh)), (28, 26, 24), -1, cv2.LINE_AA, shift=4)

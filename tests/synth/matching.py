"""Synthetic image pairs with an exactly known homography, for tests and benchmarks.

Image B is image A seen by a camera that zoomed, rolled and tilted about the same centre of
projection: ``H = T_b * S(zoom) * R(roll) * K R_tilt K^-1 * T_a^-1`` with the focal length
equal to the image width (about 53 degrees of horizontal field of view), re-aimed by a shift so
that A's centre stays at B's centre (plus ``shift_px``), then degraded as
footage is (blur, brightness and contrast, JPEG re-compression). Zooming out pre-blurs A with
the Gaussian that an optical system would apply, so that the warp does not alias.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    h = h / h[2, 2]
    # A tilted camera looks f*tan(tilt) away from A's centre (beyond the frame at 30 deg for a
    # 3:2 image); re-aim it so that A's centre stays at B's centre (plus shift_px).
    centre = h @ np.array([(wh_a[0] - 1) / 2, (wh_a[1] - 1) / 2, 1.0])
    target = cb[:2, 2]
    move = np.array([[1, 0, target[0] - centre[0] / centre[2]], [0, 1, 0], [0, 0, 1.0]])
    move[1, 2] = target[1] - centre[1] / centre[2]
    h = move @ h
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


def make_mixed_pair(
    image: np.ndarray, spec: WarpSpec, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small view and a large one of ``image``: ``factor`` times apart in pixel size.

    The large view is ``image`` itself (the reference photo, all its detail); the small one is
    ``image`` seen by ``spec`` with its zoom divided by ``factor``, in a frame ``factor`` times
    smaller (a video frame of the same place), degraded as ``spec`` says. Zooming out pre-blurs
    as :func:`make_pair` does, so the small view does not alias. With ``spec.zoom`` 1 the small
    view shows the whole large one; with ``spec.zoom`` equal to ``factor`` it is a crop at the
    large one's own scale; beyond, a magnified part of it.

    Returns:
        (small view A, large view B, true homography from A's pixels to B's).
    """
    h, w = image.shape[:2]
    out_wh = (max(1, round(w / factor)), max(1, round(h / factor)))
    small_spec = replace(spec, zoom=spec.zoom / factor)
    _, small, h_large_to_small = make_pair(image, small_spec, out_wh)
    h_true = np.linalg.inv(h_large_to_small)
    return small, image, h_true / h_true[2, 2]


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


def two_plane_views(
    far: np.ndarray,
    near: np.ndarray,
    *,
    baseline_frac: float,
    zoom: float = 1.0,
    near_depth: float = 2.0,
    far_depth: float = 10.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two views of a scene of two fronto-parallel textured planes: a far one filling the view
    and a near one covering the middle of it.

    View A looks from the origin; view B from a camera moved sideways by ``baseline_frac`` of
    the far plane's depth (0: same position) and zoomed by ``zoom``. Each plane maps between
    the views by the plane-induced homography ``K_b (I - t n^T / depth) K_a^-1`` (Hartley &
    Zisserman 2004, result 13.1), so with a baseline the near plane shifts against the far one
    (parallax) and no single homography relates the views.

    Returns:
        (view A, view B), both the size of ``far``.
    """
    h, w = far.shape[:2]
    f = float(w)
    ka = np.array([[f, 0, (w - 1) / 2], [0, f, (h - 1) / 2], [0, 0, 1.0]])
    kb = ka.copy()
    kb[0, 0] = kb[1, 1] = f * zoom
    t = np.array([[baseline_frac * far_depth], [0.0], [0.0]])
    n = np.array([[0.0, 0.0, 1.0]])
    # Near plane occupies the central half of view A, textured by ``near``.
    x0, y0, x1, y1 = w // 4, h // 4, 3 * w // 4, 3 * h // 4
    near_tex = cv2.resize(near, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    view_a = far.copy()
    view_a[y0:y1, x0:x1] = near_tex
    mask_a = np.zeros((h, w), np.uint8)
    mask_a[y0:y1, x0:x1] = 255
    h_far = kb @ (np.eye(3) - t @ n / far_depth) @ np.linalg.inv(ka)
    h_near = kb @ (np.eye(3) - t @ n / near_depth) @ np.linalg.inv(ka)
    far_only = far.copy()
    view_b = cv2.warpPerspective(far_only, h_far, (w, h), flags=cv2.INTER_CUBIC)
    near_b = cv2.warpPerspective(view_a, h_near, (w, h), flags=cv2.INTER_CUBIC)
    mask_b = cv2.warpPerspective(mask_a, h_near, (w, h), flags=cv2.INTER_NEAREST)
    view_b[mask_b > 0] = near_b[mask_b > 0]
    return view_a, view_b

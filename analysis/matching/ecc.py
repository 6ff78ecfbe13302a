"""Photometric refinement of a homography by ECC (enhanced correlation coefficient).

Feature positions carry the detector's localisation noise, which blur, compression and large
zoom make worse. Once features have given a homography good to a pixel or two, maximising the
zero-mean normalised correlation of the two images over their overlap (Evangelidis & Psarakis
2008, "Parametric image alignment using enhanced correlation coefficient maximization", IEEE
PAMI 30(10), OpenCV's ``findTransformECC``) uses every textured pixel and is invariant to
brightness and contrast changes. The finer image is resampled into the frame of the coarser
one (the one that shows things smaller) over the bounding box of the overlap, so the
alignment works at the resolution where both images have detail. The refined homography is
kept only if the correlation improved and the correction stays small; otherwise the feature
estimate stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.matching.geometry import apply_h, rect_corners, zoom_rotation

DEFAULT_ECC_LONG_SIDE_PX = 640
MAX_CORRECTION_PX = 4.0
PADDING_LEVEL = 2


@dataclass(frozen=True)
class EccOutcome:
    """Result of one ECC refinement (``homography`` maps A pixels to B pixels)."""

    homography: np.ndarray
    accepted: bool
    correlation: float
    correction_px: float
    note: str


def _frame(coarse_wh, g, fine_wh, long_side):
    """Crop box of the overlap in the coarse image and the scale to the ECC resolution."""
    quad = apply_h(np.linalg.inv(g), rect_corners(fine_wh))
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)), 0)
    x1 = min(np.ceil(quad[:, 0].max()), coarse_wh[0] - 1)
    y1 = min(np.ceil(quad[:, 1].max()), coarse_wh[1] - 1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    s = min(1.0, long_side / max(x1 - x0, y1 - y0))
    size = (int(round((x1 - x0) * s)), int(round((y1 - y0) * s)))
    sm = np.array([[s, 0, -s * x0], [0, s, -s * y0], [0, 0, 1.0]])
    return sm, size


def _ecc_pyramid(template, warped, valid, iterations):
    """ECC on a half-resolution level first (wider basin), then at full crop resolution."""
    half = (max(1, template.shape[1] // 2), max(1, template.shape[0] // 2))
    w = np.eye(3, dtype=np.float32)
    if min(half) >= 160:
        crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, 1e-4)
        t2 = cv2.resize(template, half, interpolation=cv2.INTER_AREA)
        w2 = cv2.resize(warped, half, interpolation=cv2.INTER_AREA)
        v2 = cv2.resize(valid, half, interpolation=cv2.INTER_NEAREST)
        _, w = cv2.findTransformECC(t2, w2, w, cv2.MOTION_HOMOGRAPHY, crit, v2, 3)
        sc = np.diag([2.0, 2.0, 1.0]).astype(np.float32)
        w = sc @ w @ np.linalg.inv(sc)
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, 1e-5)
    cc, w = cv2.findTransformECC(template, warped, w, cv2.MOTION_HOMOGRAPHY, crit, valid, 3)
    return float(cc), w.astype(np.float64)


def refine_ecc(
    h: np.ndarray,
    gray_a: np.ndarray,
    gray_b: np.ndarray,
    *,
    long_side_px: int = DEFAULT_ECC_LONG_SIDE_PX,
    iterations: int = 40,
) -> EccOutcome:
    """Refine ``h`` (A to B) by maximising the ECC of the two grey images over the overlap.

    Args:
        h: homography from A pixels to B pixels, already good to a few pixels.
        gray_a, gray_b: 8-bit grey images at their original resolutions.
        long_side_px: long side of the overlap crop at which ECC runs.
        iterations: maximum ECC iterations.

    Returns:
        An EccOutcome; when not accepted, ``homography`` is ``h`` unchanged.
    """
    wh_a = (gray_a.shape[1], gray_a.shape[0])
    zoom, _ = zoom_rotation(h, ((wh_a[0] - 1) / 2, (wh_a[1] - 1) / 2))
    a_is_coarse = zoom >= 1.0
    coarse, fine = (gray_a, gray_b) if a_is_coarse else (gray_b, gray_a)
    g = h if a_is_coarse else np.linalg.inv(h)  # coarse pixels -> fine pixels
    coarse_wh, fine_wh = (coarse.shape[1], coarse.shape[0]), (fine.shape[1], fine.shape[0])
    framed = _frame(coarse_wh, g, fine_wh, long_side_px)
    if framed is None:
        return EccOutcome(h, False, float("nan"), 0.0, "overlap too small for ECC")
    sm, size = framed
    template = cv2.warpAffine(coarse, sm[:2], size, flags=cv2.INTER_AREA)
    if sm[0, 0] < 1.0:
        sig = 0.5 * np.sqrt(1.0 / sm[0, 0] ** 2 - 1.0)
        template = cv2.warpAffine(
            cv2.GaussianBlur(coarse, (0, 0), sig), sm[:2], size, flags=cv2.INTER_LINEAR
        )
    m = g @ np.linalg.inv(sm)  # template pixels -> fine pixels
    fine_per_tpl = zoom_rotation(m, (size[0] / 2, size[1] / 2))[0]
    src = fine
    if fine_per_tpl > 1.0:
        src = cv2.GaussianBlur(fine, (0, 0), 0.5 * np.sqrt(fine_per_tpl**2 - 1.0))
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(src, m, size, flags=flags)
    # Padding (letterbox bars, the black outside a rotated or warped frame) is not scene:
    # pixels at or below PADDING_LEVEL in either image are left out of the correlation.
    fine_content = ((fine > PADDING_LEVEL) * 255).astype(np.uint8)
    valid = cv2.warpPerspective(
        fine_content, m, size, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP
    )
    valid = ((valid == 255) & (template > PADDING_LEVEL)).astype(np.uint8) * 255
    valid = cv2.erode(valid, np.ones((7, 7), np.uint8))
    if int(np.count_nonzero(valid)) < 400:
        return EccOutcome(h, False, float("nan"), 0.0, "overlap too small for ECC")
    try:
        cc0 = cv2.computeECC(template, warped, valid)
        cc, w = _ecc_pyramid(template, warped, valid, iterations)
    except cv2.error as exc:  # ECC reports non-convergence as an OpenCV error
        return EccOutcome(h, False, float("nan"), 0.0, f"ECC did not converge: {exc.err}")
    t = rect_corners(size)
    corr = float(np.linalg.norm(apply_h(w, t) - t, axis=1).max()) / sm[0, 0]
    if cc < cc0 or corr * sm[0, 0] > MAX_CORRECTION_PX:
        note = f"ECC rejected: correlation {cc0:.3f} -> {cc:.3f}, change {corr:.1f} px"
        return EccOutcome(h, False, float(cc), corr, note)
    g_new = m @ w @ sm
    g_new /= g_new[2, 2]
    h_new = g_new if a_is_coarse else np.linalg.inv(g_new)
    h_new /= h_new[2, 2]
    return EccOutcome(h_new, True, float(cc), corr, f"ECC correlation {cc0:.3f} -> {cc:.3f}")

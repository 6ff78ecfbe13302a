"""Refinement of a homography at native resolution: local patch alignment around the inliers.

Feature positions come from a working resolution (features.DEFAULT_WORK_LONG_SIDE_PX), so a
large image's detail never reached them: a 4,000 px photo worked at 1,280 px loses a factor
three of precision, and a global ECC over a down-sampled overlap can drift where the scene has
no texture (sky, water) while its correlation still rises. Here each inlier is re-measured where
the information is: a small patch of the coarser image (the one that shows things smaller), at
its native resolution, is aligned with the finer image resampled into the coarser one's frame
by the current homography (after an anti-alias blur, so that both show the same detail). The
alignment is a translation per patch, found by Lucas-Kanade with a gain and bias per patch
(Lucas & Kanade 1981; Baker & Matthews 2004, "Lucas-Kanade 20 years on", IJCV 56(3), the
inverse-compositional form: the template's gradients are computed once), all patches at once.
The homography is then refitted on the re-measured pairs by weighted robust Levenberg-Marquardt
(analysis.matching.refine) and kept only when it is well supported.

Conventions: ``h`` maps A's pixels onto B's (pixel centres on integers, origin top-left).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.matching.geometry import apply_h, zoom_rotation
from analysis.matching.refine import refine_homography

PATCH_RADIUS_PX = 8
MAX_ANCHORS = 600
MIN_ANCHORS = 12
LK_ITERATIONS = 12
LK_STEP_PX = 0.005
MIN_PATCH_NCC = 0.6
MAX_SHIFT_PX = 3.0


@dataclass(frozen=True)
class NativeOutcome:
    """Result of a native-resolution refinement (``homography`` maps A's pixels to B's).

    Attributes:
        homography: the refined homography, or the input one when not accepted.
        accepted: whether the refinement was kept.
        points_a, points_b: (N, 2) re-measured correspondences in A's and B's pixels (the
            reliable ones; empty when none), usable to judge a later refinement.
        rms_px: RMS transfer error of the pairs under ``homography``, in B's pixels.
        note: what happened, in words.
    """

    homography: np.ndarray
    accepted: bool
    points_a: np.ndarray
    points_b: np.ndarray
    rms_px: float
    note: str


def _declined(h: np.ndarray, note: str) -> NativeOutcome:
    empty = np.zeros((0, 2))
    return NativeOutcome(h, False, empty, empty, float("nan"), note)


def _spread(points: np.ndarray, wh: tuple[int, int], limit: int) -> np.ndarray:
    """Indices of at most ``limit`` points, spread over a grid of the image (one per cell)."""
    if len(points) <= limit:
        return np.arange(len(points))
    cells = int(np.ceil(np.sqrt(limit)))
    gx = np.clip((points[:, 0] / max(wh[0], 1) * cells).astype(int), 0, cells - 1)
    gy = np.clip((points[:, 1] / max(wh[1], 1) * cells).astype(int), 0, cells - 1)
    _, first = np.unique(gy * cells + gx, return_index=True)
    rest = np.setdiff1d(np.arange(len(points)), first)
    extra = rest[np.linspace(0, len(rest) - 1, max(0, limit - len(first))).astype(int)]
    return np.sort(np.concatenate((first, extra[: max(0, limit - len(first))])))


def _fine_pyramid(fine: np.ndarray, zoom: float) -> tuple[np.ndarray, float]:
    """The finer image reduced to about the coarser one's scale, anti-aliased; its factor."""
    img, factor = fine, 1.0
    while zoom / factor >= 2.0 and min(img.shape[:2]) >= 32:
        img = cv2.pyrDown(img)  # Gaussian 5-tap then halving: anti-aliased
        factor *= 2.0
    rest = zoom / factor
    if rest > 1.0:
        img = cv2.GaussianBlur(img, (0, 0), 0.5 * np.sqrt(rest**2 - 1.0))
    return img, factor


def _unit(p: np.ndarray) -> np.ndarray:
    """Patches made zero-mean and unit-norm (gain and bias drop out)."""
    p = p - p.mean(axis=(1, 2), keepdims=True)
    return p / np.maximum(np.sqrt((p * p).sum(axis=(1, 2), keepdims=True)), 1e-6)


def _lk_patches(template: np.ndarray, sample) -> tuple[np.ndarray, np.ndarray]:
    """Translations (N, 2) aligning each sampled patch with its template, and final NCCs.

    ``template``: (N, k, k) float32 patches of the coarser image. ``sample(d, idx)``: the
    patches ``idx`` of the resampled finer image, each grid shifted by ``d`` (len(idx), 2).
    A patch stops iterating once its step falls below LK_STEP_PX.
    """
    t = _unit(template)
    gy, gx = np.gradient(t, axis=(1, 2))
    a11, a12, a22 = (gx * gx).sum((1, 2)), (gx * gy).sum((1, 2)), (gy * gy).sum((1, 2))
    det = a11 * a22 - a12 * a12
    ok = det > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    n = len(t)
    d = np.zeros((n, 2), np.float32)
    idx = np.flatnonzero(ok)
    for _ in range(LK_ITERATIONS):
        if len(idx) == 0:
            break
        e = _unit(sample(d[idx], idx)) - t[idx]
        bx, by = (gx[idx] * e).sum((1, 2)), (gy[idx] * e).sum((1, 2))
        sx = (a22[idx] * bx - a12[idx] * by) * inv[idx]
        sy = (a11[idx] * by - a12[idx] * bx) * inv[idx]
        d[idx, 0] -= sx
        d[idx, 1] -= sy
        idx = idx[np.maximum(np.abs(sx), np.abs(sy)) >= LK_STEP_PX]
    all_ = np.arange(n)
    ncc = (_unit(sample(d, all_)) * t).sum((1, 2))
    ncc[~ok] = -1.0
    return d.astype(np.float64), ncc


def _measure(coarse, fine_small, g_small, anchors, r):
    """Re-measure anchors of the coarser image against the reduced finer one."""
    off = np.arange(-r, r + 1, dtype=np.float32)
    ox, oy = np.meshgrid(off, off)
    ctr = np.round(anchors)
    h, w = coarse.shape
    inside = (ctr[:, 0] >= r) & (ctr[:, 1] >= r) & (ctr[:, 0] < w - r) & (ctr[:, 1] < h - r)
    ctr = ctr[inside]
    if len(ctr) == 0:
        return ctr, np.zeros((0, 2)), np.zeros(0)
    ix = (ctr[:, 0, None, None] + ox).astype(np.int64)
    iy = (ctr[:, 1, None, None] + oy).astype(np.int64)
    template = coarse[iy, ix].astype(np.float32)
    # The map, written about each patch centre c: g(c + o + d) with o the offset in the patch.
    hm = g_small / g_small[2, 2]
    cx, cy = ctr[:, 0], ctr[:, 1]
    base = np.stack([hm[i, 0] * cx + hm[i, 1] * cy + hm[i, 2] for i in range(3)], axis=1)

    def sample(d: np.ndarray, idx: np.ndarray) -> np.ndarray:
        x = ox + d[:, 0, None, None]
        y = oy + d[:, 1, None, None]
        b = base[idx].astype(np.float32)[:, :, None, None]
        wq = b[:, 2] + np.float32(hm[2, 0]) * x + np.float32(hm[2, 1]) * y
        mx = (b[:, 0] + np.float32(hm[0, 0]) * x + np.float32(hm[0, 1]) * y) / wq
        my = (b[:, 1] + np.float32(hm[1, 0]) * x + np.float32(hm[1, 1]) * y) / wq
        m, k = len(idx), x.shape[1]
        out = cv2.remap(
            fine_small, mx.reshape(m * k, k), my.reshape(m * k, k), cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )  # fmt: skip
        return out.reshape(m, k, k).astype(np.float32)

    d, ncc = _lk_patches(template, sample)
    return ctr, d, ncc


def refine_native(
    h: np.ndarray,
    gray_a: np.ndarray,
    gray_b: np.ndarray,
    anchors_a: np.ndarray,
    anchors_b: np.ndarray,
    *,
    radius_px: int = PATCH_RADIUS_PX,
    max_anchors: int = MAX_ANCHORS,
) -> NativeOutcome:
    """Refine ``h`` (A to B) by aligning patches around the inliers at native resolution.

    Args:
        h: homography from A's pixels to B's, good to a pixel or two.
        gray_a, gray_b: 8-bit grey images at their original resolutions.
        anchors_a, anchors_b: (N, 2) inlier positions in A and in B (the coarser image's are
            used as patch centres).
        radius_px: patch half-size in the coarser image's pixels.
        max_anchors: at most this many patches, spread over the image.

    Returns:
        A NativeOutcome; when not accepted, ``homography`` is ``h`` unchanged.
    """
    wh_a = (gray_a.shape[1], gray_a.shape[0])
    zoom, _ = zoom_rotation(h, ((wh_a[0] - 1) / 2, (wh_a[1] - 1) / 2))
    a_is_coarse = zoom >= 1.0
    coarse, fine = (gray_a, gray_b) if a_is_coarse else (gray_b, gray_a)
    g = h if a_is_coarse else np.linalg.inv(h)  # coarse pixels -> fine pixels
    anchors = np.asarray(anchors_a if a_is_coarse else anchors_b, np.float64)
    if len(anchors) < MIN_ANCHORS:
        return _declined(h, f"native refinement skipped: {len(anchors)} inliers")
    anchors = anchors[_spread(anchors, (coarse.shape[1], coarse.shape[0]), max_anchors)]
    z = max(zoom, 1.0 / zoom)
    fine_small, factor = _fine_pyramid(fine, z)
    red = np.diag([1 / factor, 1 / factor, 1.0])  # pyrDown's pixel i is the source's 2i
    ctr, d, ncc = _measure(coarse, fine_small, red @ g, anchors, radius_px)
    good = (ncc >= MIN_PATCH_NCC) & (np.abs(d).max(axis=1) <= MAX_SHIFT_PX)
    if int(good.sum()) < MIN_ANCHORS:
        return _declined(h, f"native refinement: only {int(good.sum())} patches aligned")
    pc = ctr[good]
    pf = apply_h(g, ctr[good] + d[good])
    pa, pb = (pc, pf) if a_is_coarse else (pf, pc)
    # Patch errors are alike in the coarser image's pixels (about a tenth of a pixel); in B's
    # they scale by B's zoom when B is the finer image. Outliers go by the residuals' MAD.
    sig_b = np.full(len(pa), 0.1 * (z if a_is_coarse else 1.0))
    h_new = h / h[2, 2]
    keep = np.ones(len(pa), bool)
    for _ in range(3):
        h_new = refine_homography(h_new, pa[keep], pb[keep], sig_b[keep], huber_k=2.0)
        res = np.linalg.norm(apply_h(h_new, pa) - pb, axis=1)
        mad = 1.4826 * float(np.median(res[keep])) + 1e-9
        keep = res <= max(3.0 * mad, 1e-3)
        if int(keep.sum()) < MIN_ANCHORS:
            return _declined(h, "native refinement: the patches disagree")
    res = np.linalg.norm(apply_h(h_new, pa[keep]) - pb[keep], axis=1)
    rms = float(np.sqrt(np.mean(res**2)))
    note = f"native refinement on {int(keep.sum())} patches, RMS {rms:.3f} px"
    return NativeOutcome(h_new, True, pa[keep], pb[keep], rms, note)

"""What a homography means: zoom ratio, rotation, overlap, and whether it is degenerate.

Conventions: a homography ``H`` maps pixel coordinates of image A onto image B (origin top-left,
x right, y down), ``b ~ H @ [x, y, 1]``. The zoom ratio is B's scale relative to A, the square
root of the determinant of the Jacobian of ``H`` (2.0 when B shows things twice as large);
rotation is the angle of the Jacobian's closest rotation (polar decomposition), positive when
B's content appears turned counter-clockwise on screen, in degrees in (-180, 180]. Both are
taken at the centroid of the overlap as seen in A, because a homography with perspective has a
different local scale at every point (Hartley & Zisserman 2004, "Multiple View Geometry", 2nd
ed., ch. 2 and 4, for the Jacobian and the normalised DLT used here).
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_ZOOM = 20.0
MAX_ANISOTROPY = 4.0
MAX_SCALE_SPREAD = 10.0


def apply_h(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through the 3x3 homography ``h``."""
    p = np.asarray(pts, np.float64).reshape(-1, 2)
    q = p @ h[:, :2].T + h[:, 2]
    return q[:, :2] / q[:, 2:3]


def rect_corners(wh: tuple[int, int]) -> np.ndarray:
    """The four outer corners of a w x h image (pixel edges, pixel centres on integers)."""
    w, h = wh
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def frame_of_b_in_a(match) -> np.ndarray | None:
    """B's frame corners (pixel edges, clockwise from top-left) in A's pixels, or None without
    a homography (``match``: a MatchResult)."""
    if not match.matched or match.homography is None:
        return None
    return apply_h(np.linalg.inv(match.homography), rect_corners(match.image_b_wh))


def jacobian(h: np.ndarray, x: float, y: float) -> np.ndarray:
    """2x2 Jacobian of the mapping ``h`` at (x, y)."""
    u, v, w = h @ np.array([x, y, 1.0])
    return np.array(
        [
            [(h[0, 0] * w - u * h[2, 0]) / w**2, (h[0, 1] * w - u * h[2, 1]) / w**2],
            [(h[1, 0] * w - v * h[2, 0]) / w**2, (h[1, 1] * w - v * h[2, 1]) / w**2],
        ]
    )


def zoom_rotation(h: np.ndarray, at_xy: tuple[float, float]) -> tuple[float, float]:
    """Zoom ratio and rotation (deg, counter-clockwise on screen) of ``h`` at a point of A."""
    jac = jacobian(h, *at_xy)
    zoom = float(np.sqrt(abs(np.linalg.det(jac))))
    u, _, vt = np.linalg.svd(jac)
    rot = u @ vt
    return zoom, float(np.degrees(np.arctan2(-rot[1, 0], rot[0, 0])))


def _area(poly: np.ndarray) -> float:
    return float(abs(cv2.contourArea(poly.astype(np.float32)))) if len(poly) >= 3 else 0.0


def overlap(
    h: np.ndarray, wh_a: tuple[int, int], wh_b: tuple[int, int]
) -> tuple[float, float, tuple[float, float]]:
    """Overlap of the two views under a non-degenerate ``h``.

    Returns:
        (fraction of A's frame seen in B, fraction of B's frame covered by A, centroid of the
        overlap in A's pixels; A's centre when they do not overlap).
    """
    quad_b = apply_h(h, rect_corners(wh_a)).astype(np.float32)
    rect_b = rect_corners(wh_b).astype(np.float32)
    area, inter = cv2.intersectConvexConvex(quad_b, rect_b)
    centre_a = ((wh_a[0] - 1) / 2.0, (wh_a[1] - 1) / 2.0)
    if inter is None or area <= 0:
        return 0.0, 0.0, centre_a
    inter_a = apply_h(np.linalg.inv(h), inter.reshape(-1, 2))
    area_a = _area(inter_a)
    m = cv2.moments(inter_a.astype(np.float32))
    if m["m00"] > 0:
        centre_a = (m["m10"] / m["m00"], m["m01"] / m["m00"])
    frac_a = area_a / (wh_a[0] * wh_a[1])
    frac_b = float(area) / (wh_b[0] * wh_b[1])
    return min(1.0, frac_a), min(1.0, frac_b), centre_a


def degeneracy(h: np.ndarray | None, wh_a: tuple[int, int], wh_b: tuple[int, int]) -> str | None:
    """Why ``h`` (A to B) cannot be a view of the same scene, or None when it is plausible.

    Rejects: non-finite or singular matrices; the horizon line of either mapping crossing the
    image it maps (extreme perspective); a mirrored mapping (negative Jacobian determinant);
    a collapsed one (local anisotropy above MAX_ANISOTROPY, zoom beyond MAX_ZOOM either way);
    and a local scale varying more than MAX_SCALE_SPREAD times across A's frame.
    """
    if h is None or h.shape != (3, 3) or not np.all(np.isfinite(h)):
        return "no homography could be estimated"
    if abs(np.linalg.det(h)) < 1e-12 * max(1.0, float(np.abs(h).max()) ** 3):
        return "degenerate homography: singular matrix (collapsed view)"
    h = h / np.cbrt(abs(np.linalg.det(h)))
    if h[2, 0] * (wh_a[0] - 1) / 2 + h[2, 1] * (wh_a[1] - 1) / 2 + h[2, 2] < 0:
        h = -h  # the same mapping; makes w positive at A's centre
    hinv = np.linalg.inv(h)
    ca, cb = rect_corners(wh_a), rect_corners(wh_b)
    w_a = ca @ h[2, :2] + h[2, 2]
    w_b = cb @ hinv[2, :2] + hinv[2, 2]
    if np.any(w_a <= 0) or np.any(w_b <= 0):
        return "degenerate homography: extreme perspective (the horizon crosses the image)"
    dets, anis = [], []
    for x, y in ca:
        jac = jacobian(h, x, y)
        sv = np.linalg.svd(jac, compute_uv=False)
        dets.append(np.linalg.det(jac))
        anis.append(sv[0] / max(sv[1], 1e-12))
    dets = np.array(dets)
    if np.any(dets <= 0):
        return "degenerate homography: mirrored view (negative determinant)"
    scales = np.sqrt(dets)
    if max(anis) > MAX_ANISOTROPY:
        return f"degenerate homography: collapsed view (anisotropy {max(anis):.1f})"
    if scales.max() > MAX_ZOOM or scales.min() < 1.0 / MAX_ZOOM:
        return f"degenerate homography: implausible zoom ({scales.min():.3g}-{scales.max():.3g})"
    if scales.max() / scales.min() > MAX_SCALE_SPREAD:
        return "degenerate homography: extreme perspective (scale varies too much)"
    if not cv2.isContourConvex(apply_h(h, ca).astype(np.float32)):
        return "degenerate homography: A's frame does not map to a convex quadrilateral"
    return None


def mean_corner_error_px(
    h_est: np.ndarray, h_true: np.ndarray, wh_a: tuple[int, int], wh_b: tuple[int, int]
) -> float:
    """Mean corner error between two homographies, measured where both images have pixels.

    The finer image (the one that shows things larger) maps into the coarser one; its frame
    is clipped to the coarser image's frame (under the TRUE homography) and the vertices of
    that overlap polygon are the "corners". Each is mapped from the finer image into the
    coarser one by both homographies; the mean distance is returned in the coarser image's
    pixels. When the finer frame lies inside the coarser one (the usual zoom) these are simply
    its four corners; when a tilt pushes part of it outside, no error is extrapolated beyond
    the pictures.
    """
    centre = ((wh_a[0] - 1) / 2.0, (wh_a[1] - 1) / 2.0)
    zoom, _ = zoom_rotation(h_true, centre)
    if zoom >= 1.0:  # fine = B, coarse = A; fine -> coarse is the inverse
        to_coarse_true, to_coarse_est = np.linalg.inv(h_true), np.linalg.inv(h_est)
        fine_wh, coarse_wh = wh_b, wh_a
    else:
        to_coarse_true, to_coarse_est = h_true, h_est
        fine_wh, coarse_wh = wh_a, wh_b
    return _overlap_corner_error(to_coarse_true, to_coarse_est, fine_wh, coarse_wh)


def mean_corner_error_larger_px(
    h_est: np.ndarray, h_true: np.ndarray, wh_a: tuple[int, int], wh_b: tuple[int, int]
) -> float:
    """Mean corner error in the pixels of the image with more pixels (B when they tie).

    For pairs of different sizes (a video frame against a reference photo several times
    larger): the smaller image's frame is mapped into the larger one by the true homography
    and clipped to it; the vertices of that overlap are mapped by both homographies and the
    mean distance is returned in the larger image's pixels.
    """
    if wh_a[0] * wh_a[1] > wh_b[0] * wh_b[1]:
        return _overlap_corner_error(np.linalg.inv(h_true), np.linalg.inv(h_est), wh_b, wh_a)
    return _overlap_corner_error(h_true, h_est, wh_a, wh_b)


def _overlap_corner_error(to_true, to_est, src_wh, dst_wh) -> float:
    """Mean distance, in the destination's pixels, at the vertices of the true overlap."""
    quad = apply_h(to_true, rect_corners(src_wh)).astype(np.float32)
    area, inter = cv2.intersectConvexConvex(quad, rect_corners(dst_wh).astype(np.float32))
    pts_dst = quad if inter is None or area <= 0 else inter.reshape(-1, 2)
    pts_src = apply_h(np.linalg.inv(to_true), pts_dst)
    d = apply_h(to_est, pts_src) - apply_h(to_true, pts_src)
    return float(np.linalg.norm(d, axis=1).mean())

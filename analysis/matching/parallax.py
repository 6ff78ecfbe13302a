"""Plane + parallax test: do the matches a homography leaves out show a second camera position?

Geometry (Irani & Anandan 1996, "Parallax geometry of pairs of points for 3D scene analysis",
ECCV; Hartley & Zisserman 2004, "Multiple View Geometry", 2nd ed., sec. 13.3): with any
homography ``H`` induced by a plane (or by the plane at infinity), a scene point off that plane
maps to ``b ~ H a + gamma e'``, so the residual from ``H a`` to ``b`` lies on a line through the
epipole ``e'`` of B, and every off-plane point's line passes through the same ``e'``. When the
camera did not move there is no epipole: H explains every correct match and the matches it
leaves out are mismatches.

Why not a fundamental matrix fitted by RANSAC: from one camera centre F is degenerate (Chum,
Werner & Matas 2005, "Two-view geometry estimation unaffected by a dominant plane", CVPR): any
``[e']x H`` fits the correct matches, and RANSAC chooses the ``e'`` that also takes in the most
mismatches, which then look like parallax (the scenario's rooftop zoom: 8 of F's 62 inliers).
Two things tell the matches off H that could be parallax from plain mismatches: a correct
match keeps the local scale and orientation that H predicts (keypoint size ratio and angle
difference; parallax from a moderate baseline hardly changes either), and the residuals of
real parallax line up on one epipole. The evidence for a second camera position is the number
of matches off H that pass both. Mismatches along an edge (the skyline) can pass both, which is
why the verdict (analysis.matching.continuity) weighs that number against the matches H explains.

Noise: keypoints are located to about one working-resolution pixel in each image, so the
residual ``H a - b`` has a standard deviation per axis of ``sqrt(s_b^2 + z^2 s_a^2)`` in B's
pixels, where ``s_a``, ``s_b`` are one working pixel of A and B in native pixels and ``z`` is the
local zoom of H (a 3x zoom magnifies A's localisation error three times). Residuals are divided
by it before any threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.matching.geometry import apply_h

INLIER_SIGMAS = 3.0  # |residual| / sigma under this: explained by H (99% of chi-square 2 dof)
LINE_SIGMAS = 3.0  # distance to the epipolar line / sigma under this: on the line
SCALE_TOLERANCE = 1.6  # keypoint size ratio within this factor of H's local zoom
ANGLE_TOLERANCE_DEG = 25.0  # keypoint angle difference within this of H's rotation
N_CANDIDATES = 300  # epipoles tried: intersections of pairs of residual lines
SEED = 20260101  # fixed, so the same matches give the same answer


@dataclass(frozen=True)
class ParallaxTest:
    """What the matches off a homography say about a second camera position.

    Attributes:
        n_distinct: distinct tentative matches tested (repeated keypoint positions counted once).
        n_explained: of those, explained by H within ``INLIER_SIGMAS`` noise sigmas.
        n_off: the others (mismatches, or points showing parallax).
        n_consistent: matches off H whose keypoint scale and angle agree with H's local map.
        n_parallax: consistent matches whose residuals line up on the best single epipole.
        epipole_b: that epipole in B (x, y), or None when at infinity or not found.
        parallax_px: median residual length (B pixels) of the ``n_parallax`` matches, or None.
    """

    n_distinct: int
    n_explained: int
    n_off: int
    n_consistent: int
    n_parallax: int
    epipole_b: tuple[float, float] | None
    parallax_px: float | None

    @property
    def parallax_share(self) -> float:
        """Matches showing parallax per match that H explains."""
        return self.n_parallax / self.n_explained if self.n_explained else float("inf")


@dataclass(frozen=True)
class TentativePairs:
    """Tentative matches with their keypoint shapes.

    Attributes:
        pa, pb: (N, 2) positions in A and B, native pixels.
        scale_ratio: (N,) keypoint size in B over size in A.
        angle_diff_deg: (N,) keypoint angle in B minus angle in A, degrees.
    """

    pa: np.ndarray
    pb: np.ndarray
    scale_ratio: np.ndarray
    angle_diff_deg: np.ndarray

    def distinct(self) -> TentativePairs:
        """The matches with repeated positions (one keypoint, two orientations) counted once."""
        if len(self.pa) == 0:
            return self
        key = np.round(np.column_stack((self.pa, self.pb)) * 2.0)
        keep = np.sort(np.unique(key, axis=0, return_index=True)[1])
        return TentativePairs(
            self.pa[keep], self.pb[keep], self.scale_ratio[keep], self.angle_diff_deg[keep]
        )


def local_zoom_sq(h: np.ndarray, pa: np.ndarray) -> np.ndarray:
    """|det Jacobian| of H at each point of A (the square of the local zoom)."""
    hn = h / h[2, 2]
    w = pa @ hn[2, :2] + 1.0
    return abs(float(np.linalg.det(hn))) / np.maximum(np.abs(w) ** 3, 1e-12)


def noise_sigma_px(h: np.ndarray, pa: np.ndarray, sigma_a: float, sigma_b: float) -> np.ndarray:
    """Per-match noise sigma (B pixels) of the residual ``H a - b``, zoom-dependent."""
    return np.sqrt(sigma_b**2 + local_zoom_sq(h, pa) * sigma_a**2)


def _wrap_deg(a: np.ndarray) -> np.ndarray:
    return (a + 180.0) % 360.0 - 180.0


def shape_consistent(t: TentativePairs, h: np.ndarray, explained: np.ndarray) -> np.ndarray:
    """Matches whose keypoint size ratio and angle difference agree with H's local map.

    The expected values are calibrated on the matches H explains (their median size ratio per
    unit of local zoom, their circular mean angle difference), so the detector's conventions
    and biases cancel out.
    """
    zoom = np.sqrt(local_zoom_sq(h, t.pa))
    if not explained.any():
        return np.zeros(len(t.pa), bool)
    rel = np.log(np.maximum(t.scale_ratio, 1e-12) / zoom)
    rel -= np.median(rel[explained])
    rad = np.radians(t.angle_diff_deg[explained])
    turn = np.degrees(np.arctan2(np.sin(rad).sum(), np.cos(rad).sum()))
    ok_scale = np.abs(rel) < np.log(SCALE_TOLERANCE)
    ok_angle = np.abs(_wrap_deg(t.angle_diff_deg - turn)) < ANGLE_TOLERANCE_DEG
    return ok_scale & ok_angle


def _lines_through(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Homogeneous lines through points x[i] and y[i] (N, 3)."""
    one = np.ones((len(x), 1))
    return np.cross(np.hstack((x, one)), np.hstack((y, one)))


def _candidate_pairs(n: int, rng: np.random.Generator) -> np.ndarray:
    if n * (n - 1) // 2 <= N_CANDIDATES:
        i, j = np.triu_indices(n, k=1)
        return np.column_stack((i, j))
    i = rng.integers(0, n, N_CANDIDATES)
    j = (i + rng.integers(1, n, N_CANDIDATES)) % n
    return np.column_stack((i, j))


def best_line_up(xh: np.ndarray, pb: np.ndarray, sigma: np.ndarray):
    """The epipole on which most residuals (from ``xh`` = H a to b) line up.

    Candidate epipoles are intersections of two residual lines (homogeneous, so an epipole at
    infinity, e.g. a sideways move with parallel residuals, is found too).

    Returns:
        (homogeneous epipole or None, (N,) bool: residual on a line through it).
    """
    if len(xh) < 2:
        return None, np.zeros(len(xh), bool)
    lines = _lines_through(xh, pb)
    cand = _candidate_pairs(len(xh), np.random.default_rng(SEED))
    eps = np.cross(lines[cand[:, 0]], lines[cand[:, 1]])
    eps /= np.maximum(np.linalg.norm(eps, axis=1, keepdims=True), 1e-300)
    xh1 = np.hstack((xh, np.ones((len(xh), 1))))
    pb1 = np.hstack((pb, np.ones((len(pb), 1))))
    through = np.cross(eps[:, None, :], xh1[None, :, :])  # line through epipole and H a
    norm = np.maximum(np.hypot(through[..., 0], through[..., 1]), 1e-300)
    dist = np.abs((through * pb1[None, :, :]).sum(axis=2)) / norm
    on = dist < LINE_SIGMAS * sigma[None, :]
    best = int(np.argmax(on.sum(axis=1)))
    return eps[best], on[best]


def parallax_test(
    h: np.ndarray, pairs: TentativePairs, sigma_a: float, sigma_b: float
) -> ParallaxTest:
    """Test the tentative matches for parallax off ``h``.

    Args:
        h: homography mapping A pixels onto B pixels.
        pairs: the tentative matches (before any geometric verification).
        sigma_a, sigma_b: keypoint localisation noise in A and B, native pixels (one working
            pixel of each image's feature detection).

    Returns:
        The ParallaxTest; deterministic for the same input.
    """
    t = pairs.distinct()
    sigma = noise_sigma_px(h, t.pa, sigma_a, sigma_b)
    xh = apply_h(h, t.pa)
    explained = np.linalg.norm(xh - t.pb, axis=1) < INLIER_SIGMAS * sigma
    keep = np.flatnonzero(~explained & shape_consistent(t, h, explained))
    epipole, on = best_line_up(xh[keep], t.pb[keep], sigma[keep])
    e_xy = None
    if epipole is not None and abs(epipole[2]) > 1e-9:
        e_xy = (float(epipole[0] / epipole[2]), float(epipole[1] / epipole[2]))
    residual = np.linalg.norm(xh[keep][on] - t.pb[keep][on], axis=1)
    return ParallaxTest(
        n_distinct=len(t.pa),
        n_explained=int(explained.sum()),
        n_off=int((~explained).sum()),
        n_consistent=len(keep),
        n_parallax=int(on.sum()),
        epipole_b=e_xy,
        parallax_px=float(np.median(residual)) if len(residual) else None,
    )

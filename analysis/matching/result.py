"""The result of matching two images: the verdict, the model, the numbers behind it.

Units are in the names: pixels of the full-resolution images (points, reprojection error),
fractions of each image's area (overlap), a zoom ratio of B over A and a rotation in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.matching.features import Features
from analysis.matching.geometry import degeneracy, overlap, zoom_rotation

VERDICT_MATCH = "match"
VERDICT_NO_MATCH = "no match"


@dataclass(frozen=True, eq=False)
class MatchResult:
    """The outcome of matching image A with image B.

    Attributes:
        verdict: "match" or "no match"; ``reason`` says why, in words.
        model: "homography" or "fundamental".
        method: feature method used ("sift", "akaze", "orb").
        n_features_a, n_features_b: keypoints detected in each image.
        n_matches: tentative matches (ratio test and mutual nearest neighbours).
        n_inliers: matches consistent with the final model; ``inlier_ratio`` = inliers over
            tentative matches.
        reprojection_rmse_px: RMS transfer error of the inliers in B's pixels (homography) or
            RMS distance to the epipolar line (fundamental).
        homography: 3x3 float64 mapping A pixels onto B pixels, h[2, 2] = 1, or None.
        fundamental: 3x3 fundamental matrix (b^T F a = 0) when model is "fundamental".
        zoom_ratio: B's scale relative to A at the overlap's centroid (None without H).
        rotation_deg: B's content rotation relative to A, counter-clockwise on screen.
        overlap_a_frac: fraction of A's frame that B shows; ``overlap_b_frac`` the reverse.
        points_a, points_b: (N, 2) matched points (all candidates kept), in original pixels.
        inlier_mask: (N,) bool, the inliers among ``points_a``/``points_b``.
        image_a_wh, image_b_wh: image sizes in pixels.
    """

    verdict: str
    reason: str
    model: str
    method: str
    n_features_a: int
    n_features_b: int
    n_matches: int
    n_inliers: int
    inlier_ratio: float
    reprojection_rmse_px: float | None
    homography: np.ndarray | None
    fundamental: np.ndarray | None
    zoom_ratio: float | None
    rotation_deg: float | None
    overlap_a_frac: float | None
    overlap_b_frac: float | None
    points_a: np.ndarray
    points_b: np.ndarray
    inlier_mask: np.ndarray
    image_a_wh: tuple[int, int]
    image_b_wh: tuple[int, int]

    @property
    def matched(self) -> bool:
        return self.verdict == VERDICT_MATCH

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (matrices as nested lists, no per-point arrays)."""

        def mat(m: np.ndarray | None) -> list[list[float]] | None:
            return None if m is None else [[float(v) for v in row] for row in m]

        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "model": self.model,
            "method": self.method,
            "n_features_a": self.n_features_a,
            "n_features_b": self.n_features_b,
            "matches": self.n_matches,
            "inliers": self.n_inliers,
            "inlier_ratio": self.inlier_ratio,
            "reprojection_rmse_px": self.reprojection_rmse_px,
            "homography": mat(self.homography),
            "fundamental": mat(self.fundamental),
            "zoom_ratio": self.zoom_ratio,
            "rotation_deg": self.rotation_deg,
            "overlap_a_frac": self.overlap_a_frac,
            "overlap_b_frac": self.overlap_b_frac,
            "image_a_wh": list(self.image_a_wh),
            "image_b_wh": list(self.image_b_wh),
        }


def no_match(reason: str, fa: Features, fb: Features, model: str, **kw: Any) -> MatchResult:
    """A "no match" result that says why, with the feature counts of both images."""
    empty = np.zeros((0, 2))
    base: dict[str, Any] = dict(
        verdict=VERDICT_NO_MATCH,
        reason=reason,
        model=model,
        method=fa.method,
        n_features_a=len(fa),
        n_features_b=len(fb),
        n_matches=0,
        n_inliers=0,
        inlier_ratio=0.0,
        reprojection_rmse_px=None,
        homography=None,
        fundamental=None,
        zoom_ratio=None,
        rotation_deg=None,
        overlap_a_frac=None,
        overlap_b_frac=None,
        points_a=empty,
        points_b=empty,
        inlier_mask=np.zeros(0, bool),
        image_a_wh=fa.image_wh,
        image_b_wh=fb.image_wh,
    )
    base.update(kw)
    return MatchResult(**base)


def homography_result(h, pairs, err, fa, fb, n, min_inliers) -> MatchResult:
    """The result of a refined homography on its inlier pairs (indices into fa and fb), or
    "no match" when too few inliers remain or the homography is degenerate."""
    pa, pb = fa.xy_px[pairs[:, 0]], fb.xy_px[pairs[:, 1]]
    k = len(pairs)
    common = dict(
        n_matches=n, points_a=pa, points_b=pb, inlier_mask=np.ones(k, bool), n_inliers=k,
        inlier_ratio=min(1.0, k / n),
    )  # fmt: skip
    if k < min_inliers:
        return no_match(f"{k} inliers after refinement", fa, fb, "homography", **common)
    why = degeneracy(h, fa.image_wh, fb.image_wh)
    if why is not None:
        return no_match(f"{why}", fa, fb, "homography", **common)
    frac_a, frac_b, centre = overlap(h, fa.image_wh, fb.image_wh)
    zoom, rot = zoom_rotation(h, centre)
    rmse = float(np.sqrt(np.mean(err**2)))
    return MatchResult(
        verdict=VERDICT_MATCH,
        reason=f"{k} inliers (from {n} tentative matches), RMSE {rmse:.2f} px",
        model="homography",
        method=fa.method,
        n_features_a=len(fa),
        n_features_b=len(fb),
        reprojection_rmse_px=rmse,
        homography=h,
        fundamental=None,
        zoom_ratio=zoom,
        rotation_deg=rot,
        overlap_a_frac=frac_a,
        overlap_b_frac=frac_b,
        image_a_wh=fa.image_wh,
        image_b_wh=fb.image_wh,
        **common,
    )


def epipolar_distances_px(f: np.ndarray, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Symmetric distance (mean of both images) of matches to their epipolar lines, pixels."""
    xa = np.column_stack((pa, np.ones(len(pa))))
    xb = np.column_stack((pb, np.ones(len(pb))))
    lb = xa @ f.T
    la = xb @ f
    num = np.abs((xb * lb).sum(axis=1))
    da = num / np.maximum(np.hypot(la[:, 0], la[:, 1]), 1e-12)
    db = num / np.maximum(np.hypot(lb[:, 0], lb[:, 1]), 1e-12)
    return (da + db) / 2.0


def fundamental_result(f, pa, pb, mask, fa, fb, n) -> MatchResult:
    """The result of a fundamental matrix verified on the tentative matches."""
    k = int(mask.sum())
    rmse = float(np.sqrt(np.mean(epipolar_distances_px(f, pa[mask], pb[mask]) ** 2)))
    return MatchResult(
        verdict=VERDICT_MATCH,
        reason=f"{k} inliers of {n} matches to a fundamental matrix, RMSE {rmse:.2f} px",
        model="fundamental", method=fa.method, n_features_a=len(fa), n_features_b=len(fb),
        n_matches=n, n_inliers=k, inlier_ratio=k / n, reprojection_rmse_px=rmse,
        homography=None, fundamental=f, zoom_ratio=None, rotation_deg=None,
        overlap_a_frac=None, overlap_b_frac=None, points_a=pa, points_b=pb, inlier_mask=mask,
        image_a_wh=fa.image_wh, image_b_wh=fb.image_wh,
    )  # fmt: skip

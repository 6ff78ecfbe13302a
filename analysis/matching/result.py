"""The result of matching two images: the verdict, the model, the numbers behind it.

Units are in the names: pixels of the full-resolution images (points, reprojection error),
fractions of each image's area (overlap), a zoom ratio of B over A and a rotation in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.matching.features import Features

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

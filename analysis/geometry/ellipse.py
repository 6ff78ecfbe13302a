"""Confidence ellipses of 2-D Gaussian position errors in the local east/north plane.

The k-sigma ellipse of a 2-D Gaussian holds probability p when k^2 is the chi-square quantile
with 2 degrees of freedom, k^2 = -2 ln(1 - p) (5.991 for p = 0.95); its axes are the
eigenvectors of the covariance, scaled by k times the square roots of the eigenvalues.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.errors import GeometryError


@dataclass(frozen=True)
class ErrorEllipse:
    """A confidence ellipse in the local tangent plane at the fix.

    ``azimuth_deg`` is the direction of the major axis, clockwise from north, in [0, 180).
    """

    semi_major_m: float
    semi_minor_m: float
    azimuth_deg: float
    confidence: float


def chi2_2dof_quantile(confidence: float) -> float:
    """k^2 such that a 2-D Gaussian lies within the k-sigma ellipse with this probability."""
    if not 0.0 < confidence < 1.0:
        raise GeometryError(f"confidence {confidence} is not in (0, 1)")
    return -2.0 * math.log1p(-confidence)


def error_ellipse(covariance_m2: np.ndarray, confidence: float = 0.95) -> ErrorEllipse:
    """Confidence ellipse of a 2-D Gaussian with east/north covariance in m^2.

    Raises:
        GeometryError: if the covariance is not positive definite.
    """
    cov = np.asarray(covariance_m2, dtype=float)
    vals, vecs = np.linalg.eigh(cov)
    if not (np.all(np.isfinite(vals)) and vals[0] > 0.0):
        raise GeometryError("the covariance is not positive definite")
    k2 = chi2_2dof_quantile(confidence)
    major = vecs[:, 1]
    azimuth = math.degrees(math.atan2(major[0], major[1])) % 180.0
    return ErrorEllipse(
        semi_major_m=math.sqrt(k2 * vals[1]),
        semi_minor_m=math.sqrt(k2 * vals[0]),
        azimuth_deg=azimuth,
        confidence=confidence,
    )

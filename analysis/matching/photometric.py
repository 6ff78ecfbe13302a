"""Photometric refinement of a homography match: native-resolution patches, then ECC.

Two refinements use the pixels rather than the feature positions:

1. Patches at native resolution around the inliers (analysis.matching.native): each inlier is
   re-measured to a few hundredths of a pixel where the images have detail, and the
   homography is refitted on those measurements. This is what recovers the precision that the
   features' working resolution gave away on large images (a 4,000 px reference photo).
2. ECC over the overlap (analysis.matching.ecc), starting from the result of 1. ECC uses every
   textured pixel, but where a large part of the overlap has no texture (sky, water) its
   homography can drift while the correlation still rises (6 px on a harbour photo in the
   benchmark). So it is kept only when it agrees with the re-measured patches: the patches'
   mean squared residual may grow by at most ``ECC_AGREEMENT_CHI2`` times its own share per
   measurement (a chi-square on the patches' noise; 8 parameters of a homography).

Conventions are the engine's: the homography maps A's pixels onto B's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis.matching.ecc import refine_ecc
from analysis.matching.features import to_gray_u8
from analysis.matching.geometry import apply_h, degeneracy, overlap, zoom_rotation
from analysis.matching.native import refine_native
from analysis.matching.result import MatchResult

# On the benchmark (bench/bench_matching.py) ECC homographies that agreed with the patches had
# chi-square values up to about 60 and were within a few hundredths of a pixel of them; those
# that had drifted gave hundreds to tens of thousands.
ECC_AGREEMENT_CHI2 = 60.0


def _ecc_agrees(h_ecc: np.ndarray, h_nat: np.ndarray, pa: np.ndarray, pb: np.ndarray) -> bool:
    """Whether ECC's homography is within the re-measured patches' noise of their own fit."""
    ms_nat = float(np.mean(np.sum((apply_h(h_nat, pa) - pb) ** 2, axis=1)))
    ms_ecc = float(np.mean(np.sum((apply_h(h_ecc, pa) - pb) ** 2, axis=1)))
    chi2 = len(pa) * (ms_ecc - ms_nat) / max(ms_nat / 2.0, 1e-12)
    return chi2 <= ECC_AGREEMENT_CHI2


def refine_photometric(result: MatchResult, a: np.ndarray, b: np.ndarray) -> MatchResult:
    """Refine a homography match on the images; other results are returned unchanged.

    Native-resolution patches first, then ECC kept only when it agrees with them (see the
    module's docstring). Zoom, rotation, overlap and the inliers' RMSE are recomputed for the
    refined homography. A refinement that would make the homography degenerate is discarded.

    Args:
        result: a MatchResult of A and B (from :func:`analysis.matching.engine.match_features`).
        a, b: the two images at their original resolutions (grey, BGR or BGRA).

    Returns:
        The refined MatchResult; its reason says what each refinement did.
    """
    if not result.matched or result.homography is None:
        return result
    wh_a, wh_b = result.image_a_wh, result.image_b_wh
    gray_a, gray_b = to_gray_u8(a)[0], to_gray_u8(b)[0]
    inl = result.inlier_mask
    native = refine_native(result.homography, gray_a, gray_b,
                           result.points_a[inl], result.points_b[inl])  # fmt: skip
    h, notes = result.homography, []
    if native.accepted and degeneracy(native.homography, wh_a, wh_b) is None:
        h = native.homography
        notes.append(native.note)
    else:
        notes.append(native.note if not native.accepted else "native refinement degenerate")
    ecc = refine_ecc(h, gray_a, gray_b)
    if ecc.accepted and degeneracy(ecc.homography, wh_a, wh_b) is None:
        if native.accepted and not _ecc_agrees(ecc.homography, h, native.points_a, native.points_b):
            notes.append(f"{ecc.note}, not kept: it disagrees with the native patches")
        else:
            h = ecc.homography
            notes.append(ecc.note)
    else:
        notes.append(ecc.note)
    if h is result.homography:
        return replace(result, reason=f"{result.reason}; {'; '.join(notes)}")
    frac_a, frac_b, centre = overlap(h, wh_a, wh_b)
    zoom, rot = zoom_rotation(h, centre)
    earlier = result.reason.split("; ")[1:]  # what the matching said after its RMSE
    pa, pb = result.points_a[inl], result.points_b[inl]
    rmse = float(np.sqrt(np.mean(np.sum((apply_h(h, pa) - pb) ** 2, axis=1))))
    return replace(
        result,
        homography=h,
        zoom_ratio=zoom,
        rotation_deg=rot,
        overlap_a_frac=frac_a,
        overlap_b_frac=frac_b,
        reprojection_rmse_px=rmse,
        reason="; ".join([f"{result.n_inliers} inliers (from {result.n_matches} tentative "
                          f"matches), RMSE {rmse:.2f} px", *earlier, *notes]),
    )  # fmt: skip

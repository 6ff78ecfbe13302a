"""Automatic registration of a near-nadir image against a georeferenced mosaic.

For drone stills, satellite crops and frames looking down within about 35 degrees of nadir, a
homography from image pixels to mosaic pixels is the right model (flat ground, a pinhole).

1. Coarse: the image's RootSIFT features against the mosaic's at two working resolutions
   (cached per mosaic in a :class:`MosaicIndex`; the footprint's scale is not known yet),
   tentative matches and MAGSAC++ (analysis.matching.engine.estimate_model).
2. Fine: the mosaic is cropped around the coarse footprint (with a margin) and the pair goes
   through the matching engine (analysis.matching.engine.match_images: pair-scale pass,
   guided matching, LM, native patches, ECC). Cropping keeps the engine's sanity checks
   meaningful: on the whole mosaic, a tilted view's horizon falls inside the far-away part.
3. Verdict. Wrong footprints are worse than none, so "not registered" with the reason when:
   fewer than MIN_INLIERS inliers; an inlier RMSE above MAX_RMSE_M on the ground; the fine fit
   disagreeing with the coarse one by more than MAX_COARSE_FINE_M at the corners; a view
   tilted more than MAX_TILT_DEG from nadir; or a pixel correlation of the warped image with
   the mosaic below MIN_NCC over the footprint (features can agree on repeated texture).
Oblique frames (the horizon in the frame) are "not attempted": they belong to the pose path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from analysis.imagery.mosaic import Mosaic
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching.engine import estimate_model, match_images
from analysis.matching.features import Features, compute_features, to_gray_u8
from analysis.matching.geometry import apply_h, degeneracy
from analysis.matching.tentative import tentative_matches

MIN_INLIERS = 25
MAX_RMSE_M = 0.75
MAX_COARSE_FINE_M = 6.0
MAX_TILT_DEG = 45.0
FOCAL_RANGE = (0.4, 4.0)  # focal length / long side: about 100 to 14 degrees of view
MIN_NCC = 0.35
COARSE_SIDES_PX = (1400, 2800)
COARSE_FEATURES = (6000, 16000)
COARSE_MIN_INLIERS = 12
CROP_MARGIN = 0.12
NOT_ATTEMPTED = "not attempted"


@dataclass(eq=False)
class MosaicIndex:
    """A mosaic with its coarse features (computed once, reused for every image)."""

    mosaic: Mosaic
    features: list[Features] = field(default_factory=list)

    def ensure(self, cancel: CancelToken | None = None) -> list[Features]:
        if not self.features:
            long_side = max(self.mosaic.image.shape[:2])
            for side, n in zip(COARSE_SIDES_PX, COARSE_FEATURES, strict=True):
                if self.features and side >= long_side * 1.2:
                    break  # the previous level already worked at (nearly) full resolution
                check(cancel)
                self.features.append(
                    compute_features(self.mosaic.image, "sift", work_long_side_px=side,
                                     max_features=n, cancel=cancel)
                )  # fmt: skip
        return self.features


@dataclass(frozen=True, eq=False)
class AutoRegistration:
    """The outcome. ``homography`` maps image pixels to mosaic pixels (None unless registered)."""

    registered: bool
    reason: str
    homography: np.ndarray | None = None
    n_inliers: int = 0
    rmse_m: float | None = None
    ncc: float | None = None
    tilt_deg: float | None = None
    points_image: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    points_mosaic: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    attempted: bool = True


def _coarse(image: np.ndarray, index: MosaicIndex, cancel) -> tuple[np.ndarray | None, int]:
    fi = compute_features(image, "sift", work_long_side_px=1280, max_features=4000)
    best, best_n = None, 0
    for fm in index.ensure(cancel):
        check(cancel)
        t = tentative_matches(fi, fm, ratio=0.85)
        if len(t.pairs) < COARSE_MIN_INLIERS:
            continue
        pa, pb = fi.xy_px[t.pairs[:, 0]], fm.xy_px[t.pairs[:, 1]]
        h, mask = estimate_model(pa, pb, "homography", 4.0 / fm.work_scale, 10000)
        if h is not None and int(mask.sum()) > best_n:
            best, best_n = h / h[2, 2], int(mask.sum())
    return best, best_n


def _corners(wh: tuple[int, int]) -> np.ndarray:
    w, h = wh
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def _crop_box(h: np.ndarray, wh: tuple[int, int], mosaic_wh: tuple[int, int]):
    quad = apply_h(h, _corners(wh))
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    pad = (hi - lo) * CROP_MARGIN + 16
    x0, y0 = np.maximum(np.floor(lo - pad), 0).astype(int)
    x1 = int(min(np.ceil(hi[0] + pad[0]), mosaic_wh[0]))
    y1 = int(min(np.ceil(hi[1] + pad[1]), mosaic_wh[1]))
    return int(x0), int(y0), x1, y1


def _tilt_for_f(g: np.ndarray, f: float) -> float:
    m = np.diag([1 / f, 1 / f, 1.0]) @ g
    r1, r2 = m[:, 0] / np.linalg.norm(m[:, 0]), m[:, 1] / np.linalg.norm(m[:, 1])
    normal = np.cross(r1, r2)
    return float(np.degrees(np.arccos(min(1.0, abs(normal[2]) / np.linalg.norm(normal)))))


def tilt_from_homography(h: np.ndarray, wh: tuple[int, int]) -> tuple[float, float]:
    """Angle of the optical axis from nadir, from ``h`` (image pixels -> flat ground).

    The inverse maps the ground plane into the image: ``G ~ K [r1 r2 t]`` with K = diag(f, f,
    1) about the image centre (square pixels, principal point at the centre). r1 and r2 being
    orthonormal gives f (Zhang 2000, "A flexible new technique for camera calibration", sec.
    3.1, with a single view and f the one unknown); the tilt is the angle between the optical
    axis and the ground's normal r1 x r2. Near nadir f is unobservable (the estimate is noise),
    so f is kept within FOCAL_RANGE times the long side (fields of view of about 14 to 100
    degrees).

    Returns:
        (the tilt at the estimated f, the smallest tilt over FOCAL_RANGE): a view is refused
        as oblique only when even the smallest exceeds the limit.
    """
    w, hh = wh
    long_side = float(max(w, hh))
    shift = np.array([[1, 0, (w - 1) / 2], [0, 1, (hh - 1) / 2], [0, 0, 1.0]])
    g = np.linalg.inv(shift) @ np.linalg.inv(h)
    g = g / np.linalg.norm(g[:, :2])
    cands = []
    num1 = -(g[0, 0] * g[0, 1] + g[1, 0] * g[1, 1])
    den1 = g[2, 0] * g[2, 1]
    num2 = g[0, 1] ** 2 + g[1, 1] ** 2 - g[0, 0] ** 2 - g[1, 0] ** 2
    den2 = g[2, 0] ** 2 - g[2, 1] ** 2
    for num, den in ((num1, den1), (num2, den2)):
        if abs(den) > 1e-12 and num / den > 0:
            cands.append(num / den)
    lo, hi = FOCAL_RANGE[0] * long_side, FOCAL_RANGE[1] * long_side
    f = float(np.sqrt(np.median(cands))) if cands else long_side
    f = min(max(f, lo), hi)
    smallest = min(_tilt_for_f(g, ff) for ff in np.geomspace(lo, hi, 25))
    return _tilt_for_f(g, f), smallest


def warp_ncc(image: np.ndarray, mosaic: np.ndarray, h: np.ndarray) -> float:
    """Correlation of high-passed pixels over the footprint (image warped onto the mosaic)."""
    g_img, _ = to_gray_u8(image)
    g_mos, _ = to_gray_u8(mosaic)
    quad = apply_h(h, _corners((g_img.shape[1], g_img.shape[0])))
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)), 0).astype(int)
    x1 = int(min(np.ceil(quad[:, 0].max()), g_mos.shape[1]))
    y1 = int(min(np.ceil(quad[:, 1].max()), g_mos.shape[0]))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1.0]])
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(g_img.astype(np.float32), shift @ h, size)
    valid = cv2.warpPerspective(np.ones_like(g_img, np.float32), shift @ h, size) > 0.99
    ref = g_mos[y0:y1, x0:x1].astype(np.float32)
    # compare at the image's own resolution: blur the (finer) mosaic crop to the image's scale
    zoom = np.sqrt(abs(np.linalg.det(h[:2, :2]))) / max(abs(h[2, 2]), 1e-12)
    sigma = max(1.0, 0.6 * zoom)
    hp = lambda a: a - cv2.GaussianBlur(a, (0, 0), 6 * sigma)  # noqa: E731
    a = hp(cv2.GaussianBlur(warped, (0, 0), sigma))[valid]
    b = hp(cv2.GaussianBlur(ref, (0, 0), sigma))[valid]
    if a.size < 64:
        return 0.0
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / max(np.sqrt((a * a).sum() * (b * b).sum()), 1e-9))


def _refuse(reason: str, **kw) -> AutoRegistration:
    return AutoRegistration(registered=False, reason=reason, **kw)


def _coarse_refusal(h0: np.ndarray | None, n0: int, wh: tuple[int, int]) -> AutoRegistration | None:
    """Why the coarse fit stops here (too weak, or an oblique view), or None to go on."""
    if h0 is None or n0 < COARSE_MIN_INLIERS:
        return _refuse(f"no consistent matches with the reference ({n0} inliers, needs "
                       f"{COARSE_MIN_INLIERS}): not this place, or too little detail")  # fmt: skip
    horizon = h0[2, 0] * _corners(wh)[:, 0] + h0[2, 1] * _corners(wh)[:, 1] + h0[2, 2]
    if not np.any(horizon * horizon[0] <= 0):
        return None
    if n0 < MIN_INLIERS:  # a weak fit with its horizon in the frame: just no match
        return _refuse(f"no plausible match with the reference (the best of {n0} "
                       "inliers implies an impossible view)", n_inliers=n0)  # fmt: skip
    return _refuse(f"{NOT_ATTEMPTED}: the best fit ({n0} inliers) puts the horizon in "
                   "the frame (an oblique view); use the pose path", attempted=False)  # fmt: skip


def register_to_mosaic(
    image: np.ndarray,
    index: MosaicIndex,
    *,
    oblique: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> AutoRegistration:
    """Register ``image`` onto ``index.mosaic`` (see the module's docstring for the checks).

    Args:
        image: grey/BGR/BGRA pixels of a near-nadir view.
        index: the mosaic and its cached coarse features.
        oblique: the analyst says the frame is a ground-level oblique view: "not attempted".
        progress, cancel: job hooks (JobCancelled is raised on cancel).
    """
    if oblique:
        return _refuse(f"{NOT_ATTEMPTED}: an oblique ground-level view does not match an "
                       "orthophoto by local features; pose the frame from control points "
                       "instead", attempted=False)  # fmt: skip
    mos = index.mosaic
    mwh = (mos.image.shape[1], mos.image.shape[0])
    wh = (image.shape[1], image.shape[0])
    gsd = mos.georef.pixel_size_m()
    report(progress, 0.05, "mosaic features")
    index.ensure(cancel)
    report(progress, 0.4, "coarse match")
    h0, n0 = _coarse(image, index, cancel)
    refused = _coarse_refusal(h0, n0, wh)
    if refused is not None:
        return refused
    x0, y0, x1, y1 = _crop_box(h0, wh, mwh)
    crop = mos.image[y0:y1, x0:x1]
    report(progress, 0.6, "fine match")
    check(cancel)
    r = match_images(image, crop, cancel=cancel, min_inliers=MIN_INLIERS)
    if not r.matched:
        return _refuse(f"the fine match failed: {r.reason}", n_inliers=r.n_inliers)
    h = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]]) @ r.homography
    h = h / h[2, 2]
    common = dict(
        n_inliers=r.n_inliers,
        rmse_m=float(r.reprojection_rmse_px or 0.0) * gsd,
        points_image=r.points_a[r.inlier_mask],
        points_mosaic=r.points_b[r.inlier_mask] + np.array([x0, y0]),
    )
    report(progress, 0.9, "checks")
    why = degeneracy(r.homography, wh, (crop.shape[1], crop.shape[0]))
    return _verdict(image, mos.image, h, h0, wh, why, gsd, common)


def _verdict(image, mosaic, h, h0, wh, why, gsd, common) -> AutoRegistration:
    tilt, tilt_min = tilt_from_homography(h, wh)
    drift = float(np.linalg.norm(apply_h(h, _corners(wh)) - apply_h(h0, _corners(wh)), axis=1)
                  .max()) * gsd  # fmt: skip
    ncc = warp_ncc(image, mosaic, h)
    common.update(tilt_deg=tilt, ncc=ncc)
    checks = [
        (why is not None, f"the fit is implausible ({why})"),
        (common["n_inliers"] < MIN_INLIERS,
         f"{common['n_inliers']} inliers (needs {MIN_INLIERS})"),
        (common["rmse_m"] > MAX_RMSE_M,
         f"inlier RMSE {common['rmse_m']:.2f} m (limit {MAX_RMSE_M} m)"),
        (drift > MAX_COARSE_FINE_M,
         f"the fine fit moved a corner {drift:.1f} m from the coarse one (limit "
         f"{MAX_COARSE_FINE_M} m)"),
        (tilt_min > MAX_TILT_DEG, f"the view is about {tilt:.0f} deg from nadir (limit "
         f"{MAX_TILT_DEG:.0f}); use the pose path"),
        (ncc < MIN_NCC, f"the pixels do not agree with the reference (correlation "
         f"{ncc:.2f}, needs {MIN_NCC})"),
    ]  # fmt: skip
    for failed, reason in checks:
        if failed:
            return _refuse(f"not registered: {reason}", **common)
    reason = (f"{common['n_inliers']} inliers, RMSE {common['rmse_m']:.2f} m, correlation "
              f"{ncc:.2f}, about {tilt:.0f} deg from nadir")  # fmt: skip
    return AutoRegistration(registered=True, reason=reason, homography=h, **common)

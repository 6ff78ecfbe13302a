"""Background registration: each frame's homography to the track's reference frame.

Frame-to-frame motion of the background is measured on corners (Shi-Tomasi) followed by
pyramidal Lucas-Kanade, with the tracked object (an enlarged box around it) and the static
overlays (logos, time stamps: analysis.media.inspection) masked out, then fitted by a RANSAC
homography and, where it helps, refined by ECC (analysis.matching.ecc, Evangelidis & Psarakis
2008). The per-frame homographies are chained outwards from the reference frame, so
``to_reference[i]`` maps frame i pixels to reference-frame pixels: the object's track in
those coordinates is free of pan, zoom and shake.

A sky with few features gives few corners: below ``MIN_INLIERS`` the step falls back to a
translation from phase correlation, and below that to the identity, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.matching.ecc import refine_ecc

MIN_INLIERS = 12
MAX_CORNERS = 400
OBJECT_MARGIN = 3.0  # the masked box is this many times the object's box


@dataclass(frozen=True)
class Registration:
    """Homographies to the reference frame, and how each step was measured."""

    reference_frame: int
    to_reference: dict[int, np.ndarray]
    methods: dict[int, str]  # "homography", "homography+ecc", "translation", "none"
    inliers: dict[int, int]

    def apply(self, frame_index: int, x_px: float, y_px: float) -> tuple[float, float] | None:
        h = self.to_reference.get(frame_index)
        if h is None:
            return None
        v = h @ np.array([x_px, y_px, 1.0])
        return float(v[0] / v[2]), float(v[1] / v[2])


def _mask(shape: tuple[int, ...], overlays: np.ndarray | None, box: tuple[float, ...] | None):
    mask = np.full(shape[:2], 255, np.uint8)
    if overlays is not None and overlays.shape == mask.shape:
        mask[overlays.astype(bool)] = 0
    if box is not None:
        cx, cy, w, h = box
        hw, hh = OBJECT_MARGIN * w / 2 + 8, OBJECT_MARGIN * h / 2 + 8
        x0, y0 = int(max(0, cx - hw)), int(max(0, cy - hh))
        mask[y0 : int(cy + hh) + 1, x0 : int(cx + hw) + 1] = 0
    return mask


def pair_homography(
    a: np.ndarray,
    b: np.ndarray,
    mask_a: np.ndarray,
    *,
    ecc: bool = True,
) -> tuple[np.ndarray, str, int]:
    """Homography from frame ``a`` pixels to frame ``b`` pixels (gray images), the method used
    and the number of RANSAC inliers."""
    pts = cv2.goodFeaturesToTrack(a, MAX_CORNERS, 0.005, 8, mask=mask_a, blockSize=7)
    if pts is not None and len(pts) >= MIN_INLIERS:
        nxt, st, _ = cv2.calcOpticalFlowPyrLK(a, b, pts, None, winSize=(21, 21), maxLevel=3)
        ok = st.ravel() == 1
        if ok.sum() >= MIN_INLIERS:
            h, inl = cv2.findHomography(pts[ok], nxt[ok], cv2.RANSAC, 1.5)
            n = int(inl.sum()) if inl is not None else 0
            if h is not None and n >= MIN_INLIERS:
                if ecc:
                    out = refine_ecc(h, a, b, long_side_px=480, iterations=20)
                    if out.accepted:
                        return out.homography, "homography+ecc", n
                return h, "homography", n
    win = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), resp = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), win)
    if resp > 0.1:
        return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1.0]]), "translation", 0
    return np.eye(3), "none", 0


def _to_reference(
    ref: np.ndarray,
    ref_pts: np.ndarray,
    img: np.ndarray,
    guess: np.ndarray,
    box: tuple[float, float, float, float] | None,
    model: str = "auto",
) -> tuple[np.ndarray, int] | None:
    """Homography frame -> reference measured directly against the reference's corners
    (no accumulated drift), starting from ``guess``; None when too few corners agree."""
    inv = np.linalg.inv(guess)
    start = cv2.perspectiveTransform(ref_pts, inv).astype(np.float32)
    nxt, st, _ = cv2.calcOpticalFlowPyrLK(
        ref,
        img,
        ref_pts,
        start.copy(),
        winSize=(21, 21),
        maxLevel=2,
        flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
    )
    ok = st.ravel() == 1
    if box is not None:  # corners that land on the object in this frame are not background
        cx, cy, w, h = box
        near = (np.abs(nxt[:, 0, 0] - cx) < OBJECT_MARGIN * w / 2 + 8) & (
            np.abs(nxt[:, 0, 1] - cy) < OBJECT_MARGIN * h / 2 + 8
        )
        ok &= ~near
    if ok.sum() < MIN_INLIERS:
        return None
    return _fit_model(nxt[ok], ref_pts[ok], model)


def _fit_model(src: np.ndarray, dst: np.ndarray, model: str) -> tuple[np.ndarray, int] | None:
    """A similarity or a homography src -> dst by RANSAC; ``auto`` keeps the similarity
    (4 parameters: pan, zoom, roll) unless the homography explains the corners clearly
    better (its median residual under 2/3 of the similarity's, and over 40 inliers): with
    few corners, bunched on one side of a sky, a homography's extra freedom extrapolates
    badly to the object (measured: median 0.9 px against 0.1 px on the synthetic trials)."""
    fits = {}
    if model in ("similarity", "auto"):
        m, inl = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=1.0)
        if m is not None:
            fits["similarity"] = (np.vstack([m, [0, 0, 1.0]]), inl)
    if model in ("homography", "auto"):
        h, inl = cv2.findHomography(src, dst, cv2.RANSAC, 1.0)
        if h is not None:
            fits["homography"] = (h / h[2, 2], inl)
    usable = {k: v for k, v in fits.items() if v[1] is not None and v[1].sum() >= MIN_INLIERS}
    if not usable:
        return None
    if len(usable) == 2:
        res = {
            k: float(
                np.median(
                    np.linalg.norm(cv2.perspectiveTransform(src, h) - dst, axis=2)[inl.ravel() == 1]
                )
            )
            for k, (h, inl) in usable.items()
        }
        better = res["homography"] < 2 / 3 * res["similarity"]
        name = "homography" if better and usable["homography"][1].sum() > 40 else "similarity"
    else:
        name = next(iter(usable))
    h, inl = usable[name]
    return h, int(inl.sum())


def _ecc_to_reference(
    ref: np.ndarray, ref_mask: np.ndarray, img: np.ndarray, to_ref: np.ndarray
) -> np.ndarray | None:
    """Refine frame -> reference by ECC over every unmasked reference pixel (Evangelidis &
    Psarakis 2008); None when ECC fails or moves the frame corners by more than 3 px."""
    warp = np.linalg.inv(to_ref).astype(np.float32)  # reference pixels -> frame pixels
    warp /= warp[2, 2]
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-5)
    try:
        _, w = cv2.findTransformECC(ref, img, warp.copy(), cv2.MOTION_HOMOGRAPHY, crit, ref_mask, 5)
    except cv2.error:  # ECC reports non-convergence as an OpenCV error
        return None
    h, wd = ref.shape[:2]
    corners = np.array([[[0, 0]], [[wd, 0]], [[0, h]], [[wd, h]]], np.float32)
    moved = cv2.perspectiveTransform(corners, w) - cv2.perspectiveTransform(corners, warp)
    if not np.all(np.isfinite(w)) or float(np.abs(moved).max()) > 3.0:
        return None
    out = np.linalg.inv(w.astype(np.float64))
    return out / out[2, 2]


def register_background(
    frames: Mapping[int, np.ndarray],
    reference_frame: int,
    object_boxes: Mapping[int, tuple[float, float, float, float]],
    *,
    overlays: np.ndarray | None = None,
    ecc: bool = False,
    model: str = "auto",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Registration:
    """Register every frame's background to ``reference_frame``.

    Each frame is first predicted by chaining the frame-to-frame homography onto its
    registered neighbour, then measured directly against the reference frame's corners
    (so errors do not accumulate along the chain); where the reference's corners are no
    longer in view, the chained estimate stands.

    Args:
        frames: gray frames by decode index (a contiguous run holding the reference).
        reference_frame: the frame whose pixels are the background coordinates.
        object_boxes: (cx, cy, w, h) of the object per frame, masked out of the background.
        overlays: static-overlay mask (bool, frame-sized), masked out as well.
        ecc: refine each frame-to-frame step by ECC.
        progress, cancel: the job protocol.

    Returns:
        A Registration covering every frame of ``frames``.
    """
    to_ref = {reference_frame: np.eye(3)}
    methods = {reference_frame: "reference"}
    inliers = {reference_frame: 0}
    ref = frames[reference_frame]
    ref_mask = _mask(ref.shape, overlays, object_boxes.get(reference_frame))
    ref_pts = cv2.goodFeaturesToTrack(ref, MAX_CORNERS, 0.005, 8, mask=ref_mask, blockSize=7)
    lo, hi = min(frames), max(frames)
    order = [*range(reference_frame + 1, hi + 1), *range(reference_frame - 1, lo - 1, -1)]
    for k, i in enumerate(order):
        j = i - 1 if i > reference_frame else i + 1  # the neighbour already registered
        mask = _mask(frames[i].shape, overlays, object_boxes.get(i))
        h_ij, how, n = pair_homography(frames[i], frames[j], mask, ecc=ecc)
        guess = to_ref[j] @ h_ij
        guess /= guess[2, 2]
        direct = None
        if ref_pts is not None and len(ref_pts) >= MIN_INLIERS:
            direct = _to_reference(ref, ref_pts, frames[i], guess, object_boxes.get(i), model)
        if direct is not None:
            to_ref[i], how, n = direct[0], "homography to reference", direct[1]
        else:
            to_ref[i] = guess
        if ecc:
            refined = _ecc_to_reference(ref, ref_mask, frames[i], to_ref[i])
            if refined is not None:
                to_ref[i], how = refined, how + "+ecc"
        methods[i], inliers[i] = how, n
        if k % 10 == 0:
            check(cancel)
            report(progress, (k + 1) / max(1, len(order)), f"registered frame {i}")
    return Registration(reference_frame, to_ref, methods, inliers)

"""Local features for matching: detection at a working resolution, serialisable to .npz.

Detectors are OpenCV's: SIFT (Lowe 2004, "Distinctive image features from scale-invariant
keypoints", IJCV 60(2)) by default, with descriptors turned into RootSIFT (Arandjelovic &
Zisserman 2012, "Three things everyone should know to improve object retrieval": L1-normalise,
then square root, so that Euclidean distance compares like the Hellinger kernel); ORB (Rublee
et al. 2011) as a fast binary option; AKAZE (Alcantarilla et al. 2013) where the OpenCV build
ships it (OpenCV 5 moved it to the contrib modules' xfeatures2d).

Conventions: keypoint coordinates are in pixels of the ORIGINAL image (origin top-left, x right,
y down, centre of the top-left pixel at (0, 0)), whatever working resolution was used to detect
them. ``scale_px`` is the keypoint's diameter in original pixels. A mask follows OpenCV's
convention: nonzero where features may be detected, zero over sky, logos, timestamps.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.errors import CorruptMediaError, WorkbenchError
from analysis.jobs import CancelToken, ProgressFn, check, report

METHODS = ("sift", "akaze", "orb")
# 1280 px and 3000 features: the same accuracy as 1600/4000 on the benchmark's 80 warped
# pairs (p90 corner error 0.070 vs 0.065 px, all under 1 px), about 1.5x faster.
DEFAULT_WORK_LONG_SIDE_PX = 1280
DEFAULT_MAX_FEATURES = 3000
_MIN_SIDE_PX = 16
SIFT_CONTRAST_THRESHOLD = 0.01
_NPZ_VERSION = 1


@dataclass(frozen=True, eq=False)
class Features:
    """Keypoints and descriptors of one image.

    Attributes:
        method: "sift" (RootSIFT descriptors), "akaze" or "orb".
        xy_px: (N, 2) float32 keypoint positions in original-image pixels.
        scale_px: (N,) float32 keypoint diameters in original-image pixels.
        angle_deg: (N,) float32 keypoint orientations (OpenCV convention).
        response: (N,) float32 detector responses.
        descriptors: (N, D) float32 (SIFT) or uint8 (binary) descriptors.
        image_wh: (width, height) of the original image in pixels.
        work_scale: factor from original to working resolution (<= 1).
    """

    method: str
    xy_px: np.ndarray
    scale_px: np.ndarray
    angle_deg: np.ndarray
    response: np.ndarray
    descriptors: np.ndarray
    image_wh: tuple[int, int]
    work_scale: float

    def __len__(self) -> int:
        return int(self.xy_px.shape[0])

    @property
    def is_binary(self) -> bool:
        """True when descriptors compare with the Hamming distance."""
        return self.descriptors.dtype == np.uint8

    def to_npz(self, path: Path | str) -> None:
        """Write to ``path`` (an .npz) through a temporary file and ``os.replace``."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        buf = io.BytesIO()
        np.savez(
            buf,
            version=np.int64(_NPZ_VERSION),
            method=np.str_(self.method),
            xy_px=self.xy_px,
            scale_px=self.scale_px,
            angle_deg=self.angle_deg,
            response=self.response,
            descriptors=self.descriptors,
            image_wh=np.asarray(self.image_wh, np.int64),
            work_scale=np.float64(self.work_scale),
        )
        tmp.write_bytes(buf.getvalue())
        tmp.replace(path)

    @classmethod
    def from_npz(cls, path: Path | str) -> Features:
        """Read features written by :meth:`to_npz`.

        Raises:
            CorruptMediaError: the file is not a features file of a known version.
        """
        try:
            with np.load(Path(path), allow_pickle=False) as z:
                if int(z["version"]) != _NPZ_VERSION:
                    raise CorruptMediaError(f"{path}: features file version {int(z['version'])}")
                wh = z["image_wh"]
                return cls(
                    method=str(z["method"]),
                    xy_px=z["xy_px"],
                    scale_px=z["scale_px"],
                    angle_deg=z["angle_deg"],
                    response=z["response"],
                    descriptors=z["descriptors"],
                    image_wh=(int(wh[0]), int(wh[1])),
                    work_scale=float(z["work_scale"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise CorruptMediaError(f"{path}: not a readable features file ({exc})") from exc


def to_gray_u8(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return an 8-bit grey copy of ``image`` and, for BGRA, a mask of its opaque pixels.

    Accepts grey (H, W), BGR (H, W, 3) or BGRA (H, W, 4); uint8, uint16 or float in [0, 1].
    """
    img = np.asarray(image)
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (1, 3, 4)):
        raise WorkbenchError(f"image array has unsupported shape {img.shape}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype.kind == "f":
        img = np.clip(np.nan_to_num(img) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    alpha = None
    if img.ndim == 3 and img.shape[2] == 4:
        alpha = img[:, :, 3]
        gray = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
        if alpha.min() == 255:
            alpha = None
    elif img.ndim == 3 and img.shape[2] == 3:
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    else:
        gray = img.reshape(img.shape[0], img.shape[1])
    return np.ascontiguousarray(gray), alpha


def akaze_factory():
    """OpenCV's AKAZE constructor: in the main modules up to 4.x, in xfeatures2d (contrib)
    from 5.0; None when this build has neither."""
    if hasattr(cv2, "AKAZE_create"):
        return cv2.AKAZE_create
    contrib = getattr(cv2, "xfeatures2d", None)
    return getattr(contrib, "AKAZE_create", None)


def _make_detector(method: str, max_features: int) -> cv2.Feature2D:
    if method == "sift":
        # A low contrast threshold (OpenCV's default is 0.04) keeps blurred, hazy or zoomed-in
        # views from going featureless; select_across_scales then keeps the strongest.
        return cv2.SIFT_create(contrastThreshold=SIFT_CONTRAST_THRESHOLD)
    if method == "orb":
        return cv2.ORB_create(nfeatures=max_features, scaleFactor=1.2, nlevels=12)
    if method == "akaze":
        create = akaze_factory()
        if create is None:
            raise WorkbenchError(
                "AKAZE is not in this OpenCV build (OpenCV 5 moved it to the contrib modules: "
                "install opencv-contrib-python-headless instead of opencv-python-headless); "
                "use --method sift or orb"
            )
        return create()
    raise WorkbenchError(f"unknown feature method {method!r}; choose one of {METHODS}")


def _empty(method: str, wh: tuple[int, int], scale: float) -> Features:
    dim, dtype = {"sift": (128, np.float32), "orb": (32, np.uint8), "akaze": (61, np.uint8)}[method]
    z = np.zeros(0, np.float32)
    return Features(
        method, np.zeros((0, 2), np.float32), z, z, z, np.zeros((0, dim), dtype), wh, scale
    )


def select_across_scales(kps, max_features: int) -> list:
    """Keep the strongest ``max_features`` keypoints with an equal quota per octave of size.

    A plain cap by response keeps mostly fine-scale keypoints; a view zoomed out 4x only
    contains the coarse ones. Water-filling: every octave (bin of log2 size) gets an equal
    share, octaves with fewer keypoints give their unused share to the others.
    """
    kps = list(kps)
    if len(kps) <= max_features:
        return kps
    size = np.array([k.size for k in kps])
    resp = np.array([k.response for k in kps])
    octave = np.floor(np.log2(size / max(size.min(), 1e-6))).astype(int)
    groups = [np.flatnonzero(octave == o) for o in np.unique(octave)]
    groups = [g[np.argsort(-resp[g], kind="stable")] for g in groups]
    counts = np.array([len(g) for g in groups])
    quota = np.zeros(len(groups), int)
    left = max_features
    while left > 0:
        open_ = np.flatnonzero(quota < counts)
        share = max(1, left // len(open_))
        for i in open_:
            add = min(share, counts[i] - quota[i], left)
            quota[i] += add
            left -= add
    keep = np.concatenate([g[:q] for g, q in zip(groups, quota, strict=True)])
    return [kps[i] for i in np.sort(keep)]


def root_sift(desc: np.ndarray) -> np.ndarray:
    """RootSIFT: L1-normalise each SIFT descriptor and take the element-wise square root."""
    d = desc.astype(np.float32)
    d /= np.maximum(d.sum(axis=1, keepdims=True), 1e-7)
    return np.sqrt(d)


def compute_features(
    image: np.ndarray,
    method: str = "sift",
    mask: np.ndarray | None = None,
    *,
    work_long_side_px: int = DEFAULT_WORK_LONG_SIDE_PX,
    max_features: int = DEFAULT_MAX_FEATURES,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Features:
    """Detect keypoints and descriptors of ``image`` at a working resolution.

    The image is reduced (area interpolation) so that its long side is at most
    ``work_long_side_px``; keypoints are mapped back to original pixels. A blank or tiny image
    gives empty features, never an error.

    Args:
        image: grey, BGR or BGRA array (transparent pixels of BGRA are masked out).
        method: "sift" (default), "akaze" or "orb".
        mask: optional (H, W) array the size of ``image``; nonzero where features may lie.
        work_long_side_px: long side of the working resolution in pixels.
        max_features: keep at most this many strongest keypoints.
        progress: optional progress callback.
        cancel: optional cancellation token.

    Returns:
        The image's Features.

    Raises:
        WorkbenchError: unknown or unavailable method, bad array or mask shape.
    """
    check(cancel)
    gray, alpha = to_gray_u8(image)
    h, w = gray.shape
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape[:2] != (h, w):
            raise WorkbenchError(f"mask shape {mask.shape[:2]} differs from image {(h, w)}")
        mask = (mask.reshape(h, w) != 0).astype(np.uint8) * 255
    if alpha is not None:
        opaque = (alpha > 0).astype(np.uint8) * 255
        mask = opaque if mask is None else cv2.bitwise_and(mask, opaque)
    scale = min(1.0, work_long_side_px / max(h, w, 1))
    detector = _make_detector(method, max_features)
    if min(h, w) * scale < _MIN_SIDE_PX or int(gray.max()) == int(gray.min()):
        return _empty(method, (w, h), scale)
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        if mask is not None:
            mask = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
    report(progress, 0.1, f"detecting {method} features")
    if method == "sift":
        kps = select_across_scales(detector.detect(gray, mask), max_features)
        kps, desc = detector.compute(gray, kps) if kps else ((), None)
    else:
        kps, desc = detector.detectAndCompute(gray, mask)
    check(cancel)
    if not kps or desc is None:
        return _empty(method, (w, h), scale)
    # Working pixel centres map back to original pixels with this affine (pixel-centre model).
    sx, sy = w / gray.shape[1], h / gray.shape[0]
    pts = np.array([k.pt for k in kps], np.float64)
    xy = np.column_stack(((pts[:, 0] + 0.5) * sx - 0.5, (pts[:, 1] + 0.5) * sy - 0.5))
    if method == "sift":
        desc = root_sift(desc)
    report(progress, 1.0, f"{len(kps)} features")
    return Features(
        method=method,
        xy_px=xy.astype(np.float32),
        scale_px=np.array([k.size for k in kps], np.float32) * np.float32((sx + sy) / 2),
        angle_deg=np.array([k.angle for k in kps], np.float32),
        response=np.array([k.response for k in kps], np.float32),
        descriptors=np.ascontiguousarray(desc),
        image_wh=(w, h),
        work_scale=float(scale),
    )

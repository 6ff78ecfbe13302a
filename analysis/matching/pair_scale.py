"""Working resolutions chosen for a pair: a second pass where the first one threw detail away.

The first pass works every image at one fixed long side (features.DEFAULT_WORK_LONG_SIDE_PX),
so that features can be cached per image. That is right when the two images show their common
content at similar pixel scales. It is not when one image is several times larger and shows the
common part over only a fraction of its frame: a 1080p frame zoomed on a building against a
4,000 px reference photo in which the building spans 500 px. Reduced to 1,280 px, those 500 px
become 160, and few features survive there.

The first pass's homography tells where the overlap lies in each image and how the scales
compare (the zoom ratio z, B's scale relative to A). The common content is then worked at the
finest pixel scale both images have, ``c = min(1, z)`` working pixels per pixel of A (1 for A at
native resolution, z for B at native), each image cropped to the overlap (plus a margin) and
reduced by ``c`` (A) and ``c / z`` (B), so that both show the content at the same pixel scale,
where SIFT's scale invariance is not stretched and every feature can find its counterpart.
The crops' long sides are kept within ``PAIR_LONG_SIDE_PX`` (memory and time). A second pass
runs only when it would work the common content at least ``MIN_GAIN`` times finer than the
first; between images of similar size (two 1080p frames) it never does, so their cost is
unchanged.

Conventions: ``h`` maps A's pixels onto B's; boxes are (x0, y0, x1, y1) in pixels, x1 and y1
exclusive; features keep original-image coordinates (analysis.matching.features).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from analysis.jobs import CancelToken
from analysis.matching.features import DEFAULT_MAX_FEATURES, Features, compute_features
from analysis.matching.geometry import apply_h, rect_corners, zoom_rotation

PAIR_LONG_SIDE_PX = 1600
MIN_GAIN = 2.0
MARGIN_FRAC = 0.1
MARGIN_MIN_PX = 24


@dataclass(frozen=True)
class PairScales:
    """Crops and working scales of a second pass.

    Attributes:
        box_a, box_b: the overlap (plus a margin) in A's and in B's pixels.
        scale_a, scale_b: working scale of each crop (working pixels per original pixel).
        gain: how many times finer the common content is worked than in the first pass.
    """

    box_a: tuple[int, int, int, int]
    box_b: tuple[int, int, int, int]
    scale_a: float
    scale_b: float
    gain: float


def _box(quad: np.ndarray, wh: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Bounding box of the part of ``quad`` inside a ``wh`` frame, with a margin."""
    area, inter = cv2.intersectConvexConvex(
        quad.astype(np.float32), rect_corners(wh).astype(np.float32)
    )
    if inter is None or area <= 0:
        return None
    pts = inter.reshape(-1, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    margin = np.maximum(MARGIN_FRAC * (hi - lo), MARGIN_MIN_PX)
    x0, y0 = np.maximum(np.floor(lo - margin), 0).astype(int)
    x1 = int(min(np.ceil(hi[0] + margin[0]) + 1, wh[0]))
    y1 = int(min(np.ceil(hi[1] + margin[1]) + 1, wh[1]))
    return int(x0), int(y0), x1, y1


def plan_pair_scales(
    h: np.ndarray,
    wh_a: tuple[int, int],
    wh_b: tuple[int, int],
    work_scale_a: float,
    work_scale_b: float,
    *,
    long_side_px: int = PAIR_LONG_SIDE_PX,
    min_gain: float = MIN_GAIN,
) -> PairScales | None:
    """The second pass that a first-pass homography calls for, or None when none is needed.

    Args:
        h: first-pass homography (A's pixels to B's), not degenerate.
        wh_a, wh_b: image sizes in pixels.
        work_scale_a, work_scale_b: the first pass's working scales.
        long_side_px: largest working long side of a crop.
        min_gain: run a second pass only when the common content gets this much finer.

    Returns:
        The crops and scales, or None.
    """
    box_a = _box(apply_h(np.linalg.inv(h), rect_corners(wh_b)), wh_a)
    box_b = _box(apply_h(h, rect_corners(wh_a)), wh_b)
    if box_a is None or box_b is None:
        return None
    ca = ((box_a[0] + box_a[2]) / 2.0, (box_a[1] + box_a[3]) / 2.0)
    zoom = zoom_rotation(h, ca)[0]
    long_a = max(box_a[2] - box_a[0], box_a[3] - box_a[1])
    long_b = max(box_b[2] - box_b[0], box_b[3] - box_b[1])
    first = min(work_scale_a, work_scale_b * zoom)
    c = min(1.0, zoom, long_side_px / long_a, zoom * long_side_px / long_b)
    if c < min_gain * first:
        return None
    return PairScales(box_a, box_b, c, min(1.0, c / zoom), c / first)


def features_in_box(
    image: np.ndarray,
    box: tuple[int, int, int, int],
    scale: float,
    method: str = "sift",
    mask: np.ndarray | None = None,
    *,
    max_features: int = DEFAULT_MAX_FEATURES,
    cancel: CancelToken | None = None,
) -> Features:
    """Features of ``image`` inside ``box``, worked at ``scale``, in the whole image's pixels."""
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    sub_mask = None if mask is None else np.asarray(mask)[y0:y1, x0:x1]
    long_side = max(1, int(round(scale * max(x1 - x0, y1 - y0))))
    f = compute_features(
        crop, method, sub_mask, work_long_side_px=long_side, max_features=max_features,
        cancel=cancel,
    )  # fmt: skip
    xy = f.xy_px + np.array([x0, y0], np.float32)
    return replace(f, xy_px=xy, image_wh=(image.shape[1], image.shape[0]))

"""Loading evidence thumbnails for display (Qt-free; the UI converts the pixels)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, UnidentifiedImageError

from analysis.jobs import CancelToken, ProgressFn, check, report

GRAPHIC_BLUR_RADIUS = 12


def load_thumbnails(
    items: Iterable[tuple[str, Path, bool]],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, np.ndarray]:
    """Read thumbnails ``(sha256, png_path, blur)``; graphic ones come back heavily blurred.

    Missing or unreadable thumbnails are left out (the list shows a placeholder).
    """
    todo = list(items)
    out: dict[str, np.ndarray] = {}
    for i, (sha, path, blur) in enumerate(todo):
        check(cancel)
        try:
            with Image.open(path) as im:
                im = im.convert("RGB")
                if blur:
                    im = im.filter(ImageFilter.GaussianBlur(GRAPHIC_BLUR_RADIUS))
                out[sha] = np.asarray(im).copy()
        except (OSError, UnidentifiedImageError):
            continue  # no thumbnail yet: the panel shows a placeholder
        report(progress, (i + 1) / max(1, len(todo)), "thumbnails")
    return out

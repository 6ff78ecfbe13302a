"""Conversions between numpy arrays and Qt images."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgb_to_qimage(pixels: np.ndarray) -> QImage:
    """An RGB uint8 array (H, W, 3) as a QImage that owns a copy of the pixels."""
    arr = np.ascontiguousarray(pixels[:, :, :3], dtype=np.uint8)
    h, w, _ = arr.shape
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()

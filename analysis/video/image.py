"""Turning a decoded picture into the upright, square-pixel RGB image the viewer shows.

Rotation follows the display matrix (FFmpeg's ``av_display_rotation_get``: degrees
counter-clockwise), as ``ffmpeg``'s autorotate does; non-square pixels are made square by
stretching the short side (never by dropping pixels), as a player does. ``display_to_coded``
maps a point of the shown image back to the stored picture's pixels, so that every measurement
can be traced to the original samples.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from analysis.video.probe import display_size, normalise_rotation


def upright(image: np.ndarray, rotation_deg: int, sar: tuple[int, int]) -> np.ndarray:
    """Apply SAR stretch, then the display rotation, to an image in coded orientation."""
    h, w = image.shape[:2]
    num, den = sar
    if num > 0 and den > 0 and num != den:
        size = display_size(w, h, sar, 0)
        image = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
    k = normalise_rotation(rotation_deg) // 90
    if k:
        image = np.rot90(image, k=k)
    return np.ascontiguousarray(image)


def to_upright_rgb(frame: Any, rotation_deg: int, sar: tuple[int, int]) -> np.ndarray:
    """A PyAV VideoFrame as an upright RGB uint8 array of shape (height, width, 3)."""
    return upright(frame.to_ndarray(format="rgb24"), rotation_deg, sar)


def display_to_coded(
    x: float,
    y: float,
    coded_size_px: tuple[int, int],
    rotation_deg: int,
    sar: tuple[int, int],
) -> tuple[float, float]:
    """Map a pixel (x right, y down) of the upright picture to the stored picture.

    Args:
        x, y: point in the displayed image (pixel centres at integer + 0.5 not assumed;
            the mapping is linear in continuous pixel coordinates, origin top-left).
        coded_size_px: (width, height) of the stored picture.
        rotation_deg: display rotation (counter-clockwise degrees).
        sar: sample aspect ratio.
    """
    w, h = coded_size_px
    sw, sh = display_size(w, h, sar, 0)  # stretched, not yet rotated
    k = normalise_rotation(rotation_deg) // 90
    # undo the counter-clockwise rotation by k quarter turns
    if k == 0:
        u, v = x, y
    elif k == 1:  # CCW 90: displayed (x, y) came from stretched (sw - y, x)
        u, v = sw - y, x
    elif k == 2:
        u, v = sw - x, sh - y
    else:  # CCW 270 = CW 90: displayed (x, y) came from stretched (y, sh - x)
        u, v = y, sh - x
    return u * w / sw, v * h / sh

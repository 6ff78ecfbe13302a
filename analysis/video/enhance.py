"""Display enhancements of a frame: levels (brightness, contrast, gamma), CLAHE, unsharp mask.

They change only the pixels that are shown or exported, never the evidence, and every export
states exactly which were applied (``Enhancements.steps``). The order is fixed:

1. CLAHE (Zuiderveld, "Contrast Limited Adaptive Histogram Equalization", Graphics Gems IV,
   1994; OpenCV's ``createCLAHE``) on the L* channel of CIELAB, so hues are kept.
2. Levels, one 256-entry lookup table per picture: ``v = (x - 128) * contrast + 128 +
   brightness`` (8-bit levels), clipped to 0..255, then display gamma ``255 * (v / 255) **
   (1 / gamma)`` (gamma above 1 lightens the mid-tones), rounded half up.
3. Unsharp mask: ``x + amount * (x - G_sigma * x)`` with a Gaussian of ``sigma_px``.

Images are RGB (or gray) uint8 arrays, origin top-left.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from analysis.errors import EnhancementError

__all__ = ["LIMITS", "EnhancementError", "Enhancements", "apply_enhancements", "levels_lut"]

LIMITS: dict[str, tuple[float, float]] = {
    "brightness": (-255.0, 255.0),
    "contrast": (0.0, 8.0),
    "gamma": (0.1, 10.0),
    "sharpen_amount": (0.0, 10.0),
    "sharpen_sigma_px": (0.3, 20.0),
    "clahe_clip_limit": (0.0, 40.0),
    "clahe_tiles": (1, 64),
}


@dataclass(frozen=True)
class Enhancements:
    """Display enhancement parameters; the defaults change nothing.

    Attributes:
        brightness: added to every 8-bit level after contrast (-255..255).
        contrast: gain about mid-grey 128 (1 = unchanged).
        gamma: display gamma (1 = unchanged, above 1 lightens mid-tones).
        sharpen_amount: unsharp-mask amount (0 = off).
        sharpen_sigma_px: Gaussian sigma of the unsharp mask, in pixels.
        clahe_clip_limit: CLAHE clip limit (0 = off; OpenCV's default is 40, 2 is gentle).
        clahe_tiles: CLAHE tiles per side.
    """

    brightness: float = 0.0
    contrast: float = 1.0
    gamma: float = 1.0
    sharpen_amount: float = 0.0
    sharpen_sigma_px: float = 1.0
    clahe_clip_limit: float = 0.0
    clahe_tiles: int = 8

    def __post_init__(self) -> None:
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise EnhancementError(f"enhancement {name}={value} is outside {lo}..{hi}")

    @property
    def has_levels(self) -> bool:
        return self.brightness != 0.0 or self.contrast != 1.0 or self.gamma != 1.0

    @property
    def is_identity(self) -> bool:
        return not self.has_levels and self.sharpen_amount == 0 and self.clahe_clip_limit == 0

    def steps(self) -> list[dict[str, Any]]:
        """The operations applied, in order, with their parameters (empty when none)."""
        out: list[dict[str, Any]] = []
        if self.clahe_clip_limit > 0:
            out.append(
                {
                    "op": "clahe",
                    "channel": "CIELAB L*",
                    "clip_limit": self.clahe_clip_limit,
                    "tiles": [self.clahe_tiles, self.clahe_tiles],
                    "implementation": f"OpenCV {cv2.__version__} createCLAHE",
                }
            )
        if self.has_levels:
            out.append(
                {
                    "op": "levels",
                    "formula": "255*(clip((x-128)*contrast+128+brightness)/255)^(1/gamma)",
                    "brightness": self.brightness,
                    "contrast": self.contrast,
                    "gamma": self.gamma,
                }
            )
        if self.sharpen_amount > 0:
            out.append(
                {
                    "op": "unsharp_mask",
                    "amount": self.sharpen_amount,
                    "sigma_px": self.sharpen_sigma_px,
                    "implementation": f"OpenCV {cv2.__version__} GaussianBlur",
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Enhancements:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def levels_lut(enh: Enhancements) -> np.ndarray:
    """The 256-entry uint8 lookup table of the levels step."""
    x = np.arange(256, dtype=np.float64)
    v = np.clip((x - 128.0) * enh.contrast + 128.0 + enh.brightness, 0.0, 255.0)
    v = 255.0 * (v / 255.0) ** (1.0 / enh.gamma)
    return np.floor(v + 0.5).clip(0, 255).astype(np.uint8)


def _clahe(image: np.ndarray, enh: Enhancements) -> np.ndarray:
    clahe = cv2.createCLAHE(
        clipLimit=float(enh.clahe_clip_limit), tileGridSize=(enh.clahe_tiles, enh.clahe_tiles)
    )
    if image.ndim == 2:
        return clahe.apply(image)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = clahe.apply(np.ascontiguousarray(lab[:, :, 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _unsharp(image: np.ndarray, enh: Enhancements) -> np.ndarray:
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=enh.sharpen_sigma_px)
    return cv2.addWeighted(image, 1.0 + enh.sharpen_amount, blurred, -enh.sharpen_amount, 0.0)


def apply_enhancements(image: np.ndarray, enh: Enhancements) -> np.ndarray:
    """A new enhanced copy of ``image`` (uint8 RGB or gray); the input is never modified.

    Raises:
        EnhancementError: the image is not uint8 gray or RGB.
    """
    if (
        image.dtype != np.uint8
        or image.ndim not in (2, 3)
        or (image.ndim == 3 and image.shape[2] != 3)
    ):
        raise EnhancementError(f"enhancements need a uint8 gray or RGB image, got {image.shape}")
    out = np.array(image, copy=True)
    if enh.clahe_clip_limit > 0:
        out = _clahe(out, enh)
    if enh.has_levels:
        out = cv2.LUT(out, levels_lut(enh))
    if enh.sharpen_amount > 0:
        out = _unsharp(out, enh)
    return np.ascontiguousarray(out)

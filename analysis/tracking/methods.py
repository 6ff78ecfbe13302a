"""Frame-to-frame trackers for a small object: one ``Stepper`` per method, same interface.

- ``template``: normalised cross-correlation (OpenCV ``matchTemplate``, TM_CCOEFF_NORMED) of
  the object's patch in a window centred on a constant-velocity prediction, with a
  parabolic sub-pixel peak. The template is the analyst's patch blended slowly with recent
  confident ones (rate ``TEMPLATE_RATE``), so it follows zoom and blur without drifting off
  the object. Confidence: the correlation peak.
- ``lk``: pyramidal Lucas-Kanade (Bouguet 2000, OpenCV ``calcOpticalFlowPyrLK``) on a grid
  of points in the box, median displacement; confidence from the forward-backward error
  (Kalal et al. 2010).
- ``mil``: OpenCV's TrackerMIL (Babenko et al. 2009), the reference; confidence 1 or 0.

Images are 8-bit gray, full frame. Positions are box centres in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

METHODS = ("template", "lk", "mil")
DEFAULT_METHOD = "template"
TEMPLATE_RATE = 0.15
SEARCH_MARGIN_PX = 24
MAX_SPEED_PX = 40.0  # per frame; beyond it the window stops growing
MOTION_PENALTY = 0.15  # correlation given up at the edge of the search window
CONFIDENT = 0.6


@dataclass(frozen=True)
class Step:
    x_px: float
    y_px: float
    confidence: float


def _patch(gray: np.ndarray, cx: float, cy: float, w: int, h: int) -> np.ndarray:
    return cv2.getRectSubPix(gray, (w, h), (cx, cy), patchType=cv2.CV_32F)


def _subpixel(score: np.ndarray, ix: int, iy: int) -> tuple[float, float]:
    def vertex(a: float, b: float, c: float) -> float:
        d = a - 2 * b + c
        return 0.0 if d >= 0 else max(-0.5, min(0.5, 0.5 * (a - c) / d))

    h, w = score.shape
    dx = vertex(*score[iy, ix - 1 : ix + 2]) if 0 < ix < w - 1 else 0.0
    dy = vertex(*score[iy - 1 : iy + 2, ix]) if 0 < iy < h - 1 else 0.0
    return ix + dx, iy + dy


class TemplateStepper:
    """NCC template matching around a constant-velocity prediction."""

    name = "template"

    def __init__(self, gray: np.ndarray, cx: float, cy: float, w: int, h: int) -> None:
        # A margin of background around a small object gives the correlation its edges.
        self.w = max(9, w + 2 * max(3, w // 3)) | 1
        self.h = max(9, h + 2 * max(3, h // 3)) | 1
        self.anchor = _patch(gray, cx, cy, self.w, self.h)
        self.template = self.anchor.copy()
        self.history: list[tuple[float, float]] = [(cx, cy)]

    def correct(self, gray: np.ndarray, cx: float, cy: float) -> None:
        """The analyst placed the object here: restart the motion model from it."""
        self.template = _patch(gray, cx, cy, self.w, self.h)
        self.history = [(cx, cy)]

    def _prediction(self) -> tuple[float, float, float]:
        x, y = self.history[-1]
        if len(self.history) < 2:
            return x, y, 0.0
        px, py = self.history[-2]
        return 2 * x - px, 2 * y - py, math.hypot(x - px, y - py)

    def step(self, gray: np.ndarray) -> Step:
        px, py, speed = self._prediction()
        r = int(SEARCH_MARGIN_PX + 2 * min(speed, MAX_SPEED_PX))
        sw, sh = self.w + 2 * r, self.h + 2 * r
        window = _patch(gray, px, py, sw, sh)
        score = cv2.matchTemplate(window, self.template, cv2.TM_CCOEFF_NORMED)
        score = np.nan_to_num(score, nan=0.0)
        # The motion model as a prior: a match far from the prediction must correlate
        # better than one near it (a cloud edge elsewhere does not win over the object).
        gy, gx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
        prior = MOTION_PENALTY * (gx * gx + gy * gy) / float(r * r)
        _, _, _, (ix, iy) = cv2.minMaxLoc(score - prior)
        peak = float(score[iy, ix])
        sx, sy = _subpixel(score, ix, iy)
        x = px - sw / 2 + sx + self.w / 2
        y = py - sh / 2 + sy + self.h / 2
        conf = max(0.0, peak)
        if conf >= CONFIDENT:
            # Only confident steps move the motion model: a lost frame does not fling the
            # prediction (and the search window) away from the object.
            self.history = [*self.history[-1:], (x, y)]
        if conf > 0.85:
            fresh = _patch(gray, x, y, self.w, self.h)
            blended = (1 - TEMPLATE_RATE) * self.template + TEMPLATE_RATE * fresh
            # Pull back towards the analyst's patch so that errors do not accumulate.
            self.template = 0.9 * blended + 0.1 * self.anchor
        return Step(x, y, conf)


class LucasKanadeStepper:
    """Pyramidal Lucas-Kanade on a grid of points in the box, forward-backward checked."""

    name = "lk"

    def __init__(self, gray: np.ndarray, cx: float, cy: float, w: int, h: int) -> None:
        self.w, self.h = max(w, 5), max(h, 5)
        self.prev = gray
        self.cx, self.cy = cx, cy
        win = max(9, int(max(self.w, self.h) * 1.5)) | 1
        self.params = {
            "winSize": (win, win),
            "maxLevel": 3,
            "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01),
        }

    def correct(self, gray: np.ndarray, cx: float, cy: float) -> None:
        self.prev, self.cx, self.cy = gray, cx, cy

    def step(self, gray: np.ndarray) -> Step:
        g = np.linspace(-0.25, 0.25, 3)
        pts = np.array(
            [(self.cx + a * self.w, self.cy + b * self.h) for a in g for b in g], np.float32
        ).reshape(-1, 1, 2)
        nxt, st, _ = cv2.calcOpticalFlowPyrLK(self.prev, gray, pts, None, **self.params)
        back, st2, _ = cv2.calcOpticalFlowPyrLK(gray, self.prev, nxt, None, **self.params)
        ok = (st.ravel() == 1) & (st2.ravel() == 1)
        if not ok.any():
            return Step(self.cx, self.cy, 0.0)
        fb = np.linalg.norm((back - pts).reshape(-1, 2), axis=1)
        d = (nxt - pts).reshape(-1, 2)[ok]
        dx, dy = np.median(d, axis=0)
        self.cx, self.cy, self.prev = self.cx + float(dx), self.cy + float(dy), gray
        return Step(self.cx, self.cy, float(math.exp(-float(np.median(fb[ok])))))


class MilStepper:
    """OpenCV's TrackerMIL, for comparison (it reports found or lost, nothing between)."""

    name = "mil"

    def __init__(self, gray: np.ndarray, cx: float, cy: float, w: int, h: int) -> None:
        self.w, self.h = max(w, 8), max(h, 8)
        self._start(gray, cx, cy)

    def _start(self, gray: np.ndarray, cx: float, cy: float) -> None:
        self.tracker = cv2.TrackerMIL_create()
        box = (int(round(cx - self.w / 2)), int(round(cy - self.h / 2)), self.w, self.h)
        self.tracker.init(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), box)
        self.cx, self.cy = cx, cy

    def correct(self, gray: np.ndarray, cx: float, cy: float) -> None:
        self._start(gray, cx, cy)

    def step(self, gray: np.ndarray) -> Step:
        ok, (x, y, w, h) = self.tracker.update(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
        if ok:
            self.cx, self.cy = x + w / 2, y + h / 2
        return Step(self.cx, self.cy, 1.0 if ok else 0.0)


def make_stepper(
    method: str, gray: np.ndarray, cx: float, cy: float, w: int, h: int
) -> TemplateStepper | LucasKanadeStepper | MilStepper:
    """A stepper of ``method`` started on the object at (cx, cy) with a w x h box."""
    kinds = {"template": TemplateStepper, "lk": LucasKanadeStepper, "mil": MilStepper}
    if method not in kinds:
        raise ValueError(f"unknown tracking method {method!r}; one of {', '.join(METHODS)}")
    return kinds[method](gray, cx, cy, w, h)


def box_around_point(gray: np.ndarray, x: float, y: float, max_px: int = 41) -> tuple[int, int]:
    """A box size for an object marked by a point: the extent of the blob that differs from
    its surroundings (Otsu threshold in a window), clamped to 7..``max_px``."""
    half = max_px // 2
    win = _patch(gray, x, y, 2 * half + 1, 2 * half + 1).astype(np.uint8)
    ring = np.concatenate([win[0], win[-1], win[:, 0], win[:, -1]]).astype(np.float32)
    diff = np.abs(win.astype(np.float32) - float(np.median(ring)))
    t, mask = cv2.threshold(diff.astype(np.uint8), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
    lab = labels[half, half]
    if t < 8 or lab == 0:
        return 15, 15
    _, _, w, h, _ = stats[lab]
    return int(min(max(w + 2, 7), max_px)), int(min(max(h + 2, 7), max_px))

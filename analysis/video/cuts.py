"""Edit-cut detection: hard cuts, fades and dissolves, robust to flashes, whip pans and zooms.

Method (our own, built from textbook ideas on shot-boundary detection, e.g. Hanjalic,
"Shot-boundary detection: unraveled and resolved?", IEEE TCSVT 2002; the dissolve model
f_t = (1 - a_t) A + a_t B of Alattar 1993):

* Hard cut at t: the picture changes in colour (HSV histogram distance) *and* in structure
  (1 - normalised cross-correlation, blind to exposure jumps) between t-1 and t, far more than
  between the neighbouring frames (a fast pan or zoom changes every frame, a cut only one),
  and frame t-1 does not come back within four frames (a flash from an explosion does).
* Hard cut on structure alone: a cut between two shots in the same light (the same scene from
  another angle, the same place at another zoom) barely changes the colours, so strong and
  isolated structure evidence stands on its own: a structure distance of at least ALONE_MIN,
  ALONE_ISOLATION times every frame within two of t and ALONE_MIN_Z robust sigmas (median and
  MAD of the frames within ALONE_WINDOW) above its neighbourhood. Guards, as structure alone
  is easier to fool: both pictures have the contrast for a correlation to mean something (the
  dim ends of a fade do not); the brightness does not spike and fall back (a detonation
  flash), nor does frame t-1 come back; and frame t is not frame t-1 moved by up to a fifth
  of the picture (a jolt of a hand-held camera, a stretch of a pan skipped: the centre of t-1
  matched over t leaves little but noise), which also leaves out changes at the border only
  (a caption, a logo).
* Gradual transition centred at c with half-width h: A = f[c-h] and B = f[c+h] differ in
  structure, the frames between are linear mixes of A and B (residual of the least-squares
  fit small against |B - A|), and the middle frame has lost contrast, as a mix of two
  unrelated pictures does (the variance dip of Alattar's dissolve model): a pan or a zoom
  keeps its contrast, and only over smooth texture does it look like a mix. A fade is a dissolve
  whose A or B is a flat dark (or white) picture.

Frames are indices of sequential decode (analysis.video.decode). For a hard cut ``frame`` is the
first frame of the new shot; for a gradual transition it is the first frame past its middle,
with ``start_frame``/``end_frame`` its first and last mixed frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.jobs import CancelToken, ProgressFn
from analysis.video.cuts_features import (
    CutFeatures,
    extract_features,
    structure_distance,
    structure_distances,
)

CUT_SCORE_MIN = 0.45  # min of colour and structure evidence, each scaled to [0, 1]
ISOLATION_RATIO = 2.0  # structure change at the cut vs. the largest of t-2..t+2
CONTEXT_RATIO = 3.0  # structure change at the cut vs. the mean of t-5..t+5
FLASH_LOOKAHEAD = 4  # frames within which a flash returns to the earlier picture
ALONE_MIN = 0.15  # structure distance that may stand without colour evidence, if also:
ALONE_ISOLATION = 4.0  # ... this many times the largest of t-2..t+2
ALONE_WINDOW = 10  # ... and, over t-10..t+10 (t left out),
ALONE_MIN_Z = 6.0  # ... this many robust sigmas (1.4826 MAD) above the median,
ALONE_SIGMA_FLOOR = 0.01  # ... the sigma at least this (a still, compressed shot gives 0)
ALONE_MIN_CONTRAST = 12.0  # luma std (0-255) both pictures need for the correlation to count
FLASH_RISE = 12.0  # mean luma rise (0-255) of a flash that falls back within FLASH_LOOKAHEAD
JOLT_LEFT = 0.25  # a jolt: the best shift of t-1 (up to a fifth of the picture) leaves at
JOLT_NOISE = 3.0  # most this fraction of the change, and at most this many times the median
JOLT_FLOOR = 0.08  # change of the neighbouring frames (their noise), or this
DISSOLVE_HALF_WIDTHS = (3, 6, 10, 15)
DISSOLVE_MIN_DIFF = 0.06  # mean |A - B| on thumbnails, 0..1
DISSOLVE_MAX_RESIDUAL = 0.25  # residual / |A - B|
DISSOLVE_MIN_STRUCTURE = 0.35  # structure distance between A and B (unless one is flat)
DISSOLVE_MAX_MID_CONTRAST = 0.9  # std of the middle frame vs. the mean std of A and B
GRADUAL_CHUNK = 2048  # dissolve centres tested at once (bounds the memory of the test)


@dataclass(frozen=True)
class Cut:
    """A boundary between two segments."""

    frame: int  # first frame of the new segment
    pts_s: float | None
    kind: str  # "cut", "fade" or "dissolve"
    score: float  # 0..1, higher = more certain
    start_frame: int  # first frame of the transition (== frame for a hard cut)
    end_frame: int  # last frame of the transition (== frame for a hard cut)


@dataclass(frozen=True)
class Segment:
    """A run of frames between two boundaries (inclusive)."""

    first_frame: int
    last_frame: int
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class CutResult:
    cuts: tuple[Cut, ...]
    segments: tuple[Segment, ...]
    frame_count: int


def detect_cuts(
    video: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> CutResult:
    """Detect hard cuts and gradual transitions in a video file (one decode pass)."""
    feats = extract_features(video, progress=progress, cancel=cancel)
    return detect_cuts_in_features(feats)


def detect_cuts_in_features(feats: CutFeatures) -> CutResult:
    """Detect boundaries from precomputed features (see ``extract_features``)."""
    hard = find_hard_cuts(feats)
    gradual = find_gradual(feats, [c.frame for c in hard])
    cuts = sorted(hard + gradual, key=lambda c: c.frame)
    return CutResult(tuple(cuts), tuple(segments_from_cuts(cuts, feats.pts_s)), len(feats))


def _pts(pts_s: np.ndarray, i: int) -> float | None:
    if i >= len(pts_s):
        return None
    v = float(pts_s[i])
    return None if math.isnan(v) else v


def find_hard_cuts(feats: CutFeatures) -> list[Cut]:
    """Hard cuts (see the module docstring); ``score`` = min(colour, structure) evidence, or
    the structure evidence alone for a cut found on structure alone."""
    sd, hd = feats.struct_dist, feats.hist_dist
    colour = np.minimum(np.minimum(1.0, hd.astype(np.float64) / 0.5), sd.astype(np.float64) / 0.6)
    out: list[Cut] = []
    for t in np.nonzero((colour >= CUT_SCORE_MIN) | (sd >= ALONE_MIN))[0].tolist():
        if t == 0:
            continue
        if colour[t] >= CUT_SCORE_MIN and _colour_and_structure_cut(feats, t):
            score = float(colour[t])
        elif sd[t] >= ALONE_MIN and _structure_alone_cut(feats, t):
            score = min(1.0, float(sd[t]) / 0.6)
        else:
            continue
        out.append(Cut(t, _pts(feats.pts_s, t), "cut", round(score, 3), t, t))
    return out


def _colour_and_structure_cut(feats: CutFeatures, t: int) -> bool:
    sd, n = feats.struct_dist, len(feats)
    neighbours = [sd[j] for j in (t - 2, t - 1, t + 1, t + 2) if 1 <= j < n]
    if neighbours and sd[t] < ISOLATION_RATIO * max(neighbours):
        return False  # the picture changes as much around t: motion, not an edit
    context = [sd[j] for j in range(t - 5, t + 6) if j != t and 1 <= j < n]
    if context and sd[t] < CONTEXT_RATIO * float(np.mean(context)):
        return False  # inside a stretch of fast motion (whip pan, zoom)
    return not _returns(feats, t)  # a flash: the earlier picture comes back


def _structure_alone_cut(feats: CutFeatures, t: int) -> bool:
    sd, n = feats.struct_dist, len(feats)
    near = [float(sd[j]) for j in (t - 2, t - 1, t + 1, t + 2) if 1 <= j < n]
    if near and sd[t] < ALONE_ISOLATION * max(near):
        return False  # motion: the picture changes around t too
    left = sd[max(1, t - ALONE_WINDOW) : t]
    right = sd[t + 1 : min(n, t + ALONE_WINDOW + 1)]
    window = np.concatenate([left, right])
    if len(window):
        med = float(np.median(window))
        sigma = max(ALONE_SIGMA_FLOOR, 1.4826 * float(np.median(np.abs(window - med))))
        if sd[t] < med + ALONE_MIN_Z * sigma:
            return False  # a restless stretch (hand-held, crowds): not isolated enough
    if min(float(feats.luma_std[t - 1]), float(feats.luma_std[t])) < ALONE_MIN_CONTRAST:
        return False  # a dim or washed-out picture: its correlation is mostly noise
    if _brightness_spike(feats, t) or _returns(feats, t):
        return False  # a flash
    # the shot's own frame-to-frame change: the quieter side (a jolt has quiet on both)
    quiet = [float(np.median(side)) for side in (left, right) if len(side)]
    return not _jolt(feats, t, min(quiet, default=0.0))


def _jolt(feats: CutFeatures, t: int, noise: float) -> bool:
    """Frame t is frame t-1 moved (a jolt of the camera, a skipped stretch of a pan): after
    the best shift, what is left is small against the change and near the shot's own noise.
    Not measurable (NaN) is no jolt."""
    residual = float(feats.shift_dist[t])
    limit = min(JOLT_LEFT * float(feats.struct_dist[t]), max(JOLT_FLOOR, JOLT_NOISE * noise))
    return residual <= limit


def _brightness_spike(feats: CutFeatures, t: int) -> bool:
    """Frame t is brighter than t-1 by FLASH_RISE and a frame soon after falls back."""
    luma = feats.luma_mean
    base = float(luma[t - 1])
    if float(luma[t]) - base < FLASH_RISE:
        return False
    later = luma[t + 1 : t + FLASH_LOOKAHEAD + 1]
    return bool(len(later)) and float(later.min()) - base < 0.5 * (float(luma[t]) - base)


def _returns(feats: CutFeatures, t: int) -> bool:
    before = feats.thumbs[t - 1].astype(np.float32)
    jump = structure_distance(before, feats.thumbs[t].astype(np.float32))
    for j in range(t + 1, min(len(feats), t + FLASH_LOOKAHEAD + 1)):
        back = structure_distance(before, feats.thumbs[j].astype(np.float32))
        if back < 0.4 * jump and _colour_close(feats, t - 1, j):
            return True
    return False


def _colour_close(feats: CutFeatures, i: int, j: int) -> bool:
    return abs(float(feats.luma_mean[i]) - float(feats.luma_mean[j])) < 25.0


def _is_flat(thumb: np.ndarray) -> bool:
    """A dark or white picture with no structure (the far end of a fade)."""
    m, s = float(thumb.mean()), float(thumb.std())
    return s < 12.0 and (m < 40.0 or m > 225.0)


def _mix_residual(frames: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares a_t of f_t ~ A + a_t (B - A) and the worst residual / |B - A|."""
    d = (b - a).ravel()
    dd = float(d @ d)
    alphas = ((frames - a).reshape(len(frames), -1) @ d) / dd
    fitted = a[None] + alphas[:, None, None] * (b - a)[None]
    res = np.abs(frames - fitted).mean(axis=(1, 2))
    return alphas, float(res.max()) / max(float(np.abs(b - a).mean()), 1e-6)


def _plausible_centres(thumbs: np.ndarray, h: int, hard: np.ndarray) -> np.ndarray:
    """Centres c where the cheap necessary conditions hold (``_centres_in``), tested
    ``GRADUAL_CHUNK`` centres at a time: the test of every centre at once holds several
    float copies of the whole video's thumbnails (about 15 KB a frame)."""
    n = len(thumbs)
    found = []
    for lo in range(h, n - h, GRADUAL_CHUNK):
        hi = min(n - h, lo + GRADUAL_CHUNK)  # centres lo .. hi-1: frames lo-h .. hi+h-1
        found.append(lo + _centres_in(thumbs[lo - h : hi + h].astype(np.float32), h))
    centres = np.concatenate(found) if found else np.zeros(0, np.int64)
    if len(hard):
        first = np.searchsorted(hard, centres - h, side="right")
        inside = (first < len(hard)) & (hard[np.minimum(first, len(hard) - 1)] <= centres + h)
        centres = centres[~inside]
    return centres


def _centres_in(th: np.ndarray, h: int) -> np.ndarray:
    """Offsets c - h of the centres c of ``th`` where the conditions hold, tested for all at
    once: A = th[c-h] and B = th[c+h] differ; they differ in structure unless one is flat
    (else it is a gain change); the middle lost contrast unless one is flat."""
    n = len(th)
    a, b = th[: n - 2 * h], th[2 * h :]
    diff = np.abs(b - a).mean(axis=(1, 2)) / 255.0
    mean, std = th.mean(axis=(1, 2)), th.std(axis=(1, 2))
    flat_all = (std < 12.0) & ((mean < 40.0) | (mean > 225.0))
    flat = flat_all[: n - 2 * h] | flat_all[2 * h :]
    struct = structure_distances(a, b)
    contrast_ok = std[h : n - h] <= DISSOLVE_MAX_MID_CONTRAST * 0.5 * (
        std[: n - 2 * h] + std[2 * h :]
    )
    ok = (diff >= DISSOLVE_MIN_DIFF) & (flat | ((struct >= DISSOLVE_MIN_STRUCTURE) & contrast_ok))
    return np.nonzero(ok)[0]


def _gradual_at(th: _AsFloat, c: int, h: int) -> float | None:
    """Evidence (0..1) that frames c-h..c+h are a mix of A = th[c-h] and B = th[c+h]
    (for centres that passed ``_plausible_centres``)."""
    a, b = th[c - h], th[c + h]
    diff = float(np.abs(b - a).mean()) / 255.0
    alphas, resid = _mix_residual(th[c - h : c + h + 1], a, b)
    if resid > DISSOLVE_MAX_RESIDUAL or not (0.2 < alphas[h] < 0.8):
        return None
    steps = np.diff(alphas)
    if steps.min() < -0.1 or steps.max() > 4.0 * float(np.median(np.abs(steps))) + 0.02:
        return None  # not a steady monotonic mix: motion or a jump, not a dissolve
    return min(1.0, diff / 0.2) * (1.0 - resid / DISSOLVE_MAX_RESIDUAL)


class _AsFloat:
    """The uint8 thumbnails read as float32 where they are indexed: the whole stack in
    float32 would be 5 KB a frame, for a video of any length."""

    def __init__(self, thumbs: np.ndarray) -> None:
        self.thumbs = thumbs

    def __len__(self) -> int:
        return len(self.thumbs)

    def __getitem__(self, key) -> np.ndarray:
        return self.thumbs[key].astype(np.float32)


def find_gradual(feats: CutFeatures, hard_frames: list[int]) -> list[Cut]:
    """Fades and dissolves (see the module docstring), not overlapping hard cuts."""
    th = _AsFloat(feats.thumbs)
    hits: dict[int, tuple[float, int]] = {}
    hard = np.asarray(sorted(hard_frames), dtype=np.int64)
    for h in DISSOLVE_HALF_WIDTHS:
        if len(th) <= 2 * h:
            continue
        for c in _plausible_centres(feats.thumbs, h, hard).tolist():
            ev = _gradual_at(th, c, h)
            if ev is not None and ev > hits.get(c, (0.0, 0))[0]:
                hits[c] = (ev, h)
    return _group_gradual(feats, th, hits)


def _group_gradual(
    feats: CutFeatures, th: _AsFloat, hits: dict[int, tuple[float, int]]
) -> list[Cut]:
    out: list[Cut] = []
    centres = sorted(hits)
    i = 0
    while i < len(centres):
        j = i
        while j + 1 < len(centres) and centres[j + 1] - centres[j] <= 2:
            j += 1
        group = centres[i : j + 1]
        lo = max(0, min(c - hits[c][1] for c in group))
        hi = min(len(th) - 1, max(c + hits[c][1] for c in group))
        score = max(hits[c][0] for c in group)
        out.append(_transition(feats, th, lo, hi, score))
        i = j + 1
    return out


def _transition(feats: CutFeatures, th: _AsFloat, lo: int, hi: int, score: float) -> Cut:
    a, b = th[lo], th[hi]
    alphas, _ = _mix_residual(th[lo : hi + 1], a, b)
    moving = np.nonzero((alphas > 0.02) & (alphas < 0.98))[0]
    start = lo + int(moving[0]) if len(moving) else lo
    end = lo + int(moving[-1]) if len(moving) else hi
    kind = "fade" if _is_flat(a) or _is_flat(b) else "dissolve"
    frame = (start + end + 1) // 2
    return Cut(frame, _pts(feats.pts_s, frame), kind, round(score, 3), start, end)


def segments_from_cuts(cuts: list[Cut], pts_s: np.ndarray) -> list[Segment]:
    """Segments between consecutive boundaries, covering every frame once."""
    n = len(pts_s)
    if n == 0:
        return []
    starts = [0] + [c.frame for c in cuts if 0 < c.frame < n]
    starts = sorted(set(starts))
    out = []
    for k, first in enumerate(starts):
        last = starts[k + 1] - 1 if k + 1 < len(starts) else n - 1
        out.append(Segment(first, last, _pts(pts_s, first), _pts(pts_s, last)))
    return out

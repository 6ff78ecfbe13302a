"""Onsets: when a sharp sound (a bang) starts, and how precisely that is known.

Two stages, both on the decoded samples:

1. **Coarse**: log energy in 10 ms windows (5 ms hop); the onset strength of a window is how
   far its log energy rises above the median of the 0.5 s before it, in units of that
   stretch's spread (a robust z-score), so a bang stands out over steady jet or drone noise.
2. **Fine**: from 30 ms before the first window of the rise to 20 ms after the strongest,
   the sample-level energy (pre-emphasised, smoothed over 2 ms) is compared with the 100 ms
   before; the onset is where the envelope last rose, before its peak, through both 1.5
   times that stretch's maximum and 10 % of the way to the peak (corrected for the
   smoother's lead). Its precision (one sigma) is the rise time from there to half the peak
   over sqrt(12) (the onset is somewhere in that rise), plus one sample, floored at 0.5 ms.

This is the standard energy-based onset detector (Bello et al. 2005, "A tutorial on onset
detection in music signals", section III-A) with a robust local threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.audio.decode import AudioTrack
from analysis.errors import MediaError

COARSE_WINDOW_S = 0.010
COARSE_HOP_S = 0.005
BACKGROUND_S = 0.5
MIN_STRENGTH = 4.0  # robust z of the rise; below it no onset is claimed


class NoOnsetError(MediaError):
    """No sharp sound stands out of the track in the searched span."""


@dataclass(frozen=True)
class Onset:
    """A sound's start on the container clock, its one-sigma precision and its strength."""

    time_s: float
    sigma_s: float
    strength: float  # robust z-score of the energy rise
    peak_db: float  # level of the sound's first 50 ms, dB full scale


def _frames(x: np.ndarray, window: int, hop: int) -> np.ndarray:
    n = 1 + max(0, (len(x) - window) // hop)
    idx = np.arange(window)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def _emphasised(track: AudioTrack) -> np.ndarray:
    """First difference (pre-emphasis, 0.97): a bang's crack is broadband, engines hum low."""
    x = track.samples.astype(np.float64)
    return np.concatenate([x[:1], x[1:] - 0.97 * x[:-1]])


def onset_strength(track: AudioTrack) -> tuple[np.ndarray, np.ndarray]:
    """(times_s, strength) of the coarse stage: robust z of each window's log energy rise."""
    sr = track.sample_rate_hz
    win, hop = max(1, int(COARSE_WINDOW_S * sr)), max(1, int(COARSE_HOP_S * sr))
    x = _emphasised(track)
    if len(x) < win:
        return np.zeros(0), np.zeros(0)
    energy = np.log10(np.mean(_frames(x, win, hop) ** 2, axis=1) + 1e-12) * 10.0
    back = max(4, int(BACKGROUND_S / COARSE_HOP_S))
    # Before the first half second, the background is that half second's median (not its
    # first window, which an encoder's fade-in makes quiet).
    padded = np.concatenate([np.full(back, np.median(energy[:back])), energy])
    view = np.lib.stride_tricks.sliding_window_view(padded[:-1], back)[: len(energy)]
    med = np.median(view, axis=1)
    spread = np.median(np.abs(view - med[:, None]), axis=1) * 1.4826 + 0.5  # dB, floored
    strength = (energy - med) / spread
    times = track.time_of(0) + (np.arange(len(energy)) * hop + win / 2) / sr
    return times, strength


def _refine(track: AudioTrack, first_s: float, peak_s: float) -> tuple[float, float, float]:
    """Sample-level onset between the first strong window and the strongest one."""
    sr = track.sample_rate_hz
    n = len(track.samples)
    smooth = max(1, int(0.002 * sr))
    lo = max(0, track.index_of(first_s) - int(0.03 * sr))
    hi = min(n, track.index_of(peak_s) + int(0.02 * sr))
    b0 = max(0, lo - int(0.1 * sr))
    if lo - b0 <= smooth * 4:  # at the very start: the background is what follows
        b0, lo = 0, max(lo, min(n, smooth * 8))
    # Only this stretch (plus a sample of history for the pre-emphasis) is worked on.
    part = track.samples[max(0, b0 - 1) : hi].astype(np.float64)
    emph = np.concatenate([part[:1], part[1:] - 0.97 * part[:-1]])[1 if b0 > 0 else 0 :]
    env = np.convolve(emph**2, np.ones(smooth) / smooth, mode="same")
    background, local = env[: lo - b0], env[lo - b0 :]
    level = float(np.mean(background)) if background.size else 0.0
    if local.size == 0:
        return first_s, COARSE_HOP_S, -120.0
    peak_i = int(np.argmax(local))
    peak = float(local[peak_i])
    bg_max = float(background.max()) if background.size else level
    fraction = 0.1
    thresh = max(1.5 * bg_max, level + fraction * (peak - level))
    # The last time before the loudest moment that the sound was below the threshold: an
    # earlier, fainter sound in the same run does not pull the onset forward.
    below = np.nonzero(local[: peak_i + 1] < thresh)[0]
    start_i = int(below[-1] + 1) if below.size else 0
    half = level + 0.5 * (peak - level)
    rise = int(np.argmax(local[start_i:] >= half))
    # A step seen through a centred box of width w crosses a fraction f of its height
    # (0.5 - f) * w before the step: undo that lead.
    onset_index = lo + start_i + (0.5 - fraction) * smooth
    sigma = max(0.0005, (rise / math.sqrt(12.0) + 1.0) / sr)
    raw = track.samples[lo + start_i : lo + start_i + int(0.05 * sr)].astype(np.float64)
    peak_db = 20.0 * math.log10(float(np.sqrt(np.mean(raw**2))) + 1e-12) if raw.size else -120
    return track.time_of(max(0.0, onset_index)), sigma, peak_db


def detect_onsets(
    track: AudioTrack,
    *,
    after_s: float | None = None,
    before_s: float | None = None,
    min_strength: float = MIN_STRENGTH,
) -> list[Onset]:
    """Onsets in the track between ``after_s`` and ``before_s``, strongest first.

    Args:
        track: the decoded sound.
        after_s: ignore onsets before this container time.
        before_s: ignore onsets after this container time.
        min_strength: robust z-score an onset's rise must reach.

    Returns:
        Onsets sorted by their level (``peak_db``), loudest first (possibly empty).
    """
    times, strength = onset_strength(track)
    ok = strength >= min_strength
    if after_s is not None:
        ok &= times >= after_s
    if before_s is not None:
        ok &= times <= before_s
    out: list[Onset] = []
    # Each run of windows above the threshold is one sound: its start begins the fine search.
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    for first, stop in zip(starts, stops, strict=True):
        j = int(first + np.argmax(strength[first:stop]))
        time_s, sigma_s, peak_db = _refine(track, float(times[first]), float(times[j]))
        out.append(Onset(time_s, sigma_s, float(strength[j]), peak_db))
    # A bang is loud as well as sharp: a faint click can rise further above quiet.
    return sorted(out, key=lambda o: -o.peak_db)


def strongest_onset(
    track: AudioTrack, *, after_s: float | None = None, before_s: float | None = None
) -> Onset:
    """The loudest onset in the span (the bang).

    Raises:
        NoOnsetError: nothing rises ``MIN_STRENGTH`` above the sound before it.
    """
    found = detect_onsets(track, after_s=after_s, before_s=before_s)
    if not found:
        span = f" after {after_s:.3f} s" if after_s is not None else ""
        raise NoOnsetError(f"no sharp sound (a bang) stands out of the audio{span}")
    return found[0]

"""Synchronising two recordings of one event by their sound.

Method (docs/adr/0013):

1. Both tracks are decoded at 8 kHz mono (``SYNC_RATE_HZ``), which keeps what two phones
   share (speech band, engines, bangs) and drops codec-specific highs.
2. **Coarse**: the spectral flux of each (the summed rise of the log-magnitude spectrum,
   32 ms window, 10 ms hop) is cross-correlated with GCC-PHAT (Knapp & Carter 1976): the
   cross-spectrum is whitened, so what counts is when things change, not how loud or how
   coloured each microphone is. The peak's robust z-score against all other lags says
   whether the match is real.
3. **Fine**: the overlap is cut into chunks (1 to 10 s); in each, GCC-PHAT of the waveforms
   within +/- 30 ms of the coarse lag gives a sub-sample lag (parabolic peak). The offset is
   the median over chunks that agree within 2 ms; its 95% half-width is
   1.96 * 1.253 * sigma / sqrt(n) from the agreeing chunks' spread, floored at 1 ms (the
   codecs' priming and resampling are trusted to that).
4. **No match** unless one of the five best coarse peaks (robust z at least ``MIN_Z``) has
   chunks that agree: at least 60 % of them, and at least three. Unrelated sounds give
   chunk lags scattered over the +/- 30 ms window.

Sign: ``offset_s`` is B's time minus A's for the same sound: an event at ``t_a`` in A is at
``t_a + offset_s`` in B, times on each file's own clock (0 at its first video frame, or at
the start of the sound in a file without video; ``AudioTrack.file_start_s``).
Sound reaches two cameras at different times when they stand at different distances from
its source; the audio offset aligns the sounds, not the clocks: a shared event seen in both
(a flash, ``offset_from_shared_event``) aligns the clocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.audio.decode import AudioTrack, decode_audio
from analysis.jobs import CancelToken, ProgressFn, check, report

SYNC_RATE_HZ = 8000
FLUX_WINDOW = 256  # 32 ms at 8 kHz
FLUX_HOP = 80  # 10 ms
MIN_Z = 4.0  # coarse peaks below this are not tried
MIN_AGREE = 0.6  # share of chunks that must agree
FINE_SEARCH_S = 0.030
AGREE_S = 0.002
MIN_HALF_WIDTH_S = 0.001


@dataclass(frozen=True)
class SyncResult:
    """B's time minus A's for the same sound, its 95% interval, and whether it matched."""

    matched: bool
    offset_s: float | None
    offset_ci95_s: tuple[float, float] | None
    method: str
    score_z: float  # robust z-score of the coarse correlation peak
    chunks_agreeing: int
    chunks_total: int
    overlap_s: float


def spectral_flux(samples: np.ndarray) -> np.ndarray:
    """Spectral flux per 10 ms hop: summed positive change of the log-magnitude spectrum."""
    x = samples.astype(np.float32)
    if len(x) < FLUX_WINDOW + FLUX_HOP:
        return np.zeros(0, np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, FLUX_WINDOW)[::FLUX_HOP]
    mag = np.abs(np.fft.rfft(frames * np.hanning(FLUX_WINDOW).astype(np.float32), axis=1))
    logmag = np.log1p(1000.0 * mag)
    flux = np.maximum(np.diff(logmag, axis=0), 0.0).sum(axis=1)
    flux = np.concatenate([[0.0], flux]).astype(np.float64)
    return flux - np.convolve(flux, np.ones(51) / 51.0, mode="same")  # remove slow drift


def gcc_phat(a: np.ndarray, b: np.ndarray, eps: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """GCC-PHAT cross-correlation: (lags, values) with lag k meaning b[n + k] ~ a[n]."""
    n = len(a) + len(b)
    size = 1 << (n - 1).bit_length()
    fa = np.fft.rfft(a, size)
    fb = np.fft.rfft(b, size)
    cross = np.conj(fa) * fb
    mag = np.abs(cross)
    cross /= mag + eps * (float(np.mean(mag)) + 1e-20)
    cc = np.fft.irfft(cross, size)
    lags = np.concatenate([np.arange(0, len(b)), np.arange(-len(a) + 1, 0)])
    values = np.concatenate([cc[: len(b)], cc[size - len(a) + 1 :]])
    return lags, values


def coarse_candidates(a: AudioTrack, b: AudioTrack, count: int = 5) -> list[tuple[float, float]]:
    """The ``count`` best (lag_s, robust z) of the flux GCC-PHAT, at least 100 ms apart."""
    fa, fb = spectral_flux(a.samples), spectral_flux(b.samples)
    if fa.size < 20 or fb.size < 20:
        return []
    lags, values = gcc_phat(fa, fb)
    # Only lags with at least 2 s (or a third of the shorter track) of overlap count.
    min_overlap = min(200, min(len(fa), len(fb)) // 3)
    overlap = np.minimum(len(fa), len(fb) - lags) - np.maximum(0, -lags)
    ok = overlap >= min_overlap
    lags, values = lags[ok], values[ok]
    med = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - med))) + 1e-20
    out: list[tuple[float, float]] = []
    for i in np.argsort(-values):
        if all(abs(lags[i] * FLUX_HOP / SYNC_RATE_HZ - lag) > 0.1 for lag, _ in out):
            out.append(
                (float(lags[i] * FLUX_HOP / SYNC_RATE_HZ), (float(values[i]) - med) / spread)
            )
        if len(out) >= count:
            break
    return out


def _fine_chunk(xa: np.ndarray, xb: np.ndarray, max_lag: int) -> float | None:
    """Sub-sample lag of xb against xa within +/- max_lag samples (None: nothing to match)."""
    if float(np.std(xa)) < 1e-6 or float(np.std(xb)) < 1e-6:
        return None
    lags, values = gcc_phat(xa, xb)
    ok = np.abs(lags) <= max_lag
    lags, values = lags[ok], values[ok]
    order = np.argsort(lags)
    lags, values = lags[order], values[order]
    i = int(np.argmax(values))
    if 0 < i < len(values) - 1:
        y0, y1, y2 = values[i - 1], values[i], values[i + 1]
        denom = y0 - 2 * y1 + y2
        frac = 0.5 * (y0 - y2) / denom if denom < 0 else 0.0
        return float(lags[i] + frac)
    return float(lags[i])


def _fine(
    a: AudioTrack, b: AudioTrack, coarse_s: float, cancel: CancelToken | None
) -> tuple[list[float], int, float]:
    """Per-chunk lags (s) around a coarse lag, the number of chunks, and the overlap (s)."""
    sr = SYNC_RATE_HZ
    lag = int(round(coarse_s * sr))  # b[n + lag] ~ a[n]
    a0, b0 = max(0, -lag), max(0, lag)
    overlap = min(len(a.samples) - a0, len(b.samples) - b0)
    if overlap < sr:
        return [], 0, max(0, overlap) / sr
    chunk = int(min(10 * sr, max(sr, overlap // 8)))
    max_lag = int(FINE_SEARCH_S * sr)
    found: list[float] = []
    total = 0
    for start in range(0, overlap - chunk + 1, chunk):
        check(cancel)
        total += 1
        got = _fine_chunk(
            a.samples[a0 + start : a0 + start + chunk], b.samples[b0 + start : b0 + start + chunk],
            max_lag,
        )  # fmt: skip
        if got is not None:
            found.append((lag + got) / sr)
    return found, total, overlap / sr


def sync_tracks(a: AudioTrack, b: AudioTrack, *, cancel: CancelToken | None = None) -> SyncResult:
    """Offset of B against A from their sound (both at ``SYNC_RATE_HZ``).

    The five best coarse lags are tried in turn; the first whose chunks agree (at least
    ``MIN_AGREE`` of them and three chunks within 2 ms of their median) is the match.

    Args:
        a: track A, at 8 kHz.
        b: track B, at 8 kHz.
        cancel: checked between chunks.

    Returns:
        The offset on the files' own clocks (``AudioTrack.file_start_s`` included), or
        ``matched=False`` when the sounds do not match.
    """
    if a.sample_rate_hz != SYNC_RATE_HZ or b.sample_rate_hz != SYNC_RATE_HZ:
        raise ValueError(f"sync needs both tracks at {SYNC_RATE_HZ} Hz")
    method = "audio: spectral-flux GCC-PHAT, then waveform GCC-PHAT per chunk"
    best = SyncResult(False, None, None, method, 0.0, 0, 0, 0.0)
    for coarse_s, z in coarse_candidates(a, b):
        if z < MIN_Z:
            break
        found, total, overlap_s = _fine(a, b, coarse_s, cancel)
        if not found:
            continue
        values = np.asarray(found)
        centre = float(np.median(values))
        agree = values[np.abs(values - centre) <= AGREE_S]
        if len(agree) < 3 or len(agree) < MIN_AGREE * total:
            if z > best.score_z:
                best = SyncResult(False, None, None, method, z, len(agree), total, overlap_s)
            continue
        lag_s = float(np.mean(agree))
        sigma = float(np.std(agree)) if len(agree) > 1 else 0.0
        half = max(MIN_HALF_WIDTH_S, 1.96 * 1.253 * sigma / math.sqrt(len(agree)))
        # b[n + lag] ~ a[n]: a sound at A's sample n is at B's sample n + lag.
        offset = lag_s + b.file_start_s - a.file_start_s
        return SyncResult(
            True, offset, (offset - half, offset + half), method, z, len(agree), total, overlap_s
        )
    return best


def sync_videos(
    path_a: str | Path,
    path_b: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SyncResult:
    """Decode both files' sound at 8 kHz and sync B against A (``sync_tracks``).

    Raises:
        NoAudioError, SilentAudioError and other MediaError subclasses, naming the file.
    """
    a = decode_audio(path_a, sample_rate_hz=SYNC_RATE_HZ, cancel=cancel)
    report(progress, 0.4, "decoded A")
    b = decode_audio(path_b, sample_rate_hz=SYNC_RATE_HZ, cancel=cancel)
    report(progress, 0.8, "decoded B")
    result = sync_tracks(a, b, cancel=cancel)
    report(progress, 1.0, "synced")
    return result


def offset_from_shared_event(
    a_time_s: float, a_sigma_s: float, b_time_s: float, b_sigma_s: float
) -> tuple[float, tuple[float, float]]:
    """Offset (B minus A) from one event seen in both, and its 95% interval."""
    offset = b_time_s - a_time_s
    half = 1.96 * math.hypot(a_sigma_s, b_sigma_s)
    return offset, (offset - half, offset + half)

"""The soundtrack: jet noise overhead and the bang of the strike, in real time.

- Jet noise: white noise shaped in the frequency domain to a low, roaring spectrum (a broad
  hump near 250 Hz falling 6 dB per octave above it), its loudness rising and falling as
  the aircraft passes, plus a faint turbine whine whose pitch slides down by a few percent as
  the aircraft passes (a Doppler-like sweep).
- The bang: a sharp onset (full amplitude within 0.5 ms) of low-passed noise with an
  exponential decay and a 45 Hz thump. It arrives ``distance / SPEED_OF_SOUND_MPS`` after
  the flash; 343 m/s is the speed of sound in dry air at about 20 degC
  (331.3 * sqrt(1 + T / 273.15) m/s).
"""

from __future__ import annotations

import math

import numpy as np

SPEED_OF_SOUND_MPS = 343.0
AIR_TEMPERATURE_C = 20.0
BANG_PEAK = 0.85
JET_PEAK = 0.16


def _shaped_noise(n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    shape = 1.0 / (1.0 + (freqs / 250.0) ** 2) ** 0.5 * (freqs / (freqs + 40.0))
    out = np.fft.irfft(spec * shape, n)
    return out / (np.max(np.abs(out)) + 1e-12)


def jet_noise(
    duration_s: float, sample_rate: int, pass_time_s: float, rng: np.random.Generator
) -> np.ndarray:
    """Jet noise over ``duration_s`` real seconds, loudest at ``pass_time_s``."""
    n = int(math.ceil(duration_s * sample_rate))
    t = np.arange(n) / sample_rate
    envelope = 0.35 + 0.65 * np.exp(-(((t - pass_time_s) / 5.0) ** 2))
    roar = _shaped_noise(n, sample_rate, rng) * envelope
    freq = 900.0 * (1.0 - 0.04 * np.tanh((t - pass_time_s) / 3.0))
    phase = 2.0 * np.pi * np.cumsum(freq) / sample_rate
    whine = 0.05 * np.sin(phase) * envelope
    signal = roar + whine
    return (JET_PEAK * signal / (np.max(np.abs(signal)) + 1e-12)).astype(np.float32)


def bang(duration_s: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """The bang waveform starting at sample 0 (``duration_s`` long)."""
    n = int(math.ceil(duration_s * sample_rate))
    t = np.arange(n) / sample_rate
    crack = np.convolve(rng.standard_normal(n), np.ones(6) / 6.0, mode="same")
    crack /= np.max(np.abs(crack[: sample_rate // 100])) + 1e-12
    body = 0.75 * crack * np.exp(-t / 0.22) + 0.5 * np.sin(2 * np.pi * 45.0 * t) * np.exp(-t / 0.6)
    attack = np.minimum(1.0, t / 0.0005)
    wave = body * attack
    return (BANG_PEAK * wave / (np.max(np.abs(wave)) + 1e-12)).astype(np.float32)


def real_time_track(
    duration_s: float,
    sample_rate: int,
    bang_at_s: float | None,
    pass_time_s: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Mono sound over real time: jet noise plus the bang at ``bang_at_s`` (if any)."""
    track = jet_noise(duration_s, sample_rate, pass_time_s, rng)
    if bang_at_s is not None and 0.0 <= bang_at_s < duration_s:
        start = int(round(bang_at_s * sample_rate))
        wave = bang(3.0, sample_rate, rng)[: len(track) - start]
        track[start : start + len(wave)] += wave
    return np.clip(track, -1.0, 1.0)


def cut_track(
    real_track: np.ndarray,
    sample_rate: int,
    file_duration_s: float,
    cut_at_s: float | None,
    cut_gap_s: float,
) -> np.ndarray:
    """The file's soundtrack: real-time sound with the cut's gap removed (as an editor would)."""
    n = int(round(file_duration_s * sample_rate))
    if cut_at_s is None:
        return real_track[:n].copy()
    c = int(round(cut_at_s * sample_rate))
    g = int(round(cut_gap_s * sample_rate))
    return np.concatenate([real_track[:c], real_track[c + g : g + n]])[:n].copy()

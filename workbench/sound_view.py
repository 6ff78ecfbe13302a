"""A video's sound as a picture: peak envelope, spectrogram and the proposed bangs.

Decoded once (``analysis.audio.decode.decode_audio`` at 8 kHz mono, on the container's clock)
and cached in the case's ``derived/sound/<sha256>.npz`` (regenerable), so that showing a video
again costs a file read. The spectrogram is a short-time Fourier transform (32 ms Hann window,
10 ms hop; a longer hop for long tracks so that there are at most ``MAX_COLUMNS`` columns),
its log magnitude scaled to 0..255 over the 70 dB below its peak. The proposed bangs are the
onset detector's loudest onsets (``analysis.audio.onset.detect_onsets``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report

RATE_HZ = 8000
WINDOW = 256  # 32 ms at 8 kHz
MAX_COLUMNS = 20_000
DYNAMIC_RANGE_DB = 70.0
VERSION = 1  # of the cached file's layout


@dataclass(frozen=True)
class SoundPicture:
    """Column k covers container time ``start_s + k * column_s`` onwards."""

    start_s: float
    column_s: float
    envelope: np.ndarray  # float32 peak |sample| per column, 0..1
    spectrogram: np.ndarray  # uint8 (WINDOW // 2 + 1 bins, columns); row 0 is 0 Hz
    max_hz: float
    onsets_s: tuple[float, ...]  # proposed bangs, loudest first

    @property
    def end_s(self) -> float:
        return self.start_s + self.envelope.size * self.column_s

    def column_of(self, time_s: float) -> int:
        return int((time_s - self.start_s) / self.column_s)


def sound_picture(
    path: Path, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> SoundPicture:
    """Decode ``path``'s sound and draw it (module doc).

    Raises:
        NoAudioError, SilentAudioError and other MediaError subclasses, naming the file.
    """
    from analysis.audio.decode import decode_audio
    from analysis.audio.onset import detect_onsets

    def decoding(fraction: float, _message: str = "") -> None:
        report(progress, 0.8 * fraction, "decoding the sound")

    track = decode_audio(path, sample_rate_hz=RATE_HZ, cancel=cancel, progress=decoding)
    x = track.samples
    hop = max(RATE_HZ // 100, int(np.ceil(len(x) / MAX_COLUMNS)))
    n = max(1, (len(x) - WINDOW) // hop + 1) if len(x) >= WINDOW else 1
    padded = np.pad(x, (0, max(0, (n - 1) * hop + WINDOW - len(x))))
    frames = np.lib.stride_tricks.sliding_window_view(padded, WINDOW)[::hop][:n]
    check(cancel)
    spec = np.abs(np.fft.rfft(frames * np.hanning(WINDOW), axis=1)).T
    db = 20.0 * np.log10(spec + 1e-9)
    scaled = np.clip((db - (db.max() - DYNAMIC_RANGE_DB)) / DYNAMIC_RANGE_DB, 0, 1)
    cols = np.abs(padded[: n * hop]).reshape(n, hop).max(axis=1)
    report(progress, 0.9, "finding sharp sounds")
    onsets = tuple(o.time_s for o in detect_onsets(track)[:5])
    report(progress, 1.0, "sound drawn")
    return SoundPicture(
        track.start_s, hop / RATE_HZ, cols.astype(np.float32),
        (scaled * 255).astype(np.uint8), RATE_HZ / 2, onsets,
    )  # fmt: skip


def cache_path(derived_dir: Path, sha256: str) -> Path:
    return derived_dir / "sound" / f"{sha256}.npz"


def cached_sound_picture(
    path: Path,
    derived_dir: Path,
    sha256: str,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SoundPicture:
    """The sound picture from the case's cache, else drawn and cached (temporary file, then
    ``os.replace``)."""
    cached = cache_path(derived_dir, sha256)
    if cached.is_file():
        with np.load(cached) as z:
            if int(z["version"]) == VERSION:
                return SoundPicture(float(z["start_s"]), float(z["column_s"]), z["envelope"],
                                    z["spectrogram"], float(z["max_hz"]),
                                    tuple(float(t) for t in z["onsets_s"]))  # fmt: skip
    pic = sound_picture(path, progress=progress, cancel=cancel)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, version=VERSION, start_s=pic.start_s, column_s=pic.column_s,
                        envelope=pic.envelope, spectrogram=pic.spectrogram, max_hz=pic.max_hz,
                        onsets_s=np.asarray(pic.onsets_s, dtype=np.float64))  # fmt: skip
    os.replace(tmp, cached)
    return pic

"""Synthetic sound with exact truth: recordings, bangs at known distances, encoded files.

A "recording" is real background sound (the drone clip in tests/data, which has an audio
track) or the scenario's jet noise, with sharp events added at known times. Files are written
with PyAV, with or without a small video stream whose flash frame is known.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from workbench.scenario import audio as scenario_audio

DATA = Path(__file__).resolve().parents[1] / "data" / "media" / "video"
DRONE = DATA / "drone-sky.mp4"


def drone_background(sample_rate_hz: int = 48000) -> np.ndarray:
    """The drone clip's own sound (mono float32), decoded without the code under test."""
    return _drone(sample_rate_hz).copy()


@functools.lru_cache(maxsize=4)
def _drone(sample_rate_hz: int) -> np.ndarray:
    container = av.open(str(DRONE))
    try:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate_hz)
        chunks = []
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    finally:
        container.close()
    return np.concatenate(chunks).astype(np.float32)


def recording(
    seconds: float, sample_rate_hz: int, rng: np.random.Generator, *, drone: bool = True
) -> np.ndarray:
    """A busy recording: jet noise, the drone's sound once at a random place, and clicks.

    Nothing repeats (a looped background would give the sync false peaks a real recording
    does not have). Two recordings with ``drone=True`` share the drone clip, so they *are*
    related (as a reused soundtrack is); unrelated ones need ``drone=False``.
    """
    n = int(seconds * sample_rate_hz)
    jet = scenario_audio.jet_noise(seconds + 1, sample_rate_hz, seconds * rng.uniform(0.3, 0.7),
                                   rng)[:n]  # fmt: skip
    out = jet.copy()
    if drone:
        clip = drone_background(sample_rate_hz)[: n // 2]
        at = int(rng.uniform(0, n - len(clip)))
        out[at : at + len(clip)] += 0.5 * clip * rng.uniform(0.3, 1.0)
    for _ in range(int(seconds / 1.5)):
        at = int(rng.uniform(0, n - sample_rate_hz // 2))
        click = scenario_audio.bang(0.4, sample_rate_hz, rng) * rng.uniform(0.1, 0.5)
        out[at : at + len(click)] += click
    return np.clip(out, -1, 1).astype(np.float32)


def write_audio(
    path: Path,
    samples: np.ndarray,
    sample_rate_hz: int,
    *,
    codec: str = "aac",
    bitrate: int = 128_000,
    out_rate_hz: int | None = None,
) -> Path:
    """Encode mono samples to an audio-only file (container from the suffix)."""
    rate = out_rate_hz or sample_rate_hz
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = bitrate
        _encode_audio(out, stream, samples, sample_rate_hz)
    return path


def _encode_audio(out, stream, samples: np.ndarray, sample_rate_hz: int) -> None:
    fmt = stream.codec_context.format.name
    resampler = av.AudioResampler(format=fmt, layout="mono", rate=stream.codec_context.sample_rate)
    step = 1024
    for i in range(0, len(samples), step):
        chunk = np.ascontiguousarray(samples[i : i + step], dtype=np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
        frame.sample_rate = sample_rate_hz
        frame.pts = i
        frame.time_base = Fraction(1, sample_rate_hz)
        for f in resampler.resample(frame):
            for packet in stream.encode(f):
                out.mux(packet)
    for f in resampler.resample(None):
        for packet in stream.encode(f):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def write_flash_video(
    path: Path,
    sound: np.ndarray | None,
    sample_rate_hz: int,
    *,
    frames: int,
    fps: int,
    flash_frame: int | None,
    size: tuple[int, int] = (64, 48),
) -> Path:
    """A small H.264 video, grey with a white flash frame, and the given sound (AAC)."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        audio = None
        if sound is not None:
            audio = out.add_stream("aac", rate=sample_rate_hz, layout="mono")
        for i in range(frames):
            level = 235 if flash_frame is not None and i in (flash_frame, flash_frame + 1) else 60
            img = np.full((size[1], size[0], 3), level, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if audio is not None:
            _encode_audio(out, audio, sound, sample_rate_hz)
    return path


def with_bang(
    background: np.ndarray, sample_rate_hz: int, at_s: float, rng: np.random.Generator,
    gain: float = 1.0,
) -> np.ndarray:  # fmt: skip
    """The background with the scenario's bang added starting at ``at_s`` (exact sample)."""
    out = background.copy()
    start = int(round(at_s * sample_rate_hz))
    wave = scenario_audio.bang(2.0, sample_rate_hz, rng)[: len(out) - start] * gain
    out[start : start + len(wave)] += wave
    return np.clip(out, -1, 1)

"""Decoding a media file's sound with PyAV: mono float samples on the video's clock.

The track is the first audio stream, mixed down to mono and resampled (FFmpeg's swresample)
to float32. Sample ``i`` was played at ``start_s + i / sample_rate_hz`` seconds on the
container's clock, the clock that video frames' ``pts_s`` use; so a sound and a frame compare
directly. FFmpeg drops the encoder's priming samples (AAC, Opus) as the container's edit list
or skip-samples data says, so ``start_s`` is where the audible sound starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from analysis.errors import CorruptMediaError, MediaError, UnsupportedMediaError
from analysis.jobs import CancelToken, ProgressFn, check, report

SILENCE_RMS = 1e-4  # about -80 dBFS: below this, a whole track is taken as silent


class NoAudioError(MediaError):
    """The file has no audio stream, or the stream gives no samples."""


class SilentAudioError(MediaError):
    """The audio track holds only (digital) silence."""


@dataclass(frozen=True)
class AudioTrack:
    """Mono float32 samples in [-1, 1] and where they sit on the container's clock."""

    samples: np.ndarray  # float32, shape (n,)
    sample_rate_hz: int
    start_s: float  # container time of sample 0 (the clock of the video's pts_s)
    source_rate_hz: int  # the stream's own rate before any resampling
    codec: str
    clock_zero_s: float = 0.0  # container time of the file's time 0 (see ``clock_zero``)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def file_start_s(self) -> float:
        """Start of the sound on the file's own clock (0 at the first video frame)."""
        return self.start_s - self.clock_zero_s

    def time_of(self, index: float) -> float:
        """Container time in seconds of sample ``index`` (fractional indices allowed)."""
        return self.start_s + float(index) / self.sample_rate_hz

    def index_of(self, time_s: float) -> int:
        """Nearest sample index to container time ``time_s`` (may be outside the track)."""
        return int(round((time_s - self.start_s) * self.sample_rate_hz))


@dataclass(frozen=True)
class StreamTimes:
    """The audio and video streams' spans on the container clock, in seconds."""

    video_start_s: float | None
    video_end_s: float | None
    audio_start_s: float | None
    audio_end_s: float | None


def _open(path: Path) -> av.container.InputContainer:
    if not path.is_file():
        raise MediaError(f"{path}: no such file")
    try:
        return av.open(str(path), mode="r")
    except av.error.InvalidDataError as exc:
        raise CorruptMediaError(f"{path}: not a readable media file: {exc}") from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise UnsupportedMediaError(f"{path}: cannot be opened as media: {exc}") from exc


def _span(stream: av.stream.Stream | None) -> tuple[float | None, float | None]:
    if stream is None or stream.time_base is None:
        return None, None
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    if stream.duration is None:
        return start, None
    return start, start + float(stream.duration * stream.time_base)


def clock_zero(container: av.container.InputContainer) -> float:
    """Container time that a file's own clock calls 0.

    For a video, its video stream's first presentation time (where the frame table's
    ``time_s`` is 0); for sound alone, the container's start (after an MP3's or AAC's
    priming, as players show it).
    """
    if container.streams.video:
        start, _ = _span(container.streams.video[0])
        if start is not None:
            return start
    return float(container.start_time / 1e6) if container.start_time else 0.0


def stream_times(path: Path) -> StreamTimes:
    """Start and end of the first video and audio streams from the container's headers."""
    container = _open(Path(path))
    try:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        return StreamTimes(*_span(video), *_span(audio))
    finally:
        container.close()


def decode_audio(
    path: str | Path,
    *,
    sample_rate_hz: int | None = None,
    allow_silent: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> AudioTrack:
    """Decode the first audio stream of ``path`` to mono float32.

    Args:
        path: a video or audio file FFmpeg reads.
        sample_rate_hz: resample to this rate; None keeps the stream's own rate.
        allow_silent: return an all-silent track instead of raising.
        progress: called with the fraction of the stream decoded.
        cancel: checked between decoded packets.

    Returns:
        The track, its rate and its start on the container's clock.

    Raises:
        NoAudioError: no audio stream, or it decodes to nothing.
        SilentAudioError: every sample is below about -80 dBFS (unless ``allow_silent``).
        CorruptMediaError: FFmpeg fails while decoding.
    """
    p = Path(path)
    container = _open(p)
    try:
        if not container.streams.audio:
            raise NoAudioError(f"{p}: has no audio track; sound analyses need one")
        stream = container.streams.audio[0]
        if stream.codec_context.name is None:
            raise UnsupportedMediaError(f"{p}: the audio stream has no decoder in this FFmpeg")
        zero = clock_zero(container)
        source_rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        rate = int(sample_rate_hz or source_rate)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        total_s = float(container.duration / 1e6) if container.duration else None
        chunks: list[np.ndarray] = []
        start_s: float | None = None
        try:
            for frame in container.decode(stream):
                check(cancel)
                if start_s is None and frame.pts is not None and frame.time_base is not None:
                    start_s = float(frame.pts * frame.time_base)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                if total_s and frame.pts is not None and frame.time_base is not None:
                    report(progress, min(1.0, float(frame.pts * frame.time_base) / total_s))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{p}: the audio track cannot be decoded: {exc}") from exc
    finally:
        container.close()
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise NoAudioError(f"{p}: the audio track decodes to no samples")
    if not allow_silent and float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < (
        SILENCE_RMS
    ):
        raise SilentAudioError(f"{p}: the audio track is silent; there is no sound to analyse")
    return AudioTrack(samples, rate, start_s or 0.0, source_rate, stream.codec_context.name, zero)

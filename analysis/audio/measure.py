"""Flash to bang on a video file: the flash frame's times, the bang's onset, the distance.

The flash frame's presentation time and the frame before it come from the frame table
(``analysis.video.table``, sequential decode); the bang is the strongest onset after the flash
in the decoded sound (``analysis.audio``), both on the container's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analysis.audio.decode import AudioTrack, decode_audio
from analysis.audio.flashbang import (
    DEFAULT_TEMPERATURE_SIGMA_C,
    MEASURED_TEMPERATURE_SIGMA_C,
    FlashBang,
    FlashBangError,
    check_temperature,
    default_air_temperature_c,
    flash_bang,
)
from analysis.audio.onset import Onset, detect_onsets, strongest_onset
from analysis.errors import MediaError
from analysis.jobs import CancelToken, ProgressFn, report
from analysis.video.cuts import detect_cuts
from analysis.video.table import FrameTable, build_frame_table

MAX_DELAY_S = 60.0  # 20 km of sound: further, a bang is not heard over a phone's noise


class AudioTooShortError(MediaError):
    """The audio track ends well before the video does."""


@dataclass(frozen=True)
class FlashTimes:
    """The flash frame's presentation time and how long after the previous frame it came."""

    frame: int
    pts_s: float
    frame_duration_s: float


def flash_times(table: FrameTable, frame: int) -> FlashTimes:
    """Times of frame ``frame`` from the frame table (container clock).

    Raises:
        FlashBangError: the frame is not in the video or has no timestamp.
    """
    if not 0 <= frame < len(table):
        raise FlashBangError(f"flash frame {frame} is not in the video (0 to {len(table) - 1})")
    pts = table.frames[frame].pts_s
    if pts is None:
        raise FlashBangError(f"flash frame {frame} has no timestamp")
    other = frame - 1 if frame > 0 else frame + 1
    near = table.frames[other].pts_s if 0 <= other < len(table) else None
    fps = table.mean_fps()
    duration = abs(pts - near) if near is not None else (1.0 / fps if fps else 0.0)
    if duration <= 0:
        raise FlashBangError(f"frame {frame} has no measurable duration (one frame, no rate)")
    return FlashTimes(frame, float(pts), float(duration))


def check_audio_covers(track: AudioTrack, table: FrameTable, path: Path) -> None:
    """Refuse a sound track that stops more than a frame and 0.1 s before the last frame."""
    times = [r.pts_s for r in table.frames if r.pts_s is not None]
    if not times:
        return
    fps = table.mean_fps() or 25.0
    video_end = max(times) + 1.0 / fps
    if track.end_s < video_end - 1.0 / fps - 0.1:
        raise AudioTooShortError(
            f"{path}: the audio ends at {track.end_s:.2f} s but the video runs to "
            f"{video_end:.2f} s; a bang in the missing part cannot be heard (use the full file)"
        )


BANG_PICK_S = 0.25  # a bang the analyst picks: the onset within this of the time chosen


def find_bang(track: AudioTrack, flash: FlashTimes, near_s: float | None = None) -> Onset:
    """The loudest onset after the flash, refusing a flash marked after a louder bang; with
    ``near_s`` (the analyst's pick), the onset nearest that time instead.

    Raises:
        FlashBangError: the loudest sharp sound comes before the flash frame and nothing as
            sharp follows it.
        NoOnsetError: no sharp sound at all after the flash.
    """
    everywhere = detect_onsets(track)
    after = [o for o in everywhere if flash.pts_s < o.time_s <= flash.pts_s + MAX_DELAY_S]
    if near_s is not None:
        return _picked(after, flash, near_s)
    before = [o for o in everywhere if o.time_s <= flash.pts_s]
    if before and (not after or before[0].peak_db > after[0].peak_db + 6.0):
        raise FlashBangError(
            f"the loudest bang ({before[0].time_s:.3f} s) comes before the flash frame "
            f"{flash.frame} ({flash.pts_s:.3f} s): the flash is marked after its bang"
        )
    if not after:
        return strongest_onset(track, after_s=flash.pts_s, before_s=flash.pts_s + MAX_DELAY_S)
    return after[0]


def _picked(after: list[Onset], flash: FlashTimes, near_s: float) -> Onset:
    if near_s <= flash.pts_s:
        raise FlashBangError(
            f"the bang chosen at {near_s:.3f} s is not after the flash frame {flash.frame} "
            f"({flash.pts_s:.3f} s)"
        )
    near = [o for o in after if abs(o.time_s - near_s) <= BANG_PICK_S]
    if not near:
        raise FlashBangError(f"no sharp sound within {BANG_PICK_S} s of {near_s:.3f} s")
    return min(near, key=lambda o: abs(o.time_s - near_s))


def check_no_cut_between(path: Path, flash: FlashTimes, bang: Onset, table: FrameTable) -> None:
    """Refuse a flash and bang with an edit cut between them: the delay is not real time."""
    for cut in detect_cuts(path).cuts:
        pts = table.frames[cut.frame].pts_s if cut.frame < len(table) else None
        if cut.frame > flash.frame and pts is not None and pts <= bang.time_s:
            raise FlashBangError(
                f"{path}: an edit {cut.kind} at frame {cut.frame} ({pts:.3f} s) lies between "
                f"the flash and the bang ({bang.time_s:.3f} s); time was removed there, so "
                "the delay is not the sound's travel time"
            )


def measure_flash_bang(
    path: str | Path,
    flash_frame: int,
    *,
    temperature_c: float | None = None,
    temperature_sigma_c: float | None = None,
    lat_deg: float | None = None,
    when_utc: datetime | None = None,
    check_cuts: bool = True,
    bang_near_s: float | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FlashBang:
    """Flash-to-bang distance for a flash seen first in frame ``flash_frame`` of ``path``.

    Args:
        path: the video, with its sound.
        flash_frame: first frame (0-based decode index) that shows the flash.
        temperature_c: measured air temperature; None uses ``default_air_temperature_c``.
        temperature_sigma_c: its one sigma; default 1 C when measured, 8 C when guessed.
        lat_deg: the place's latitude, for the default temperature.
        when_utc: the date, for the default temperature.
        check_cuts: look for an edit cut between flash and bang (one more decode pass).
        bang_near_s: the analyst's pick: the onset nearest this container time is the bang.
        progress: job progress.
        cancel: job cancel token.

    Raises:
        MediaError subclasses for no, silent or short audio; FlashBangError; NoOnsetError.
    """
    p = Path(path)
    if temperature_c is not None:
        check_temperature(temperature_c)
    table = build_frame_table(p, cancel=cancel)
    flash = flash_times(table, flash_frame)
    report(progress, 0.5, "decoding the sound")
    track = decode_audio(p, cancel=cancel)
    check_audio_covers(track, table, p)
    bang = find_bang(track, flash, bang_near_s)
    if check_cuts:
        check_no_cut_between(p, flash, bang, table)
    if temperature_c is None:
        temp = default_air_temperature_c(lat_deg, when_utc)
        sigma = DEFAULT_TEMPERATURE_SIGMA_C if temperature_sigma_c is None else temperature_sigma_c
    else:
        temp = temperature_c
        sigma = MEASURED_TEMPERATURE_SIGMA_C if temperature_sigma_c is None else temperature_sigma_c
    report(progress, 1.0, "flash to bang")
    return flash_bang(
        flash_frame=flash.frame,
        flash_pts_s=flash.pts_s,
        frame_duration_s=flash.frame_duration_s,
        bang=bang,
        temperature_c=temp,
        temperature_sigma_c=sigma,
    )

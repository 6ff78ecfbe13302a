"""Rendering one scenario video: static backgrounds per segment, events per frame, encoding.

The camera does not move within a segment, so each segment's background (ground, solids,
shadows, sky) is rendered once; every frame then gets the flash, the plume, the descending
object and sensor noise, and goes to the encoder. Truth is collected from the same cameras.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.scenario import audio, events, render
from workbench.scenario.camera import PinholeCamera
from workbench.scenario.sun import solar_position
from workbench.scenario.truth import camera_truth, iso_utc, sun_truth
from workbench.scenario.world import World

NOISE_SIGMA = 2.2
NOISE_BANK = 4


@dataclass(frozen=True)
class VideoPlan:
    """What one video shows.

    Attributes:
        file_name: Output file name.
        cameras: One camera per segment (two with an edit cut).
        fps: Frame rate.
        duration_s: Length of the file.
        start_utc: When the first frame was filmed.
        cut_at_s: File time of the cut (None: no cut).
        cut_gap_s: Real time the cut removes.
        strike_utc: Time of the flash.
        strike_enu: Strike point (ENU, on the ground).
        descent: The descending object (its real time counts from ``descent_t0_utc``).
        descent_t0_utc: When the descending object was at its start height.
    """

    file_name: str
    cameras: tuple[PinholeCamera, ...]
    fps: Fraction
    duration_s: float
    start_utc: datetime
    cut_at_s: float | None
    cut_gap_s: float
    strike_utc: datetime
    strike_enu: tuple[float, float, float]
    descent: events.Descent
    descent_t0_utc: datetime


def _timeline(plan: VideoPlan) -> events.Timeline:
    n = int(round(plan.duration_s * plan.fps))
    cut = None if plan.cut_at_s is None else int(round(plan.cut_at_s * plan.fps))
    return events.Timeline(float(plan.fps), n, cut, plan.cut_gap_s)


def _flash_frames(timeline: events.Timeline, flash_real_s: float) -> list[int]:
    frames = [
        i for i in range(timeline.frame_count) if timeline.real_time_s(i) >= flash_real_s - 1e-9
    ]
    return frames[: len(events.FLASH_GAINS)]


def _bang(plan: VideoPlan, timeline: events.Timeline, flash_real_s: float) -> dict[str, Any]:
    cams = plan.cameras
    dist = float(np.linalg.norm(np.asarray(cams[0].position_enu_m) - np.asarray(plan.strike_enu)))
    delay = dist / audio.SPEED_OF_SOUND_MPS
    real = flash_real_s + delay
    file_time = timeline.file_time_of_real_s(real)
    if file_time is not None and file_time >= plan.duration_s:
        file_time = None
    return {
        "real_s": real,
        "delay_s": delay,
        "slant_distance_m": dist,
        "file_time_s": file_time,
        "utc": iso_utc(plan.start_utc + timedelta(seconds=real)),
        "speed_of_sound_mps": audio.SPEED_OF_SOUND_MPS,
        "air_temperature_c": audio.AIR_TEMPERATURE_C,
    }


@dataclass(frozen=True)
class _Segments:
    images: list[np.ndarray]
    distances: list[np.ndarray]
    truth: list[dict[str, Any]]


def _render_segments(
    world: World,
    plan: VideoPlan,
    timeline: events.Timeline,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> _Segments:
    """Each segment's static background (rendered once) and its truth."""
    out = _Segments([], [], [])
    ground = None
    for k, cam in enumerate(plan.cameras):
        check(cancel)
        first = 0 if k == 0 else int(timeline.cut_frame or 0)
        when = plan.start_utc + timedelta(seconds=timeline.real_time_s(first))
        sun = solar_position(when, world.origin_lat_deg, world.origin_lon_deg)
        if ground is None:  # seconds apart, the shadows move by well under a centimetre
            ground = render.ground_with_shadows(world, sun)
        view = render.render_view_with_distance(world, cam, sun, ground)
        out.images.append(view.image)
        out.distances.append(view.distance_m)
        out.truth.append(
            {
                "first_frame": first,
                "camera": camera_truth(world, cam),
                "sun": sun_truth(sun, when),
                "start_utc": iso_utc(when),
            }
        )
        report(progress, 0.3 * (k + 1) / len(plan.cameras), f"{plan.file_name}: background {k}")
    for k, seg in enumerate(out.truth):
        nxt = out.truth[k + 1]["first_frame"] if k + 1 < len(out.truth) else timeline.frame_count
        seg["last_frame"] = nxt - 1
    return out


def _frames(
    plan: VideoPlan,
    timeline: events.Timeline,
    segs: _Segments,
    flash_frames: list[int],
    rng: np.random.Generator,
    descent_rows: list[dict[str, Any]],
) -> Iterator[np.ndarray]:
    """Composite every frame: background, plume, descending object, flash, sensor noise."""
    flash_real = (plan.strike_utc - plan.start_utc).total_seconds()
    descent_offset = (plan.start_utc - plan.descent_t0_utc).total_seconds()
    shape = segs.images[0].shape
    noise = [
        np.clip(rng.normal(0.0, NOISE_SIGMA, shape), -8, 8).astype(np.int16)
        for _ in range(NOISE_BANK)
    ]
    for i in range(timeline.frame_count):
        seg = timeline.segment(i)
        cam = plan.cameras[seg]
        real = timeline.real_time_s(i)
        frame = segs.images[seg].copy()
        events.draw_plume(frame, cam, plan.strike_enu[:2], real - flash_real, segs.distances[seg])
        pos = plan.descent.position_enu(real + descent_offset)
        pix, depth = cam.project(pos[None, :])
        visible = events.in_frame(pix[0], float(depth[0]), cam) and pos[2] > 0
        if visible:
            events.draw_descent(frame, cam, pos)
        descent_rows.append(
            {
                "frame": i,
                "pts_s": i / timeline.fps,
                "in_view": visible,
                "x_px": float(pix[0, 0]),
                "y_px": float(pix[0, 1]),
                "height_above_ground_m": float(pos[2]),
            }
        )
        if i in flash_frames:
            gain = events.FLASH_GAINS[flash_frames.index(i)]
            events.apply_flash(frame, cam, np.asarray(plan.strike_enu), gain, segs.distances[seg])
        yield cv2.add(frame, noise[i % NOISE_BANK], dtype=cv2.CV_8U)


def _cut_truth(plan: VideoPlan, timeline: events.Timeline) -> dict[str, Any] | None:
    if timeline.cut_frame is None or len(plan.cameras) < 2:
        return None
    a, b = plan.cameras[0], plan.cameras[1]
    zoom = math.tan(math.radians(a.hfov_deg) / 2) / math.tan(math.radians(b.hfov_deg) / 2)
    return {
        "frame": timeline.cut_frame,
        "file_time_s": timeline.cut_frame / timeline.fps,
        "gap_s": plan.cut_gap_s,
        "zoom_ratio": zoom,
        "zoom_ratio_definition": "focal length of segment 2 / segment 1",
    }


def render_video(
    world: World,
    plan: VideoPlan,
    out_dir: Path,
    *,
    sample_rate: int,
    crf: int,
    preset: str,
    rng: np.random.Generator,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Render, encode and describe one video.

    Returns:
        The video's truth (a JSON-ready dict).

    Raises:
        JobCancelled: If ``cancel`` was cancelled.
    """
    from workbench.scenario.media import write_mp4

    timeline = _timeline(plan)
    flash_real = (plan.strike_utc - plan.start_utc).total_seconds()
    segs = _render_segments(world, plan, timeline, progress, cancel)
    flash_frames = _flash_frames(timeline, flash_real)
    bang = _bang(plan, timeline, flash_real)
    real_span = plan.duration_s + (plan.cut_gap_s if plan.cut_at_s is not None else 0.0) + 0.1
    track = audio.real_time_track(real_span, sample_rate, bang["real_s"], flash_real - 2.0, rng)
    # the sound is cut where the picture is: at the first frame of the second segment
    cut_s = None if timeline.cut_frame is None else timeline.cut_frame / timeline.fps
    sound = audio.cut_track(track, sample_rate, plan.duration_s, cut_s, plan.cut_gap_s)
    descent_rows: list[dict[str, Any]] = []
    h, w = segs.images[0].shape[:2]

    def on_frame(n: int) -> None:
        report(progress, 0.3 + 0.7 * n / timeline.frame_count, f"{plan.file_name}: frame {n}")

    write_mp4(
        out_dir / plan.file_name,
        _frames(plan, timeline, segs, flash_frames, rng, descent_rows),
        fps=plan.fps,
        size=(w, h),
        audio=sound,
        sample_rate=sample_rate,
        crf=crf,
        preset=preset,
        on_frame=on_frame,
        cancel=cancel,
    )
    return {
        "file": plan.file_name,
        "fps": float(plan.fps),
        "fps_fraction": str(plan.fps),
        "frame_count": timeline.frame_count,
        "duration_s": timeline.frame_count / timeline.fps,
        "width_px": w,
        "height_px": h,
        "start_utc": iso_utc(plan.start_utc),
        "video_codec": "h264",
        "pix_fmt": "yuv420p",
        "audio_codec": "aac",
        "audio_sample_rate": sample_rate,
        "audio_channels": 1,
        "cut": _cut_truth(plan, timeline),
        "segments": segs.truth,
        "flash": {
            "frames": flash_frames,
            "utc": iso_utc(plan.strike_utc),
            "gains": list(events.FLASH_GAINS[: len(flash_frames)]),
            "file_time_s": flash_frames[0] / timeline.fps if flash_frames else None,
        },
        "bang": bang,
        "descent": {
            "rate_mps": plan.descent.rate_mps,
            "start_height_m": plan.descent.start_height_m,
            "start_utc": iso_utc(plan.descent_t0_utc),
            "pixel": "centre of the dark body (the parachute canopy is above it)",
            "frames": descent_rows,
        },
    }

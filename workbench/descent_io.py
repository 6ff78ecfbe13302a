"""The track and descent commands' work: run the tracker on a video, read a track back,
measure its descent, and say it in JSON and in lines of text.

The track JSON (schema ``geoworkbench.track/1``) names the video with its sha256 and gives,
for each frame, the decode index, pts seconds and framemd5 with the tracked point, so that a
descent measured later can be tied to the exact pictures. Rates are in m/s only when a scale
was given; otherwise px/s, and the verdict says why it cannot be more.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from analysis.descent.analyse import Descent, TrackSample, analyse_descent
from analysis.descent.scale import Scale, ScaleInputError
from analysis.errors import WorkbenchError
from analysis.tracking.model import Track

TRACK_SCHEMA = "geoworkbench.track/1"
IMPACT_WITHIN_FRAMES = 6
MIN_FLASH_JUMP = 12.0  # mean-luma rise (0-255) that counts as a flash at the track's end


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file and os.replace (never a half-written file)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file and os.replace (never a half-written file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_track(args: argparse.Namespace) -> dict[str, Any]:
    """Track the object of ``args`` (the ``track`` command) and return the track JSON."""
    from analysis.media.inspection import inspect_video
    from analysis.tracking.video_track import Mark, VideoContext, exclude_repeats, track_video
    from analysis.video.table import build_frame_table
    from workbench import provenance
    from workbench.jobs import TerminalProgress

    video: Path = args.video
    if not video.is_file():
        raise WorkbenchError(f"{video}: no such video file")
    progress = TerminalProgress()
    table = build_frame_table(video, progress=progress)
    if args.box is not None:
        mark = Mark.from_box(args.frame, *args.box)
    else:
        mark = Mark(args.frame, *args.point)
    if not 0 <= args.frame < len(table.frames):
        raise WorkbenchError(
            f"{video}: frame {args.frame} does not exist (frames 0..{len(table.frames) - 1})"
        )
    insp = inspect_video(video, progress=progress)
    ctx = VideoContext(
        overlays=insp.overlays.mask if insp.overlays.reliable else None,
        excluded_frames=frozenset(insp.blended),
    )
    try:
        track = track_video(
            video,
            [mark],
            to_frame=args.to,
            from_frame=args.from_frame,
            method=args.method,
            context=ctx,
            table=table,
            progress=progress,
        )
    except ValueError as exc:
        raise WorkbenchError(f"{video}: {exc}") from exc
    track = exclude_repeats(track, frozenset(insp.duplicated))
    impact = impact_after(video, table, track.points[-1].frame_index)
    return {
        "schema": TRACK_SCHEMA,
        "video": str(video),
        "video_sha256": provenance.file_sha256(video),
        "frame_count": len(table.frames),
        "mark": {"frame": args.frame, "point": args.point, "box": args.box},
        "excluded_frames": sorted(p.frame_index for p in track.points if not p.usable_for_rates),
        "track": track.to_dict(),
        "impact": impact,
        "algorithm": "analysis.tracking.video_track.track_video",
        "software": provenance.software(provenance.decoder_libraries()).to_dict(),
    }


def impact_after(
    video: Path, table: Any, last_frame: int, cancel: Any = None
) -> dict[str, Any] | None:
    """The flash that ends a track: the video's largest brightness rise, if it comes at most
    IMPACT_WITHIN_FRAMES after ``last_frame`` and rises by MIN_FLASH_JUMP; else None."""
    from analysis.errors import MediaError
    from analysis.video.flash import flash_frame

    try:
        idx, pts_s, jump = flash_frame(video, cancel=cancel)
    except MediaError:  # no brightness rise at all: no flash ends the track
        return None
    if jump >= MIN_FLASH_JUMP and 0 < idx - last_frame <= IMPACT_WITHIN_FRAMES:
        return {
            "frame_index": idx,
            "pts_s": pts_s,
            "time_s": table.time_s(idx),
            "luma_jump": round(jump, 2),
        }
    return None


def scale_inputs_of(args: argparse.Namespace) -> Any:
    """The scale the ``descent`` arguments give, as the descent observation stores it
    (workbench.observations.descent.ScaleInputs), or None when none was given.

    Raises:
        WorkbenchError: two scales, or one given by halves.
    """
    from workbench.observations.descent import CAMERA, LENGTH, STATED, ScaleInputs

    camera = args.distance_m is not None or args.hfov_deg is not None
    length = args.length_m is not None or args.length_px is not None
    given = sum([camera, args.scale_px_per_m is not None, length])
    if given > 1:
        raise WorkbenchError(
            "give one scale: --distance-m with --hfov-deg, "
            "--scale-px-per-m, or --length-m with --length-px"
        )
    if camera:
        if args.distance_m is None or args.hfov_deg is None:
            raise WorkbenchError("the camera model needs both --distance-m and --hfov-deg")
        return ScaleInputs(
            CAMERA,
            distance_m=args.distance_m,
            distance_sigma_m=args.distance_sigma_m,
            hfov_deg=args.hfov_deg,
            hfov_sigma_deg=args.hfov_sigma_deg,
            pitch_deg=args.pitch_deg,
            pitch_sigma_deg=args.pitch_sigma_deg,
            origin="typed",
        )
    if length:
        if args.length_m is None or args.length_px is None:
            raise WorkbenchError("a reference length needs both --length-m and --length-px")
        return ScaleInputs(LENGTH, length_m=args.length_m, length_px=args.length_px, origin="typed")
    if args.scale_px_per_m is not None:
        return ScaleInputs(
            STATED, px_per_m=args.scale_px_per_m, sigma_px_per_m=args.scale_sigma_px_per_m,
            origin="typed",
        )  # fmt: skip
    return None


def _scale(args: argparse.Namespace, width_px: int) -> Scale | None:
    inputs = scale_inputs_of(args)
    if inputs is None:
        return None
    try:
        return inputs.scale(width_px)
    except ScaleInputError as exc:
        raise WorkbenchError(str(exc)) from exc


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def samples_of(track: Track) -> tuple[list[TrackSample], int]:
    """The points a descent can use (counted for rates, with a time and a background
    position), and the number of frames the track spans."""
    samples = [
        TrackSample(p.frame_index, p.pts_s, p.bg_x_px, p.bg_y_px)
        for p in track.points
        if p.usable_for_rates and p.bg_x_px is not None and p.pts_s is not None
    ]
    spanned = track.points[-1].frame_index - track.points[0].frame_index + 1
    return samples, spanned


def descent_from_doc(doc: dict[str, Any], args: argparse.Namespace) -> tuple[Descent, dict]:
    """Measure the descent of a track JSON with the scale in ``args``."""
    try:
        track = Track.from_dict(doc["track"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkbenchError(f"the track JSON is incomplete ({exc})") from exc
    if not track.points:
        raise WorkbenchError("the track has no points")
    scale = _scale(args, track.frame_width_px)
    samples, spanned = samples_of(track)
    d = analyse_descent(samples, scale=scale, roll_deg=args.roll_deg, frames_spanned=spanned)
    unit = "m" if d.unit == "m" else "px"
    out: dict[str, Any] = {
        "video": doc.get("video"),
        "video_sha256": doc.get("video_sha256"),
        "frames_used": d.n_points,
        "frames_excluded": len(track.points) - d.n_points,
        "duration_s": d.duration_s,
        "unit": unit,
        "models": [m.to_dict() for m in d.models],
        "chosen_model": d.models[0].name,
        f"rate_{unit}_s": _finite(d.rate.value),
        "rate_ci95": [_finite(v) for v in d.rate.to_list()],
        f"acceleration_{unit}_s2": _finite(d.acceleration.value),
        "acceleration_ci95": [_finite(v) for v in d.acceleration.to_list()],
        "verdict": d.verdict,
        "reason": d.reason,
        "carried_by": list(d.carried_by),
        "scale": None
        if scale is None
        else {
            "px_per_m": scale.px_per_m,
            "sigma_px_per_m": scale.sigma_px_per_m,
            "source": scale.source,
            "detail": scale.detail,
        },
        "impact": doc.get("impact"),
        "algorithm": "analysis.descent.analyse.analyse_descent",
    }
    return d, out


def descent_summary(out: dict[str, Any]) -> list[str]:
    """Plain lines for the terminal (never a NaN: missing numbers are said in words)."""
    u = out["unit"]
    rate, ci = out[f"rate_{u}_s"], out["rate_ci95"]
    acc, aci = out[f"acceleration_{u}_s2"], out["acceleration_ci95"]

    def num(v: float | None, fmt: str) -> str:
        return "not measurable" if v is None else format(v, fmt)

    lines = [
        f"{out['video']}: {out['frames_used']} frames over {out['duration_s']:.2f} s "
        f"({out['frames_excluded']} left out)",
        f"  model: {out['chosen_model']} (AICc among "
        + ", ".join(m["model"] for m in out["models"])
        + ")",
        f"  rate: {num(rate, '.2f')} {u}/s (95%: {num(ci[0], '.2f')} to {num(ci[1], '.2f')})",
        f"  acceleration: {num(acc, '.2f')} {u}/s2 (95%: {num(aci[0], '.2f')} to "
        f"{num(aci[1], '.2f')})",
        f"  verdict: {out['verdict']}: {out['reason']}",
    ]
    if out.get("impact"):
        imp = out["impact"]
        lines.append(f"  impact: frame {imp['frame_index']} at {imp['pts_s']} s (a flash)")
    return lines

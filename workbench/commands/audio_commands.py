"""``geoworkbench flashbang VIDEO --flash-frame N`` and ``geoworkbench sync VIDEO_A VIDEO_B``.

flashbang: the bang after a flash frame and the distance its delay gives (analysis.audio);
sync: B's time minus A's for the same sound. Registering imports neither numpy nor PyAV:
handlers import the analysis when they run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def _temperature(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a temperature in C") from None


def _lat_lon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LAT,LON in degrees") from None
    return lat, lon


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "flashbang",
        help="distance to an explosion from its flash frame and its bang",
        description="Find the bang (the loudest sharp sound after the flash) and give the "
        "delay, the distance at the speed of sound and its 95%% interval. The flash frame is "
        "the first frame that shows the flash (0-based); `inspect` or the video panel "
        "proposes one.",
    )
    p.add_argument("video", type=Path, nargs="?", help="the video file, with its sound")
    p.add_argument("--flash-frame", type=int, required=True, metavar="N", help="flash frame")
    p.add_argument("--temperature-c", type=_temperature, metavar="T", help="air temperature, C")
    p.add_argument("--temperature-sigma-c", type=_temperature, metavar="S", help="its one sigma, C")
    p.add_argument("--lat", type=float, metavar="DEG", help="latitude, for a default temperature")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date, for a default temperature")
    p.add_argument(
        "--bang-near",
        type=float,
        metavar="S",
        help="the bang is the sharp sound nearest S seconds (default: the loudest)",
    )
    p.add_argument("--case", type=Path, help="store it in this case as a flash_bang observation")
    p.add_argument("--evidence", metavar="ID", help="with --case: the video evidence (id or hash)")
    p.add_argument(
        "--camera",
        type=_lat_lon,
        metavar="LAT,LON",
        help="with --case: where the camera stood (default: its camera landmark)",
    )
    add_json_flag(p)
    p.set_defaults(func=run_flashbang)

    p = subparsers.add_parser(
        "sync",
        help="time offset between two videos from their sound",
        description="B's time minus A's for the same sound (offset_s), its 95%% interval, "
        "or 'no match'. Sound reaches cameras at different distances at different times: a "
        "shared flash aligns clocks, the sound aligns sounds.",
    )
    p.add_argument("video_a", type=Path, help="video (or sound file) A")
    p.add_argument("video_b", type=Path, help="video (or sound file) B")
    add_json_flag(p)
    p.set_defaults(func=run_sync)


def run_flashbang(args: argparse.Namespace) -> int:
    from datetime import datetime

    from analysis.audio.flashbang import FlashBangError
    from analysis.audio.measure import measure_flash_bang

    when = None
    if args.date:
        try:
            when = datetime.strptime(args.date, "%Y-%m-%d")
        except ValueError:
            raise FlashBangError(f"--date {args.date!r} is not YYYY-MM-DD") from None
    if (args.case is None) == (args.video is None) or (args.case is None) != (
        args.evidence is None
    ):
        raise FlashBangError("give either VIDEO, or --case CASE with --evidence ID")
    if args.case is not None:
        obs_id, r, name = _flashbang_in_case(args, when)
    else:
        obs_id, name = None, args.video.name
        r = measure_flash_bang(
            args.video,
            args.flash_frame,
            temperature_c=args.temperature_c,
            temperature_sigma_c=args.temperature_sigma_c,
            lat_deg=args.lat,
            when_utc=when,
            bang_near_s=args.bang_near,
        )
    out = {
        "video": name,
        "observation_id": obs_id,
        "flash_frame": r.flash_frame,
        "flash_pts_s": r.flash_pts_s,
        "frame_duration_s": r.frame_duration_s,
        "bang_s": r.bang_s,
        "bang_sigma_s": r.bang_sigma_s,
        "delay_s": r.delay_s,
        "delay_sigma_s": r.delay_sigma_s,
        "temperature_c": r.temperature_c,
        "temperature_sigma_c": r.temperature_sigma_c,
        "temperature_given": args.temperature_c is not None,
        "speed_of_sound_mps": r.speed_of_sound_mps,
        "distance_m": r.distance_m,
        "distance_sigma_m": r.distance_sigma_m,
        "distance_ci95": list(r.distance_ci95_m),
    }
    if args.json:
        print_json(out)
        return 0
    lo, hi = r.distance_ci95_m
    given = "" if args.temperature_c is not None else " (default for the place and date)"
    print(f"flash   frame {r.flash_frame} at {r.flash_pts_s:.3f} s")
    print(f"bang    {r.bang_s:.4f} s ± {r.bang_sigma_s * 1000:.1f} ms")
    print(f"delay   {r.delay_s:.3f} s ± {r.delay_sigma_s * 1000:.1f} ms")
    print(f"air     {r.temperature_c:g} ± {r.temperature_sigma_c:g} C{given}: "
          f"{r.speed_of_sound_mps:.1f} m/s")  # fmt: skip
    print(f"distance {r.distance_m:.0f} m (95%: {lo:.0f} to {hi:.0f} m)")
    if obs_id is not None:
        print(f"stored  observation {obs_id} (flash_bang) in {args.case}")
    return 0


def _flashbang_in_case(args: argparse.Namespace, when) -> tuple[int, object, str]:
    """Measure on the case's copy of the evidence and store a flash_bang observation."""
    from analysis.geometry.geodesy import LatLon
    from workbench.case import open_case
    from workbench.case.evidence import find_evidence
    from workbench.sound_store import CameraPlace, measure_and_store_flash_bang

    with open_case(args.case) as case:
        case.require_current_schema("flashbang")
        e = find_evidence(case.read(), args.evidence)
        place = CameraPlace(LatLon(*args.camera)) if args.camera else None
        obs_id, r = measure_and_store_flash_bang(
            case, e.id, args.flash_frame, place=place, temperature_c=args.temperature_c,
            temperature_sigma_c=args.temperature_sigma_c, when_utc=when,
            bang_near_s=args.bang_near,
            tool="geoworkbench flashbang",
        )  # fmt: skip
    return obs_id, r, e.original_name


def run_sync(args: argparse.Namespace) -> int:
    from analysis.audio.sync import sync_videos

    r = sync_videos(args.video_a, args.video_b)
    out = {
        "video_a": args.video_a.name,
        "video_b": args.video_b.name,
        "matched": r.matched,
        "offset_s": r.offset_s,
        "offset_ci95": list(r.offset_ci95_s) if r.offset_ci95_s else None,
        "method": r.method if r.matched else "no match",
        "score_z": r.score_z,
        "chunks_agreeing": r.chunks_agreeing,
        "chunks_total": r.chunks_total,
        "overlap_s": r.overlap_s,
    }
    if args.json:
        print_json(out)
        return 0 if r.matched else 1
    if not r.matched:
        print(f"no match: the sound of {args.video_a.name} and {args.video_b.name} does not "
              f"line up (best peak z {r.score_z:.1f}, {r.chunks_agreeing}/{r.chunks_total} "
              "chunks agree)")  # fmt: skip
        return 1
    lo, hi = r.offset_ci95_s
    print(f"offset_s {r.offset_s:+.4f} (95%: {lo:+.4f} to {hi:+.4f}): B's time minus A's")
    print(f"method   {r.method}; {r.chunks_agreeing}/{r.chunks_total} chunks agree, "
          f"{r.overlap_s:.1f} s overlap")  # fmt: skip
    return 0

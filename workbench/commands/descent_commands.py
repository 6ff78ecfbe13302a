"""``geoworkbench track`` and ``geoworkbench descent``: follow an object, measure its descent.

``track VIDEO --frame N (--point X,Y | --box X,Y,W,H) [--to M] [--from K] [--json]`` tracks
the marked object forward and backward (analysis.tracking) and prints the track; its JSON
(schema ``geoworkbench.track/1``) carries the video's sha256 and each frame's index, pts and
framemd5, and is what ``descent`` reads. ``descent TRACK.json [--distance-m D --hfov-deg F |
--scale-px-per-m S | --length-m L --length-px P] [--pitch-deg] [--roll-deg] [--json]`` fits
the motion models and gives the rate, the acceleration and the verdict (analysis.descent).

Heavy modules (numpy, cv2, av) are imported inside the handlers: registering these commands
must stay cheap. Bad input is one line (exit 1 for a bad file or track, 2 for usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.commands.output import add_force_flag, add_json_flag, print_json

TRACK_SCHEMA = "geoworkbench.track/1"


def _floats(text: str, n: int, what: str) -> tuple[float, ...]:
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != n or not all(v == v and abs(v) != float("inf") for v in values):
        raise argparse.ArgumentTypeError(f"{what} must be {n} numbers separated by commas")
    return values


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("track", help="track a marked object through a video")
    p.add_argument("video", type=Path, help="the video (with --case: an evidence id or hash)")
    p.add_argument("--case", type=Path, help="track a video of this case and store the track")
    p.add_argument("--label", default="", help="with --case: the track's label")
    p.add_argument("--frame", type=int, required=True, help="frame where the object is marked")
    mark = p.add_mutually_exclusive_group(required=True)
    mark.add_argument("--point", type=lambda s: _floats(s, 2, "--point"), metavar="X,Y")
    mark.add_argument("--box", type=lambda s: _floats(s, 4, "--box"), metavar="X,Y,W,H")
    p.add_argument("--to", type=int, help="last frame to track (default: the end)")
    p.add_argument("--from", dest="from_frame", type=int, help="first frame to track")
    p.add_argument("--method", default="template", choices=("template", "lk", "mil"))
    p.add_argument("-o", "--output", type=Path, help="write the track JSON to this file")
    add_force_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_track)

    d = subparsers.add_parser("descent", help="descent rate and verdict from a track JSON")
    d.add_argument("track", type=Path, metavar="TRACK.json", nargs="?")
    d.add_argument("--case", type=Path, help="measure a track of this case, store the result")
    d.add_argument("--track", dest="track_id", type=int, metavar="ID", help="with --case")
    d.add_argument("--note", default="", help="with --case: the analyst's note beside it")
    d.add_argument("--distance-m", type=float, help="distance from the camera to the object")
    d.add_argument("--distance-sigma-m", type=float, default=0.0)
    d.add_argument("--hfov-deg", type=float, help="horizontal field of view of the frame")
    d.add_argument("--hfov-sigma-deg", type=float, default=0.0)
    d.add_argument("--scale-px-per-m", type=float, help="pixels per metre at the object")
    d.add_argument("--scale-sigma-px-per-m", type=float, default=0.0)
    d.add_argument("--length-m", type=float, help="a reference length (or the object's size)")
    d.add_argument("--length-px", type=float, help="what --length-m spans in the frame")
    d.add_argument("--pitch-deg", type=float, default=0.0, help="line of sight above horizon")
    d.add_argument("--pitch-sigma-deg", type=float, default=0.0)
    d.add_argument("--roll-deg", type=float, default=0.0, help="image roll, clockwise")
    d.add_argument("--figure", type=Path, help="write the height-time plot (PNG)")
    add_force_flag(d)
    add_json_flag(d)
    d.set_defaults(func=cmd_descent)


def cmd_track(args: argparse.Namespace) -> int:
    if args.case is not None:
        from workbench.commands.descent_case import track_into_case

        return track_into_case(args)
    from workbench.descent_io import run_track

    if args.output is not None:
        from workbench.output_guard import check_output

        check_output(args.output, replace=args.force)
    doc = run_track(args)
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
    if args.output is not None:
        from workbench.descent_io import write_text

        write_text(args.output, text + "\n")
    if args.json:
        print_json(doc)
        return 0
    frames = doc["track"]["frames"]
    first, last = frames[0]["index"], frames[-1]["index"]
    print(
        f"{args.video}: {len(frames)} frames tracked ({first}..{last}), method "
        f"{doc['track']['method']}"
    )
    print(
        f"  forward: {doc['track']['stopped_forward']}; backward: "
        f"{doc['track']['stopped_backward']}"
    )
    for note in doc["track"]["notes"]:
        print(f"  note: {note}")
    if doc.get("impact") is not None:
        print(f"  ends in a flash at frame {doc['impact']['frame_index']}")
    if args.output is not None:
        print(f"  written: {args.output}")
    return 0


def _read_track(path: Path) -> dict[str, Any]:
    from analysis.errors import WorkbenchError

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WorkbenchError(f"{path}: cannot read the track ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkbenchError(f"{path}: not a track JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("schema") != TRACK_SCHEMA:
        raise WorkbenchError(
            f"{path}: not a track JSON (expected schema {TRACK_SCHEMA}, from geoworkbench track)"
        )
    return doc


def cmd_descent(args: argparse.Namespace) -> int:
    from workbench.descent_io import descent_from_doc, descent_summary

    if args.case is not None or args.track_id is not None:
        from workbench.commands.descent_case import descent_into_case

        return descent_into_case(args)
    if args.track is None:
        print("descent: give TRACK.json, or --case CASE --track ID", file=sys.stderr)
        return 2
    doc = _read_track(args.track)
    if args.figure is not None:
        from workbench.output_guard import check_output

        check_output(args.figure, replace=args.force)
    result, out = descent_from_doc(doc, args)
    if args.figure is not None:
        from workbench.descent_figure import descent_figure_png
        from workbench.descent_io import write_bytes

        write_bytes(args.figure, descent_figure_png(result, title=Path(doc["video"]).name))
        out["figure"] = str(args.figure)
    if args.json:
        print_json(out)
        return 0
    for line in descent_summary(out):
        print(line)
    sys.stdout.flush()
    return 0

"""``geoworkbench align --line NEAR_LAT,NEAR_LON,FAR_LAT,FAR_LON[,SIGMA_M] --line ... [--json]``.

The camera's position from two or more alignments: objects seen one behind the other in a
frame put the camera on the line through them, beyond the near one
(``analysis.geometry.sightlines.camera_from_alignments``). Each object's map position has a
one-sigma error (default 2 m), which sets the line's spread. Exit 0 with an ellipse, 1 when the
geometry allows none, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

from workbench.commands.output import add_json_flag, print_json


def _parse_line(text: str) -> tuple[float, float, float, float, float]:
    parts = text.split(",")
    if len(parts) not in (4, 5):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give NEAR_LAT,NEAR_LON,FAR_LAT,FAR_LON[,SIGMA_M]"
        )
    try:
        values = [float(p) for p in parts]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from exc
    if len(values) == 4:
        values.append(2.0)
    return tuple(values)  # type: ignore[return-value]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "align",
        help="camera position from two or more pairs of objects seen one behind the other",
        description="Each --line is a near object and a far object (latitude, longitude in "
        "degrees) that line up in the frame, and optionally the one-sigma map error of each "
        "object's position in metres (default 2).",
    )
    p.add_argument(
        "--line",
        action="append",
        type=_parse_line,
        required=True,
        metavar="NEAR_LAT,NEAR_LON,FAR_LAT,FAR_LON[,SIGMA_M]",
        help="one alignment; give it two or more times",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_align)


def cmd_align(args: argparse.Namespace) -> int:
    from analysis.errors import GeometryError
    from analysis.geometry.geodesy import LatLon
    from analysis.geometry.sightlines import Alignment, alignment_ray, camera_from_alignments
    from analysis.geometry.triangulation import FixStatus
    from workbench.commands.geo_commands import format_fix
    from workbench.geofix import fix_to_dict

    if len(args.line) < 2:
        print("geoworkbench align: error: give at least two --line", file=sys.stderr)
        return 2
    try:
        lines = [
            Alignment(LatLon(a, b), LatLon(c, d), s, name=f"line {i}")
            for i, (a, b, c, d, s) in enumerate(args.line, start=1)
        ]
        fix = camera_from_alignments(lines)
    except GeometryError as exc:
        print(f"geoworkbench align: error: {exc}", file=sys.stderr)
        return 2
    at = fix.position
    rays = [alignment_ray(a, None if at is None else _range(a, at)) for a in lines]
    result = fix_to_dict(fix, rays)
    result["method"] = "camera on the lines through aligned objects (least squares, WGS84)"
    if args.json:
        print_json(result)
    else:
        print("\n".join(format_fix(result)))
    return 0 if fix.status is FixStatus.OK else 1


def _range(alignment, position) -> float:
    from analysis.geometry import geodesy

    return geodesy.distance_m(alignment.near, position)

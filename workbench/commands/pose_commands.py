"""``geoworkbench pose FRAME --gcp X,Y,LAT,LON[,H] ... [--dem DEM.tif] [--target X,Y] [--json]``.

The camera's full pose from four or more ground control points clicked in one frame
(``analysis.geometry.pose``): position and height, yaw, pitch, roll, field of view (unless
``--hfov``), k1 from six points, with sigmas and residuals; each ``--target`` pixel put on the
ground with its 95% ellipse; the frame's footprint. A point without H takes the elevation
model's height (``--dem``: heights in the model's datum, so typed heights must share it).
``--case`` stores the pose as an observation (with ``--evidence`` and ``--frame-index``).
Exit 0 with a pose, 2 for bad input, an unreadable frame or elevation model, or no solution.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from workbench.commands.output import add_json_flag, print_json


def _gcp(text: str) -> tuple[float, float, float, float, float | None, str]:
    parts = text.split(",", 5)
    if len(parts) < 4:
        raise argparse.ArgumentTypeError(f"control point {text!r} must be X,Y,LAT,LON[,H[,NAME]]")
    try:
        x, y, lat, lon = (float(p) for p in parts[:4])
        h = float(parts[4]) if len(parts) > 4 and parts[4].strip() else None
    except ValueError:
        raise argparse.ArgumentTypeError(f"control point {text!r}: not a number") from None
    if not all(math.isfinite(v) for v in (x, y, lat, lon, 0.0 if h is None else h)):
        raise argparse.ArgumentTypeError(f"control point {text!r}: not a finite number")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise argparse.ArgumentTypeError(
            f"control point {text!r}: latitude or longitude out of range"
        )
    return x, y, lat, lon, h, parts[5].strip() if len(parts) > 5 else ""


def _target(text: str) -> tuple[float, float, str]:
    parts = text.split(",", 2)
    try:
        x, y = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"target {text!r} must be X,Y[,NAME]") from None
    return x, y, parts[2].strip() if len(parts) > 2 else ""


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(v) and v > 0.0):
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return v


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "pose",
        help="camera position, height, orientation and field of view from 4+ control points",
        description="Full 3-D camera pose from ground control points clicked in one frame. "
        "Each --gcp is a pixel (x right, y down from the top-left pixel's centre), the "
        "latitude and longitude it shows and optionally its height (m above WGS84, or the "
        "elevation model's datum with --dem) and a name.",
    )
    p.add_argument("frame", type=Path, help="the frame (PNG, JPEG...): its size is read")
    p.add_argument(
        "--gcp",
        action="append",
        type=_gcp,
        required=True,
        metavar="X,Y,LAT,LON[,H[,NAME]]",
        help="a control point; four or more",
    )
    p.add_argument("--dem", type=Path, help="elevation GeoTIFF: heights and the ground")
    p.add_argument(
        "--ground-height",
        type=float,
        metavar="M",
        help="flat ground at this height (default: the lowest control point)",
    )
    p.add_argument("--hfov", type=_positive, metavar="DEG", help="known horizontal field of view")
    p.add_argument("--sigma-px", type=_positive, default=1.0, help="click sigma (default 1 px)")
    p.add_argument(
        "--k1",
        choices=("auto", "yes", "no"),
        default="auto",
        help="fit radial distortion k1 (auto: from 6 points)",
    )
    p.add_argument(
        "--target",
        action="append",
        type=_target,
        default=[],
        metavar="X,Y[,NAME]",
        help="a pixel to put on the ground, with its ellipse",
    )
    p.add_argument("--case", type=Path, help="store the pose in this case (audited)")
    p.add_argument("--evidence", type=int, metavar="ID", help="with --case: the frame's evidence")
    p.add_argument("--frame-index", type=int, metavar="N", help="with --case: its frame index")
    add_json_flag(p)
    p.set_defaults(func=cmd_pose)


def _fail(message: str) -> int:
    print(f"geoworkbench pose: {message}", file=sys.stderr)
    return 2


def _frame_size(path: Path) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.size
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (UnidentifiedImageError, OSError):
        raise ValueError(f"{path}: not an image the workbench can read") from None


def cmd_pose(args: argparse.Namespace) -> int:
    """Solve and print; exit 0, or 2 for bad input or no solution."""
    from analysis.errors import GeometryError
    from analysis.imagery.dem import Dem
    from analysis.imagery.errors import DemError
    from workbench.observations import pose_model as m
    from workbench.pose_record import build_inputs

    try:
        size = _frame_size(args.frame)
        dem = Dem.open(args.dem) if args.dem is not None else None
        points = []
        for k, (x, y, lat, lon, h, name) in enumerate(args.gcp, start=1):
            if h is None:
                if dem is None:
                    return _fail(f"control point {k} has no height: give H or --dem")
                h = float(dem.height_m(lat, lon))
                if not math.isfinite(h):
                    return _fail(f"{args.dem}: control point {k} is outside the elevation model")
            points.append(m.PosePoint(name or f"point {k}", x, y, lat, lon, h))
        targets = [
            m.TargetPixel(n or f"target {k}", x, y)
            for k, (x, y, n) in enumerate(args.target, start=1)
        ]
        inputs = build_inputs(
            size,
            points,
            sigma_px=args.sigma_px,
            hfov_deg=args.hfov,
            estimate_k1={"auto": None, "yes": True, "no": False}[args.k1],
            ground_height_m=args.ground_height if dem is None else None,
            dem_height=dem.height_m if dem is not None else None,
            targets=targets,
            target_sigma_px=args.sigma_px,
        )
        m.validate(inputs)
        result = m.compute(inputs)
    except (ValueError, DemError) as exc:
        return _fail(str(exc))
    except GeometryError as exc:
        return _fail(f"{args.frame}: {exc}")
    report = pose_report(inputs, result, args)
    if args.case is not None:
        report["observation_id"] = _store(args, inputs)
    if args.json:
        print_json(report)
    else:
        print("\n".join(format_pose(report)))
    return 0


def _store(args: argparse.Namespace, inputs: Any) -> int:
    """The pose stored in ``--case`` (validated and recomputed by the writer); its id."""
    from workbench.case import open_case
    from workbench.pose_record import add_pose

    with open_case(args.case) as case:
        return add_pose(
            case, inputs, evidence_id=args.evidence, frame_index=args.frame_index
        ).result()


def pose_report(inputs: Any, r: Any, args: argparse.Namespace) -> dict[str, Any]:
    from workbench.observations import pose_model as m

    out = m.result_to_json(r)
    ground = (
        f"elevation model {args.dem}"
        if args.dem is not None
        else (f"flat at {inputs.ground_height_m:.2f} m")
    )
    out |= {
        "frame": str(args.frame),
        "width_px": inputs.width_px,
        "height_px": inputs.height_px,
        "ground": ground,
        "method": m.METHOD,
    }
    out["residuals_px"] = [{"name": n, "dx_px": dx, "dy_px": dy} for n, dx, dy in r.residuals_px]
    return out


def format_pose(d: dict[str, Any]) -> list[str]:
    s = d["sigmas"]

    def sd(key: str, unit: str) -> str:
        return "" if s.get(key) is None else f" ± {s[key]:.3g} {unit}"

    lines = [
        f"camera     {d['lat_deg']:.6f}, {d['lon_deg']:.6f}  (east{sd('east_m', 'm')}, "
        f"north{sd('north_m', 'm')})",
        f"height     {d['height_m']:.2f} m{sd('height_m', 'm')}",
        f"yaw        {d['yaw_deg']:.3f} deg{sd('yaw_deg', 'deg')}",
        f"pitch      {d['pitch_deg']:.3f} deg{sd('pitch_deg', 'deg')}",
        f"roll       {d['roll_deg']:.3f} deg{sd('roll_deg', 'deg')}",
        f"hfov       {d['hfov_deg']:.3f} deg{sd('hfov_deg', 'deg')}",
        f"k1         {d['k1']:.4f}{sd('k1', '')}"
        if "k1" in d["estimated"]
        else "k1         0 (not fitted)",
        f"rms        {d['rms_px']:.2f} px over {len(d['residuals_px'])} points",
        f"ground     {d['ground']}",
    ]
    lines += [f"  {r['name']}: {r['dx_px']:+.2f}, {r['dy_px']:+.2f} px" for r in d["residuals_px"]]
    for t in d["targets"]:
        e = t["ellipse"]
        lines.append(
            f"{t['name']}: {t['lat_deg']:.6f}, {t['lon_deg']:.6f} at {t['height_m']:.1f} m, "
            f"{t['range_m']:,.0f} m away; 95% ellipse {e['semi_major_m']:.1f} x "
            f"{e['semi_minor_m']:.1f} m, major axis {e['azimuth_deg']:.0f} deg"
        )
    return lines

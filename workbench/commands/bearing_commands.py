"""``geoworkbench bearing``: the azimuth of a target from pixels in one frame.

The camera position, the frame's size, a reference landmark of known position and its pixel,
the target's pixel, and the horizontal field of view (``--hfov``) or a second reference
landmark with its pixel (the field of view that puts their geodesic angle between their
pixels). Two horizon pixels level the camera first (pitch and roll). The solve is the Bearing
tool's (``workbench.observations.bearing_measure``: ``analysis.geometry.bearing``); the
one-sigma is that of the two clicks, ``--click-sigma`` pixels each. Prints the azimuth with
its sigma and the field of view used; ``--json`` adds the inputs as a bearing observation
stores them. Exit 0, or 2 for bad input or a geometry with no answer.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from workbench.commands.output import add_json_flag, print_json


def _numbers(text: str, count: int, what: str) -> tuple[float, ...]:
    parts = text.split(",")
    if len(parts) != count:
        raise argparse.ArgumentTypeError(f"{what} {text!r} must be {count} comma-separated numbers")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{what} {text!r} has a value that is not a number"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"{what} {text!r} has a value that is not finite")
    return values


def _lat_lon(text: str) -> tuple[float, float]:
    lat, lon = _numbers(text, 2, "position")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise argparse.ArgumentTypeError(f"position {text!r}: latitude or longitude out of range")
    return lat, lon


def _pixel(text: str) -> tuple[float, float]:
    x, y = _numbers(text, 2, "pixel")
    return x, y


def _size(text: str) -> tuple[int, int]:
    w, h = _numbers(text, 2, "frame size")
    if not (w == int(w) and h == int(h) and w > 0 and h > 0):
        raise argparse.ArgumentTypeError(f"frame size {text!r} must be two positive integers W,H")
    return int(w), int(h)


def _horizon(text: str) -> tuple[tuple[float, float], tuple[float, float]]:
    x1, y1, x2, y2 = _numbers(text, 4, "horizon")
    return (x1, y1), (x2, y2)


def _positive(text: str) -> float:
    [value] = _numbers(text, 1, "value")
    if not value > 0.0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bearing",
        help="azimuth and one-sigma of a target from pixels in one frame",
        description="The target's azimuth (degrees clockwise from true north) from its pixel, "
        "a reference landmark's position and pixel, the camera position and the field of view "
        "(--hfov, or a second reference: --ref2 and --ref2-px). Pixels: origin top-left, x "
        "right, y down, pixel centres at integers.",
    )
    p.add_argument("--camera", type=_lat_lon, required=True, metavar="LAT,LON")
    p.add_argument("--size", type=_size, required=True, metavar="W,H", help="frame in pixels")
    p.add_argument("--ref", type=_lat_lon, required=True, metavar="LAT,LON", help="reference")
    p.add_argument("--ref-px", type=_pixel, required=True, metavar="X,Y")
    p.add_argument("--target-px", type=_pixel, required=True, metavar="X,Y")
    fov = p.add_mutually_exclusive_group(required=True)
    fov.add_argument("--hfov", type=_positive, metavar="DEG", help="horizontal field of view")
    fov.add_argument("--ref2", type=_lat_lon, metavar="LAT,LON", help="a second reference")
    p.add_argument("--ref2-px", type=_pixel, metavar="X,Y", help="the second reference's pixel")
    p.add_argument(
        "--horizon",
        type=_horizon,
        metavar="X1,Y1,X2,Y2",
        help="two pixels on the true horizon, far apart: level the camera (pitch, roll)",
    )
    p.add_argument(
        "--click-sigma", type=_positive, default=0.5, metavar="PX", help="one click's one-sigma"
    )
    p.add_argument(
        "--pixel-aspect", type=_positive, default=1.0, metavar="RATIO", help="pixel width / height"
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_bearing)


def _usage_error(message: str) -> int:
    print(f"geoworkbench bearing: error: {message}", file=sys.stderr)
    return 2


def _outside(args: argparse.Namespace) -> str | None:
    """The first pixel outside the frame, named, or None."""
    w, h = args.size
    pixels = {"--ref-px": args.ref_px, "--target-px": args.target_px, "--ref2-px": args.ref2_px}
    if args.horizon:
        pixels |= {"--horizon (first)": args.horizon[0], "--horizon (second)": args.horizon[1]}
    for name, px in pixels.items():
        if px is not None and not (-0.5 <= px[0] <= w - 0.5 and -0.5 <= px[1] <= h - 0.5):
            return f"{name} {px[0]:g},{px[1]:g} is outside the {w}x{h} frame"
    return None


def cmd_bearing(args: argparse.Namespace) -> int:
    """Solve; exit 0 with the azimuth, 2 for bad input or a geometry with no answer."""
    from analysis.errors import GeometryError
    from analysis.geometry.bearing import DEFAULT_HFOV_DEG
    from analysis.geometry.geodesy import LatLon
    from workbench.observations import entry
    from workbench.observations.bearing_measure import (
        measured_bearing,
        with_fov_from_references,
    )
    from workbench.observations.bearing_model import BearingMeasurement, bearing_inputs_json

    if args.ref2 is not None and args.ref2_px is None:
        return _usage_error("--ref2 needs --ref2-px, the second reference's pixel")
    if args.ref2_px is not None and args.ref2 is None:
        return _usage_error("--ref2-px needs --ref2, the second reference's position")
    if args.hfov is not None and not args.hfov < 180.0:
        return _usage_error(f"--hfov {args.hfov:g} must be below 180 degrees")
    outside = _outside(args)
    if outside:
        return _usage_error(outside)
    camera = LatLon(*args.camera)
    m = BearingMeasurement(
        *args.size,
        hfov_deg=args.hfov if args.hfov is not None else DEFAULT_HFOV_DEG,
        hfov_source="given (--hfov)",
        reference_lat_deg=args.ref[0],
        reference_lon_deg=args.ref[1],
        reference_px=args.ref_px,
        target_px=args.target_px,
        reference_name="--ref",
        horizon_px=args.horizon,
        pixel_aspect=args.pixel_aspect,
        click_sigma_px=args.click_sigma,
    )
    bearing = entry("bearing")
    try:
        if args.ref2 is not None:
            m = with_fov_from_references(
                camera, m, LatLon(*args.ref2), args.ref2_px, second_name="--ref2"
            )
        inputs = measured_bearing(None, camera, m, other={"tool": "geoworkbench bearing"})
        result = bearing.recompute(inputs)
    except GeometryError as exc:
        return _usage_error(str(exc))
    doc = bearing_to_dict(bearing.result_to_json(result), bearing_inputs_json(inputs), m)
    if args.json:
        print_json(doc)
    else:
        print("\n".join(format_bearing(doc)))
    return 0


def bearing_to_dict(result: dict[str, Any], inputs: dict[str, Any], m: Any) -> dict[str, Any]:
    """The JSON document: the result, how the field of view was found, the stored inputs."""
    second = m.second_reference
    return {
        **{k: v for k, v in result.items() if k != "range_fix"},
        "hfov_source": m.hfov_source,
        "rival_hfov_deg": None if second is None else second.rival_hfov_deg,
        "levelled": m.horizon_px is not None,
        "click_sigma_px": m.click_sigma_px,
        "method": inputs.get("method"),
        "inputs": inputs,
    }


def format_bearing(d: dict[str, Any]) -> list[str]:
    """Human-readable lines for the dict of ``bearing_to_dict``."""
    fov = f"field of view {d['hfov_deg']:.3f} deg, {d['hfov_source']}"
    if d["rival_hfov_deg"] is not None:
        fov += f" ({d['rival_hfov_deg']:.3f} deg fits the two references as well)"
    level = (
        f"levelled on the horizon: pitch {d['pitch_deg']:.2f} deg, roll {d['roll_deg']:.2f} deg"
        if d["levelled"]
        else "not levelled (pitch and roll taken as 0)"
    )
    return [
        f"azimuth       {d['azimuth_deg']:.3f} +/- {d['sigma_deg']:.3f} deg "
        f"(1 sigma: two clicks of {d['click_sigma_px']:g} px; clockwise from true north)",
        f"elevation     {d['elevation_deg']:.2f} deg",
        f"camera        {fov}",
        f"              optical axis {d['view_azimuth_deg']:.2f} deg; {level}",
        f"reference     azimuth {d['reference_azimuth_deg']:.3f} deg (WGS84 geodesic)",
        f"method        {d['method']}",
    ]

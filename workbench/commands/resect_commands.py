"""``geoworkbench resect --seen LAT,LON,DIR_DEG,SIGMA_DEG[,NAME] ... [--json]``.

The camera position from the horizontal directions to three or more landmarks of known
position seen in one frame (the surveyor's three-point problem; ``analysis.geometry.resection``).
Directions share one arbitrary zero (the optical axis, as the Resection tool measures them,
or any other); the result gives the position, its confidence ellipse, the azimuth of
direction zero and every landmark's residual. Exit 0 for a well-conditioned fix, 1 when the
geometry is weak (the camera near the circle through the landmarks, or directions too close:
the ellipse is then printed with a warning), 2 for malformed input or no solution.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from workbench.commands.geo_commands import parse_confidence
from workbench.commands.output import add_json_flag, print_json

METHOD = "least squares on WGS84 geodesic azimuths with an unknown orientation (Karney 2013)"


def _parse_seen(text: str) -> tuple[float, float, float, float, str]:
    parts = text.split(",", 4)
    if len(parts) < 4:
        raise argparse.ArgumentTypeError(
            f"landmark {text!r} must be LAT,LON,DIR_DEG,SIGMA_DEG[,NAME]"
        )
    try:
        lat, lon, direction, sigma = (float(p) for p in parts[:4])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"landmark {text!r} has a value that is not a number"
        ) from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
        raise argparse.ArgumentTypeError(f"landmark {text!r}: latitude or longitude out of range")
    if not math.isfinite(direction):
        raise argparse.ArgumentTypeError(f"landmark {text!r}: DIR_DEG is not finite")
    if not 0.0 < sigma < 90.0:
        raise argparse.ArgumentTypeError(f"landmark {text!r}: SIGMA_DEG must be in (0, 90)")
    name = parts[4].strip() if len(parts) == 5 else ""
    return lat, lon, direction, sigma, name


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "resect",
        help="camera position from the directions to three or more known landmarks",
        description="Resection (three-point problem). Each --seen is a landmark's latitude "
        "and longitude (degrees), its horizontal direction in the frame (degrees clockwise, "
        "any zero common to all) and the direction's one-sigma (degrees), optionally a name.",
    )
    p.add_argument(
        "--seen",
        action="append",
        type=_parse_seen,
        required=True,
        metavar="LAT,LON,DIR_DEG,SIGMA_DEG[,NAME]",
        help="one landmark; give it three or more times",
    )
    p.add_argument("--confidence", type=parse_confidence, default=0.95, help="ellipse probability")
    add_json_flag(p)
    p.set_defaults(func=cmd_resect)


def cmd_resect(args: argparse.Namespace) -> int:
    """Resect; exit 0 for a good fix, 1 for a weak one, 2 for bad input or no solution."""
    from analysis.errors import GeometryError
    from analysis.geometry.geodesy import LatLon
    from analysis.geometry.resection import DirectionObservation, resect

    observations = [
        DirectionObservation(LatLon(lat, lon), direction, sigma, name or f"landmark {k}")
        for k, (lat, lon, direction, sigma, name) in enumerate(args.seen, start=1)
    ]
    try:
        fix = resect(observations, confidence=args.confidence)
    except GeometryError as exc:
        print(f"geoworkbench resect: error: {exc}", file=sys.stderr)
        return 2
    result = resection_to_dict(fix, observations)
    if args.json:
        print_json(result)
    else:
        print("\n".join(format_resection(result)))
    return 0 if fix.well_conditioned else 1


def resection_to_dict(fix: Any, observations: list[Any]) -> dict[str, Any]:
    """The JSON document of a Resection and its inputs (all plain numbers)."""
    e = fix.ellipse
    return {
        "status": "ok" if fix.well_conditioned else "weak",
        "message": fix.message,
        "method": METHOD,
        "lat": fix.position.lat_deg,
        "lon": fix.position.lon_deg,
        "orientation_deg": fix.orientation_deg,
        "orientation_sigma_deg": fix.orientation_sigma_deg,
        "ellipse": {
            "semi_major_m": e.semi_major_m,
            "semi_minor_m": e.semi_minor_m,
            "azimuth_deg": e.azimuth_deg,
            "confidence": e.confidence,
        },
        "covariance_enu_m2": fix.covariance_enu_m2,
        "chi_square": fix.chi_square,
        "degrees_of_freedom": fix.degrees_of_freedom,
        "landmarks": [
            {
                "name": o.name,
                "lat": o.landmark.lat_deg,
                "lon": o.landmark.lon_deg,
                "direction_deg": o.direction_deg,
                "sigma_deg": o.sigma_deg,
                "residual_deg": r,
            }
            for o, r in zip(observations, fix.residuals_deg, strict=True)
        ],
    }


def format_resection(d: dict[str, Any]) -> list[str]:
    """Human-readable lines for the dict of ``resection_to_dict``."""
    e = d["ellipse"]
    lines = [
        f"camera        {d['lat']:.7f}, {d['lon']:.7f}  (lat, lon WGS84)",
        f"{e['confidence']:.0%} ellipse   semi-major {e['semi_major_m']:.1f} m, semi-minor "
        f"{e['semi_minor_m']:.1f} m, major axis azimuth {e['azimuth_deg']:.1f} deg",
        f"direction 0   azimuth {d['orientation_deg']:.3f} +/- {d['orientation_sigma_deg']:.3f}"
        " deg",
        f"consistency   chi-square {d['chi_square']:.2f} with {d['degrees_of_freedom']} dof; "
        f"{d['method']}",
        "residuals     (observed - computed)",
    ]
    for m in d["landmarks"]:
        lines.append(
            f"  {m['name']}  at {m['lat']:.6f}, {m['lon']:.6f} direction "
            f"{m['direction_deg']:.3f} +/- {m['sigma_deg']:g}: {m['residual_deg']:+.4f} deg"
        )
    if d["status"] != "ok":
        lines.append(f"WARNING       {d['message']}")
    return lines

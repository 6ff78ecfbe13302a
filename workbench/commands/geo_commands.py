"""``geoworkbench triangulate --ray LAT,LON,AZ_DEG,SIGMA_DEG --ray ... [--json]``.

Least-squares position from two or more bearings on the WGS84 ellipsoid
(``analysis.geometry.triangulation.locate_from_bearings``): the position, its confidence ellipse
(semi-major and semi-minor axes in metres, azimuth of the major axis clockwise from north)
and the residual of every ray. When the rays are nearly parallel or meet behind an origin
there is no meaningful ellipse: the command says so, prints a summary of the Monte-Carlo
sampled region (``--json`` lists the samples) and exits 1. Exit 2 for malformed rays.
numpy and geographiclib are imported inside the handler so ``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands.output import (
    add_as_of_flag,
    add_force_flag,
    add_json_flag,
    as_of_or_now,
    print_json,
)

MAX_SAMPLES = 100_000


def _parse_ray(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(
            f"ray {text!r} must be LAT,LON,AZ_DEG,SIGMA_DEG (four comma-separated numbers)"
        )
    try:
        lat, lon, az, sigma = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ray {text!r} has a value that is not a number") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
        raise argparse.ArgumentTypeError(f"ray {text!r}: latitude or longitude out of range")
    if not (0.0 < sigma < 90.0):
        raise argparse.ArgumentTypeError(f"ray {text!r}: SIGMA_DEG must be in (0, 90)")
    if az != az or abs(az) == float("inf"):
        raise argparse.ArgumentTypeError(f"ray {text!r}: AZ_DEG is not finite")
    return lat, lon, az, sigma


def parse_confidence(text: str) -> float:
    """An argparse type: a probability in (0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError("confidence must be in (0, 1), e.g. 0.95")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "triangulate",
        help="position and 95%% ellipse from two or more bearings (WGS84 ellipsoid)",
        description="Least-squares position from bearings. Each --ray is the observer's "
        "latitude and longitude (degrees), the azimuth to the target (degrees clockwise from "
        "true north) and its one-sigma uncertainty (degrees).",
    )
    p.add_argument(
        "--ray",
        action="append",
        type=_parse_ray,
        required=True,
        metavar="LAT,LON,AZ_DEG,SIGMA_DEG",
        help="one bearing; give it two or more times",
    )
    p.add_argument("--confidence", type=parse_confidence, default=0.95, help="ellipse probability")
    p.add_argument("--samples", type=int, default=1000, help="Monte-Carlo trials when needed")
    p.add_argument("--seed", type=int, default=0, help="seed of the Monte-Carlo trials")
    p.add_argument(
        "--figure",
        type=Path,
        default=None,
        metavar="OUT.png",
        help="draw the rays, the fix and its ellipse (+ OUT.png.json, its provenance)",
    )
    add_force_flag(p)
    add_as_of_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_triangulate)


def cmd_triangulate(args: argparse.Namespace) -> int:
    """Fit the rays; exit 0 with an ellipse, 1 when the geometry allows none, 2 on bad input."""
    from analysis.geometry.geodesy import LatLon
    from analysis.geometry.triangulation import BearingRay, FixStatus, locate_from_bearings

    if len(args.ray) < 2:
        print("geoworkbench triangulate: error: give at least two --ray", file=sys.stderr)
        return 2
    if not 1 <= args.samples <= MAX_SAMPLES:
        print(
            f"geoworkbench triangulate: error: --samples must be in 1..{MAX_SAMPLES}",
            file=sys.stderr,
        )
        return 2
    if args.figure is not None:  # before any work: not into evidence/, not over a file
        from workbench.output_guard import check_outputs
        from workbench.provenance import sidecar_path

        check_outputs([args.figure, sidecar_path(args.figure)], replace=args.force)
    rays = [BearingRay(LatLon(lat, lon), az, sigma) for lat, lon, az, sigma in args.ray]
    fix = locate_from_bearings(
        rays, confidence=args.confidence, n_samples=args.samples, seed=args.seed
    )
    from workbench.geofix import fix_to_dict

    result = fix_to_dict(fix, rays)
    if args.figure is not None:
        result["figure"], result["figure_sidecar"] = _write_figure(args, fix, rays, result)
    if args.json:
        print_json(result)
    else:
        print("\n".join(format_fix(result)))
    return 0 if fix.status is FixStatus.OK else 1


def _write_figure(
    args: argparse.Namespace, fix: Any, rays: list[Any], document: dict[str, Any]
) -> tuple[str, str]:
    """Write ``--figure`` and its provenance sidecar; returns both paths."""
    from analysis.fileio import write_bytes_atomic
    from workbench import provenance
    from workbench.file_names import display_name
    from workbench.fix_figure import fix_figure_png, library_versions
    from workbench.provenance import bytes_sha256

    png = fix_figure_png(fix, rays)
    write_bytes_atomic(args.figure, png)
    record = provenance.build(
        as_of=as_of_or_now(args),
        software=provenance.software(library_versions()),
        operations=[
            provenance.Operation(
                "locate_from_bearings",
                {"confidence": args.confidence, "samples": args.samples, "seed": args.seed},
            ),
            provenance.Operation("fix_figure", {}),
        ],
        outputs=[provenance.Output("figure", display_name(args.figure.name), bytes_sha256(png))],
        details={"fix": document},
    )
    return str(args.figure), str(provenance.write_sidecar(args.figure, record))


def format_fix(d: dict[str, Any]) -> list[str]:
    """Human-readable lines for the dict of ``workbench.geofix.fix_to_dict``."""
    lines = []
    if d["lat"] is not None:
        label = "position     " if d["status"] == "ok" else "crossing (NOT a fix)"
        lines.append(f"{label} {d['lat']:.7f}, {d['lon']:.7f}  (lat, lon WGS84)")
    e = d["ellipse"]
    if e is not None:
        lines.append(
            f"{e['confidence']:.0%} ellipse   semi-major {e['semi_major_m']:.1f} m, semi-minor "
            f"{e['semi_minor_m']:.1f} m, major axis azimuth {e['azimuth_deg']:.1f} deg"
        )
    else:
        lines.append(f"NO ELLIPSE    {d['message']}")
    lines.append(f"geometry      best crossing {d['max_crossing_deg']:.1f} deg; {d['method']}")
    if d["chi_square"] is not None:
        lines.append(
            f"consistency   chi-square {d['chi_square']:.2f} with {d['degrees_of_freedom']} dof"
        )
    if d["residuals"]:
        lines.append("residuals     (observed - computed)")
    for ray, res in zip(d["rays"], d["residuals"], strict=False):
        lines.append(
            f"  ray {res['ray']}  from {ray['lat']:.6f}, {ray['lon']:.6f} "
            f"az {ray['azimuth_deg']:.3f} +/- {ray['sigma_deg']:g}: {res['residual_deg']:+.4f} deg "
            f"({res['normalized']:+.2f} sigma), miss {res['cross_track_m']:+.1f} m "
            f"at {res['range_m']:.0f} m"
        )
    s = d["samples"]
    if s is not None:
        lines.append(_sample_summary(s))
    if d.get("figure"):
        lines.append(f"figure        {d['figure']} (provenance: {d['figure_sidecar']})")
    return lines


def _sample_summary(s: dict[str, Any]) -> str:
    head = (
        f"sampled       {s['count']} intersections in front ({s['forward_fraction']:.0%} of trials)"
    )
    if not s["lat_lon"]:
        return head + "; the rays do not meet in front of the observers"
    lats = sorted(p[0] for p in s["lat_lon"])
    lons = sorted(p[1] for p in s["lat_lon"])

    def pct(v: list[float], q: float) -> float:
        return v[min(len(v) - 1, int(q * len(v)))]

    return (
        f"{head}; central 95%: lat {pct(lats, 0.025):.5f}..{pct(lats, 0.975):.5f}, "
        f"lon {pct(lons, 0.025):.5f}..{pct(lons, 0.975):.5f} (see --json for every sample)"
    )

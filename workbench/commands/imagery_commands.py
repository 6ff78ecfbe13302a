"""Imagery subcommands: ``georef`` (register an image) and ``imagery add`` (a reference layer).

``geoworkbench georef IMAGE --reference REF [--bbox S,W,N,E] [--zoom Z] [--kind K] [--crs CRS]
[--oblique] [--json]``: REF is a georeferenced image (GeoTIFF, or a world file beside it), a
corners CSV, an MBTiles file or a tile folder (registered automatically, near-nadir images
only), or a QGIS ``.points`` file (the image's own control points, fitted by ``--kind``).
The JSON holds ``corners`` (top-left, top-right, bottom-right, bottom-left, each lat/lon),
``transform``, ``residuals``, ``registered`` and ``reason``.

``geoworkbench imagery add CASE FILE [--date YYYY-MM-DD] [--source S] [--licence L]
[--kind ortho|dem] [--corners CSV]``: imports a georeferenced image or DEM as reference
evidence with its layer record.

``geoworkbench imagery fetch CASE --bbox S,W,N,E --zoom Z``: the case basemap's tiles of a box
into its cache, two requests a second at most, only when remote tiles are on for the case.

``geoworkbench terrain DEM --camera LAT,LON[,AGL] --target LAT,LON[,AGL] [--json]``: whether
the target is visible from the camera over the DEM's bare terrain (analysis.imagery.terrain).

Exit codes: 0 when the analysis ran ("not registered" is a finding, with its reason), 1 when an
input could not be used, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        s, w, n, e = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected S,W,N,E (four numbers), got {text!r}") from None
    if not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        raise argparse.ArgumentTypeError(f"box {text!r}: need S < N and W < E within the Earth")
    return s, w, n, e


def _point(text: str) -> tuple[float, float, float]:
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LAT,LON[,AGL_M], got {text!r}") from None
    if len(vals) not in (2, 3) or not (-90 <= vals[0] <= 90 and -180 <= vals[1] <= 180):
        raise argparse.ArgumentTypeError(f"expected LAT,LON[,AGL_M] on the Earth, got {text!r}")
    return vals[0], vals[1], vals[2] if len(vals) == 3 else 1.6


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "georef", help="register an image against a georeferenced reference or control points"
    )
    p.add_argument("image", type=Path, metavar="IMAGE")
    p.add_argument("--reference", type=Path, required=True, metavar="REF",
                   help="GeoTIFF, image + world file, corners CSV, MBTiles, tile folder, or a "
                   "QGIS .points file")  # fmt: skip
    p.add_argument("--bbox", type=_bbox, metavar="S,W,N,E", help="the part of REF to use")
    p.add_argument("--zoom", type=int, help="tile zoom (default: the finest in REF)")
    p.add_argument("--kind", choices=("similarity", "affine", "projective", "tps"),
                   help="transform for .points control points (default: projective with 4+ "
                   "points, else affine, else similarity)")  # fmt: skip
    p.add_argument("--crs", help="CRS of a world file without .prj (e.g. EPSG:32634)")
    p.add_argument(
        "--oblique",
        action="store_true",
        help="the image is a ground-level oblique view: not attempted (pose it)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_georef)
    _register_imagery(subparsers)
    t = subparsers.add_parser(
        "terrain", help="heights from a DEM and whether the target is visible from the camera"
    )
    t.add_argument("dem", type=Path, metavar="DEM.tif")
    t.add_argument("--camera", type=_point, required=True, metavar="LAT,LON[,AGL_M]")
    t.add_argument("--target", type=_point, required=True, metavar="LAT,LON[,AGL_M]")
    add_json_flag(t)
    t.set_defaults(func=cmd_terrain)


def _register_imagery(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("imagery", help="reference imagery layers of a case")
    sub = p.add_subparsers(dest="imagery_command", required=True)
    a = sub.add_parser("add", help="import a georeferenced image or DEM as a reference layer")
    a.add_argument("case", type=Path, metavar="CASE")
    a.add_argument("file", type=Path, metavar="FILE")
    a.add_argument("--date", help="acquisition date, YYYY-MM-DD")
    a.add_argument("--source", default="", help="where the imagery comes from")
    a.add_argument("--licence", default="", help="its licence or terms")
    a.add_argument("--kind", choices=("ortho", "dem"), default="ortho")
    a.add_argument("--crs", help="CRS of a world file without .prj")
    a.add_argument(
        "--corners",
        type=Path,
        metavar="CSV",
        help="corner coordinates typed by the analyst (as satellite/map.csv)",
    )
    add_json_flag(a)
    a.set_defaults(func=cmd_imagery_add)
    f = sub.add_parser("fetch", help="download the case basemap's tiles of a box (rate-limited)")
    f.add_argument("case", type=Path, metavar="CASE")
    f.add_argument("--bbox", type=_bbox, required=True, metavar="S,W,N,E")
    f.add_argument("--zoom", type=int, required=True)
    add_json_flag(f)
    f.set_defaults(func=cmd_imagery_fetch)


def _default_kind(n: int) -> str:
    return "projective" if n >= 4 else "affine" if n >= 3 else "similarity"


def cmd_georef(args: argparse.Namespace) -> int:
    from analysis.errors import WorkbenchError
    from analysis.imagery.georeference import georeference_auto, georeference_gcps
    from analysis.imagery.mosaic import Mosaic
    from analysis.matching.io import image_size, read_image
    from workbench.imagery.reference import open_reference

    try:
        ref = open_reference(args.reference, bbox=args.bbox, zoom=args.zoom, crs=args.crs)
        if isinstance(ref, Mosaic):
            result = georeference_auto(read_image(args.image), ref, oblique=args.oblique)
        else:
            with args.image.open("rb") as fh:
                wh = image_size(fh, args.image)
            kind = args.kind or _default_kind(sum(g.enabled for g in ref))
            result = georeference_gcps(wh, ref, kind)
    except OSError as exc:
        print(f"error: {exc.filename or args.image}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(result.to_json())
    else:
        _print_result(result)
    return 0


def _print_result(result) -> None:
    print(f"registered: {'yes' if result.registered else 'no'} ({result.reason})")
    if result.corners:
        for name, (lat, lon) in zip(
            ("top-left", "top-right", "bottom-right", "bottom-left"), result.corners, strict=True
        ):
            print(f"  {name:12s} {lat:.7f}, {lon:.7f}")
    for row in result.residuals:
        if row.get("residual_m") is not None:
            print(f"  {row['name']:5s} x {row['x']:8.1f} y {row['y']:8.1f}  "
                  f"{row['residual_px']:6.2f} px  {row['residual_m']:6.2f} m")  # fmt: skip
    if result.rmse_m is not None:
        print(f"RMSE {result.rmse_m:.2f} m")


def cmd_imagery_add(args: argparse.Namespace) -> int:
    from analysis.errors import WorkbenchError
    from workbench.case import open_case
    from workbench.imagery.layers import add_layer

    try:
        with open_case(args.case) as case:
            layer = add_layer(case, args.file, kind=args.kind, acquired=args.date,
                              source=args.source, licence=args.licence, crs=args.crs,
                              corners=args.corners)  # fmt: skip
    except OSError as exc:
        print(f"error: {exc.filename or args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except (WorkbenchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(layer.to_json())
    else:
        print(f"layer {layer.id}: {layer.kind} {layer.name} (evidence {layer.evidence_id}, "
              f"sha256 {layer.sha256[:12]}), acquired {layer.acquired or 'unknown'}")  # fmt: skip
    return 0


def cmd_terrain(args: argparse.Namespace) -> int:
    from analysis.errors import WorkbenchError
    from analysis.imagery.dem import Dem
    from analysis.imagery.terrain import EARTH_RADIUS_M, line_of_sight

    (clat, clon, cagl), (tlat, tlon, tagl) = args.camera, args.target
    try:
        dem = Dem.open(args.dem)
        v = line_of_sight(dem, (clat, clon), (tlat, tlon), camera_agl_m=cagl, target_agl_m=tagl)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = {"visible": v.visible, "clearance_m": v.clearance_m, "blocked_at_m": v.blocked_at_m,
           "camera_alt_m": v.camera_alt_m, "target_alt_m": v.target_alt_m,
           "distance_m": v.distance_m, "refraction_k": v.refraction_k,
           "earth_radius_m": EARTH_RADIUS_M,
           "model": "bare terrain (no buildings or trees), bilinear heights, curvature and "
                    "refraction k applied"}  # fmt: skip
    if args.json:
        print_json(out)
        return 0
    verdict = "visible" if v.visible else f"hidden by the terrain {v.blocked_at_m:.0f} m out"
    print(f"{verdict}: {v.distance_m:.0f} m, camera at {v.camera_alt_m:.1f} m, target at "
          f"{v.target_alt_m:.1f} m, clearance {v.clearance_m:.1f} m (Earth curvature and "
          f"refraction k = {v.refraction_k} included; bare terrain)")  # fmt: skip
    return 0


def cmd_imagery_fetch(args: argparse.Namespace) -> int:
    from analysis.errors import WorkbenchError
    from workbench.imagery.fetch import fetch_tiles
    from workbench.imagery.reference import case_basemap
    from workbench.jobs import TerminalProgress
    from workbench.tiles import CachedXyzSource

    try:
        source = case_basemap(args.case)
        if not isinstance(source, CachedXyzSource):
            print(f"error: {args.case}: the basemap is local; nothing to fetch", file=sys.stderr)
            return 1
        fetched, cached = fetch_tiles(source, args.bbox, args.zoom, progress=TerminalProgress())
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"fetched": fetched, "cached": cached, "zoom": args.zoom})
    else:
        print(f"{fetched} tiles fetched, {cached} already cached (zoom {args.zoom})")
    return 0

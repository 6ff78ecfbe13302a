"""``geoworkbench export CASE --kml OUT.kml | --geojson OUT.geojson [--at SEQ] [--force] [--json]``.

Writes every geodata layer of the case (landmarks, cameras, targets, bearing rays, fields of
view, sight lines, intersections with their ellipses, hypotheses, evidence GPS positions) to
KML 2.2 or RFC 7946 GeoJSON (``workbench.geoexchange.export_geodata``). The file carries the
case's audit head; the export appends its own audit row with the file's SHA-256. When another
process holds the case (the GUI), it is exported read-only and the row is left out, with a
note (``workbench.commands.read_only``). The file is never
written into a case's evidence/, and an existing one is replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_at_seq_flag, add_force_flag, add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="export the case's geodata to KML (Google Earth) or GeoJSON (QGIS)",
        description="Export landmarks, cameras, targets, rays, wedges, sight lines, ellipses "
        "and hypotheses. The file names the case's audit head; the export is logged.",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("--kml", type=Path, metavar="OUT.kml", help="write KML 2.2")
    dest.add_argument("--geojson", type=Path, metavar="OUT.geojson", help="write GeoJSON")
    dest.add_argument(
        "--map",
        type=Path,
        metavar="OUT.html",
        help="write an interactive offline map page (Leaflet inline, no tiles, its provenance)",
    )
    add_at_seq_flag(p)
    add_force_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from workbench.commands.read_only import open_for_export
    from workbench.geoexchange import export_geodata
    from workbench.output_guard import check_output

    if args.map is not None:
        return _run_map_export(args)
    fmt, out = ("kml", args.kml) if args.kml is not None else ("geojson", args.geojson)
    out = Path(out)
    if not out.parent.is_dir():
        print(f"geoworkbench export: error: {out.parent}: no such folder", file=sys.stderr)
        return 2
    check_output(out, replace=args.force)  # before the case is opened for writing
    with open_for_export(args.case, "export") as case:
        result = export_geodata(case, out, fmt, at_seq=args.at, replace=args.force)
    if args.json:
        print_json(
            {
                "path": str(result.path),
                "format": result.format,
                "feature_count": result.feature_count,
                "sha256": result.sha256,
                "audit_head_seq": result.audit_head_seq,
                "audit_head_hash": result.audit_head_hash,
                "recorded": result.recorded,
            }
        )
    else:
        print(
            f"wrote {result.feature_count} features to {result.path} ({fmt}); "
            f"sha256 {result.sha256}; audit head {result.audit_head_seq} "
            f"{result.audit_head_hash[:16]}…"
        )
    return 0


def _run_map_export(args: argparse.Namespace) -> int:
    """``--map OUT.html``: the case's layers on a standalone page, logged like the others."""
    import hashlib

    from workbench.commands.read_only import open_for_export
    from workbench.mapdoc import export_interactive_map
    from workbench.output_guard import check_output

    out = Path(args.map)
    if not out.parent.is_dir():
        print(f"geoworkbench export: error: {out.parent}: no such folder", file=sys.stderr)
        return 2
    if args.at is not None:
        print("geoworkbench export: error: --at goes with --kml or --geojson", file=sys.stderr)
        return 2
    check_output(out, replace=args.force)
    with open_for_export(args.case, "export") as case:
        export_interactive_map(case, out)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        seq, head = case.audit_head()
        details = {"format": "map", "path": str(out), "sha256": digest, "audit_head_seq": seq}
        if not case.read_only:
            case.write_sync(lambda c: case.log(c, "geodata.export", out.name, details))
    if args.json:
        print_json({**details, "audit_head_hash": head, "recorded": not case.read_only})
    else:
        print(f"wrote the map page {out}; sha256 {digest}; audit head {seq} {head[:16]}…")
    return 0

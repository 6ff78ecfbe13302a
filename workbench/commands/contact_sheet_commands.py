"""``geoworkbench contact-sheet CASE EVIDENCE (--track ID | --annotated | --frames N,M,...)
-o OUT.png [--force]``: frames of a video evidence in a grid, annotations burned in, each
labelled with its index, pts and time code, with a provenance sidecar (OUT.png.json)
(``workbench.contact_sheet_export``). Heavy modules are imported in the handler.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_force_flag, add_json_flag, print_json


def _frame_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of frame numbers") from exc
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give frame numbers from 0, e.g. 3,40,41")
    return values


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "contact-sheet",
        help="frames of a video evidence in a labelled grid, annotations burned in, with a "
        "provenance sidecar",
    )
    p.add_argument("case", type=Path)
    p.add_argument("evidence", help="evidence id or a sha256 prefix (6+ characters)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--track", type=int, metavar="ID", help="frames along a stored track")
    which.add_argument("--annotated", action="store_true", help="every annotated frame")
    which.add_argument("--frames", type=_frame_list, metavar="N,M,...", help="these frames")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.png")
    p.add_argument("--columns", type=int, default=4, help="cells per row (default 4)")
    p.add_argument("--cell-px", type=int, default=320, help="width of a cell (default 320)")
    p.add_argument(
        "--count", type=int, default=12, help="--track: frames taken along it (default 12)"
    )
    add_force_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_contact_sheet)


def _usage_error(args: argparse.Namespace) -> str | None:
    if not 1 <= args.columns <= 20:
        return "--columns must be 1 to 20"
    if not 32 <= args.cell_px <= 2000:
        return "--cell-px must be 32 to 2000"
    if not 1 <= args.count <= 100:
        return "--count must be 1 to 100"
    if args.output.suffix.lower() != ".png":
        return f"{args.output}: the contact sheet is a PNG; name it .png"
    if not args.output.parent.is_dir():
        return f"{args.output.parent}: no such folder"
    return None


def cmd_contact_sheet(args: argparse.Namespace) -> int:
    from workbench.case.evidence import find_evidence
    from workbench.commands.read_only import open_for_export
    from workbench.contact_sheet_export import choose_frames, track_frames, write_contact_sheet
    from workbench.jobs import TerminalProgress
    from workbench.output_guard import check_outputs
    from workbench.provenance import sidecar_path

    problem = _usage_error(args)
    if problem:
        print(f"geoworkbench contact-sheet: error: {problem}", file=sys.stderr)
        return 2
    check_outputs([args.output, sidecar_path(args.output)], replace=args.force)
    with open_for_export(args.case, "contact-sheet") as case:
        e = find_evidence(case.read(), args.evidence)
        track = None
        if args.track is not None:
            indices, track = track_frames(case, e.id, args.track, args.count)
        else:
            indices = choose_frames(case, e.id, frames=args.frames, annotated=args.annotated)
        sheet = write_contact_sheet(
            case, e.id, indices, args.output, track=track, track_id=args.track,
            columns=args.columns, cell_px=args.cell_px, replace=args.force,
            progress=TerminalProgress(),
        )  # fmt: skip
    if args.json:
        print_json(
            {
                "png": str(sheet.png_path),
                "sidecar": str(sheet.sidecar_path),
                "png_sha256": sheet.png_sha256,
                "evidence_sha256": e.sha256,
                "columns": sheet.columns,
                "cells": [c.__dict__ | {"annotation_ids": list(c.annotation_ids)}
                          for c in sheet.cells],
                "audit_head": sheet.audit_head,
                "recorded": sheet.recorded,
            }
        )  # fmt: skip
    else:
        for c in sheet.cells:
            print(f"frame {c.frame_index:>7}  {c.time_code}  {len(c.annotation_ids)} annotation(s)")
        print(f"wrote {sheet.png_path} ({len(sheet.cells)} frames) and {sheet.sidecar_path}")
    return 0

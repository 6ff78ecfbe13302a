"""``geoworkbench frames CASE EVIDENCE (--every SECONDS | --segments | --annotated)
[--annotations]``: export exact frames (``--annotations``: with their annotations burned in).

Each frame goes to the case's exports/frames/ as a PNG with a JSON provenance sidecar and an
audit row (workbench.frame_export.export_frame); when another process holds the case (the GUI),
the frames are exported read-only, without the rows (``workbench.commands.read_only``). Heavy
modules are imported in the handler.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "frames", help="export exact frames of a video evidence with provenance sidecars"
    )
    p.add_argument("case", type=Path)
    p.add_argument("evidence", help="evidence id or a sha256 prefix (6+ characters)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--every", type=float, metavar="SECONDS", help="one frame every SECONDS from frame 0"
    )
    which.add_argument(
        "--segments",
        action="store_true",
        help="the representative frame of each segment (cuts are detected if not yet stored)",
    )
    which.add_argument(
        "--annotated", action="store_true", help="every frame that carries an annotation"
    )
    p.add_argument(
        "--annotations",
        action="store_true",
        help="burn each frame's annotations in (the sidecar lists them and keeps the clean "
        "frame's md5)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_frames)


def _frame_indices(case, evidence_id: int, table, args: argparse.Namespace, progress) -> list[int]:
    from workbench.video_store import detect_and_store_segments, list_segments

    if args.annotated:
        from workbench.annotations import annotated_frames

        return annotated_frames(case.read(), evidence_id)
    if args.segments:
        segments = list_segments(case.read(), evidence_id)
        if not segments and case.read_only:
            from workbench.case.errors import CaseError

            raise CaseError(
                f"{case.path}: no segments are stored yet, and another process holds the case; "
                "detect the cuts there first (Detect cuts), or close it there"
            )
        if not segments:
            segments = detect_and_store_segments(case, evidence_id, progress=progress)
        return [s.keyframe_index for s in segments]
    return table.indices_every(args.every)


def _row(x) -> dict:
    return {
        "frame_index": x.frame_index,
        "pts": x.pts,
        "pts_s": x.pts_s,
        "time_code": x.time_code,
        "frame_md5": x.frame_md5,
        "png": str(x.png_path),
        "sidecar": str(x.sidecar_path),
        "png_sha256": x.png_sha256,
        "recorded": x.recorded,
    }


def _mode(args: argparse.Namespace) -> str:
    if args.annotated:
        return "annotated"
    return "segments" if args.segments else f"every {args.every} s"


def cmd_frames(args: argparse.Namespace) -> int:
    from analysis.video.decode import VideoReader
    from workbench.case.evidence import find_evidence
    from workbench.commands.read_only import open_for_export
    from workbench.frame_export import export_frame
    from workbench.frame_table_store import load_or_build_frame_table, video_evidence
    from workbench.jobs import TerminalProgress

    if args.every is not None and args.every <= 0:
        print("geoworkbench frames: error: --every must be positive", file=sys.stderr)
        return 2
    progress = TerminalProgress()
    with open_for_export(args.case, "frames") as case:
        e = find_evidence(case.read(), args.evidence)
        _, path = video_evidence(case, e.id)
        table = load_or_build_frame_table(case, e.id, progress=progress)
        indices = _frame_indices(case, e.id, table, args, progress)
        if args.annotated and not indices:
            print(f"geoworkbench frames: error: {e.original_name}: no frame carries an "
                  "annotation", file=sys.stderr)  # fmt: skip
            return 1
        rows = []
        with VideoReader(path, table) as reader:  # one reader: neighbouring frames are cheap
            for n, index in enumerate(indices):
                x = export_frame(case, e.id, index, reader=reader, annotations=args.annotations)
                rows.append(_row(x))
                progress((n + 1) / len(indices), f"exported frame {index}")
        if args.json:
            print_json(
                {
                    "case": str(case.path),
                    "evidence_sha256": e.sha256,
                    "mode": _mode(args),
                    "annotations_burned_in": args.annotations,
                    "frames": rows,
                    "audit_head": case.audit_head()[1],
                }
            )
        else:
            for r in rows:
                print(f"frame {r['frame_index']:>7}  {r['time_code']}  {r['png']}")
            print(f"{len(rows)} frame(s) exported to {case.exports_dir / 'frames'}")
    return 0

"""Video subcommands on a bare file (no case needed): ``cuts``, ``frame`` and ``framemd5``.

``geoworkbench cuts VIDEO [--json]``: edit cuts and segments (analysis.video.cuts).
``geoworkbench frame VIDEO (--index N | --time S) -o OUT.png [--force] [--as-of UTC]``: the exact
upright frame and its provenance sidecar ``OUT.png.json`` (``workbench.provenance``: the shape
and name of a case's frame export; without ``--as-of`` the time is read once, here). Neither is
written into a case's evidence/ or over an existing file without ``--force``.
``geoworkbench framemd5 VIDEO``: what ``ffmpeg -noautorotate -i VIDEO -map 0:v:0 -f framemd5 -``
prints, so that anyone can check a cited frame with stock tools.

Heavy modules (PyAV, OpenCV, numpy) are imported inside the handlers so that
``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from analysis.fileio import write_bytes_atomic
from workbench.commands.output import (
    add_as_of_flag,
    add_force_flag,
    add_json_flag,
    as_of_or_now,
    print_json,
)
from workbench.file_names import display_name, name_bytes_hex


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cuts", help="detect edit cuts, fades and dissolves in a video")
    p.add_argument("video", type=Path)
    add_json_flag(p)
    p.set_defaults(func=cmd_cuts)

    p = subparsers.add_parser("frame", help="write one exact frame as PNG with provenance")
    p.add_argument("video", type=Path)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--index", type=int, help="frame index, 0-based, in decode order")
    which.add_argument("--time", type=float, metavar="S", help="seconds after frame 0")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.png")
    add_force_flag(p)
    add_as_of_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_frame)

    p = subparsers.add_parser(
        "framemd5", help="print per-frame MD5 hashes as `ffmpeg -f framemd5` does"
    )
    p.add_argument("video", type=Path)
    p.set_defaults(func=cmd_framemd5)


def _progress() -> Any:
    from workbench.jobs import TerminalProgress

    return TerminalProgress()


def cmd_cuts(args: argparse.Namespace) -> int:
    from analysis.video.cuts import detect_cuts

    result = detect_cuts(args.video, progress=_progress())
    cuts = [
        {
            "frame": c.frame,
            "pts_s": c.pts_s,
            "kind": c.kind,
            "score": c.score,
            "start_frame": c.start_frame,
            "end_frame": c.end_frame,
        }
        for c in result.cuts
    ]
    segments = [
        {
            "first_frame": s.first_frame,
            "last_frame": s.last_frame,
            "start_s": s.start_s,
            "end_s": s.end_s,
        }
        for s in result.segments
    ]
    if args.json:
        print_json(
            {
                "video": str(args.video),
                "frame_count": result.frame_count,
                "cuts": cuts,
                "segments": segments,
                "algorithm": "analysis.video.cuts.detect_cuts",
                "software": _software(),
            }
        )
        return 0
    print(f"{args.video}: {result.frame_count} frames, {len(cuts)} boundaries")
    for c in cuts:
        span = "" if c["kind"] == "cut" else f"  (frames {c['start_frame']}-{c['end_frame']})"
        when = "?" if c["pts_s"] is None else f"{c['pts_s']:.3f} s"
        print(
            f"  {c['kind']:<8} at frame {c['frame']:>6}  {when:>12}  score {c['score']:.2f}{span}"
        )
    for i, s in enumerate(segments):
        print(f"  segment {i + 1}: frames {s['first_frame']}-{s['last_frame']}")
    return 0


def _software() -> dict[str, Any]:
    from workbench import provenance

    return provenance.software(provenance.decoder_libraries()).to_dict()


def cmd_frame(args: argparse.Namespace) -> int:
    from PIL import Image

    from analysis.video.decode import VideoReader, time_code
    from workbench import provenance
    from workbench.output_guard import check_outputs

    out = Path(args.output)
    # Before any decoding: never into a case's evidence/, never over a file without --force.
    check_outputs([out, provenance.sidecar_path(out)], replace=args.force)
    as_of = as_of_or_now(args)  # read once, here at the boundary (or given with --as-of)
    with VideoReader(args.video, progress=_progress()) as reader:
        index = args.index if args.index is not None else reader.index_at_time(args.time)
        frame = reader.frame_at(index)
        table = reader.table
    buf = io.BytesIO()
    Image.fromarray(frame.image).save(buf, format="PNG")
    png = buf.getvalue()
    record = provenance.frame_provenance(
        as_of=as_of,
        source_sha256=provenance.file_sha256(args.video),
        source_name=display_name(Path(args.video).name),
        frame=frame,
        table=table,
        png_name=display_name(out.name),
        png_sha256=provenance.bytes_sha256(png),
        # No local path: the source is known by its hash, and a path would leak the
        # investigator's folders into a published file.
        details={"requested": {"index": args.index, "time_s": args.time}, **_raw_name(args)},
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out, png)
    sidecar_path = provenance.write_sidecar(out, record)
    if args.json:
        print_json({"png": str(out), "sidecar": str(sidecar_path), **record.to_dict()})
    else:
        print(f"frame {frame.index} ({time_code(frame.time_s)}) -> {out}  (+ {sidecar_path.name})")
    return 0


def _raw_name(args: argparse.Namespace) -> dict[str, str]:
    """The source's name as raw bytes (hex) when it is not valid UTF-8, for the sidecar."""
    raw = name_bytes_hex(Path(args.video).name)
    return {} if raw is None else {"source_name_bytes_hex": raw}


def cmd_framemd5(args: argparse.Namespace) -> int:
    from analysis.video.framemd5 import framemd5_lines

    out = sys.stdout
    for line in framemd5_lines(args.video, progress=_progress()):
        out.write(line + "\n")
    return 0

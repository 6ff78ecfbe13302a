"""Video subcommands on a bare file (no case needed): ``cuts``, ``frame`` and ``framemd5``.

``geoworkbench cuts VIDEO [--json]``: edit cuts and segments (analysis.video.cuts).
``geoworkbench frame VIDEO (--index N | --time S) -o OUT.png``: the exact upright frame and a
provenance sidecar ``OUT.png.json``.
``geoworkbench framemd5 VIDEO``: what ``ffmpeg -noautorotate -i VIDEO -map 0:v:0 -f framemd5 -``
prints, so that anyone can check a cited frame with stock tools.

Heavy modules (PyAV, OpenCV, numpy) are imported inside the handlers so that
``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import platform
import sys
from pathlib import Path
from typing import Any

from analysis.fileio import write_bytes_atomic
from workbench.commands.output import add_json_flag, print_json

FRAMEMD5_COMMAND = "ffmpeg -noautorotate -i VIDEO -map 0:v:0 -f framemd5 -"


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


def _software() -> dict[str, str]:
    from analysis.video.probe import library_versions
    from workbench import __version__

    return {"geoworkbench": __version__, "python": platform.python_version(), **library_versions()}


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def cmd_frame(args: argparse.Namespace) -> int:
    from PIL import Image

    from analysis.video.decode import VideoReader, time_code

    with VideoReader(args.video, progress=_progress()) as reader:
        index = args.index if args.index is not None else reader.index_at_time(args.time)
        frame = reader.frame_at(index)
        table = reader.table
    buf = io.BytesIO()
    Image.fromarray(frame.image).save(buf, format="PNG")
    png = buf.getvalue()
    sidecar = {
        "video": str(args.video),
        "video_sha256": _sha256(args.video),
        "frame_index": frame.index,
        "index_meaning": "0-based index in the sequential decode order of the first video stream",
        "pts": frame.pts,
        "time_base": list(table.time_base),
        "pts_s": frame.pts_s,
        "time_s": frame.time_s,
        "time_code": time_code(frame.time_s),
        "keyframe": frame.keyframe,
        "frame_md5": frame.md5,
        "frame_md5_of": f"decoded picture, native {table.pix_fmt}, coded orientation",
        "frame_md5_check": FRAMEMD5_COMMAND,
        "image": {
            "width_px": int(frame.image.shape[1]),
            "height_px": int(frame.image.shape[0]),
            "rotation_deg_applied": frame.rotation_deg,
            "sar": list(frame.sar),
            "operations": ["decode", "to RGB (swscale)", "square pixels", "rotate upright"],
        },
        "requested": {"index": args.index, "time_s": args.time},
        "software": _software(),
        "png_sha256": hashlib.sha256(png).hexdigest(),
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out, png)
    sidecar_path = out.with_name(out.name + ".json")
    text = json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_bytes_atomic(sidecar_path, text.encode("utf-8"))
    if args.json:
        print_json({"png": str(out), "sidecar": str(sidecar_path), **sidecar})
    else:
        print(f"frame {frame.index} ({time_code(frame.time_s)}) -> {out}  (+ {sidecar_path.name})")
    return 0


def cmd_framemd5(args: argparse.Namespace) -> int:
    from analysis.video.framemd5 import framemd5_lines

    out = sys.stdout
    for line in framemd5_lines(args.video, progress=_progress()):
        out.write(line + "\n")
    return 0

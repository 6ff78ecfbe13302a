"""``geoworkbench inspect VIDEO [--json]``: what a video is made of, before it is measured.

The active picture (bars, a blurred fill), static overlays (logos, time stamps) as boxes,
duplicated, blended and interlaced frames by index, and the effective resolution against the
coded one: ``analysis.media.inspection.inspect_video``, one sequential decode. Bad input is one
line and exit 1 (``cli.main``). Heavy modules are imported inside the handler so that
``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "inspect",
        help="active picture, static overlays, duplicated/blended/interlaced frames and "
        "effective resolution of a video",
    )
    p.add_argument("video", type=Path)
    add_json_flag(p)
    p.set_defaults(func=cmd_inspect)


def cmd_inspect(args: argparse.Namespace) -> int:
    from analysis.media.inspection import inspect_video
    from workbench import provenance
    from workbench.jobs import TerminalProgress

    result = inspect_video(args.video, progress=TerminalProgress())
    if args.json:
        software = provenance.software(provenance.decoder_libraries()).to_dict()
        print_json(
            {
                "video": str(args.video),
                **result.to_dict(),
                "algorithm": "analysis.media.inspection.inspect_video",
                "software": software,
            }
        )
        return 0
    print(f"{args.video}:")
    for line in result.summary_lines():
        print(f"  {line}")
    return 0

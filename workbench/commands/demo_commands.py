"""`geoworkbench demo`: build the sample case, then ask for the GUI on it (unless --no-gui)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.gui_request import OpenGui
from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="build the sample case from the scenario generator and open it in the GUI"
    )
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where to put the case (default: projects/ in a checkout)",
    )
    p.add_argument("--no-gui", action="store_true", help="build the case only")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if it exists")
    p.add_argument(
        "--seed", type=int, default=None, help="the scenario's seed (default: the sample case's)"
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int | OpenGui:
    from workbench.demo import build_demo_case
    from workbench.jobs import TerminalProgress
    from workbench.output_guard import check_output_folder
    from workbench.paths import default_cases_dir
    from workbench.scenario import DEFAULT_SEED

    directory = check_output_folder(args.dir or default_cases_dir())
    demo = build_demo_case(
        directory,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        rebuild=args.rebuild,
        progress=TerminalProgress(),
    )
    if args.json:
        print_json(
            {
                "case": str(demo.case_path),
                "truth": str(demo.truth_path),
                "rebuilt": demo.rebuilt,
                "evidence_ids": demo.evidence_ids,
            }
        )
    else:
        state = "built" if demo.rebuilt else "exists (use --rebuild to make it anew)"
        print(f"demo case {state}: {demo.case_path}\ntruth: {demo.truth_path}")
    return 0 if args.no_gui else OpenGui(demo.case_path)

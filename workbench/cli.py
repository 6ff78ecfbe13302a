"""The scriptable command line, on the same core as the GUI.

Each capability keeps its subcommands in its own module under ``workbench.commands``; a module
exposes ``register(subparsers)`` and sets ``func`` on every parser it adds. A handler takes the
parsed arguments and returns the exit code: 0 success, 1 a finding or failure (verify found
an alteration, a file was bad), 2 a usage error. This module never imports ``ui`` and no
subcommand here imports PySide6.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from analysis.errors import WorkbenchError

COMMAND_MODULES: tuple[str, ...] = (
    "workbench.commands.case_commands",
    "workbench.commands.demo_commands",
    "workbench.commands.info_commands",
    "workbench.commands.geo_commands",
    "workbench.commands.resect_commands",
    "workbench.commands.hypothesis_commands",
    "workbench.commands.geo_export_commands",
    "workbench.commands.frames_commands",
    "workbench.commands.scenario_commands",
    "workbench.commands.video_commands",
    "workbench.commands.match_commands",
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geoworkbench",
        description="Offline workbench for geolocating and verifying footage. "
        "With no subcommand, opens the GUI.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except WorkbenchError as exc:
        print(f"geoworkbench {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"geoworkbench {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

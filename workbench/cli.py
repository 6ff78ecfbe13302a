"""The scriptable command line, on the same core as the GUI.

Each capability keeps its subcommands in its own module under ``workbench.commands``; a module
exposes ``register(subparsers)`` and sets ``func`` on every parser it adds. A handler takes the
parsed arguments and returns the exit code: 0 success, 1 a finding or failure (verify found
an alteration, a file was bad), 2 a usage error; or an ``OpenGui`` request (``open``, ``demo``),
which ``main`` passes to the ``open_gui`` function the console script gives it. This module
never imports ``ui`` and no subcommand here imports PySide6: there is one parser tree, and the
GUI is reached only through that function.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from analysis.errors import WorkbenchError
from workbench.commands import diagnostics
from workbench.commands.gui_request import OpenGui

COMMAND_MODULES: tuple[str, ...] = (
    "workbench.commands.gui_request",
    "workbench.commands.case_commands",
    "workbench.commands.demo_commands",
    "workbench.commands.info_commands",
    "workbench.commands.geo_commands",
    "workbench.commands.align_commands",
    "workbench.commands.resect_commands",
    "workbench.commands.bearing_commands",
    "workbench.commands.hypothesis_commands",
    "workbench.commands.geo_export_commands",
    "workbench.commands.frames_commands",
    "workbench.commands.scenario_commands",
    "workbench.commands.video_commands",
    "workbench.commands.inspect_commands",
    "workbench.commands.match_commands",
    "workbench.commands.sun_commands",
    "workbench.commands.audio_commands",
    "workbench.commands.claim_commands",
    "workbench.commands.descent_commands",
    "workbench.commands.archive_commands",
    "workbench.commands.contact_sheet_commands",
    "workbench.commands.annotation_commands",
    "workbench.commands.report_commands",
    "workbench.commands.bundle_commands",
    "workbench.commands.review_commands",
    "workbench.commands.pose_commands",
    "workbench.commands.osm_commands",
    "workbench.commands.imagery_commands",
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
    for sub in subparsers.choices.values():
        diagnostics.add_verbose_flag(sub)
    return parser


def main(
    argv: Sequence[str] | None = None, *, open_gui: Callable[[str | None], int] | None = None
) -> int:
    """Run one subcommand and return its exit code.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
        open_gui: starts the GUI on a case path (or none) and returns its exit code; given by
            the console script. Without it, no subcommand and ``open``/``demo`` requests for
            the GUI are usage errors.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(args, "func", None) is None:
        if open_gui is not None:
            return open_gui(None)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # A path whose name is not valid UTF-8 holds lone surrogates: print them as \udcNN escapes
    # (in JSON output, valid escapes that read back as the same name), never crash on them.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    # What libraries say is collected: an error is one line, the rest only with --verbose.
    said = diagnostics.Diagnostics()
    try:
        with diagnostics.captured() as said:
            outcome = args.func(args)
    except WorkbenchError as exc:
        error = diagnostics.fold(f"geoworkbench {args.command}: error: {exc}", said)
        for line in (error, *diagnostics.report(said, verbose=args.verbose, failed=True)):
            print(line, file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"geoworkbench {args.command}: interrupted", file=sys.stderr)
        return 130
    for line in diagnostics.report(said, verbose=args.verbose, failed=False):
        print(line, file=sys.stderr)
    if isinstance(outcome, OpenGui):
        if open_gui is None:
            print(
                f"geoworkbench {args.command}: error: the GUI opens only from the geoworkbench "
                "command (ui.entry); use --no-gui where the command has it",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return open_gui(str(outcome.case) if outcome.case is not None else None)
    return int(outcome)


if __name__ == "__main__":
    sys.exit(main())

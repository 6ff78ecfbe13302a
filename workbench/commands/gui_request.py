"""The one thing a subcommand can ask of the layer above: open the GUI on a case.

``workbench.cli`` never imports ``ui``. A handler that wants the window (``open``, ``demo``
without ``--no-gui``) returns an ``OpenGui``; the console script (``ui.entry``) passes the
function that starts the GUI, and ``workbench.cli.main`` calls it. Run without one (from a
script or a test), such a request is refused with a usage error.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OpenGui:
    """A request to open the GUI on ``case`` (None: the GUI with no case)."""

    case: Path | None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("open", help="open a case in the GUI")
    p.add_argument("case", type=Path, help="the NAME.gwcase folder")
    p.set_defaults(func=cmd_open)


def cmd_open(args: argparse.Namespace) -> OpenGui:
    return OpenGui(args.case)

"""The console-script entry point (the top layer).

One parser tree, ``workbench.cli``'s: this module only hands it the function that starts the
GUI, which it calls for no subcommand, ``open CASE`` and ``demo`` (without ``--no-gui``).
Every other subcommand runs without importing PySide6.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from workbench import cli

    return cli.main(list(sys.argv[1:] if argv is None else argv), open_gui=_gui)


def _gui(case: str | None) -> int:
    from ui.app import run_gui

    return run_gui(case)


if __name__ == "__main__":
    sys.exit(main())

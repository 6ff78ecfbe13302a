"""The console-script entry point (the top layer).

No subcommand, ``open CASE`` and ``demo`` without ``--no-gui`` start the GUI; every other
subcommand goes to ``workbench.cli`` without importing PySide6.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        return _gui(None)
    if args[0] == "open":
        if len(args) != 2 or args[1].startswith("-"):
            print("usage: geoworkbench open CASE", file=sys.stderr)
            return 2
        return _gui(args[1])
    if args[0] == "demo" and "--no-gui" not in args and not ({"-h", "--help"} & set(args)):
        from workbench import cli

        code = cli.main([*args, "--no-gui"])
        if code != 0:
            return code
        from workbench.commands.demo_commands import last_demo_case

        return _gui(str(last_demo_case()))
    from workbench import cli

    return cli.main(args)


def _gui(case: str | None) -> int:
    from ui.app import run_gui

    return run_gui(case)


if __name__ == "__main__":
    sys.exit(main())

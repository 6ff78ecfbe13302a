"""``python -m ui.archive CATALOG_DIR [CASE]``: the Archive window alone on a catalog; imports
go into CASE when given, else into a case chosen in a dialog."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """``python -m ui.archive CATALOG_DIR [CASE]`` (module doc)."""
    from ui.environment import prepare_environment

    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from ui.archive.window import ArchiveWindow
    from workbench.case import open_case

    if len(argv) < 2:
        print("usage: python -m ui.archive CATALOG_DIR [CASE]", file=sys.stderr)
        return 2
    app = QApplication(argv[:1])
    case = open_case(argv[2]) if len(argv) > 2 else None
    window = ArchiveWindow(lambda: case)
    window.show()
    window.open_catalog(Path(argv[1]))
    code = app.exec()
    window.jobs.cancel_all()
    window.jobs.wait_for_done()
    window.actions_.close()
    if case is not None:
        case.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Starting the GUI: environment, QApplication, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from ui.environment import prepare_environment


def run_gui(case: str | None = None) -> int:
    """Open the main window (on ``case`` when given) and run the event loop."""
    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from ui.case.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    if case is not None:
        window.open_case_path(Path(case))
    return app.exec()


if __name__ == "__main__":
    sys.exit(run_gui(sys.argv[1] if len(sys.argv) > 1 else None))

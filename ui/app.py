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
    _fit_to_screen(window)
    window.show()
    if case is not None:
        window.open_case_path(Path(case))
    return app.exec()


def _fit_to_screen(window) -> None:
    """Open at 90% of the screen's free area, centred: the window's own default (1280 x 720)
    fits a laptop, and a larger screen should not leave the map and the video small."""
    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    width = max(window.width(), min(free.width(), round(free.width() * 0.9)))
    height = max(window.height(), min(free.height(), round(free.height() * 0.9)))
    window.resize(min(width, free.width()), min(height, free.height()))
    frame = window.frameGeometry()
    frame.moveCenter(free.center())
    window.move(frame.topLeft())


if __name__ == "__main__":
    sys.exit(run_gui(sys.argv[1] if len(sys.argv) > 1 else None))

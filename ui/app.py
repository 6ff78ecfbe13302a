"""Starting the GUI: environment, QApplication, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def prepare_environment() -> None:
    """Settings that must be made before any QApplication exists.

    QtWebEngine's Chromium refuses to run as root without ``--no-sandbox``; it must be
    imported, and OpenGL contexts shared, before the application object is created.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must be loaded before the application)

    from ui.map.tile_scheme import register_scheme

    register_scheme()  # the map's gwtile: scheme must exist before the application
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QCoreApplication.setOrganizationName("GeoWorkbench")
    QCoreApplication.setApplicationName("GeoWorkbench")


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

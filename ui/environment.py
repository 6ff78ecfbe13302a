"""The process environment that QtWebEngine needs before any QApplication exists.

Kept apart from ``ui.app`` (which opens the main window) so that a panel started alone
(``python -m ui.map.panel CASE``) prepares the same environment without importing the window.
"""

from __future__ import annotations

import os


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

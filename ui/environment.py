"""The process environment that QtWebEngine needs before any QApplication exists: Chromium's
flags, the map's ``gwtile:`` URL scheme (served by ``ui.map.tile_scheme``), shared contexts.

Kept apart from ``ui.app`` (which opens the main window) so that a panel started alone
(``python -m ui.map.panel CASE``) prepares the same environment without importing the window.
"""

from __future__ import annotations

import os

SCHEME = b"gwtile"  # the map page's tiles: gwtile://basemap/{z}/{x}/{y}


def register_scheme() -> bool:
    """Register ``gwtile:`` with QtWebEngine; must run before the QApplication exists.

    Returns False when it was already registered (or it is too late to register).
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme

    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return False
    if QCoreApplication.instance() is not None:
        return False
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    return True


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

    register_scheme()  # the map's gwtile: scheme must exist before the application
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QCoreApplication.setOrganizationName("GeoWorkbench")
    QCoreApplication.setApplicationName("GeoWorkbench")

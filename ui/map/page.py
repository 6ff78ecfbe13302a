"""MapPage: the map's web page, which keeps the JavaScript console and stays on our page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleMessage:
    level: int
    message: str
    line: int
    source: str


class MapPage(QWebEnginePage):
    """The map page: collects JavaScript console messages, refuses to navigate away."""

    console_logged = Signal(object)

    def __init__(self, profile: QWebEngineProfile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.console: list[ConsoleMessage] = []
        self.page_file: str | None = None

    def javaScriptConsoleMessage(self, level, message, line, source) -> None:  # noqa: N802
        entry = ConsoleMessage(int(level.value), message, line, source)
        self.console.append(entry)
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            log.warning("map page: %s (%s:%s)", message, source, line)
        self.console_logged.emit(entry)

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:  # noqa: N802
        if url.scheme() == "about":
            return True  # about:blank, when the case is closed
        return url.isLocalFile() and url.toLocalFile() == self.page_file

    def createWindow(self, window_type):  # noqa: N802 (no pop-ups)
        return None

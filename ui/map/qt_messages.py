"""A Qt message filter for one known-harmless warning of the map's web view.

Floating or re-docking the map (a QDockWidget with a QWebEngineView in it) moves the view to
another top-level window. Under xcb, Qt 6.11 then composites the view's last frame, a texture
of the old window's QRhi, into the new window once per repaint until Chromium delivers a new
frame, and each time prints::

    Texture 0x55cf8d9a0bc0 () belongs to QRhi 0x55cf8c4bd680, but client code attempted to
    use it with QRhi 0x55cf8d31e5f0. This is wrong.

(149 lines for one float in the issue.) The frame is simply not drawn; the next one is, and
the map works. Nothing in the workbench holds that texture: it belongs to QtWebEngine's
widget delegate, so there is nothing to release on our side. ``install`` puts a handler in
front of the current one that drops exactly these lines (counted in ``dropped``) and passes
every other message on unchanged. Reproduce: ``tests/ui/test_map_float.py`` (Xvfb + xcb).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

TEXTURE_WARNING = re.compile(
    r"^Texture 0x[0-9a-fA-F]+ \(.*\) belongs to QRhi 0x[0-9a-fA-F]+, but client code "
    r"attempted to use it with QRhi 0x[0-9a-fA-F]+\. This is wrong\.$"
)

_state: dict[str, Any] = {"previous": None, "dropped": 0}


def is_known_harmless(mode: QtMsgType, message: str) -> bool:
    """True for the QRhi texture warning of a floated web view (module doc), nothing else."""
    return mode == QtMsgType.QtWarningMsg and bool(TEXTURE_WARNING.match(message))


def _filter(mode: QtMsgType, context: Any, message: str) -> None:
    if is_known_harmless(mode, message):
        _state["dropped"] += 1
        return
    previous: Callable[[QtMsgType, Any, str], None] | None = _state["previous"]
    if previous is not None:
        previous(mode, context, message)
    else:  # Qt's default handler prints the message on stderr
        print(message, file=sys.stderr)


def install() -> None:
    """Put the filter in front of the current Qt message handler (again after a test
    harness replaced it; installing it twice in a row changes nothing)."""
    previous = qInstallMessageHandler(_filter)
    if previous is not _filter:
        _state["previous"] = previous


def dropped() -> int:
    """How many texture warnings were dropped since the process started."""
    return int(_state["dropped"])

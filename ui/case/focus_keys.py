"""Navigation keys belong to the widget that moves with them.

The video's transport keys (Space, the arrows, Home, End) are window shortcuts, so that they
step the video wherever the focus is in the window: in the evidence list, on a button, in a
dock. But a map pans with the arrows and a slider moves with them. While the focus is in one
of those, inside a dock, these keys are theirs and the video stays on its frame.

How: before a shortcut fires, Qt sends a ShortcutOverride event to the widget with the focus,
and passes it up to its parents until one accepts it (text fields and spin boxes accept it
for their own keys). A filter on each dock accepts it for a navigation key when the focus is
on a map or a slider, so the key is delivered to that widget instead of the shortcut. Only
the docks are filtered, not the application: nothing else pays for it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSlider, QApplication, QDockWidget, QWidget

_K = Qt.Key
NAVIGATION_KEYS = frozenset(
    {_K.Key_Space, _K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_Home, _K.Key_End}
)
COMMAND_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
KEEPER_TYPES = (QAbstractSlider,)
KEEPER_CLASS_NAMES = ("QWebEngineView",)  # the map: its focus sits in a child of the view


def is_navigation_key(key: int, modifiers: Qt.KeyboardModifier) -> bool:
    """A key a focused map or slider moves with (with Shift too; not with Ctrl or Alt)."""
    return key in NAVIGATION_KEYS and not modifiers & COMMAND_MODIFIERS


def keeps_navigation_keys(widget: QWidget, key: int = _K.Key_Left) -> bool:
    """Whether ``widget`` (or, for a web page, the view around it) moves with ``key``: a
    slider with the arrows, Home and End (Space still plays the video), a web view with all."""
    if isinstance(widget, KEEPER_TYPES):
        return key != _K.Key_Space
    w: QWidget | None = widget
    while w is not None:
        if any(w.inherits(name) for name in KEEPER_CLASS_NAMES):
            return True
        w = w.parentWidget()
    return False


class DockKeepsNavigationKeys(QObject):
    """The filter on a dock (module doc)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not is_navigation_key(event.key(), event.modifiers()):
            return False
        focus = QApplication.focusWidget()
        if focus is not None and keeps_navigation_keys(focus, event.key()):
            event.accept()  # the key goes to the focused widget, not to the shortcut
            return True
        return False


def keep_navigation_keys_in_docks(window: QWidget) -> DockKeepsNavigationKeys:
    """Filter every dock of ``window``; the filter is the window's child (gone with it)."""
    keeper = DockKeepsNavigationKeys(window)
    for dock in window.findChildren(QDockWidget):
        dock.installEventFilter(keeper)
    return keeper

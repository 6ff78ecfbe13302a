"""A slider in a dock keeps the arrows from a window shortcut; a button in the same dock, and
Ctrl on the slider, leave them to the shortcut (ui.case.focus_keys)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.case.focus_keys import keep_navigation_keys_in_docks

TIMEOUT = 5000


def _window(qtbot):
    w = QMainWindow()
    w.setCentralWidget(QPushButton("centre"))
    holder = QWidget()
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(50)
    button = QPushButton("button")
    layout = QVBoxLayout(holder)
    layout.addWidget(slider)
    layout.addWidget(button)
    dock = QDockWidget("tools")
    dock.setWidget(holder)
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    fired: list[str] = []
    for keys in ("Right", "Ctrl+Right", "Space"):
        action = QAction(keys, w)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _c=False, k=keys: fired.append(k))
        w.addAction(action)
    keep_navigation_keys_in_docks(w)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w, slider, button, fired


def _focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=TIMEOUT)


def test_a_focused_slider_keeps_the_arrows_a_button_does_not(qtbot):
    w, slider, button, fired = _window(qtbot)
    _focus(qtbot, slider)
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert slider.value() == 51 and fired == []
    qtbot.keyClick(slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["Ctrl+Right"]  # a command key is still the window's
    qtbot.keyClick(slider, Qt.Key.Key_Space)
    assert fired == ["Ctrl+Right", "Space"]  # a slider has no use for Space: play / pause
    fired.remove("Space")
    _focus(qtbot, button)
    qtbot.keyClick(button, Qt.Key.Key_Right)
    assert fired == ["Ctrl+Right", "Right"] and slider.value() == 51

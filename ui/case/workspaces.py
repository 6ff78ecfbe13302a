"""Workspaces: one arrangement of the window's panels per task (Video, Compare, Map, Geometry,
Records, Claims), switched from a toolbar or with Ctrl+1..6.

Each workspace decides what the centre shows (the evidence on screen, the comparison, the
records) and which docks stand around it. The analyst may rearrange a workspace; the
arrangement is saved per user (``layout.ini`` in the user config folder, beside the settings,
so tests that isolate the config isolate it too) when leaving the workspace and when the
window closes, and View > Reset layout puts back the defaults. Nothing here sets a size on
the window: the defaults only share out the width the window has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QWidget

from workbench.settings import config_dir

LAYOUT_VERSION = 9  # raise when the default arrangements change: saved ones are then dropped

_L, _R, _B = (
    Qt.DockWidgetArea.LeftDockWidgetArea,
    Qt.DockWidgetArea.RightDockWidgetArea,
    Qt.DockWidgetArea.BottomDockWidgetArea,
)


@dataclass(frozen=True)
class Workspace:
    """A task's arrangement: the centre page, and the docks by area (tabbed, first in front)."""

    name: str
    centre: str  # "evidence", "compare" or "records"
    left: tuple[str, ...]
    right: tuple[str, ...]
    bottom: tuple[str, ...] = ()
    below_left: tuple[str, ...] = ()  # tabbed under the left column
    right_share: float = 0.27  # of the window's width
    left_share: float = 0.2
    hint: str = ""


WORKSPACES: tuple[Workspace, ...] = (
    Workspace("Video", "evidence", ("evidence",), (), left_share=0.27,
              below_left=("metadata", "source", "notes", "map", "log", "descent"),
              hint="Step through frames, find cuts, track an object, export frames"),
    Workspace("Compare", "compare", ("evidence",), (),
              hint="Two frames side by side: continuity, matches, landmarks"),
    Workspace("Map", "evidence", (), ("map", "evidence", "osm"), ("sun",), right_share=0.5,
              hint="The map beside the picture, the sun under them: landmarks, cameras, "
                   "rays, hypotheses, shadows; OSM candidate search in a tab by the map"),
    Workspace("Geometry", "evidence", (), ("geometry", "descent", "map", "evidence"),
              right_share=0.46,
              hint="Bearings, alignments and resections on the picture; a descent measured"),
    Workspace("Records", "records", ("evidence",), (), ("log",),
              hint="Notes, observations, hypotheses and exports; the audit log"),
    Workspace("Claims", "evidence", (), ("claims", "linked", "evidence"), ("timeline",),
              right_share=0.42,
              hint="Claims and their verdicts, the timeline, synced videos side by side"),
)  # fmt: skip
BY_NAME = {w.name: w for w in WORKSPACES}


def layout_store() -> QSettings:
    """The per-user layout file (read each time: the config folder may move in tests)."""
    return QSettings(str(config_dir() / "layout.ini"), QSettings.Format.IniFormat)


class Workspaces(QObject):
    """The window's workspaces (module doc). ``docks`` maps a short name to its dock;
    ``show_centre(kind)`` puts the centre page for ``kind`` on screen."""

    switched = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        docks: dict[str, QDockWidget],
        show_centre: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.docks, self._show_centre = docks, show_centre  # the window: parent()
        self.current = self.saved_current()
        self.suspended = True  # no case open: the start page alone, the docks put away
        self.actions: dict[str, QAction] = {}
        self.toolbar = QToolBar("Workspaces", window)
        self.toolbar.setObjectName("workspaces_toolbar")
        self.toolbar.setMovable(False)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        group = QActionGroup(self)
        for dock in docks.values():
            dock.hide()  # until a workspace is chosen: all shown at once would grow the window
        for n, ws in enumerate(WORKSPACES, start=1):
            action = QAction(ws.name, window)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{ws.hint} (Ctrl+{n})")
            action.triggered.connect(lambda _checked=False, name=ws.name: self.switch(name))
            group.addAction(action)
            self.toolbar.addAction(action)
            window.addAction(action)
            self.actions[ws.name] = action
        self.actions[self.current].setChecked(True)

    @property
    def window(self) -> QMainWindow:
        return self.parent()

    # -- switching ----------------------------------------------------------------------------
    def switch(self, name: str) -> None:
        """Show workspace ``name``: its centre, and its docks as saved (else the defaults)."""
        if self.suspended:  # the start page stays alone; the choice is kept for later
            self.current = name
            self.actions[name].setChecked(True)
            self._show_centre(BY_NAME[name].centre)
            return
        if name == self.current:
            self._show_centre(BY_NAME[name].centre)
            return
        self.save()
        self.current = name
        self.actions[name].setChecked(True)
        self._show_centre(BY_NAME[name].centre)
        state = layout_store().value(f"workspace/{name}")
        size = self.window.size()
        if state is None or not self.window.restoreState(state, LAYOUT_VERSION):
            self.arrange_default()
        if self.window.size() != size and not (
            self.window.isMaximized() or self.window.isFullScreen()
        ):
            # Restoring the docks' saved sizes can widen the window past the screen (seen:
            # 1366 -> 1420 px); a workspace changes what is shown, never the window's size.
            self.window.resize(size)
        self.switched.emit(name)

    def resume(self) -> None:
        """A case is open: the current workspace's docks come back as they were left."""
        if self.suspended:
            name, self.suspended, self.current = self.current, False, ""
            self.switch(name)

    def suspend(self) -> None:
        """No case is open: keep the arrangement, put the docks away for the start page."""
        self.save()
        self.suspended = True
        for dock in self.docks.values():
            dock.hide()

    def save(self) -> None:
        """Keep the current workspace's arrangement for this user."""
        if not self.current or self.suspended:
            return
        store = layout_store()
        store.setValue(f"workspace/{self.current}", self.window.saveState(LAYOUT_VERSION))
        store.setValue("current", self.current)
        store.sync()

    def saved_current(self) -> str:
        """The workspace the analyst last used (Video the first time)."""
        name = layout_store().value("current", "Video")
        return name if name in BY_NAME else "Video"

    def reset(self) -> None:
        """Forget every saved arrangement and put back the current workspace's default."""
        store = layout_store()
        store.remove("workspace")
        store.sync()
        self.arrange_default()

    # -- the default arrangements -------------------------------------------------------------
    def arrange_default(self) -> None:
        ws = BY_NAME[self.current]
        w = self.window
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.hide()
        for area, names in ((_L, ws.left), (_R, ws.right), (_B, ws.bottom)):
            placed = [self.docks[n] for n in names]
            for dock in placed:
                w.addDockWidget(area, dock)
                dock.show()
            for first, other in zip(placed, placed[1:], strict=False):
                w.tabifyDockWidget(first, other)
            if placed:
                placed[0].raise_()
        below = [self.docks[n] for n in ws.below_left]
        if below and ws.left:
            w.splitDockWidget(self.docks[ws.left[0]], below[0], Qt.Orientation.Vertical)
            for dock in below:
                dock.show()
            for other in below[1:]:
                w.tabifyDockWidget(below[0], other)
            below[0].raise_()
        # Sizes take once the window is laid out.
        QTimer.singleShot(0, self._share_out)

    def _share_out(self) -> None:
        ws = BY_NAME.get(self.current)
        if ws is None:
            return
        w = self.window
        width, height = max(w.width(), 800), max(w.height(), 500)
        left = [self.docks[n] for n in ws.left[:1]]
        right = [self.docks[n] for n in ws.right[:1]]
        docks = left + right
        sizes = [min(int(width * 0.3), max(240, int(width * ws.left_share)))] * len(left)
        sizes += [min(int(width * ws.right_share), 760)] * len(right)  # the picture keeps most
        if docks:
            w.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)
        if ws.below_left and ws.left:
            column = [self.docks[ws.left[0]], self.docks[ws.below_left[0]]]
            w.resizeDocks(column, [int(height * 0.4), int(height * 0.6)], Qt.Orientation.Vertical)
        if ws.bottom:
            w.resizeDocks([self.docks[ws.bottom[0]]], [int(height * 0.4)], Qt.Orientation.Vertical)


def visible_controls(root: QWidget) -> list[QWidget]:
    """The controls a user acts on that are visible in ``root`` (for layout checks)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)
    return [
        c
        for c in root.findChildren(QWidget)
        if isinstance(c, kinds) and c.isVisible() and not c.visibleRegion().isEmpty()
    ]

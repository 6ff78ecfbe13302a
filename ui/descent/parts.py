"""The window's Track tool and Descent dock, built once (issue 14).

``DescentParts(window, scrolled)`` attaches the Track tool to the video panel
(``ui.video.track_panel``: a Track button after the view buttons, Ctrl+T) and makes the
Descent panel a dock, in a scroll area (arranged
by the workspaces: a tab under the evidence list in Video, beside the geometry tools in
Geometry). The Descent panel follows the case the window opens and the track the Track tool
selects; both write through the window's undo stack.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from ui.descent.panel import DescentPanel
from ui.video.track_panel import TrackPanel


class DescentParts(QObject):
    """Builds and connects the Track tool and the Descent dock (module doc)."""

    def __init__(self, w: QMainWindow, scrolled: Callable[[QWidget], QWidget]) -> None:
        super().__init__(w)
        panel = w.video_panel
        self.tracks = TrackPanel.attach(panel, w.jobs, panel.undo_stack)
        self.descent_panel = DescentPanel(w.jobs, panel.undo_stack)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.descent_dock = w._dock("Descent", scrolled(self.descent_panel), right)
        w.case_opened.connect(self.descent_panel.set_case)
        self.tracks.track_selected.connect(self.descent_panel.show_track)
        self.tracks.message.connect(w.statusBar().showMessage)
        self.descent_panel.message.connect(w.statusBar().showMessage)

    def docks(self) -> dict:
        return {"descent": self.descent_dock}

    def set_case(self, case) -> None:
        """The window's case (None: closed): the Descent panel follows it; the Track tool
        forgets the closed case's video."""
        self.descent_panel.set_case(case)
        if case is None:
            self.tracks.follow(None, None)

"""GeometryTools: the "Geometry" dock of the main window, holding the bearing, alignment and
resection tools and joining them to the picture on screen and to the map.

It follows the main window's signals (case opened and refreshed, evidence shown, video
frame shown) and routes the viewers' ``pixel_clicked`` to the armed tool, so that the main
window only creates it and adds two menu actions.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget

from analysis.geometry.bearing import pixel_aspect_of
from ui.geometry.alignment_tool import AlignmentTool
from ui.geometry.bearing_tool import BearingTool
from ui.geometry.pixel_tool import FrameRef, PixelTool
from ui.geometry.resection_tool import ResectionTool
from ui.video.image_viewer import ImageViewer

if TYPE_CHECKING:
    from ui.case.main_window import MainWindow


class GeometryTools(QTabWidget):
    """Tabs "Bearing", "Alignment" and "Resection" wired to a MainWindow (module doc)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        # A weak reference: the dock is the window's child and must not keep its wrapper alive.
        self._window = weakref.ref(window)
        self.bearing = BearingTool(window.map_panel, window.jobs)
        self.alignment = AlignmentTool(window.map_panel, window.jobs)
        self.addTab(self.bearing, "Bearing")
        self.resection = ResectionTool(window.map_panel, window.jobs)
        self.addTab(self.alignment, "Alignment")
        self.addTab(self.resection, "Resection")
        self.tools: tuple[PixelTool, ...] = (self.bearing, self.alignment, self.resection)
        for tool in self.tools:
            tool.armed_changed.connect(
                lambda key, armed=tool: self._on_tool_armed_changed(armed, key)
            )
        for viewer in (window.viewer, window.video_panel.viewer):
            viewer.pixel_clicked.connect(self._on_viewer_pixel_clicked)
        window.viewer.zoom_changed.connect(lambda _z: self.update_frame())  # set_image fits
        window.video_panel.frame_shown.connect(lambda _i: self.update_frame())
        window.detail_shown.connect(lambda _id: self.update_frame())
        window.case_opened.connect(lambda _case: self.refresh())
        window.case_refreshed.connect(self.refresh)

    @property
    def window_(self) -> MainWindow:
        return self._window()

    def refresh(self) -> None:
        if self.window_.case is None:
            for tool in self.tools:
                tool.set_frame(None)
        for tool in self.tools:
            tool.refresh()

    def show_bearing_tool(self) -> None:
        self.setCurrentWidget(self.bearing)
        self.parentWidget().show()
        self.parentWidget().raise_()

    def show_alignment_tool(self) -> None:
        self.setCurrentWidget(self.alignment)
        self.parentWidget().show()
        self.parentWidget().raise_()

    def show_resection_tool(self) -> None:
        self.setCurrentWidget(self.resection)
        self.parentWidget().show()
        self.parentWidget().raise_()

    # -- the picture on screen ----------------------------------------------------------
    def current_viewer(self) -> ImageViewer | None:
        w = self.window_
        if w.central.currentWidget() is w.video_panel:
            return w.video_panel.viewer
        if w.central.currentWidget() is w.viewer:
            return w.viewer
        return None

    def current_frame(self) -> FrameRef | None:
        """The evidence and frame on screen, in original frame pixels."""
        w = self.window_
        detail = w._detail  # the evidence whose picture the main window shows
        viewer = self.current_viewer()
        if w.case is None or detail is None or viewer is None or not viewer.has_image():
            return None
        e = detail.evidence
        if viewer is w.video_panel.viewer:
            shown = w.video_panel.shown
            if shown is None or w.video_panel.evidence is None or w.video_panel.evidence.id != e.id:
                return None
            height, width = shown.frame.image.shape[:2]
            aspect = pixel_aspect_of(shown.frame.sar, shown.frame.rotation_deg)
            return FrameRef(
                e.id,
                e.sha256,
                e.original_name,
                width,
                height,
                shown.frame.index,
                aspect,
                e.metadata,
            )
        size = viewer.sceneRect().size().toSize()
        return FrameRef(
            e.id, e.sha256, e.original_name, size.width(), size.height(), None, 1.0, e.metadata
        )

    def update_frame(self) -> None:
        viewer, frame = self.current_viewer(), self.current_frame()
        for tool in self.tools:
            tool.set_viewer(viewer)
            tool.set_frame(frame)

    # -- clicks -------------------------------------------------------------------------
    def _on_tool_armed_changed(self, tool: PixelTool, key: str) -> None:
        if key:  # one tool waits for a click at a time
            for other in self.tools:
                if other is not tool:
                    other.forget_arm()

    def _on_viewer_pixel_clicked(self, x_px: float, y_px: float) -> None:
        for tool in self.tools:
            tool.on_pixel_clicked(x_px, y_px)

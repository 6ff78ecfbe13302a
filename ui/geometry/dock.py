"""GeometryTools: the "Geometry" dock of the main window, holding the bearing, alignment,
resection, shadow and pose tools.

It hands every tool the picture on screen (``show_picture``: the viewer and its ``FrameRef``,
which the video panel and the main window announce), the case's landmarks and bearings (read
once for the three tools whenever the change feed says they changed), and routes the viewers'
``pixel_clicked`` to the armed tool. The tools write through the ``GeodataService`` and hear
map clicks through ``MapPicks``: the dock knows neither the map nor the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from ui.changes import CaseChanges
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.alignment_tool import AlignmentTool
from ui.geometry.bearing_tool import BearingTool
from ui.geometry.pixel_tool import PixelTool, read_geodata
from ui.geometry.pose_tool import PoseTool
from ui.geometry.resection_tool import ResectionTool
from ui.geometry.shadow_tool import ShadowTool
from ui.jobs import JobRunner
from ui.narrow import let_combos_shrink
from ui.video.image_viewer import ImageViewer
from ui.video.on_screen import FrameRef

# The kinds of change (workbench.case.changes) that the tools show: landmarks and bearings.
TOOL_KINDS = ("landmark", "observation")


class GeometryTools(QTabWidget):
    """Tabs "Bearing", "Alignment", "Resection", "Shadow" and "Pose" (module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        *,
        changes: CaseChanges,
        picks: MapPicks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service, self.jobs = service, jobs
        self.bearing = BearingTool(service, jobs, picks=picks)
        self.alignment = AlignmentTool(service, jobs, picks=picks)
        self.addTab(self.bearing, "Bearing")
        self.resection = ResectionTool(service, jobs, picks=picks)
        self.addTab(self.alignment, "Alignment")
        self.addTab(self.resection, "Resection")
        self.shadow = ShadowTool(service, jobs, picks=picks, bearing=self.bearing)
        self.addTab(self.shadow, "Shadow")
        self.pose = PoseTool(service, jobs, picks=picks)  # full 3-D pose (issue 16)
        self.addTab(self.pose, "Pose")
        let_combos_shrink(self)
        self.tools: tuple[PixelTool, ...] = (
            self.bearing, self.alignment, self.resection, self.shadow, self.pose,
        )  # fmt: skip
        for tool in self.tools:
            tool.armed_changed.connect(
                lambda key, armed=tool: self._on_tool_armed_changed(armed, key)
            )
        self._reading = self._read_wanted = False
        changes.changed.connect(self._on_changes_changed)

    def follow_viewer(self, viewer: ImageViewer) -> None:
        """Clicks on ``viewer`` go to the armed tool."""
        viewer.pixel_clicked.connect(self._on_viewer_pixel_clicked)

    def show_bearing_tool(self) -> None:
        self.setCurrentWidget(self.bearing)
        self.parentWidget().show()
        self.parentWidget().raise_()

    def show_alignment_tool(self) -> None:
        self.setCurrentWidget(self.alignment)
        self.parentWidget().show()
        self.parentWidget().raise_()

    def show_shadow_tool(self) -> None:
        self.setCurrentWidget(self.shadow)
        self.parentWidget().show()
        self.parentWidget().raise_()

    def show_resection_tool(self) -> None:
        self.setCurrentWidget(self.resection)
        self.parentWidget().show()
        self.parentWidget().raise_()

    # -- the picture on screen ----------------------------------------------------------
    def show_picture(self, viewer: ImageViewer | None, frame: FrameRef | None) -> None:
        """``frame`` is on screen in ``viewer`` (None, None: no picture to measure on)."""
        for tool in self.tools:
            tool.set_viewer(viewer)
            tool.set_frame(frame)

    # -- the case's geodata -------------------------------------------------------------
    def _on_changes_changed(self, change) -> None:
        if change.touches(*TOOL_KINDS):
            self.refresh()

    def refresh(self) -> None:
        """Read the landmarks and bearings once, in a worker, for the three tools.

        One read at a time: changes that arrive while one runs make one more after it."""
        case = self.service.case
        if case is None:
            self.show_picture(None, None)
            for tool in self.tools:
                tool.set_geodata(None, ([], []))
            return
        if self._reading:
            self._read_wanted = True
            return
        self._reading, self._read_wanted = True, False
        self.jobs.run(
            "Geometry tools",
            lambda progress=None, cancel=None: read_geodata(case),
            on_result=lambda result: self._on_read(case, result),
            quiet=True,
            on_error=self._on_read_failed,
        )

    def _on_read(self, case, result) -> None:
        self._reading = False
        for tool in self.tools:
            tool.set_geodata(case, result)
        if self._read_wanted:
            self.refresh()

    def _on_read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self.bearing.show_error("Cannot read the landmarks", exc)
        if self._read_wanted:
            self.refresh()

    # -- clicks -------------------------------------------------------------------------
    def _on_tool_armed_changed(self, tool: PixelTool, key: str) -> None:
        if key:  # one tool waits for a click at a time
            for other in self.tools:
                if other is not tool:
                    other.forget_arm()

    def _on_viewer_pixel_clicked(self, x_px: float, y_px: float) -> None:
        for tool in self.tools:
            tool.on_pixel_clicked(x_px, y_px)

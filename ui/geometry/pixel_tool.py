"""What the frame-side geometry tools share: the picture they measure on, its markers, the
case's landmarks, and arming the viewer so that a left click becomes a pixel.

A tool knows the picture on screen (``FrameRef``, handed to ``set_frame``), the geodata service
it writes through, and the map picks it may listen to; it never knows the map or the window.

A tool is armed for one key at a time (``reference``, ``target``, ``horizon 1`` ...); the
viewer then emits ``pixel_clicked`` instead of panning, the tool stores the pixel, draws its
marker and disarms (or arms the next key). Pixels are in the original frame's pixels (the
viewer shows the upright frame at its own size).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget

from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.markers import MARKER_COLOURS, MarkerSet
from ui.jobs import JobRunner
from ui.video.image_viewer import ImageViewer
from ui.video.on_screen import FrameRef
from workbench import geodata_records
from workbench.geodata_records import Landmark, Observation

__all__ = ["FrameRef", "PixelTool", "fill_combo", "read_geodata"]

Pixel = tuple[float, float]


def read_geodata(case) -> tuple[list[Landmark], list[Observation]]:
    """Landmarks and bearing observations of a case (run in a worker)."""
    conn = case.read()
    return geodata_records.list_landmarks(conn), geodata_records.list_observations(conn, "bearing")


def fill_combo(combo: QComboBox, marks: list[Landmark], keep_id: int | None) -> None:
    """Landmarks in a combo (id as item data), keeping the selection when it still exists."""
    combo.blockSignals(True)
    combo.clear()
    for m in marks:
        combo.addItem(f"{m.name} (#{m.id})", m.id)
    index = combo.findData(keep_id) if keep_id is not None else -1
    combo.setCurrentIndex(index if index >= 0 else (0 if marks else -1))
    combo.blockSignals(False)


class PixelTool(QWidget):
    """Base of the bearing and alignment tools (see the module doc)."""

    armed_changed = Signal(str)  # the key waiting for a click, "" when none
    inputs_changed = Signal()

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        picks: MapPicks | None = None,
    ):
        """``picks``: the map's clicks that choose a landmark (none when the tool stands alone)."""
        super().__init__(parent)
        self.service = service
        self.jobs = jobs
        self.picks = picks if picks is not None else MapPicks(self)
        self.viewer: ImageViewer | None = None
        self.frame: FrameRef | None = None
        self.landmarks: list[Landmark] = []
        self.bearings: list[Observation] = []
        self.pixels: dict[str, Pixel] = {}
        self.pixel_frames: dict[str, int | None] = {}  # the frame each pixel was clicked on
        self.markers = MarkerSet()
        self.armed_key = ""

    @property
    def case(self):
        return self.service.case

    # -- the picture --------------------------------------------------------------------
    def set_viewer(self, viewer: ImageViewer | None) -> None:
        """Measure on ``viewer`` (the image viewer or the video panel's frame view)."""
        if viewer is self.viewer:
            return
        self.disarm()
        self.markers.clear()
        self.viewer = viewer

    def set_frame(self, frame: FrameRef | None) -> None:
        """A new picture: clicks made on another evidence no longer apply."""
        old = self.frame
        self.frame = frame
        same_picture = (
            old is not None and frame is not None and old.evidence_id == frame.evidence_id
        )
        if not same_picture:
            self.clear_pixels()
        self.inputs_changed.emit()

    def clear_pixels(self) -> None:
        self.disarm()
        self.pixels.clear()
        self.pixel_frames.clear()
        self.markers.clear()
        self.inputs_changed.emit()

    # -- arming and clicks --------------------------------------------------------------
    def arm(self, key: str) -> None:
        """Wait for a click on ``key``'s pixel."""
        if self.viewer is None or self.frame is None:
            self.show_error("No picture", "Show an image or a video frame first.")
            return
        self.armed_key = key
        self.viewer.set_armed(True)
        self.armed_changed.emit(key)

    def disarm(self) -> None:
        if self.viewer is not None:
            self.viewer.set_armed(False)
        if self.armed_key:
            self.armed_key = ""
            self.armed_changed.emit("")

    def forget_arm(self) -> None:
        """Stop waiting for a click without touching the viewer (another tool armed it)."""
        if self.armed_key:
            self.armed_key = ""
            self.armed_changed.emit("")

    def on_pixel_clicked(self, x_px: float, y_px: float) -> None:
        """A click on the viewer while armed (connected to ``ImageViewer.pixel_clicked``)."""
        key = self.armed_key
        if not key:
            return
        self.disarm()
        self.set_pixel(key, (x_px, y_px))
        self.after_click(key)

    def set_pixel(self, key: str, pixel: Pixel) -> None:
        """Record a pixel (what a click does; also the API for scripts and tests)."""
        self.pixels[key] = (float(pixel[0]), float(pixel[1]))
        self.pixel_frames[key] = self.frame.frame_index if self.frame is not None else None
        if self.viewer is not None:
            colour = MARKER_COLOURS.get(key.split(" ")[0], MARKER_COLOURS["target"])
            label = self.marker_label(key)
            self.markers.place(self.viewer.scene(), key, self.pixels[key], label, colour)
        self.inputs_changed.emit()

    def marker_label(self, key: str) -> str:
        """The text beside a pixel's marker (the key; a subclass may name it better)."""
        return key

    def after_click(self, key: str) -> None:
        """What follows a click (a subclass arms the next key)."""

    # -- the case -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read landmarks and bearings in a worker."""
        case = self.case
        if case is None:
            self.set_geodata(case, ([], []))
            return
        self.jobs.run(
            "Geometry tools",
            lambda progress=None, cancel=None: read_geodata(case),
            on_result=lambda result: self.set_geodata(case, result),
            quiet=True,
            on_error=lambda e: self.show_error("Cannot read the landmarks", e),
        )

    def set_geodata(self, case, result: tuple[list[Landmark], list[Observation]]) -> None:
        if case is not self.case:
            return
        self.landmarks, self.bearings = result
        self.landmarks_changed()
        self.inputs_changed.emit()

    def landmarks_changed(self) -> None:
        """Refill the combos (subclasses)."""

    def landmark(self, landmark_id: int | None) -> Landmark | None:
        return next((m for m in self.landmarks if m.id == landmark_id), None)

    def show_error(self, title: str, exc: BaseException | str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()

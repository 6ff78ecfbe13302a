"""The Pose tool: pair the frame's pixels with landmarks, solve the camera's full pose, put a
pixel on the ground.

The analyst chooses a landmark (from the case or picked on the map), clicks it in the frame
("Click it", P), and repeats for four or more (six let k1 be fitted too); "Click the target"
takes the pixel to put on the ground (the blast). A landmark's height is its own, else the
elevation model's (a GeoTIFF named here), else the flat ground's height typed here. "Pose"
(Ctrl+Shift+P) builds the inputs in a job (``workbench.pose_record.build_inputs``: the solve,
and the elevation model sampled for the stored row) and stores the pose as an undoable
observation; the result (position, height, orientation, field of view, residuals, the target
on the ground with its ellipse) is shown below, and the map draws the cone from the change feed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from ui.geodata.commands import AddRecordCommand
from ui.geometry.pixel_tool import PixelTool, fill_combo
from workbench import geodata

POINT = "point"  # keys "point <landmark id>"; the target's key is "target"


class PoseTool(PixelTool):
    """See the module doc."""

    def __init__(self, service, jobs, parent=None, *, picks=None) -> None:
        super().__init__(service, jobs, parent, picks=picks)
        self._build()
        self.picks.landmark_picked.connect(self._on_picks_landmark_picked)

    def _build(self) -> None:
        self.landmark_combo = QComboBox()
        click = QPushButton("Click it (P)")
        click.clicked.connect(self.arm_selected_landmark)
        QShortcut(QKeySequence("P"), self, self.arm_selected_landmark)
        row = QHBoxLayout()
        row.addWidget(self.landmark_combo, 1)
        row.addWidget(click)
        self.point_list = QListWidget()
        self.point_list.setMaximumHeight(110)
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_selected)
        target = QPushButton("Click the target")
        target.clicked.connect(lambda: self.arm("target"))
        self.sigma_spin = QDoubleSpinBox(decimals=1, minimum=0.1, maximum=20.0, value=1.0)
        self.sigma_spin.setSuffix(" px")
        self.dem_edit = QLineEdit()
        self.dem_edit.setPlaceholderText("elevation GeoTIFF (optional)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        dem_row = QHBoxLayout()
        dem_row.addWidget(self.dem_edit, 1)
        dem_row.addWidget(browse)
        self.ground_spin = QDoubleSpinBox(decimals=1, minimum=-500.0, maximum=9000.0, value=0.0)
        self.ground_spin.setSuffix(" m")
        self.ground_spin.setToolTip("flat ground, and the height of landmarks without one")
        form = QFormLayout()
        form.addRow("Landmark", row)
        form.addRow("Clicked", self.point_list)
        form.addRow("", remove)
        form.addRow("Target", target)
        form.addRow("Click sigma", self.sigma_spin)
        form.addRow("Elevation", dem_row)
        form.addRow("Ground at", self.ground_spin)
        self.pose_button = QPushButton("Pose (Ctrl+Shift+P)")
        self.pose_button.clicked.connect(self.pose)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self.pose)
        self.result_label = QLabel("Click four or more landmarks in the frame.")
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pose_button)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

    # -- landmarks and clicks -------------------------------------------------------------
    def landmarks_changed(self) -> None:
        fill_combo(self.landmark_combo, self.landmarks, self.landmark_combo.currentData())
        self._list_points()

    def _on_picks_landmark_picked(self, point_id: int) -> None:
        index = self.landmark_combo.findData(point_id)
        if index >= 0 and self.isVisible():
            self.landmark_combo.setCurrentIndex(index)

    def arm_selected_landmark(self) -> None:
        landmark_id = self.landmark_combo.currentData()
        if landmark_id is not None:
            self.arm(f"{POINT} {landmark_id}")

    def marker_label(self, key: str) -> str:
        if key.startswith(POINT):
            mark = self.landmark(int(key.split(" ")[1]))
            return mark.name if mark is not None else key
        return key

    def set_pixel(self, key: str, pixel: tuple[float, float]) -> None:
        super().set_pixel(key, pixel)
        self._list_points()

    def clear_pixels(self) -> None:
        super().clear_pixels()
        self._list_points()

    def _list_points(self) -> None:
        self.point_list.clear()
        for key, (x, y) in self.pixels.items():
            self.point_list.addItem(f"{self.marker_label(key)}: {x:.1f}, {y:.1f}")
            self.point_list.item(self.point_list.count() - 1).setData(Qt.ItemDataRole.UserRole, key)

    def remove_selected(self) -> None:
        item = self.point_list.currentItem()
        if item is not None:
            key = item.data(Qt.ItemDataRole.UserRole)
            self.pixels.pop(key, None)
            self.markers.remove(key)
            self._list_points()

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Elevation model", "", "GeoTIFF (*.tif *.tiff)")
        if path:
            self.dem_edit.setText(path)

    # -- the solve --------------------------------------------------------------------------
    def control_points(self) -> list:
        """The clicked landmarks as control points (heights: own, else None for the DEM)."""
        from workbench.observations.pose_model import PosePoint

        out = []
        for key, (x, y) in self.pixels.items():
            if not key.startswith(POINT):
                continue
            m = self.landmark(int(key.split(" ")[1]))
            if m is not None:
                out.append(PosePoint(m.name, x, y, m.lat_deg, m.lon_deg, m.height_m, m.id))
        return out

    def pose(self) -> None:
        """Solve in a job, then store the pose as an undoable observation."""
        case, frame = self.case, self.frame
        if case is None or frame is None:
            self.show_error("No picture", "Show an image or a video frame first.")
            return
        points = self.control_points()
        target = self.pixels.get("target")
        dem = self.dem_edit.text().strip() or None
        ground, sigma = self.ground_spin.value(), self.sigma_spin.value()
        self.result_label.setText(f"posing from {len(points)} landmarks…")
        self.jobs.run(
            "Posing the frame",
            lambda progress=None, cancel=None: solved(
                (frame.width_px, frame.height_px), points, target, dem, ground, sigma
            ),
            on_result=lambda done: self._store(case, frame, *done),
            on_error=self._on_failed,
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.result_label.setText(f"no pose: {exc}")

    def _store(self, case, frame, inputs, text: str) -> None:
        from workbench.pose_record import add_pose

        if case is not self.case:
            return
        add = lambda: add_pose(  # noqa: E731
            case, inputs, evidence_id=frame.evidence_id, frame_index=frame.frame_index
        )
        command = AddRecordCommand(
            self.service, "pose", add,
            lambda obs_id: geodata.delete_observation(case, obs_id),
            lambda record: geodata.restore_observation(case, record),
        )  # fmt: skip
        self.service.undo_stack.push(command)
        self.result_label.setText(text)


def solved(size, points, target, dem_path: str | None, ground_m: float, sigma_px: float):
    """(inputs, what the tool shows): both computed in the worker, never on the GUI thread."""
    inputs = pose_inputs(size, points, target, dem_path, ground_m, sigma_px)
    return inputs, describe(inputs)


def pose_inputs(size, points, target, dem_path: str | None, ground_m: float, sigma_px: float):
    """The pose's inputs (a worker): heights from the landmarks, else the DEM, else the ground."""
    from dataclasses import replace

    from analysis.errors import GeometryError
    from analysis.imagery.dem import Dem
    from workbench.observations.pose_model import TargetPixel
    from workbench.pose_record import build_inputs

    dem = Dem.open(Path(dem_path)) if dem_path else None
    filled = []
    for p in points:
        if p.height_m is None:
            h = float(dem.height_m(p.lat_deg, p.lon_deg)) if dem is not None else ground_m
            if h != h:  # NaN: outside the model
                raise GeometryError(f"{dem_path}: {p.name} is outside the elevation model")
            p = replace(p, height_m=h)
        filled.append(p)
    return build_inputs(
        size,
        filled,
        sigma_px=sigma_px,
        ground_height_m=None if dem is not None else ground_m,
        dem_height=dem.height_m if dem is not None else None,
        targets=[TargetPixel("target", *target)] if target is not None else [],
        target_sigma_px=sigma_px,
        other={"tool": "pose"},
    )


def describe(inputs) -> str:
    """The figures the tool shows (recomputed from the inputs, as the writer stores them)."""
    from workbench.observations import pose_model as m

    r = m.compute(inputs)
    s = r.sigmas
    lines = [
        f"camera {r.lat_deg:.6f}, {r.lon_deg:.6f}, height {r.height_m:.1f} m "
        f"(± {s['height_m']:.1f} m); rms {r.rms_px:.2f} px",
        f"yaw {r.yaw_deg:.2f}, pitch {r.pitch_deg:.2f}, roll {r.roll_deg:.2f} deg; "
        f"field of view {r.hfov_deg:.2f} deg" + (f", k1 {r.k1:.3f}" if "k1" in r.estimated else ""),
    ]
    for t in r.targets:
        e = t.ellipse
        lines.append(
            f"target {t.lat_deg:.6f}, {t.lon_deg:.6f}, {t.range_m:,.0f} m away; 95% ellipse "
            f"{e.semi_major_m:,.1f} x {e.semi_minor_m:,.1f} m"
        )
    return "\n".join(lines)

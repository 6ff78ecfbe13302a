"""ResectionTool: where the camera stood, from three or more known landmarks seen in one frame.

The surveyor's three-point problem. The analyst picks a landmark (in the combo, or by clicking
it on the map), clicks it in the picture, and repeats for every landmark in view; sets the
horizontal field of view (from EXIF when the evidence has a 35 mm-equivalent focal length,
typed, or estimated from four or more landmarks) and optionally clicks two points on the
horizon to level the camera. "Resect" solves in a worker
(``workbench.geodata_resection.add_resection`` -> ``analysis.geometry.resection_frame``); the result
is stored as an undoable observation with every input, and the map shows the camera fix, its
95% ellipse and a line to each landmark. "Place camera here" adds a camera position at the
fix for the bearing tool.

The directions' one-sigma defaults to one click's precision (0.5 px) in degrees; an error in
the field of view scales every angle between landmarks, so a doubtful focal length should be
estimated (four or more landmarks) rather than typed, and the residuals show when the
directions disagree.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from analysis.geometry.bearing import DEFAULT_CLICK_SIGMA_PX
from analysis.geometry.ellipse import chi2_2dof_quantile
from analysis.geometry.resection_frame import FrameModel
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.fov_field import FovField, spin_box
from ui.geometry.pixel_tool import FrameRef, PixelTool, fill_combo
from ui.jobs import JobRunner
from workbench.geodata_resection import Sighting

SEEN_PREFIX = "seen "  # pixel keys of the landmarks: "seen <landmark id>"


class ResectionTool(PixelTool):
    """Frame-to-map resection tool (see the module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        picks: MapPicks | None = None,
    ):
        super().__init__(service, jobs, parent, picks=picks)
        self._sigma_typed = False
        self.last_result: dict[str, Any] | None = None
        self._inputs_seq = 0  # bumped by every change of the inputs: a late result is dropped
        self._solving = False
        self._build()
        self.inputs_changed.connect(self.recompute)
        self.armed_changed.connect(self._on_armed_changed)
        self.picks.landmark_picked.connect(self._on_picks_landmark_picked)
        self.recompute()

    def _build(self) -> None:
        self.landmark_combo = QComboBox()
        self.click_button = QPushButton("Click it in the frame")
        self.horizon_button = QPushButton("Level on horizon")
        self.horizon_button.setToolTip(
            "Click two points on the horizon, far apart: the camera's tilt (pitch and roll) "
            "is taken from the line through them."
        )
        self.remove_button = QPushButton("Remove selected")
        self.clear_button = QPushButton("Clear clicks")
        self.seen_list = QListWidget()
        self.fov = FovField()
        self.sigma_spin = spin_box(0.001, 45.0, 3, 0.1, " °")
        self.estimate_check = QCheckBox("Estimate it (four or more landmarks)")
        self.prompt_label = QLabel("")
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.resect_button = QPushButton("Resect")
        self.place_button = QPushButton("Place camera here")
        form = QFormLayout()
        form.addRow("Landmark", self.landmark_combo)
        form.addRow("", self.click_button)
        self.fov.setToolTip("Horizontal field of view of the camera that filmed this picture")
        form.addRow("Field of view", self.fov)
        form.addRow("", self.estimate_check)
        self.sigma_spin.setToolTip("One standard deviation of each landmark's direction")
        form.addRow("Uncertainty", self.sigma_spin)
        buttons = QHBoxLayout()
        for b in (self.horizon_button, self.remove_button, self.clear_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Landmarks clicked in this frame (three or more):"))
        rows = self.seen_list.fontMetrics().height()
        self.seen_list.setMaximumHeight(8 * rows)  # leave the room to the result below
        layout.addWidget(self.seen_list)
        layout.addLayout(buttons)
        layout.addWidget(self.prompt_label)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        result_area = QScrollArea()  # the figures stay readable in a short dock
        result_area.setWidgetResizable(True)
        result_area.setFrameShape(QFrame.Shape.NoFrame)
        result_area.setWidget(self.result_label)
        result_area.setMinimumHeight(6 * rows)
        layout.addWidget(result_area, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.resect_button)
        actions.addWidget(self.place_button)
        layout.addLayout(actions)
        self.click_button.clicked.connect(self.arm_selected_landmark)
        self.horizon_button.clicked.connect(lambda: self.arm("horizon 1"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_pixels)
        self.fov.changed.connect(self._on_fov_changed)
        self.sigma_spin.valueChanged.connect(self._on_sigma_spin_value_changed)
        self.estimate_check.toggled.connect(self._on_estimate_check_toggled)
        self.resect_button.clicked.connect(self.resect)
        self.place_button.clicked.connect(self.place_camera)

    # -- inputs -------------------------------------------------------------------------
    def set_frame(self, frame: FrameRef | None) -> None:
        """A new picture; the field of view comes from its EXIF focal length when it has one.

        Clicks belong to one frame: another frame of the same video (a panning camera shows
        the landmarks elsewhere) clears them, as another evidence does.
        """
        old = self.frame
        self.fov.follow_frame(old, frame)
        super().set_frame(frame)
        if old is not None and frame is not None and old.frame_index != frame.frame_index:
            self.clear_pixels()

    def _inputs_changed_since_result(self) -> None:
        """The fix shown (or being solved) no longer follows from the inputs."""
        self._inputs_seq += 1
        self.last_result = None

    def set_hfov(self, hfov_deg: float, source: str = "typed") -> None:
        self.fov.set_value(hfov_deg, source)

    def _on_fov_changed(self) -> None:
        self._inputs_changed_since_result()
        self.recompute()

    def _on_sigma_spin_value_changed(self, _value: float) -> None:
        self._sigma_typed = True
        self._inputs_changed_since_result()
        self.recompute()

    def _on_estimate_check_toggled(self, _checked: bool) -> None:
        self._inputs_changed_since_result()
        self.recompute()

    def set_pixel(self, key: str, pixel: tuple[float, float]) -> None:
        self._inputs_changed_since_result()
        super().set_pixel(key, pixel)

    def landmarks_changed(self) -> None:
        fill_combo(self.landmark_combo, self.landmarks, self.landmark_combo.currentData())

    def select_landmark(self, landmark_id_: int) -> bool:
        index = self.landmark_combo.findData(landmark_id_)
        if index >= 0:
            self.landmark_combo.setCurrentIndex(index)
        return index >= 0

    def _on_picks_landmark_picked(self, point_id: int) -> None:
        if self.isVisible():
            self.select_landmark(point_id)

    def arm_selected_landmark(self) -> None:
        mark_id = self.landmark_combo.currentData()
        if mark_id is None:
            self.show_error("No landmark", "Add landmarks on the map first, then pick one.")
            return
        self.arm(f"{SEEN_PREFIX}{int(mark_id)}")

    def marker_label(self, key: str) -> str:
        if key.startswith(SEEN_PREFIX):
            mark = self.landmark(int(key[len(SEEN_PREFIX) :]))
            return mark.name if mark else key
        return key

    def after_click(self, key: str) -> None:
        if key == "horizon 1":
            self.arm("horizon 2")

    def _on_armed_changed(self, key: str) -> None:
        if key.startswith(SEEN_PREFIX):
            mark = self.landmark(int(key[len(SEEN_PREFIX) :]))
            text = f"Click {mark.name if mark else 'the landmark'} in the picture"
        else:
            text = {
                "horizon 1": "Click a point on the horizon (1 of 2)",
                "horizon 2": "Click another point on the horizon, far from the first (2 of 2)",
            }.get(key, "")
        self.prompt_label.setText(text)

    def seen_pixels(self) -> dict[int, tuple[float, float]]:
        """Clicked landmarks: id -> pixel, in click order."""
        return {
            int(k[len(SEEN_PREFIX) :]): p
            for k, p in self.pixels.items()
            if k.startswith(SEEN_PREFIX)
        }

    def remove_selected(self) -> None:
        self._inputs_changed_since_result()
        for item in self.seen_list.selectedItems():
            key = f"{SEEN_PREFIX}{int(item.data(Qt.ItemDataRole.UserRole))}"
            self.pixels.pop(key, None)
            self.pixel_frames.pop(key, None)
            self.markers.remove(key)
        self.inputs_changed.emit()

    def horizon(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        px = self.pixels
        return (px["horizon 1"], px["horizon 2"]) if "horizon 2" in px else None

    # -- the result ---------------------------------------------------------------------
    def recompute(self) -> None:
        """Refresh the list, the default sigma and the buttons (no solving here)."""
        if self.frame is not None and not self._sigma_typed:
            sigma = DEFAULT_CLICK_SIGMA_PX * self.fov.value() / self.frame.width_px
            self.sigma_spin.blockSignals(True)
            self.sigma_spin.setValue(sigma)
            self.sigma_spin.blockSignals(False)
        self.seen_list.clear()
        for mark_id, (x, y) in self.seen_pixels().items():
            mark = self.landmark(mark_id)
            name = mark.name if mark else f"landmark {mark_id} (deleted)"
            item = QListWidgetItem(f"{name}: pixel ({x:.1f}, {y:.1f})")
            item.setData(Qt.ItemDataRole.UserRole, mark_id)
            self.seen_list.addItem(item)
        n = len(self.seen_pixels())
        level = "levelled on the horizon" if self.horizon() else "not levelled"
        least = 4 if self.estimate_check.isChecked() else 3
        if self.last_result is None:
            need = max(0, least - n)
            self.result_label.setText(
                f"{n} landmark(s) clicked, {level}."
                + (f" Click {need} more to resect." if need else " Ready to resect.")
            )
        ready = n >= least and self.frame is not None and self.case is not None
        self.resect_button.setEnabled(ready and not self._solving)
        self.place_button.setEnabled(self.last_result is not None and self.case is not None)

    def clear_pixels(self) -> None:
        self._inputs_changed_since_result()
        super().clear_pixels()

    def frame_model(self) -> FrameModel | None:
        frame = self.frame
        if frame is None:
            return None
        return FrameModel(
            frame.width_px,
            frame.height_px,
            self.fov.value(),
            frame.pixel_aspect,
            self.horizon(),
        )

    def resect(self) -> None:
        """Solve in a worker and store the result (undoable); the map shows the fix."""
        frame, model, pixels = self.frame, self.frame_model(), self.seen_pixels()
        least = 4 if self.estimate_check.isChecked() else 3
        if frame is None or model is None or len(pixels) < least or self.case is None:
            self.show_error("Resection", f"Click {least} or more landmarks in the frame.")
            return
        extra = {
            "tool": "resection_tool",
            "evidence_sha256": frame.evidence_sha256,
            "hfov_source": "estimated" if self.estimate_check.isChecked() else self.fov.source,
            "click_sigma_px": DEFAULT_CLICK_SIGMA_PX if not self._sigma_typed else None,
        }
        self._solving = True
        self.resect_button.setEnabled(False)  # one resection per press, not one per click
        seq = self._inputs_seq
        self.service.resect(
            model,
            [Sighting(i, p) for i, p in pixels.items()],
            sigma_deg=self.sigma_spin.value(),
            estimate_hfov=self.estimate_check.isChecked(),
            evidence_id=frame.evidence_id,
            frame_index=frame.frame_index,
            extra_inputs=extra,
            on_result=lambda result: self._on_resected(seq, result),
            on_done=self._on_resect_done,
        )

    def _on_resected(self, seq: int, result: dict[str, Any]) -> None:
        if seq == self._inputs_seq:  # not if a click, the picture or a value changed meanwhile
            self.show_result(result)

    def _on_resect_done(self) -> None:
        self._solving = False
        self.recompute()

    def show_result(self, result: dict[str, Any]) -> None:
        self.last_result = result
        e = result["ellipse"]
        lines = [
            f"Camera at {result['lat_deg']:.6f}, {result['lon_deg']:.6f}",
            f"{e['confidence'] * 100:.0f}% ellipse {e['semi_major_m']:.1f} m x "
            f"{e['semi_minor_m']:.1f} m, major axis {e['azimuth_deg']:.1f}°",
            f"Optical axis {result['orientation_deg']:.2f}° ± "
            f"{result['orientation_sigma_deg']:.2f}°; pitch {result['pitch_deg']:.2f}°, "
            f"roll {result['roll_deg']:.2f}°",
            "Residuals: "
            + ", ".join(f"{r['landmark']} {r['residual_deg']:+.3f}°" for r in result["residuals"]),
        ]
        if result.get("hfov_sigma_deg") is not None:
            lines.insert(
                3,
                f"Field of view estimated: {result['hfov_deg']:.2f}° ± "
                f"{result['hfov_sigma_deg']:.2f}°",
            )
        if not result["well_conditioned"]:
            lines.append(f"⚠ {result['message']}")
        self.result_label.setText("\n".join(lines))
        self.place_button.setEnabled(self.case is not None)

    def place_camera(self) -> None:
        """A camera position at the resected fix (undoable, like one placed on the map)."""
        r = self.last_result
        if r is None:
            return
        frame = self.frame
        name = f"Camera of {frame.evidence_name} (resected)" if frame else "Resected camera"
        self.service.add_point(
            "camera",
            name,
            r["lat_deg"],
            r["lon_deg"],
            evidence_id=frame.evidence_id if frame else None,
            notes=f"resection: {r['message']}",
            position_sigma_m=resected_sigma_m(r.get("ellipse")),
        )


def resected_sigma_m(ellipse: dict | None) -> float | None:
    """A resected camera's one-sigma per axis: its ellipse's long axis over the chi-square
    scale of its confidence (the cautious axis); None without an ellipse."""
    if not ellipse:
        return None
    k = math.sqrt(chi2_2dof_quantile(float(ellipse["confidence"])))
    return float(ellipse["semi_major_m"]) / k

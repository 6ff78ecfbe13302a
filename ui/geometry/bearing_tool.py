"""BearingTool: the azimuth of a target seen in a frame, from a reference landmark's pixel.

The analyst (a) picks the camera position (a camera landmark, or clicks one on the map),
(b) clicks the reference landmark's pixel and says which landmark it is, (c) clicks the
target's pixel, (d) sets the horizontal field of view (from EXIF when the evidence has a
35 mm-equivalent focal length, typed, or from a second reference landmark clicked in the
frame: ``hfov_from_references``) and the one-sigma, and optionally clicks two points on the
horizon to level the camera. The maths is ``analysis.geometry.bearing.solve_bearing``;
"Add bearing" stores an undoable bearing observation with every input
(``GeodataService.add_bearing`` -> ``geodata.add_bearing(extra_inputs=...)``), and the map
draws the ray and the field-of-view wedge. "Intersect selected bearings" triangulates in a worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from analysis.errors import GeometryError
from analysis.geometry.bearing import (
    DEFAULT_CLICK_SIGMA_PX,
    BearingSetup,
    BearingSolution,
    RangeEstimate,
    default_sigma_deg,
    hfov_from_references,
    range_from_height,
    solve_bearing,
)
from analysis.geometry.geodesy import LatLon
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.fov_field import FovField, spin_box
from ui.geometry.pixel_tool import FrameRef, PixelTool, fill_combo
from ui.jobs import JobRunner
from workbench.observations.bearing_measure import measured_bearing
from workbench.observations.bearing_model import (
    BearingInputs,
    BearingMeasurement,
    RangeInputs,
    SecondReference,
    extra_inputs,
)

PICK_RADIUS_DEG = 1e-6  # a camera placed on the map is found again within ~0.1 m


class BearingTool(PixelTool):
    """Frame-to-map bearing tool (see the module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        picks: MapPicks | None = None,
    ):
        super().__init__(service, jobs, parent, picks=picks)
        self.solution: BearingSolution | None = None
        self.range: RangeEstimate | None = None
        self._fov_calibration: SecondReference | None = None  # a field of view's references
        self._sigma_typed = False
        self._pending_camera: tuple[float, float] | None = None
        self._build()
        self.inputs_changed.connect(self.recompute)
        self.armed_changed.connect(self._on_armed_changed)
        self.picks.point_placed.connect(self._on_picks_point_placed)
        self.picks.landmark_picked.connect(self._on_picks_landmark_picked)

    # -- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.camera_combo = QComboBox()
        self.reference_combo = QComboBox()
        self.reference_button = QPushButton("Click reference")
        self.target_button = QPushButton("Click target")
        self.horizon_button = QPushButton("Click horizon (2)")
        self.clear_button = QPushButton("Clear clicks")
        self.reference2_combo = QComboBox()
        self.reference2_button = QPushButton("Click it")
        self.fov_button = QPushButton("FOV from the two references")
        self.height_spin = spin_box(0.0, 2000.0, 1, 0.0, " m")
        self.height_spin.setSpecialValueText("no range")
        self.height_sigma_spin = spin_box(0.0, 500.0, 1, 0.0, " m")
        self.height_sigma_spin.setPrefix("± ")
        self.height_button = QPushButton("Click top, bottom")
        self.fov = FovField()
        self.sigma_spin = spin_box(0.001, 45.0, 3, 0.1, " °")
        self.range_spin = spin_box(100.0, 100000.0, 0, 5000.0, " m")
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt_label = QLabel("")
        self.add_button = QPushButton("Add bearing")
        self.bearing_list = QListWidget()
        self.intersect_button = QPushButton("Intersect selected bearings")
        form = QFormLayout()
        form.addRow("Camera", self.camera_combo)
        form.addRow("Reference", self.reference_combo)
        clicks = QHBoxLayout()
        for b in (self.reference_button, self.target_button, self.horizon_button):
            clicks.addWidget(b)
        form.addRow("Clicks", clicks)
        form.addRow("", self.clear_button)
        form.addRow("Horizontal FOV", self.fov)
        second = QHBoxLayout()
        second.addWidget(self.reference2_combo, 1)
        second.addWidget(self.reference2_button)
        form.addRow("2nd reference", second)
        form.addRow("", self.fov_button)
        form.addRow("Sigma (1σ)", self.sigma_spin)
        height = QHBoxLayout()
        height.addWidget(self.height_spin, 1)
        height.addWidget(self.height_sigma_spin)
        height.addWidget(self.height_button)
        form.addRow("Target height", height)
        form.addRow("Ray length", self.range_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.add_button)
        layout.addWidget(QLabel("Bearings (tick two or more):"))
        layout.addWidget(self.bearing_list, 1)
        layout.addWidget(self.intersect_button)
        self._connect()

    def _connect(self) -> None:
        self.reference_button.clicked.connect(lambda: self.arm("reference"))
        self.target_button.clicked.connect(lambda: self.arm("target"))
        self.horizon_button.clicked.connect(lambda: self.arm("horizon 1"))
        self.clear_button.clicked.connect(self.clear_pixels)
        self.reference2_button.clicked.connect(lambda: self.arm("reference2"))
        self.reference2_combo.activated.connect(self._on_reference2_activated)
        self.reference_combo.activated.connect(lambda _i: self._fov_inputs_changed())
        self.fov_button.clicked.connect(self.fov_from_references)
        self.height_button.clicked.connect(lambda: self.arm("top"))
        self.height_spin.valueChanged.connect(lambda _v: self.recompute())
        self.height_sigma_spin.valueChanged.connect(lambda _v: self.recompute())
        # ``activated`` (a user's choice) rather than currentIndexChanged, which a combo also
        # emits while it is being destroyed, when the rest of the tool may already be gone.
        self.camera_combo.activated.connect(self._on_combo_activated)
        self.reference_combo.activated.connect(self._on_combo_activated)
        self.fov.changed.connect(self._on_fov_changed)
        self.sigma_spin.valueChanged.connect(self._on_sigma_spin_value_changed)
        self.add_button.clicked.connect(self.add_bearing)
        self.intersect_button.clicked.connect(self.intersect_selected)
        self.bearing_list.itemChanged.connect(self._on_bearing_list_item_changed)
        self._update_buttons()

    # -- inputs -------------------------------------------------------------------------
    def set_frame(self, frame: FrameRef | None) -> None:
        """A new picture; the field of view comes from its EXIF focal length when it has one."""
        self.fov.follow_frame(self.frame, frame)
        super().set_frame(frame)

    def set_hfov(self, hfov_deg: float, source: str = "typed") -> None:
        self.fov.set_value(hfov_deg, source)

    def _on_fov_changed(self) -> None:
        self.recompute()

    def _on_sigma_spin_value_changed(self, _value: float) -> None:
        self._sigma_typed = True

    def set_sigma(self, sigma_deg: float | None) -> None:
        """Type a sigma (None returns to the default from the click precision)."""
        self._sigma_typed = sigma_deg is not None
        if sigma_deg is not None:
            self.sigma_spin.blockSignals(True)
            self.sigma_spin.setValue(sigma_deg)
            self.sigma_spin.blockSignals(False)
        self.recompute()

    def _on_combo_activated(self, _index: int) -> None:
        self.recompute()

    def select_camera(self, camera_id: int) -> bool:
        index = self.camera_combo.findData(camera_id)
        if index >= 0:
            self.camera_combo.setCurrentIndex(index)
            self.recompute()
        return index >= 0

    def select_reference(self, landmark_id: int) -> bool:
        index = self.reference_combo.findData(landmark_id)
        if index >= 0:
            self.reference_combo.setCurrentIndex(index)
            self.recompute()
        return index >= 0

    def landmarks_changed(self) -> None:
        cameras = [m for m in self.landmarks if m.kind == "camera"]
        others = [m for m in self.landmarks if m.kind != "camera"]
        fill_combo(self.camera_combo, cameras, self.camera_combo.currentData())
        fill_combo(self.reference_combo, others, self.reference_combo.currentData())
        keep_second = self.reference2_combo.currentData()
        fill_combo(self.reference2_combo, others, keep_second)
        if keep_second is None and self.reference2_combo.count() > 1:
            self.reference2_combo.setCurrentIndex(1)  # a second reference differs from the first
        if self._pending_camera is not None:
            lat, lon = self._pending_camera
            for m in cameras:
                if (
                    abs(m.lat_deg - lat) < PICK_RADIUS_DEG
                    and abs(m.lon_deg - lon) < PICK_RADIUS_DEG
                ):
                    self.select_camera(m.id)
                    self._pending_camera = None
        self._fill_bearing_list()

    def _fill_bearing_list(self) -> None:
        ticked = set(self.selected_bearing_ids())
        self.bearing_list.blockSignals(True)
        self.bearing_list.clear()
        names = {m.id: m.name for m in self.landmarks}
        for obs in self.bearings:
            cam = names.get(obs.inputs.get("camera_id"), "?")
            text = f"#{obs.id}  {obs.result['azimuth_deg']:.3f}° from {cam}"
            if obs.frame_index is not None:
                text += f", frame {obs.frame_index}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, obs.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = obs.id in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.bearing_list.addItem(item)
        self.bearing_list.blockSignals(False)
        self._update_buttons()

    def _on_bearing_list_item_changed(self, _item: QListWidgetItem) -> None:
        self._update_buttons()

    def selected_bearing_ids(self) -> list[int]:
        return [
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.bearing_list.item(k) for k in range(self.bearing_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_bearing_checked(self, observation_id: int, checked: bool = True) -> None:
        for k in range(self.bearing_list.count()):
            item = self.bearing_list.item(k)
            if item.data(Qt.ItemDataRole.UserRole) == observation_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    # -- map clicks ---------------------------------------------------------------------
    def _on_picks_point_placed(self, tool: str, lat: float, lon: float) -> None:
        if tool == "camera":  # the map adds the camera; select it once it is listed
            self._pending_camera = (lat, lon)

    def _on_picks_landmark_picked(self, point_id: int) -> None:
        if not self.select_camera(point_id):
            self.select_reference(point_id)

    # -- clicks -------------------------------------------------------------------------
    def _on_reference2_activated(self, _index: int) -> None:
        self._fov_inputs_changed()
        self.recompute()

    def set_pixel(self, key: str, pixel: tuple[float, float]) -> None:
        super().set_pixel(key, pixel)
        if key in ("reference", "reference2"):
            self._fov_inputs_changed()

    def after_click(self, key: str) -> None:
        if key == "horizon 1":
            self.arm("horizon 2")
        elif key == "top":
            self.arm("bottom")

    def _on_armed_changed(self, key: str) -> None:
        prompts = {
            "reference": "Click the reference landmark in the picture",
            "target": "Click the target in the picture",
            "reference2": "Click the second reference landmark in the picture",
            "top": "Click the top of the target (an object of known height)",
            "bottom": "Click the bottom of the target, right below its top",
            "horizon 1": "Click a point on the horizon (1 of 2)",
            "horizon 2": "Click another point on the horizon, far from the first (2 of 2)",
        }
        self.prompt_label.setText(prompts.get(key, ""))

    # -- the result ---------------------------------------------------------------------
    def setup(self) -> BearingSetup | None:
        """The inputs as the maths needs them, or None while something is missing."""
        frame, px = self.frame, self.pixels
        camera = self.landmark(self.camera_combo.currentData())
        reference = self.landmark(self.reference_combo.currentData())
        if frame is None or camera is None or reference is None:
            return None
        if "reference" not in px or "target" not in px:
            return None
        horizon = (px["horizon 1"], px["horizon 2"]) if "horizon 2" in px else None
        return BearingSetup(
            width_px=frame.width_px,
            height_px=frame.height_px,
            hfov_deg=self.fov.value(),
            camera_position=LatLon(camera.lat_deg, camera.lon_deg),
            reference_position=LatLon(reference.lat_deg, reference.lon_deg),
            reference_px=px["reference"],
            target_px=px["target"],
            horizon_px=horizon,
            pixel_aspect=frame.pixel_aspect,
        )

    def recompute(self) -> None:
        """Solve again from the current inputs (microseconds: pure arithmetic)."""
        if self.frame is not None and not self._sigma_typed:
            sigma = default_sigma_deg(self.frame.width_px, self.fov.value())
            self.sigma_spin.blockSignals(True)
            self.sigma_spin.setValue(sigma)
            self.sigma_spin.blockSignals(False)
        setup = self.setup()
        self.solution = self.range = None
        try:
            self.solution = solve_bearing(setup) if setup is not None else None
            self.range = self._range(setup)
        except GeometryError as exc:
            self.result_label.setText(f"⚠ {exc}")
        else:
            self.result_label.setText(self._describe(setup))
        self._update_buttons()

    def _range(self, setup: BearingSetup | None) -> RangeEstimate | None:
        """The target's distance from its height, when a height is set and both ends clicked."""
        height, px = self.height_spin.value(), self.pixels
        if setup is None or height <= 0.0 or "top" not in px or "bottom" not in px:
            return None
        sigma = self.height_sigma_spin.value()
        return range_from_height(setup, px["top"], px["bottom"], height, sigma)

    def _describe(self, setup: BearingSetup | None) -> str:
        s = self.solution
        if s is None or setup is None:
            missing = [k for k in ("reference", "target") if k not in self.pixels]
            need = ", ".join(f"click the {k}" for k in missing) or "pick a camera and reference"
            return f"To measure: {need}."
        level = (
            f"levelled on the horizon: pitch {s.pitch_deg:.2f}°, roll {s.roll_deg:.2f}°"
            if setup.horizon_px
            else "not levelled (pitch and roll taken as 0)"
        )
        text = (
            f"Target azimuth {s.azimuth_deg:.3f}° ± {self.sigma_spin.value():.3f}° "
            f"(elevation {s.elevation_deg:.2f}°)\n"
            f"Reference azimuth {s.reference_azimuth_deg:.3f}°, optical axis "
            f"{s.view_azimuth_deg:.2f}°; {level}"
        )
        r = self.range
        if r is not None:
            text += (
                f"\nRange {r.distance_m:,.0f} m ± {r.sigma_m:,.0f} m (1σ: clicks and height) "
                f"from a {r.height_m:g} ± {r.height_sigma_m:g} m height spanning "
                f"{r.span_px:.1f} px"
            )
        frames = self.click_frames()
        if len(set(frames.values())) > 1:
            shown = ", ".join(f"{k} on frame {f}" for k, f in frames.items())
            text += (
                f"\n⚠ clicked on different frames ({shown}): right only if the camera did not move"
            )
        return text

    def click_frames(self) -> dict[str, int | None]:
        """The frame each click of the bearing was made on (reference, target, horizon)."""
        return {k: self.pixel_frames.get(k) for k in self.pixels}

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.solution is not None and self.case is not None)
        self.fov_button.setEnabled(self._fov_references() is not None)
        self.intersect_button.setEnabled(len(self.selected_bearing_ids()) >= 2)

    # -- writes -------------------------------------------------------------------------
    def add_bearing(self) -> None:
        """Store the bearing (undoable) with its inputs; the map shows the ray and wedge."""
        setup, s, frame = self.setup(), self.solution, self.frame
        if setup is None or s is None or frame is None or self.case is None:
            return
        inputs = self.bearing_inputs(setup)
        self.service.add_bearing(
            self.camera_combo.currentData(),
            inputs.azimuth_deg,
            inputs.sigma_deg,
            evidence_id=frame.evidence_id,
            frame_index=frame.frame_index,
            hfov_deg=inputs.hfov_deg,
            view_azimuth_deg=inputs.view_azimuth_deg,
            range_m=inputs.range_m,
            extra_inputs=extra_inputs(inputs),
        )

    def bearing_inputs(self, setup: BearingSetup) -> BearingInputs:
        """The typed inputs of the bearing on screen: what was measured, as stored."""
        camera = self.landmark(self.camera_combo.currentData())
        reference = self.landmark(self.reference_combo.currentData())
        typed = self._sigma_typed
        from_references = self.fov.source.startswith("from references")
        measured = BearingMeasurement(
            setup.width_px,
            setup.height_px,
            hfov_deg=setup.hfov_deg,
            hfov_source=self.fov.source,
            reference_lat_deg=reference.lat_deg,
            reference_lon_deg=reference.lon_deg,
            reference_px=setup.reference_px,
            target_px=setup.target_px,
            reference_id=reference.id,
            reference_name=reference.name,
            horizon_px=setup.horizon_px,
            pixel_aspect=setup.pixel_aspect,
            click_sigma_px=None if typed else DEFAULT_CLICK_SIGMA_PX,
            sigma_decimals=None if typed else self.sigma_spin.decimals(),  # as shown, stored
            second_reference=self._fov_calibration if from_references else None,
            evidence_sha256=self.frame.evidence_sha256 if self.frame else None,
        )
        r, px = self.range, self.pixels
        ranged = None
        if r is not None:  # its clicks' sigma: the default, as range_from_height took it
            ranged = RangeInputs(
                px["top"],
                px["bottom"],
                r.height_m,
                r.height_sigma_m,
                distance_m=r.distance_m,
                sigma_m=r.sigma_m,
            )
        return measured_bearing(
            camera.id,
            camera.position,
            measured,
            sigma_deg=self.sigma_spin.value(),
            range_m=self.range_spin.value(),
            range_inputs=ranged,
            other={"tool": "bearing_tool", "click_frames": self.click_frames()},
        )

    def _fov_references(self):
        """(camera, first reference, second reference) when both are picked and clicked."""
        camera = self.landmark(self.camera_combo.currentData())
        first = self.landmark(self.reference_combo.currentData())
        second = self.landmark(self.reference2_combo.currentData())
        if self.frame is None or None in (camera, first, second) or first.id == second.id:
            return None
        if "reference" not in self.pixels or "reference2" not in self.pixels:
            return None
        return camera, first, second

    def fov_from_references(self) -> None:
        """Set the field of view from the two references' pixels (pure arithmetic, quick)."""
        picked, frame = self._fov_references(), self.frame
        if picked is None or frame is None:
            self.show_error("Field of view", "Pick and click two different references first.")
            return
        camera, first, second = picked
        horizon = (
            (self.pixels["horizon 1"], self.pixels["horizon 2"])
            if "horizon 2" in self.pixels
            else None
        )
        try:
            fit = hfov_from_references(
                frame.width_px,
                frame.height_px,
                camera.position,
                (
                    (first.position, self.pixels["reference"]),
                    (second.position, self.pixels["reference2"]),
                ),
                horizon_px=horizon,
                pixel_aspect=frame.pixel_aspect,
                near_deg=self.fov.value(),
            )
        except GeometryError as exc:
            self.show_error("Field of view", exc)
            return
        source = f"from references {first.name} and {second.name}"
        if fit.rival_deg is not None:
            source += f" ({fit.rival_deg:.1f}° fits as well)"
        self.set_hfov(fit.hfov_deg, source)
        self._fov_calibration = SecondReference(
            second.id,
            second.name,
            second.lat_deg,
            second.lon_deg,
            self.pixels["reference2"],
            first.id,
            self.pixels["reference"],
            first.lat_deg,
            first.lon_deg,
            horizon,
            fit.rival_deg,
        )

    def _fov_inputs_changed(self) -> None:
        """A reference moved after the field of view was taken from the references: say so."""
        stale = " (the references changed since)"
        source = self.fov.source
        if self._fov_calibration is None or not source.startswith("from references"):
            return
        if stale not in source:
            self.fov.set_value(self.fov.value(), source + stale)

    def intersect_selected(self) -> None:
        """Triangulate the ticked bearings in a worker; the ellipse appears on the map."""
        ids = self.selected_bearing_ids()
        if len(ids) < 2:
            self.show_error("Intersect bearings", "Tick two or more bearings.")
            return
        self.service.triangulate(ids)

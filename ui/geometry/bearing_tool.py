"""BearingTool: the azimuth of a target seen in a frame, from a reference landmark's pixel.

The analyst (a) has the camera position chosen for them: it follows the video on screen (the
camera position linked to that evidence), and a camera linked to another video is refused
with the reason, (b) clicks the reference landmark's pixel and says which landmark it is (by
default one used as a reference before, never a target), (c) clicks the target's pixel, (d)
sets the horizontal field of view (from EXIF, typed, or from a second landmark clicked in the
frame: ``bearing_fov``; it belongs to its camera and is not carried over), and optionally
levels the camera on two horizon clicks. The uncertainty is built from its parts
(``analysis.geometry.bearing_sigma``: clicks at the zoom used, the landmark's and camera's
position, the field of view, levelling) and shown as a sum the analyst can open
(``bearing_sigma_panel``). "Add bearing" stores an undoable bearing with every input and
what each was worth (``measured_bearing``); the map draws the ray and the field-of-view
wedge. "Intersect selected bearings" triangulates in a worker (``bearing_list``).
"""

from __future__ import annotations

from collections import Counter

from analysis.errors import GeometryError
from analysis.geometry.bearing import (
    BearingSetup,
    BearingSolution,
    RangeEstimate,
    range_from_height,
    solve_bearing,
)
from analysis.geometry.bearing_sigma import BearingSigma
from analysis.geometry.geodesy import LatLon
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.bearing_describe import describe_bearing
from ui.geometry.bearing_form import build_bearing_form
from ui.geometry.bearing_fov import BearingFovMixin
from ui.geometry.bearing_list import BearingListMixin
from ui.geometry.bearing_write import BearingWriteMixin
from ui.geometry.pixel_tool import FrameRef, PixelTool, fill_combo
from ui.jobs import JobRunner

PICK_RADIUS_DEG = 1e-6  # a camera placed on the map is found again within ~0.1 m
SIGMA_DECIMALS = 3  # the uncertainty spin box's


class BearingTool(BearingWriteMixin, BearingFovMixin, BearingListMixin, PixelTool):
    """Frame-to-map bearing tool (see the module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent=None,
        *,
        picks: MapPicks | None = None,
    ):
        super().__init__(service, jobs, parent, picks=picks)
        self.solution: BearingSolution | None = None
        self.range: RangeEstimate | None = None
        self.sigma_parts: BearingSigma | None = None
        self.refusal = ""  # why the camera cannot be used with the picture on screen
        self._fov_calibration = None  # a field of view's references (SecondReference)
        self._fovs: dict = {}  # (evidence id, camera id) -> (hfov, source, calibration)
        self._click_zooms: dict[str, float] = {}
        self._sigma_typed = False
        self._pending_camera: tuple[float, float] | None = None
        build_bearing_form(self)
        self._connect()
        self.inputs_changed.connect(self.recompute)
        self.armed_changed.connect(self._on_armed_changed)
        self.picks.point_placed.connect(self._on_picks_point_placed)
        self.picks.landmark_picked.connect(self._on_picks_landmark_picked)

    def _connect(self) -> None:
        self.reference_button.clicked.connect(lambda: self.arm("reference"))
        self.target_button.clicked.connect(lambda: self.arm("target"))
        self.horizon_button.clicked.connect(lambda: self.arm("horizon 1"))
        self.clear_button.clicked.connect(self.clear_pixels)
        self.reference2_button.clicked.connect(lambda: self.arm("reference2"))
        self.reference2_combo.activated.connect(self._on_reference2_activated)
        self.fov_button.clicked.connect(self.fov_from_references)
        self.height_button.clicked.connect(lambda: self.arm("top"))
        self.height_spin.valueChanged.connect(lambda _v: self.recompute())
        self.height_sigma_spin.valueChanged.connect(lambda _v: self.recompute())
        # ``activated`` (a user's choice) rather than currentIndexChanged, which a combo also
        # emits while it is being destroyed, when the rest of the tool may already be gone.
        self.camera_combo.activated.connect(self._on_camera_combo_activated)
        self.reference_combo.activated.connect(self._on_reference_combo_activated)
        self.fov.changed.connect(self._on_fov_changed)
        self.sigma_spin.valueChanged.connect(self._on_sigma_spin_value_changed)
        self.sigma_panel.changed.connect(self.recompute)
        self.sigma_panel.point_sigma_edited.connect(self._on_sigma_panel_point_sigma_edited)
        self.add_button.clicked.connect(self.add_bearing)
        self.intersect_button.clicked.connect(self.intersect_selected)
        self.bearing_list.itemChanged.connect(self._on_bearing_list_item_changed)
        self._update_buttons()

    # -- inputs -------------------------------------------------------------------------
    def set_frame(self, frame: FrameRef | None) -> None:
        """A new picture: its camera position and that camera's field of view come with it."""
        old = self.frame
        super().set_frame(frame)
        if frame is not None and (old is None or old.evidence_id != frame.evidence_id):
            self._follow_frame_camera()
            self.restore_fov()

    def _follow_frame_camera(self) -> bool:
        """Choose the camera position linked to the picture's evidence; whether it changed."""
        frame = self.frame
        linked = [m for m in self._cameras() if frame and m.evidence_id == frame.evidence_id]
        if not linked or self.camera_combo.currentData() in {m.id for m in linked}:
            return False
        self.camera_combo.setCurrentIndex(self.camera_combo.findData(linked[0].id))
        self._show_point_sigmas()
        return True

    def _cameras(self):
        return [m for m in self.landmarks if m.kind == "camera"]

    def set_hfov(self, hfov_deg: float, source: str = "typed") -> None:
        self.fov.set_value(hfov_deg, source)

    def _on_fov_changed(self) -> None:
        self.remember_fov()
        self.recompute()

    def _on_sigma_spin_value_changed(self, _value: float) -> None:
        self._sigma_typed = True
        self.recompute()

    def set_sigma(self, sigma_deg: float | None) -> None:
        """Type a sigma (None returns to the sigma built from its parts)."""
        self._sigma_typed = sigma_deg is not None
        if sigma_deg is not None:
            self.sigma_spin.blockSignals(True)
            self.sigma_spin.setValue(sigma_deg)
            self.sigma_spin.blockSignals(False)
        self.recompute()

    def _on_camera_combo_activated(self, _index: int) -> None:
        self.restore_fov()
        self._show_point_sigmas()
        self.recompute()

    def _on_reference_combo_activated(self, _index: int) -> None:
        self._fov_inputs_changed()
        self._show_point_sigmas()
        self.recompute()

    def select_camera(self, camera_id: int) -> bool:
        index = self.camera_combo.findData(camera_id)
        if index >= 0 and index != self.camera_combo.currentIndex():
            was = self.camera_combo.currentData()
            self.camera_combo.setCurrentIndex(index)
            self.remember_fov() if was is None else self.restore_fov()
        if index >= 0:
            self._show_point_sigmas()
            self.recompute()
        return index >= 0

    def select_reference(self, landmark_id: int) -> bool:
        index = self.reference_combo.findData(landmark_id)
        if index >= 0:
            self.reference_combo.setCurrentIndex(index)
            self._show_point_sigmas()
            self.recompute()
        return index >= 0

    def landmarks_changed(self) -> None:
        cameras = self._cameras()
        others = [m for m in self.landmarks if m.kind != "camera"]
        had_camera = self.camera_combo.currentData()
        fill_combo(self.camera_combo, cameras, had_camera)
        keep = self.reference_combo.currentData()
        fill_combo(self.reference_combo, others, keep if keep is not None else self._usual())
        keep_second = self.reference2_combo.currentData()
        fill_combo(self.reference2_combo, others, keep_second)
        if keep_second is None and self.reference2_combo.count() > 1:
            first = self.reference_combo.currentData()
            pick = [m.id for m in others if m.id != first and m.kind == "landmark"]
            pick = pick or [m.id for m in others if m.id != first]
            self.reference2_combo.setCurrentIndex(self.reference2_combo.findData(pick[0]))
        if self._pending_camera is not None:
            lat, lon = self._pending_camera
            for m in cameras:
                near = abs(m.lat_deg - lat) < PICK_RADIUS_DEG
                if near and abs(m.lon_deg - lon) < PICK_RADIUS_DEG:
                    self.select_camera(m.id)
                    self._pending_camera = None
        if self._follow_frame_camera() or had_camera is None:
            self.restore_fov() if had_camera is not None else self.remember_fov()
        self._show_point_sigmas()
        self._fill_bearing_list()

    def _usual(self) -> int | None:
        """The default reference: the one earlier bearings used most, else the first landmark
        that is not a target (the thing being located is no reference)."""
        used = Counter(o.inputs.get("reference_id") for o in self.bearings)
        ids = {m.id for m in self.landmarks if m.kind == "landmark"}
        for ref, _n in used.most_common():
            if ref in ids:
                return ref
        return next((m.id for m in self.landmarks if m.kind == "landmark"), None)

    def _show_point_sigmas(self) -> None:
        camera = self.landmark(self.camera_combo.currentData())
        reference = self.landmark(self.reference_combo.currentData())
        self.sigma_panel.show_points(
            None if reference is None else reference.sigma_or_default_m(),
            None if camera is None else camera.sigma_or_default_m(),
        )

    def _on_sigma_panel_point_sigma_edited(self, which: str, metres: float) -> None:
        combo = self.reference_combo if which == "reference" else self.camera_combo
        point = self.landmark(combo.currentData())
        if point is not None and point.position_sigma_m != metres:
            self.service.set_point_sigma(point.id, point.position_sigma_m, metres)
        self.recompute()

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

    def on_pixel_clicked(self, x_px: float, y_px: float) -> None:
        """A click: the view's zoom then sets how precise a click can be."""
        if self.armed_key and self.viewer is not None:
            self._click_zooms[self.armed_key] = self.viewer.zoom
            self.sigma_panel.set_zoom(min(self._click_zooms.values()))
        super().on_pixel_clicked(x_px, y_px)

    def clear_pixels(self) -> None:
        self._click_zooms = {}
        super().clear_pixels()

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
            "reference2": "Click the second landmark in the picture",
            "top": "Click the top of the target (an object of known height)",
            "bottom": "Click the bottom of the target, right below its top",
            "horizon 1": "Click a point on the horizon (1 of 2)",
            "horizon 2": "Click another point on the horizon, far from the first (2 of 2)",
        }
        self.prompt_label.setText(prompts.get(key, ""))

    # -- the result ---------------------------------------------------------------------
    def horizon(self):
        px = self.pixels
        return (px["horizon 1"], px["horizon 2"]) if "horizon 2" in px else None

    def setup(self) -> BearingSetup | None:
        """The inputs as the maths needs them, or None while something is missing."""
        frame, px = self.frame, self.pixels
        camera = self.landmark(self.camera_combo.currentData())
        reference = self.landmark(self.reference_combo.currentData())
        if frame is None or camera is None or reference is None:
            return None
        if "reference" not in px or "target" not in px:
            return None
        return BearingSetup(
            width_px=frame.width_px,
            height_px=frame.height_px,
            hfov_deg=self.fov.value(),
            camera_position=LatLon(camera.lat_deg, camera.lon_deg),
            reference_position=LatLon(reference.lat_deg, reference.lon_deg),
            reference_px=px["reference"],
            target_px=px["target"],
            horizon_px=self.horizon(),
            pixel_aspect=frame.pixel_aspect,
        )

    def camera_refusal(self) -> str:
        """Why the chosen camera cannot measure on the picture on screen ("" when it can)."""
        frame = self.frame
        camera = self.landmark(self.camera_combo.currentData())
        if frame is None or camera is None:
            return ""
        linked = [m for m in self._cameras() if m.evidence_id == frame.evidence_id]
        if camera.evidence_id is not None and camera.evidence_id != frame.evidence_id:
            owner = next((m.name for m in linked), None)
            fix = f"choose “{owner}”" if owner else "place this video's camera on the map"
            return (
                f"Not measured: the camera “{camera.name}” is where another video was filmed "
                f"(evidence #{camera.evidence_id}), not {frame.evidence_name}; {fix}."
            )
        if linked and camera.id not in {m.id for m in linked}:
            return (
                f"Not measured: {frame.evidence_name} was filmed from “{linked[0].name}”, "
                f"not from “{camera.name}”."
            )
        return ""

    def recompute(self) -> None:
        """Solve again from the current inputs (a few milliseconds: arithmetic)."""
        setup = self.setup()
        self.solution = self.range = self.sigma_parts = None
        self.refusal = self.camera_refusal()
        self.refusal_label.setText(self.refusal)
        self.refusal_label.setVisible(bool(self.refusal))
        try:
            if setup is not None and not self.refusal:
                self.solution = solve_bearing(setup)
                self.sigma_parts = self._breakdown(setup)
                self.range = self._range(setup)
        except GeometryError as exc:
            self.solution = None
            self.result_label.setText(f"⚠ {exc}")
        else:
            if self.sigma_parts is not None and not self._sigma_typed:
                self.sigma_spin.blockSignals(True)
                self.sigma_spin.setValue(max(self.sigma_parts.sigma_deg, 10.0**-SIGMA_DECIMALS))
                self.sigma_spin.blockSignals(False)
            self.result_label.setText(describe_bearing(self, setup))
        self.sigma_panel.show_sigma(None if self._sigma_typed else self.sigma_parts)
        self._update_buttons()

    def _range(self, setup: BearingSetup | None) -> RangeEstimate | None:
        """The target's distance from its height, when a height is set and both ends clicked."""
        height, px = self.height_spin.value(), self.pixels
        if setup is None or height <= 0.0 or "top" not in px or "bottom" not in px:
            return None
        sigma = self.height_sigma_spin.value()
        return range_from_height(setup, px["top"], px["bottom"], height, sigma)

    def click_frames(self) -> dict[str, int | None]:
        """The frame each click of the bearing was made on (reference, target, horizon)."""
        return {k: self.pixel_frames.get(k) for k in self.pixels}

    def _update_buttons(self) -> None:
        ok = self.solution is not None and self.case is not None and not self.refusal
        self.add_button.setEnabled(ok)
        self.add_button.setToolTip(self.refusal)
        self.fov_button.setEnabled(self._fov_references() is not None)
        self.intersect_button.setEnabled(len(self.selected_bearing_ids()) >= 2)

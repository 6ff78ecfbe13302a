"""ShadowTool: a vertical object's shadow measured on the picture on screen (issue 17).

The analyst clicks the object's base and its shadow's tip (and, on an oblique frame, its top
for the length ratio). On **nadir imagery** the direction is read against north: the analyst
says where the image's up points (0 for north-up); with the ground scale and the object's
height the length ratio follows. On an **oblique frame** the Bearing tab's geometry is used
(its camera position with a height above the ground, the reference landmark clicked in this
picture, the field of view and the horizon clicks): each click becomes a ground point and the
shadow's ground direction follows; what is missing is said in words. The sigmas come from the
clicks (``analysis.sun.measure``). "Add shadow" computes the shadow's 95% time intervals in a
worker and stores an undoable "shadow" observation (``workbench.shadow_record``); the map draws
its direction and the Sun panel lists its intervals.
"""

from __future__ import annotations

from typing import Any

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.bearing import BearingSetup, levelled_camera
from analysis.geometry.camera import with_reference_azimuth
from analysis.sun.errors import SunInputError
from analysis.sun.measure import ShadowReading, nadir_shadow, oblique_shadow
from ui.geodata.commands import AddRecordCommand
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.pixel_tool import PixelTool, fill_combo
from ui.geometry.shadow_form import NADIR, build_shadow_form
from ui.jobs import JobRunner
from workbench import geodata
from workbench.geodata_records import Landmark
from workbench.shadow_record import shadow_result, write_shadow

PROMPTS = {
    "base": "Click the object's base, where it meets the ground",
    "tip": "Click the tip of its shadow on the ground",
    "top": "Click the object's top, right above its base",
}
DEFAULT_RATIO_SIGMA = 0.05  # stored when no ratio was measured (the kind wants a value)


class ShadowTool(PixelTool):
    """Frame-side shadow tool (see the module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent=None,
        *,
        picks: MapPicks | None = None,
        bearing=None,
    ):
        """``bearing``: the Bearing tool whose geometry an oblique frame uses (None: nadir)."""
        super().__init__(service, jobs, parent, picks=picks)
        self.bearing = bearing
        self.reading: ShadowReading | None = None
        self.missing: list[str] = []
        self.position: tuple[float, float] | None = None
        build_shadow_form(self)
        self.base_button.clicked.connect(lambda: self.arm("base"))
        self.tip_button.clicked.connect(lambda: self.arm("tip"))
        self.top_button.clicked.connect(lambda: self.arm("top"))
        self.clear_button.clicked.connect(self.clear_pixels)
        self.add_button.clicked.connect(self.add_shadow)
        self.mode_combo.activated.connect(lambda _i: self.recompute())
        self.object_combo.activated.connect(lambda _i: self.recompute())
        for spin in (self.rotation_spin, self.gsd_spin, self.height_spin, self.click_spin):
            spin.valueChanged.connect(lambda _v: self.recompute())
        self.armed_changed.connect(lambda key: self.prompt_label.setText(PROMPTS.get(key, "")))
        self.inputs_changed.connect(self.recompute)
        if bearing is not None:
            bearing.inputs_changed.connect(self.recompute)
        self.recompute()

    # -- inputs -------------------------------------------------------------------------
    def mode(self) -> str:
        return self.mode_combo.currentData()

    def set_mode(self, mode: str) -> None:
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        self.recompute()

    def landmarks_changed(self) -> None:
        keep = self.object_combo.currentData()
        marks = [m for m in self.landmarks if m.kind != "camera"]
        fill_combo(self.object_combo, marks, keep)
        self.object_combo.insertItem(0, "(where the base falls: oblique only)", None)
        if keep is None:
            self.object_combo.setCurrentIndex(0)

    def after_click(self, key: str) -> None:
        if key == "base" and "tip" not in self.pixels:
            self.arm("tip")

    # -- the measurement ----------------------------------------------------------------
    def recompute(self) -> None:
        """Measure again from the clicks (arithmetic: a few milliseconds)."""
        self.reading, self.position, self.missing = None, None, []
        nadir = self.mode() == NADIR
        for w in self.nadir_rows:
            w.setEnabled(nadir)
        self.top_button.setEnabled(not nadir)
        try:
            self.reading = self._nadir() if nadir else self._oblique()
        except (SunInputError, GeometryError) as exc:
            self.result_label.setText(f"⚠ {exc}")
        else:
            self.result_label.setText(self.describe())
        self.missing_label.setText(
            "Missing: " + "; ".join(self.missing) + "." if self.missing else ""
        )
        self.add_button.setEnabled(
            self.reading is not None and self.position is not None and self.case is not None
        )

    def _clicks(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        px = self.pixels
        if "base" not in px or "tip" not in px:
            self.missing.append("the base and the shadow's tip clicked in the picture")
            return None
        return px["base"], px["tip"]

    def _object(self) -> Landmark | None:
        return self.landmark(self.object_combo.currentData())

    def _nadir(self) -> ShadowReading | None:
        mark = self._object()
        if mark is None:
            self.missing.append("the object's landmark (where it stands)")
        else:
            self.position = (mark.lat_deg, mark.lon_deg)
        clicks = self._clicks()
        if clicks is None:
            return None
        gsd, height = self.gsd_spin.value(), self.height_spin.value()
        return nadir_shadow(
            *clicks,
            click_sigma_px=self.click_spin.value(),
            north_rotation_deg=self.rotation_spin.value(),
            gsd_m=gsd or None,
            height_m=height or None,
        )

    def _oblique(self) -> ShadowReading | None:
        geometry = self._bearing_geometry()
        clicks = self._clicks()
        if geometry is None or clicks is None:
            return None
        az_el, camera = geometry
        reading = oblique_shadow(
            az_el,
            *clicks,
            camera.height_m,
            top_px=self.pixels.get("top"),
            click_sigma_px=self.click_spin.value(),
        )
        mark = self._object()
        if mark is not None:
            self.position = (mark.lat_deg, mark.lon_deg)
        else:
            at = geodesy.destination(
                camera.position, reading.base_azimuth_deg, reading.base_distance_m
            )
            self.position = (at.lat_deg, at.lon_deg)
        return reading

    def _bearing_geometry(self):
        """(pixel -> azimuth, elevation; the camera) from the Bearing tab, or None with what
        is missing named in ``self.missing``."""
        bt, frame = self.bearing, self.frame
        if bt is None:
            self.missing.append("the Bearing tool's geometry (not available here)")
            return None
        camera = bt.landmark(bt.camera_combo.currentData())
        reference = bt.landmark(bt.reference_combo.currentData())
        if camera is None:
            self.missing.append("a camera position (Bearing tab)")
        elif not camera.height_m:
            self.missing.append("the camera's height above the ground (the camera on the map)")
        if reference is None or "reference" not in bt.pixels:
            self.missing.append("the reference landmark clicked in this picture (Bearing tab)")
        if bt.horizon() is None:
            self.missing.append("two clicks on the horizon to level the camera (Bearing tab)")
        if frame is None or self.missing:
            return None
        ref_px = bt.pixels["reference"]
        setup = BearingSetup(
            frame.width_px, frame.height_px, bt.fov.value(), camera.position,
            reference.position, ref_px, ref_px, bt.horizon(), frame.pixel_aspect,
        )  # fmt: skip
        azimuth = geodesy.azimuth_deg(camera.position, reference.position)
        oriented = with_reference_azimuth(levelled_camera(setup), ref_px, azimuth)
        return oriented.pixel_azimuth_elevation, camera

    def describe(self) -> str:
        r = self.reading
        if r is None:
            return ""
        sun_az = (r.shadow_azimuth_deg + 180.0) % 360.0
        text = (
            f"Shadow towards {r.shadow_azimuth_deg:.1f}° ± {r.azimuth_sigma_deg:.1f}° "
            f"({r.length_px:.0f} px long): the sun at azimuth {sun_az:.1f}°."
        )
        if r.length_ratio is not None:
            text += f"\nShadow {r.length_ratio:.2f} ± {r.ratio_sigma:.2f} × the object's height."
        if r.azimuth_sigma_deg > 20:
            text += "\n⚠ seen this obliquely the direction says little: measure its length too."
        return text

    # -- storing ------------------------------------------------------------------------
    def shadow_inputs(self) -> dict[str, Any] | None:
        """The observation's inputs as stored (None while the measurement is incomplete)."""
        r, frame = self.reading, self.frame
        if r is None or self.position is None or frame is None:
            return None
        px = self.pixels
        extra = {
            "tool": "shadow_tool",
            "mode": self.mode(),
            "base_px": list(px["base"]),
            "tip_px": list(px["tip"]),
            "top_px": list(px["top"]) if "top" in px and self.mode() != NADIR else None,
            "click_sigma_px": self.click_spin.value(),
            "evidence_sha256": frame.evidence_sha256,
            "image_size_px": [frame.width_px, frame.height_px],
        }
        if self.mode() == NADIR:
            extra["north_rotation_deg"] = self.rotation_spin.value()
            extra["gsd_m"] = self.gsd_spin.value() or None
            extra["object_height_m"] = self.height_spin.value() or None
        else:
            bt = self.bearing
            extra |= {"camera_id": bt.camera_combo.currentData(),
                      "reference_id": bt.reference_combo.currentData(),
                      "hfov_deg": bt.fov.value(), "horizon_px": bt.horizon(),
                      "base_distance_m": r.base_distance_m}  # fmt: skip
        mark = self._object()
        extra["object_name"] = None if mark is None else mark.name
        return {
            "object_id": None if mark is None else mark.id,
            "position": list(self.position),
            "shadow_azimuth_deg": r.shadow_azimuth_deg,
            "azimuth_sigma_deg": r.azimuth_sigma_deg,
            "length_ratio": r.length_ratio,
            "ratio_sigma": r.ratio_sigma or DEFAULT_RATIO_SIGMA,
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "captured_at_utc": None,
        } | extra

    def add_shadow(self) -> None:
        """Compute the shadow's intervals in a worker, then store it (undoable)."""
        inputs, case, frame = self.shadow_inputs(), self.case, self.frame
        if inputs is None or case is None:
            return
        where = {"evidence_id": frame.evidence_id, "frame_index": frame.frame_index}
        self.add_button.setEnabled(False)
        self.jobs.run(
            "Shadow: times of the day",
            lambda progress=None, cancel=None: shadow_result(inputs),
            on_result=lambda result: self._store(case, inputs, result, where),
            on_error=self._on_add_failed,
        )

    def _on_add_failed(self, exc: BaseException) -> None:
        self.recompute()
        self.show_error("Cannot add the shadow", exc)

    def _store(self, case, inputs: dict, result: dict, where: dict) -> None:
        self.recompute()
        if case is not self.case:
            return
        add = lambda: write_shadow(case, inputs, result, **where)  # noqa: E731
        self.service.undo_stack.push(
            AddRecordCommand(
                self.service,
                f"add shadow ({inputs['shadow_azimuth_deg']:.1f}°)",
                add,
                lambda obs_id: geodata.delete_observation(case, obs_id),
                lambda record: geodata.restore_observation(case, record),
            )
        )

"""The Bearing tool's field of view: from two landmarks clicked in the frame, and remembered
per camera.

A field of view belongs to the camera that filmed the picture: it is remembered for each
(evidence, camera position) the analyst measured on, given back when that pair is on screen
again, and never carried over to another one (a new pair starts from its EXIF focal length,
or says it is unchecked). A mixin of ``BearingTool``.
"""

from __future__ import annotations

from analysis.errors import GeometryError
from analysis.geometry.bearing import hfov_from_references
from ui.geometry.fov_field import UNCHECKED_FOV
from workbench.observations.bearing_model import SecondReference

STALE = " (the references changed since)"


class BearingFovMixin:
    """See the module doc (needs ``fov``, ``frame``, ``pixels``, the combos, ``landmark``)."""

    def _fov_key(self) -> tuple[int | None, int | None]:
        frame = self.frame
        return (None if frame is None else frame.evidence_id, self.camera_combo.currentData())

    def remember_fov(self) -> None:
        """Keep the field of view on screen for the current picture's camera."""
        key = self._fov_key()
        if key[0] is not None and key[1] is not None:
            self._fovs[key] = (self.fov.value(), self.fov.source, self._fov_calibration)

    def restore_fov(self) -> None:
        """The field of view of the current picture's camera, or a fresh one (module doc)."""
        kept = self._fovs.get(self._fov_key())
        if kept is not None:
            value, source, self._fov_calibration = kept
            self.fov.set_value(value, source)
            return
        self._fov_calibration = None
        if self.frame is not None:
            self.fov.follow_frame(None, self.frame)
        elif self.fov.source != UNCHECKED_FOV:
            self.fov.set_value(self.fov.value(), UNCHECKED_FOV)

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
        """Set the field of view from the two references' pixels (a few milliseconds)."""
        picked, frame = self._fov_references(), self.frame
        if picked is None or frame is None:
            self.show_error("Field of view", "Pick and click two different landmarks first.")
            return
        camera, first, second = picked
        horizon = self.horizon()
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
        self.set_hfov(fit.hfov_deg, source)

    def _fov_inputs_changed(self) -> None:
        """A reference moved after the field of view was taken from the references: say so."""
        source = self.fov.source
        if self._fov_calibration is None or not source.startswith("from references"):
            return
        if STALE not in source:
            self.fov.set_value(self.fov.value(), source + STALE)

    def fov_from_two_references(self) -> bool:
        """Whether the field of view on screen was fitted to two references, still valid."""
        source = self.fov.source
        return (
            self._fov_calibration is not None
            and source.startswith("from references")
            and STALE not in source
        )

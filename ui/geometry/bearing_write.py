"""The Bearing tool's inputs as stored: what each input is worth (the sigma's sources, and its
breakdown) and the bearing written undoably with every input (``measured_bearing``).

A mixin of ``BearingTool`` (it needs the combos, ``sigma_panel``, ``fov``, ``frame``,
``pixels``, ``range``, ``service`` and ``landmark``).
"""

from __future__ import annotations

from analysis.geometry.bearing import BearingSetup
from analysis.geometry.bearing_sigma import BearingSigma
from analysis.geometry.geodesy import LatLon
from workbench.observations.bearing_measure import measured_bearing
from workbench.observations.bearing_model import (
    BearingInputs,
    BearingMeasurement,
    RangeInputs,
    extra_inputs,
)
from workbench.observations.bearing_sigma_model import SigmaInputs, breakdown


class BearingWriteMixin:
    """See the module doc."""

    def sigma_inputs(self) -> SigmaInputs | None:
        """What each input is worth, as the sigma panel and the landmarks state it."""
        camera = self.landmark(self.camera_combo.currentData())
        reference = self.landmark(self.reference_combo.currentData())
        if camera is None or reference is None or self.frame is None:
            return None
        panel, second = self.sigma_panel, self._fov_calibration
        second_mark = None if second is None else self.landmark(second.landmark_id)
        return SigmaInputs(
            click_sigma_px=panel.click_spin.value(),
            reference_sigma_m=panel.reference_spin.value(),
            camera_sigma_m=panel.camera_spin.value(),
            hfov_sigma_deg=panel.fov_spin.value(),
            second_reference_sigma_m=None
            if second_mark is None
            else second_mark.sigma_or_default_m(),
            zoom=min(self._click_zooms.values()) if self._click_zooms else None,
            camera_key=f"camera:{camera.id}",
            reference_key=f"landmark:{reference.id}",
            second_key=f"landmark:{None if second is None else second.landmark_id}",
            fov_key=f"fov:{self.frame.evidence_sha256}:camera:{camera.id}",
        )

    def _breakdown(self, setup: BearingSetup) -> BearingSigma | None:
        sources = self.sigma_inputs()
        if sources is None:
            return None
        s = self._fov_calibration if self.fov.source.startswith("from references") else None
        second = None if s is None else (LatLon(s.lat_deg, s.lon_deg), s.px)
        return breakdown(setup, sources, second)

    def add_bearing(self) -> None:
        """Store the bearing (undoable) with its inputs; the map shows the ray and wedge."""
        setup, s, frame = self.setup(), self.solution, self.frame
        if setup is None or s is None or frame is None or self.case is None or self.refusal:
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
            click_sigma_px=None if typed else self.sigma_panel.click_spin.value(),
            sigma_decimals=None if typed else self.sigma_spin.decimals(),  # as shown, stored
            second_reference=self._fov_calibration if from_references else None,
            evidence_sha256=self.frame.evidence_sha256 if self.frame else None,
            sigma_sources=None if typed else self.sigma_inputs(),
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

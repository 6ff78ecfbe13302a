"""The Bearing tool's list of the case's bearings: tick two or more and intersect them.

A mixin of ``BearingTool`` (it needs ``bearing_list``, ``intersect_button``, ``bearings``,
``landmarks``, ``service``, ``show_error`` and ``_update_buttons``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QListWidgetItem, QScrollArea


class BearingListMixin:
    """The ticked bearings and the intersection of them (see the module doc)."""

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

    def intersect_selected(self) -> None:
        """Triangulate the ticked bearings in a worker; the ellipse appears on the map, the
        position, ellipse and residuals under the button (``fix_label``)."""
        ids = self.selected_bearing_ids()
        if len(ids) < 2:
            self.show_error("Intersect bearings", "Tick two or more bearings.")
            return
        self.service.triangulate(ids, on_result=self._on_intersected)

    def _on_intersected(self, obs) -> None:
        """The stored intersection, where the analyst clicked: position, ellipse, residuals."""
        self.fix_label.setText(describe_fix(obs))
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:  # the tool scrolls on a small screen: bring the result in view
            QTimer.singleShot(0, area, lambda: area.ensureWidgetVisible(self.fix_label))


def describe_fix(obs) -> str:
    """An intersection observation in plain words (the figures the Records view also gives)."""
    r = obs.result
    lines = [f"Intersection #{obs.id}: {r['lat_deg']:.6f}, {r['lon_deg']:.6f}"]
    ellipse = r.get("ellipse") or {}
    if ellipse.get("semi_major_m") is not None:
        lines.append(
            f"95% ellipse {ellipse['semi_major_m']:.0f} m × {ellipse['semi_minor_m']:.0f} m, "
            f"long axis {ellipse.get('azimuth_deg', 0.0):.0f}°"
        )
    residuals = [f"{x['residual_deg']:+.3f}°" for x in r.get("residuals") or []]
    if residuals:
        lines.append(f"Rays miss it by {', '.join(residuals)}")
    if r.get("max_crossing_deg") is not None:
        lines.append(f"{len(residuals)} rays, crossing at up to {r['max_crossing_deg']:.1f}°")
    return "\n".join(lines)

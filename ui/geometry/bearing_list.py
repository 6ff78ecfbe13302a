"""The Bearing tool's list of the case's bearings: tick two or more and intersect them.

A mixin of ``BearingTool`` (it needs ``bearing_list``, ``intersect_button``, ``bearings``,
``landmarks``, ``service``, ``show_error`` and ``_update_buttons``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem


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
        """Triangulate the ticked bearings in a worker; the ellipse appears on the map."""
        ids = self.selected_bearing_ids()
        if len(ids) < 2:
            self.show_error("Intersect bearings", "Tick two or more bearings.")
            return
        self.service.triangulate(ids)

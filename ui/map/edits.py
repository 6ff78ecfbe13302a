"""MapEdits: what the analyst does to the case on the map, through the GeodataService.

A click with "+ Landmark" opens the landmark dialog at that place (a name, the position, which
can be replaced by a typed or pasted one, and a height), and "Add landmark…" opens it empty; a
click with "+ Camera" or "+ Target" places one at once (the bearing tool selects a camera just
placed); with "+ Hypothesis" it opens the hypothesis dialog; a drag moves a point or a
hypothesis; a click selects a feature, which "Rename…" (or "Edit…" for a hypothesis) and
"Delete" then act on. Every edit is an undoable command of the service. Clicks that choose
something for another tool (a landmark for the bearing tool) go out as ``MapPicks`` signals:
the map never calls a tool.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QPushButton, QWidget

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.map.bridge import MapBridge
from ui.map.hypotheses import ask_edit_hypothesis, ask_new_hypothesis
from ui.map.landmark_dialog import ask_new_landmark
from ui.map.layers import MapLayers, hypothesis_id, landmark_id
from workbench import hypotheses
from workbench.geodata_records import DEFAULT_POSITION_SIGMA_M, pixel_click_sigma_m

ErrorFn = Callable[[str, BaseException | str], None]


class MapEdits(QObject):
    """The selection and the edits of the map (module doc); owns the selection's buttons."""

    def __init__(
        self,
        panel: QWidget,
        service: GeodataService,
        layers: MapLayers,
        picks: MapPicks,
        show_error: ErrorFn,
    ) -> None:
        super().__init__(panel)
        self._panel, self.service, self.layers, self.picks = panel, service, layers, picks
        self._show_error = show_error
        self.selected: str | None = None
        self.add_button = QPushButton("Add landmark…")
        self.add_button.setToolTip("A landmark at typed or pasted coordinates, MGRS or a map link")
        self.add_button.clicked.connect(self.add_landmark)
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.set_selection(None)

    def follow(self, bridge: MapBridge) -> None:
        bridge.point_picked.connect(self._on_bridge_point_picked)
        bridge.feature_moved.connect(self._on_bridge_feature_moved)
        bridge.feature_clicked.connect(self._on_bridge_feature_clicked)

    # -- the selection ------------------------------------------------------------------
    def set_selection(self, feature_id: str | None) -> None:
        self.selected = feature_id
        claim = feature_id is not None and hypothesis_id(feature_id) is not None
        editable = claim or (feature_id is not None and landmark_id(feature_id) is not None)
        self.rename_button.setText("Edit…" if claim else "Rename…")
        self.rename_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        name = self.layers.names.get(feature_id or "", "")
        self.status.setText(f"Selected: {name} ({feature_id})" if feature_id else "")

    def layers_changed(self) -> None:
        """New layers are on the page: a feature deleted (or undone) is no longer selected."""
        if self.selected is not None and self.selected not in self.layers.names:
            self.set_selection(None)

    def _on_bridge_feature_clicked(self, feature_id: str) -> None:
        self.set_selection(feature_id)
        point_id = landmark_id(feature_id)
        if point_id is not None:
            self.picks.landmark_picked.emit(point_id)

    # -- edits --------------------------------------------------------------------------
    def _on_bridge_point_picked(
        self, tool: str, lat: float, lon: float, metres_per_px: float
    ) -> None:
        if self.service.case is None:
            return
        self.picks.point_placed.emit(tool, lat, lon)
        if tool == "hypothesis":
            ask_new_hypothesis(self._panel, self.service, lat, lon)
            return
        # A click is as exact as a few screen pixels of ground at the map's zoom
        # (geodata_records.pixel_click_sigma_m). A landmark picked on the imagery takes it
        # (the dialog shows it); a camera or a target placed by eye is the analyst's estimate,
        # so it keeps its kind's default unless the click itself was coarser.
        click_m = pixel_click_sigma_m(metres_per_px)
        if tool == "landmark":
            ask_new_landmark(self._panel, self.service, LatLon(lat, lon), click_sigma_m=click_m)
            return
        name = f"{tool.capitalize()} {self.layers.landmark_count() + 1}"
        coarse = click_m > DEFAULT_POSITION_SIGMA_M.get(tool, 5.0)
        self.service.add_point(tool, name, lat, lon, position_sigma_m=click_m if coarse else None)

    def _on_bridge_feature_moved(self, feature_id: str, lat: float, lon: float) -> None:
        claim_id, point_id = hypothesis_id(feature_id), landmark_id(feature_id)
        if claim_id in self.layers.hypothesis_positions:
            old_lat, old_lon = self.layers.hypothesis_positions[claim_id]
            old, new = {"lat_deg": old_lat, "lon_deg": old_lon}, {"lat_deg": lat, "lon_deg": lon}
            self.service.edit_hypothesis(claim_id, old, new)
        elif point_id in self.layers.positions:
            self.service.move_point(point_id, self.layers.positions[point_id], (lat, lon))

    def add_landmark(self) -> None:
        """The landmark dialog with no position: the analyst types or pastes one."""
        if self.service.case is not None:
            ask_new_landmark(self._panel, self.service)

    def rename_selected(self) -> None:
        claim_id = hypothesis_id(self.selected or "")
        case = self.service.case
        if claim_id is not None and case is not None:
            try:
                record = hypotheses.get_hypothesis(case.read(), claim_id)
            except GeometryError as exc:  # gone since it was selected
                self.set_selection(None)
                self._show_error("Edit hypothesis", exc)
                return
            ask_edit_hypothesis(self._panel, self.service, record)
            return
        point_id = landmark_id(self.selected or "")
        if point_id is None:
            return
        old = self.layers.names.get(self.selected or "", "")
        name, ok = QInputDialog.getText(self._panel, "Rename", "Name:", text=old)
        if ok and name.strip() and name != old:
            self.service.rename_point(point_id, old, name.strip())

    def delete_selected(self) -> None:
        claim_id = hypothesis_id(self.selected or "")
        point_id = landmark_id(self.selected or "")
        if claim_id is not None:
            self.service.delete_hypothesis(claim_id)
        elif point_id is not None:
            self.service.delete_point(point_id)
        else:
            return
        self.set_selection(None)

"""The new-landmark dialog: a name, a position typed or pasted, a height and how far the
position may be off.

"+ Landmark" then a click on the map opens it with the clicked position; "Add landmark…"
opens it empty, for a position from elsewhere. The position box takes what investigators
paste: decimal degrees, degrees-minutes-seconds, MGRS or a Google Maps / OpenStreetMap link
(``analysis.geometry.coordinates``); what it was read as, or what is wrong with it, shows
underneath as you type. OK adds the landmark through the ``GeodataService`` (undoable, logged).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from analysis.errors import GeometryError
from analysis.geometry.coordinates import parse_position
from analysis.geometry.geodesy import LatLon
from ui.geodata.service import GeodataService
from workbench.map_positions import mgrs_text

EXAMPLES = (
    "35.6205, 36.5533 · 35°37'13.8\"N 36°33'11.9\"E · 37S BV 78411 44614 · "
    "a Google Maps or OpenStreetMap link"
)


class LandmarkDialog(QDialog):
    """Name, position (typed or pasted) and height of a new landmark (module doc)."""

    def __init__(
        self,
        position: LatLon | None = None,
        parent: QWidget | None = None,
        kind: str = "landmark",
        click_sigma_m: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(f"New {kind}")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Water tower, north-east corner")
        self.position_edit = QLineEdit(
            "" if position is None else f"{position.lat_deg:.6f}, {position.lon_deg:.6f}"
        )
        self.position_edit.setPlaceholderText("paste or type a position")
        self.position_edit.setToolTip(f"Accepted: {EXAMPLES}")
        self.position_note = QLabel()
        self.position_note.setTextFormat(Qt.TextFormat.PlainText)
        self.position_note.setWordWrap(True)
        self.height_spin = QDoubleSpinBox()
        self.height_spin.setRange(-1.0, 10_000.0)
        self.height_spin.setDecimals(1)
        self.height_spin.setSuffix(" m")
        self.height_spin.setSpecialValueText("unknown")  # -1 reads "unknown"
        self.height_spin.setValue(-1.0)
        self.height_spin.setToolTip("Height of the point above the ground (for range from height)")
        self.sigma_spin = QDoubleSpinBox()
        self.sigma_spin.setRange(-1.0, 100_000.0)
        self.sigma_spin.setDecimals(1)
        self.sigma_spin.setPrefix("± ")
        self.sigma_spin.setSuffix(" m")
        self.sigma_spin.setSpecialValueText("not stated (5 m)")  # -1: the kind's default
        self.sigma_spin.setValue(-1.0)
        self.sigma_spin.setToolTip(
            "How far this position may be off (one standard deviation on each axis): a few "
            "metres for a point picked on sharp imagery, more for a camera position guessed "
            "from the footage. Bearings turned on it carry it."
        )
        if click_sigma_m is not None:  # from the map's zoom where it was clicked
            self.sigma_spin.setValue(click_sigma_m)
            self.sigma_spin.setToolTip(
                f"{self.sigma_spin.toolTip()} Set from the click: a few screen pixels of "
                "ground at the map's zoom, at least 1 m. Zoom in and click again for a closer "
                "position."
            )
        shown = None if click_sigma_m is None else self.sigma_spin.value()  # as rounded
        self._clicked = (self.position_edit.text(), shown)
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("where the position comes from")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("Position", self.position_edit)
        form.addRow("", self.position_note)
        form.addRow("Height", self.height_spin)
        form.addRow("Uncertainty", self.sigma_spin)
        form.addRow("Notes", self.notes_edit)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)
        self.position_edit.textChanged.connect(self._update)
        self.position_edit.textChanged.connect(self._on_position_typed)
        self.position: LatLon | None = None
        self.error = ""
        self._update()

    def _on_position_typed(self) -> None:
        """A typed or pasted position is not the click: its uncertainty is not the click's."""
        text, sigma = self._clicked
        if sigma is not None and self.position_edit.text() != text:
            if self.sigma_spin.value() == sigma:
                self.sigma_spin.setValue(-1.0)
            self._clicked = (text, None)

    def _update(self) -> None:
        try:
            self.position, self.error = parse_position(self.position_edit.text()), ""
        except GeometryError as exc:
            self.position, self.error = None, str(exc)
        if self.position is not None:
            p = self.position
            self.position_note.setText(
                f"{p.lat_deg:.6f}, {p.lon_deg:.6f} · MGRS {mgrs_text(p.lat_deg, p.lon_deg)}"
            )
            self.position_note.setStyleSheet("color: #2e7d32;")
        else:
            self.position_note.setText(self.error)
            self.position_note.setStyleSheet("color: #b00020;")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.position is not None and bool(self.name_edit.text().strip()))

    def values(self) -> dict[str, Any]:
        """name, lat, lon, height_m (None when unknown), notes and position_sigma_m (None: not
        stated), as the service takes them."""
        if self.position is None:
            raise GeometryError(self.error or "no position")
        height = self.height_spin.value()
        return {
            "name": self.name_edit.text().strip(),
            "lat": self.position.lat_deg,
            "lon": self.position.lon_deg,
            "height_m": None if height < 0 else height,
            "position_sigma_m": None if self.sigma_spin.value() < 0 else self.sigma_spin.value(),
            "notes": self.notes_edit.text().strip(),
        }


def ask_new_landmark(
    parent: QWidget,
    service: GeodataService,
    position: LatLon | None = None,
    kind: str = "landmark",
    click_sigma_m: float | None = None,
) -> LandmarkDialog:
    """Open the dialog (at ``position`` when the map was clicked, with the click's
    uncertainty); OK adds it (undoable)."""
    dialog = LandmarkDialog(position, parent, kind, click_sigma_m)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        v = dialog.values()
        service.add_point(
            kind,
            v["name"],
            v["lat"],
            v["lon"],
            height_m=v["height_m"],
            notes=v["notes"],
            position_sigma_m=v["position_sigma_m"],
        )

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog

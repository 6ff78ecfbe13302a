"""AlignmentTool: two objects that line up in a frame put the camera on the line through them.

The analyst clicks the near and the far object in the picture (kept as evidence of the
alignment, and checked: objects that line up share a column once the camera is level, so a
large horizontal gap between the two pixels is flagged) and picks which landmarks they are (in
the combos, or by clicking them on the map: the near one, then the far one);
"Add alignment" stores an undoable alignment observation with its inputs
(``GeodataService.add_alignment`` -> ``geodata.add_alignment(extra_inputs=...)``) and the map draws
the sight line (``analysis.geometry.sightlines``: from the far object through the near one, beyond).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from analysis.geometry import geodesy
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.pixel_tool import PixelTool, fill_combo
from ui.jobs import JobRunner
from ui.narrow import button_grid

LINE_UP_TOLERANCE_PX = 3.0  # horizontal gap beyond which the two pixels are flagged


class AlignmentTool(PixelTool):
    """Frame-to-map alignment tool (see the module doc)."""

    def __init__(
        self,
        service: GeodataService,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        picks: MapPicks | None = None,
    ):
        super().__init__(service, jobs, parent, picks=picks)
        self.near_combo = QComboBox()
        self.far_combo = QComboBox()
        self.near_button = QPushButton("Click near object")
        self.far_button = QPushButton("Click far object")
        self.clear_button = QPushButton("Clear clicks")
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = QPushButton("Add alignment")
        form = QFormLayout()
        form.addRow("Near object", self.near_combo)
        form.addRow("Far object", self.far_combo)
        form.addRow("Clicks", button_grid((self.near_button, self.far_button, self.clear_button)))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.add_button)
        layout.addStretch(1)
        self.near_button.clicked.connect(lambda: self.arm("near"))
        self.far_button.clicked.connect(lambda: self.arm("far"))
        self.clear_button.clicked.connect(self.clear_pixels)
        # ``activated``: currentIndexChanged also fires while the combos are destroyed.
        self.near_combo.activated.connect(self._on_combo_activated)
        self.far_combo.activated.connect(self._on_combo_activated)
        self.add_button.clicked.connect(self.add_alignment)
        self.inputs_changed.connect(self.recompute)
        self._next_pick = "near"
        self.picks.landmark_picked.connect(self._on_picks_landmark_picked)
        self.recompute()

    def _on_picks_landmark_picked(self, point_id: int) -> None:
        """Picking on the map while this tool is shown: the near object, then the far one."""
        if not self.isVisible():
            return
        combo = self.near_combo if self._next_pick == "near" else self.far_combo
        index = combo.findData(point_id)
        if index >= 0:
            combo.setCurrentIndex(index)
            self._next_pick = "far" if self._next_pick == "near" else "near"
            self.recompute()

    def landmarks_changed(self) -> None:
        fill_combo(self.near_combo, self.landmarks, self.near_combo.currentData())
        keep_far = self.far_combo.currentData()
        fill_combo(self.far_combo, self.landmarks, keep_far)
        if keep_far is None and self.far_combo.count() > 1:
            self.far_combo.setCurrentIndex(1)

    def _on_combo_activated(self, _index: int) -> None:
        self.recompute()

    def select(self, near_id: int, far_id: int) -> None:
        self.near_combo.setCurrentIndex(self.near_combo.findData(near_id))
        self.far_combo.setCurrentIndex(self.far_combo.findData(far_id))
        self.recompute()

    def ids(self) -> tuple[int, int] | None:
        near, far = self.near_combo.currentData(), self.far_combo.currentData()
        if near is None or far is None or near == far:
            return None
        return int(near), int(far)

    def recompute(self) -> None:
        ids = self.ids()
        lines = []
        if ids is None:
            lines.append("Pick two different landmarks: the near and the far object.")
        else:
            near, far = self.landmark(ids[0]), self.landmark(ids[1])
            if near is not None and far is not None:
                az = geodesy.azimuth_deg(far.position, near.position)
                lines.append(
                    f"The camera lies on the line from {far.name} through {near.name}, "
                    f"beyond {near.name}: azimuth {az:.3f}° (far → near)."
                )
        if "near" in self.pixels and "far" in self.pixels:
            gap = abs(self.pixels["near"][0] - self.pixels["far"][0])
            lines.append(
                f"Horizontal gap between the two clicks: {gap:.1f} px "
                "(a level camera shows aligned objects in one column)"
            )
            if gap > LINE_UP_TOLERANCE_PX:
                lines.append("⚠ the two objects do not line up in this frame")
        self.result_label.setText("\n".join(lines))
        self.add_button.setEnabled(ids is not None and self.case is not None)

    def add_alignment(self) -> None:
        """Store the alignment (undoable) with the clicks; the map shows the sight line."""
        ids, frame = self.ids(), self.frame
        if ids is None or self.case is None:
            return
        near, far = self.landmark(ids[0]), self.landmark(ids[1])
        extra = {
            "tool": "alignment_tool",
            "near_name": near.name if near else None,
            "far_name": far.name if far else None,
            "near_px": list(self.pixels["near"]) if "near" in self.pixels else None,
            "far_px": list(self.pixels["far"]) if "far" in self.pixels else None,
            "evidence_sha256": frame.evidence_sha256 if frame else None,
            "image_size_px": [frame.width_px, frame.height_px] if frame else None,
        }
        self.service.add_alignment(
            ids[0],
            ids[1],
            evidence_id=frame.evidence_id if frame else None,
            frame_index=frame.frame_index if frame else None,
            extra_inputs=extra,
        )

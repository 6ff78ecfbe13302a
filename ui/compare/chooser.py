"""ViewChooser: pick one side of a comparison from the case's evidence.

Images are chosen whole; videos by frame index, or by segment (its representative frame).
Reference images (a geotagged photo imported as a reference, not evidence) are marked
"★ reference", with their GPS position and direction in the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from workbench.case.evidence import Evidence
from workbench.match_store import ViewRef

KINDS = ("image", "video")
MAX_FRAME = 10_000_000  # until the video's segments tell the real count


def evidence_label(e: Evidence) -> str:
    """The chooser's text for an evidence: name, kind and the reference flag."""
    flag = "  ★ reference" if e.is_reference else ""
    return f"{e.original_name} ({e.kind}){flag}"


def evidence_tooltip(e: Evidence) -> str:
    gps = e.metadata.get("gps") or {}
    lines = [f"sha256 {e.sha256[:16]}…"]
    if e.is_reference:
        lines.append("Reference image (comparison material, not evidence of the event)")
    if gps.get("latitude_deg") is not None:
        lines.append(f"GPS {gps['latitude_deg']:.6f}, {gps.get('longitude_deg', 0.0):.6f}")
    if gps.get("img_direction_deg") is not None:
        lines.append(f"image direction {gps['img_direction_deg']:.1f}° from north")
    return "\n".join(lines)


class ViewChooser(QWidget):
    """Evidence combo + frame spin box + segment combo (for videos)."""

    changed = Signal()
    segments_wanted = Signal(int)  # a video was chosen: the panel loads its segments

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self._items: list[Evidence] = []
        self._segments: dict[int, list] = {}
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.frame_spin = QSpinBox()
        self.frame_spin.setRange(0, MAX_FRAME)
        self.frame_spin.setPrefix("frame ")
        self.segment_combo = QComboBox()
        self.segment_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.segment_combo.setToolTip("A segment's representative frame")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"<b>{title}</b>")
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.segment_combo)
        layout.addWidget(self.frame_spin)
        self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.segment_combo.activated.connect(self._on_segment_combo_activated)
        self.frame_spin.valueChanged.connect(self._on_frame_spin_value_changed)
        self._update_video_controls()

    def set_evidence(self, items: list[Evidence]) -> None:
        """Fill the combo with the case's images and videos, keeping the current choice."""
        keep = self.current_evidence()
        self._items = [e for e in items if e.kind in KINDS]
        self.combo.blockSignals(True)
        self.combo.clear()
        for k, e in enumerate(self._items):
            self.combo.addItem(evidence_label(e), e.id)
            self.combo.setItemData(k, evidence_tooltip(e), Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        if keep is not None and keep.id in [e.id for e in self._items]:
            self.combo.setCurrentIndex(self.combo.findData(keep.id))
        self._on_combo_current_index_changed(self.combo.currentIndex())

    def item_texts(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(self.combo.count())]

    def current_evidence(self) -> Evidence | None:
        k = self.combo.currentIndex()
        return self._items[k] if 0 <= k < len(self._items) else None

    def current_ref(self) -> ViewRef | None:
        e = self.current_evidence()
        if e is None:
            return None
        return ViewRef(e.id, self.frame_spin.value() if e.kind == "video" else None)

    def select(self, ref: ViewRef) -> None:
        """Choose an evidence (and its frame)."""
        k = self.combo.findData(ref.evidence_id)
        if k >= 0:
            self.combo.setCurrentIndex(k)
        if ref.frame_index is not None:
            self.frame_spin.setValue(ref.frame_index)
            self._select_segment_of(ref.frame_index)

    def _select_segment_of(self, frame: int) -> None:
        e = self.current_evidence()
        segs = self._segments.get(e.id, []) if e is not None else []
        for k, s in enumerate(segs):
            if s.first_frame <= frame <= s.last_frame:
                self.segment_combo.setCurrentIndex(k)

    def describe(self) -> str:
        """The current choice in words: name and frame."""
        e, ref = self.current_evidence(), self.current_ref()
        if e is None or ref is None:
            return "–"
        return e.original_name + ("" if ref.frame_index is None else f" f{ref.frame_index}")

    def set_segments(self, evidence_id: int, segments: list) -> None:
        """The stored segments of a video (workbench.video_store.StoredSegment)."""
        self._segments[evidence_id] = list(segments)
        e = self.current_evidence()
        if e is not None and e.id == evidence_id:
            self._fill_segments(e.id)

    def _fill_segments(self, evidence_id: int) -> None:
        segs = self._segments.get(evidence_id, [])
        self.segment_combo.clear()
        for k, s in enumerate(segs):
            self.segment_combo.addItem(
                f"segment {k + 1}: {s.first_frame}–{s.last_frame}", s.keyframe_index
            )
        if segs:
            self.frame_spin.setMaximum(segs[-1].last_frame)
        self.segment_combo.setEnabled(bool(segs))

    def _on_combo_current_index_changed(self, _index: int) -> None:
        self._update_video_controls()
        e = self.current_evidence()
        if e is not None and e.kind == "video":
            self.frame_spin.setMaximum(MAX_FRAME)
            self._fill_segments(e.id)
            if e.id not in self._segments:
                self.segments_wanted.emit(e.id)
        self.changed.emit()

    def _on_segment_combo_activated(self, index: int) -> None:
        frame = self.segment_combo.itemData(index)
        if frame is not None:
            self.frame_spin.setValue(int(frame))

    def _on_frame_spin_value_changed(self, value: int) -> None:
        self._select_segment_of(value)
        self.changed.emit()

    def _update_video_controls(self) -> None:
        e = self.current_evidence()
        video = e is not None and e.kind == "video"
        self.frame_spin.setVisible(video)
        self.segment_combo.setVisible(video)

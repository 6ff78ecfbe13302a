"""DescentPanel: the descent of the track selected in the video's Track tool.

The panel shows the height-time plot (the report's drawing, rendered in the job that reads or
measures: ``ui.descent.plot``), the numbers (the rate with its 95%
interval, the acceleration, the model chosen by AICc, the verdict and why, the impact frame and
time when a flash ends the track) and the scale inputs: the camera model (distance and
horizontal field of view, typed or the distance taken from the map: a camera and a target
landmark), a reference length or the object's size, a stated px/m, or none (rates in px/s).
Measure computes a preview as a job; Save stores it in the case as a ``descent`` observation
with the analyst's note beside it (undoable); Save note changes the note of the stored one.
What is shown is re-read when the change feed says the track or the observations changed.
Numbers that cannot be measured are said in words, never NaN; every text is escaped.
"""

from __future__ import annotations

import functools
import html

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.changes import CaseChanges
from ui.descent.plot import DescentCanvas, plot_rgba, read_with_plot
from ui.jobs import JobRunner
from ui.undo import AddRecordCommand, EditCommand, SerialWrites
from workbench.case import Case
from workbench.descent_store import (
    DescentView,
    add_descent,
    descent_inputs,
    map_distance,
    set_descent_note,
)
from workbench.geodata import delete_observation, restore_observation
from workbench.observations import entry
from workbench.observations.descent import (
    CAMERA,
    KIND,
    LENGTH,
    OBJECT,
    STATED,
    ScaleInputs,
    descent_of,
    impact_text,
    range_text,
)

SOURCES = ((CAMERA, "Camera model: distance and field of view"), (LENGTH, "Reference length"),
           (OBJECT, "Object size"), (STATED, "Stated pixels per metre"),
           ("", "No scale (rates in px/s)"))  # fmt: skip
FIELDS = {CAMERA: ("distance", "distance_sigma", "hfov", "hfov_sigma", "pitch", "map"),
          LENGTH: ("length_m", "length_px"), OBJECT: ("length_m", "length_px"),
          STATED: ("px_per_m",), "": ()}  # fmt: skip


def _spin(lo: float, hi: float, value: float, suffix: str, decimals: int = 2) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setValue(value)
    s.setSuffix(suffix)
    return s


class DescentPanel(QWidget):
    """The Descent dock's content (module doc)."""

    message = Signal(str)

    def __init__(self, jobs: JobRunner, undo_stack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.undo_stack = jobs, undo_stack
        self.case: Case | None = None
        self.track_id: int | None = None
        self.view: DescentView | None = None
        self.preview = None  # (inputs, descent) measured but not saved
        self.writes = SerialWrites(jobs, self)
        self.writes.edit_failed.connect(lambda title, exc: self._fail(f"{title}: {exc}"))
        self.changes = CaseChanges(self)
        self.changes.changed.connect(self._on_changes_changed)
        self._build()
        self.show_view(None)

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.canvas = DescentCanvas()
        self.numbers = QLabel()
        self.numbers.setWordWrap(True)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source = QComboBox()
        for key, text in SOURCES:
            self.source.addItem(text, key)
        self.source.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.source.setMinimumContentsLength(14)
        self.source.currentIndexChanged.connect(self._on_source_current_index_changed)
        self.inputs = {
            "distance": _spin(0, 1e6, 1000, " m", 1), "distance_sigma": _spin(0, 1e5, 0, " m", 1),
            "hfov": _spin(0, 179.9, 60, " °"), "hfov_sigma": _spin(0, 90, 0, " °"),
            "pitch": _spin(-89.9, 89.9, 0, " °"), "length_m": _spin(0, 1e4, 1, " m", 3),
            "length_px": _spin(0, 1e5, 10, " px", 1), "px_per_m": _spin(0, 1e5, 1, " px/m", 4),
            "roll": _spin(-90, 90, 0, " °"),
        }  # fmt: skip
        self.inputs["map"] = self._build_map_chooser()
        form = QFormLayout()
        form.addRow("Scale", self.source)
        labels = {"distance": "Distance", "distance_sigma": "± (1σ)", "hfov": "Field of view",
                  "hfov_sigma": "± (1σ)", "pitch": "Pitch", "map": "From the map",
                  "length_m": "Length", "length_px": "spans", "px_per_m": "Scale",
                  "roll": "Image roll"}  # fmt: skip
        for key, text in labels.items():
            form.addRow(text, self.inputs[key])
        self.form = form
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("your note: what the measurement rests on")
        self.note.setMaximumHeight(70)
        self.measure_button = QPushButton("Measure")
        self.measure_button.clicked.connect(self.measure)
        self.save_button = QPushButton("Save to case")
        self.save_button.clicked.connect(self.save)
        self.note_button = QPushButton("Save note")
        self.note_button.clicked.connect(self.save_note)
        buttons = QHBoxLayout()
        for b in (self.measure_button, self.save_button, self.note_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        for w in (self.title, self.canvas, self.numbers):
            layout.addWidget(w)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self._on_source_current_index_changed()

    def _build_map_chooser(self) -> QWidget:
        """A camera and a target landmark, and Use the map (the distance between them)."""
        self.camera_box, self.target_box = QComboBox(), QComboBox()
        self.map_button = QPushButton("Use the map")
        self.map_button.setToolTip("Distance and pitch from the camera to the target landmark")
        self.map_button.clicked.connect(self.use_map)
        map_row = QHBoxLayout()
        map_row.setContentsMargins(0, 0, 0, 0)
        for box in (self.camera_box, self.target_box):  # narrow: the dock may be a tab
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(6)
        self.camera_box.setToolTip("the camera (a landmark of kind camera)")
        self.target_box.setToolTip("the target: the object's place (a landmark or target)")
        for w in (self.camera_box, self.target_box):
            map_row.addWidget(w)
        map_column = QVBoxLayout()
        map_column.setContentsMargins(0, 0, 0, 0)
        map_column.addLayout(map_row)
        map_column.addWidget(self.map_button)
        chooser = QWidget()
        chooser.setLayout(map_column)
        return chooser

    # -- following the case and the track -----------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        if case is not self.case:
            self.writes.set_case(case)
            self.changes.set_case(case)
        self.case, self.track_id, self.preview = case, None, None
        self.show_view(None)

    def show_track(self, case: Case | None, track_id: int | None) -> None:
        """Follow the track the Track tool selected (None: none)."""
        if case is not self.case:
            self.set_case(case)
        self.track_id, self.preview = track_id, None
        self.reload()

    def reload(self) -> None:
        case, tid = self.case, self.track_id
        if case is None or tid is None:
            self.show_view(None)
            return
        self.jobs.run(
            f"Reading the descent of track {tid}",
            functools.partial(read_with_plot, case, tid),
            on_result=functools.partial(self._on_read, tid),
            on_error=lambda exc: self._fail(f"Cannot read track {tid}: {exc}"),
            quiet=True,
        )

    def _on_read(self, track_id: int, read: tuple[DescentView, np.ndarray | None]) -> None:
        if track_id == self.track_id:
            self.show_view(*read)

    def _on_changes_changed(self, change) -> None:
        if self.track_id is not None and change.touches("track", "observation", "landmark"):
            self.reload()

    def show_view(self, view: DescentView | None, plot: np.ndarray | None = None) -> None:
        self.view = view
        has = view is not None
        for w in (self.measure_button, self.save_button):
            w.setEnabled(has)
        self.note_button.setEnabled(has and view.row is not None)
        if view is None:
            self.title.setText("Select a track in the video's Track tool (Ctrl+T).")
            self.numbers.setText("")
            self.canvas.show_rgba(None)
            return
        t = view.track
        label = f" “{html.escape(t.label)}”" if t.label else ""
        self.title.setText(f"<b>Track {t.id}</b>{label}: {len(t.points)} frames, "
                           f"{t.points[0].frame_index}..{t.points[-1].frame_index}")  # fmt: skip
        self._fill_landmarks(view)
        if view.inputs is not None:
            self._fill_inputs(view.inputs)
            self._show_numbers(view.result, view.inputs.impact, saved=view.row.id)
            self.canvas.show_rgba(plot)
        else:
            self.numbers.setText("Not measured yet: choose the scale, then Measure.")
            self.canvas.show_rgba(None)

    # -- inputs -------------------------------------------------------------------------------
    def _on_source_current_index_changed(self, *_args) -> None:
        shown = FIELDS[self.source.currentData()]
        for key, w in self.inputs.items():
            visible = key in shown or key == "roll"
            w.setVisible(visible)
            self.form.labelForField(w).setVisible(visible)

    def _fill_landmarks(self, view: DescentView) -> None:
        pairs = ((self.camera_box, ("camera",)), (self.target_box, ("landmark", "target")))
        for box, kinds in pairs:
            box.clear()
            for m in view.landmarks:
                if m.kind in kinds:
                    box.addItem(m.name, m.id)
        self.map_button.setEnabled(self.camera_box.count() > 0 and self.target_box.count() > 0)

    def _fill_inputs(self, i) -> None:
        sc = i.scale
        self.source.setCurrentIndex(self.source.findData(sc.source if sc is not None else ""))
        if sc is not None:
            values = {"distance": sc.distance_m, "distance_sigma": sc.distance_sigma_m,
                      "hfov": sc.hfov_deg, "hfov_sigma": sc.hfov_sigma_deg, "pitch": sc.pitch_deg,
                      "length_m": sc.length_m, "length_px": sc.length_px,
                      "px_per_m": sc.px_per_m}  # fmt: skip
            for key, v in values.items():
                if v is not None:
                    self.inputs[key].setValue(v)
        self.inputs["roll"].setValue(i.roll_deg)
        self.note.setPlainText(i.note)

    def scale_inputs(self) -> ScaleInputs | None:
        """The scale as typed (None: no scale)."""
        source, v = self.source.currentData(), {k: w.value() for k, w in self.inputs.items()
                                                if isinstance(w, QDoubleSpinBox)}  # fmt: skip
        if source == CAMERA:
            return ScaleInputs(CAMERA, distance_m=v["distance"],
                               distance_sigma_m=v["distance_sigma"], hfov_deg=v["hfov"],
                               hfov_sigma_deg=v["hfov_sigma"], pitch_deg=v["pitch"],
                               origin="typed")  # fmt: skip
        if source in (LENGTH, OBJECT):
            return ScaleInputs(source, length_m=v["length_m"], length_px=v["length_px"],
                               origin="typed")  # fmt: skip
        if source == STATED:
            return ScaleInputs(STATED, px_per_m=v["px_per_m"], origin="typed")
        return None

    def use_map(self) -> None:
        """Distance (and pitch, with both heights) from the chosen camera to the target."""
        if self.view is None:
            return
        by_id = {m.id: m for m in self.view.landmarks}
        cam = by_id.get(self.camera_box.currentData())
        target = by_id.get(self.target_box.currentData())
        if cam is None or target is None:
            return
        distance, pitch = map_distance(cam, target)
        self.inputs["distance"].setValue(distance)
        if pitch is not None:
            self.inputs["pitch"].setValue(pitch)
        self.numbers.setText(html.escape(f"Distance {distance:.0f} m from {cam.name} to "
                                         f"{target.name} (map)."))  # fmt: skip

    # -- measuring and saving -----------------------------------------------------------------
    def measure(self) -> None:
        view = self.view
        if view is None:
            return
        inputs = descent_inputs(view.track, self.scale_inputs(),
                                roll_deg=self.inputs["roll"].value(),
                                note=self.note.toPlainText())  # fmt: skip

        def job(progress, cancel):
            descent = descent_of(inputs)  # raises GeometryError, saying what is missing
            plot = plot_rgba(descent, f"track {inputs.track_id}")
            return inputs, entry(KIND).recompute(inputs), plot

        self.jobs.run(
            f"Measuring the descent of track {view.track.id}",
            job,
            on_result=self._on_measured,
            on_error=lambda exc: self._fail(str(exc)),
        )

    def _on_measured(self, measured) -> None:
        inputs, result, plot = measured
        if self.view is None or inputs.track_id != self.view.track.id:
            return
        self.preview = inputs
        self._show_numbers(result, inputs.impact, saved=None)
        self.canvas.show_rgba(plot)

    def save(self) -> None:
        """Store the measurement (measured again from the inputs now) in the case."""
        case, view = self.case, self.view
        if case is None or view is None:
            return
        inputs = descent_inputs(view.track, self.scale_inputs(),
                                roll_deg=self.inputs["roll"].value(),
                                note=self.note.toPlainText())  # fmt: skip
        self.undo_stack.push(AddRecordCommand(
            self.writes, f"descent of track {view.track.id}", lambda: add_descent(case, inputs),
            lambda oid: delete_observation(case, oid), lambda rec: restore_observation(case, rec),
        ))  # fmt: skip

    def save_note(self) -> None:
        case, view = self.case, self.view
        if case is None or view is None or view.row is None:
            return
        oid, old, new = view.row.id, view.inputs.note, self.note.toPlainText()
        self.undo_stack.push(
            EditCommand(self.writes, f"note of descent {oid}",
                        lambda note: set_descent_note(case, oid, note), old, new)
        )  # fmt: skip

    def _show_numbers(self, r, impact, *, saved: int | None) -> None:
        u = r.unit
        lines = [
            f"<b>{html.escape(r.verdict)}</b>: {html.escape(r.reason)}",
            f"rate {html.escape(range_text(r.rate, u + '/s', '.2f'))}",
            f"acceleration {html.escape(range_text(r.acceleration, u + '/s²', '.2f'))}",
            f"model: {html.escape(r.chosen_model)} (AICc); {r.n_points} frames over "
            f"{r.duration_s:.2f} s",
        ]
        if impact:
            lines.append(html.escape(impact_text(impact)))
        lines.append(f"stored as observation {saved}" if saved else "<i>not saved yet</i>")
        self.numbers.setText("<br>".join(lines))

    def _fail(self, text: str) -> None:
        self.numbers.setText(f"<span style='color:#c0392b'>⚠ {html.escape(text)}</span>")
        self.message.emit(f"⚠ {text}")

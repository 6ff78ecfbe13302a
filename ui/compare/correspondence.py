"""The Compare panel's correspondence figure: marks by hand, a list, a note, Save (undoable).

What investigators publish when a landmark is too small or too far for feature matching: the
same points marked on both pictures, numbered, each with a loupe. ``CorrespondenceTool`` keeps
the marks (``ui.compare.marks``: every add, move and delete is on the window's undo stack),
shows them in ``CorrespondenceBox`` beside the pictures, and saves the figure: a job draws and
writes it (``workbench.correspondence.store.draw_correspondence``: PNG and provenance sidecar
in derived/figures), then its record is written in turn through the geodata service and
pushed as an undoable addition, whose undo deletes the record (audited) and whose redo
restores it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from analysis.jobs import JobCancelled
from ui.compare.marks import MarkDraft, MarkLayer
from ui.compare.views import PairView
from ui.geodata.commands import AddRecordCommand
from ui.geodata.service import GeodataService
from ui.jobs import JobRunner
from ui.qimage import rgb_to_qimage
from workbench.case import Case
from workbench.correspondence.model import Mark
from workbench.correspondence.store import (
    DrawnFigure,
    delete_figure,
    draw_correspondence,
    record_figure,
    restore_figure,
)
from workbench.match_store import ViewRef, load_view

HINT = (
    "Click a point in A, then the same point in B; repeat. Drag on the picture to mark a box;"
    " drag a mark to move it; right-click it (or Delete) to remove its pair; Ctrl+Z undoes."
)


@dataclass(frozen=True)
class LoadedPair:
    """Two views ready to show (QImages may be made on a worker)."""

    a: ViewRef
    b: ViewRef
    image_a: QImage
    image_b: QImage


@dataclass(frozen=True)
class SavedFigure:
    figure_id: int
    drawn: DrawnFigure


def load_pair(case: Case, a: ViewRef, b: ViewRef, *, progress=None, cancel=None) -> LoadedPair:
    """Decode A and B (an image, or an exact video frame) for marking, without comparing."""
    pictures = []
    for ref in (a, b):
        bgr, _ = load_view(case, ref)
        pictures.append(rgb_to_qimage(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    return LoadedPair(a, b, pictures[0], pictures[1])


def _mark_text(mark: Mark | None) -> str:
    if mark is None:
        return "…"
    if mark.is_box:
        return f"box ({mark.x:.0f}, {mark.y:.0f}) {mark.w:.0f} x {mark.h:.0f}"
    return f"({mark.x:.1f}, {mark.y:.1f})"


class CorrespondenceBox(QWidget):
    """The marked pairs, the figure's title and note, Delete and Save."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.pair_list = QListWidget()
        self.delete_button = QPushButton("Delete pair")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Title (e.g. Water tower seen from the rooftop)")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("Your note: what each numbered pair shows and why…")
        self.save_button = QPushButton("Save figure")
        self.save_button.setEnabled(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        for w in (self.hint, self.pair_list):
            layout.addWidget(w)
        layout.addLayout(row)
        layout.addWidget(QLabel("Title"))
        layout.addWidget(self.title_edit)
        layout.addWidget(QLabel("Note"))
        layout.addWidget(self.note_edit, 1)
        layout.addWidget(self.status)

    def show_entries(self, entries, selected: int) -> None:
        self.pair_list.blockSignals(True)
        self.pair_list.clear()
        for k, (a, b) in enumerate(entries, 1):
            self.pair_list.addItem(f"{k}   A {_mark_text(a)}   →   B {_mark_text(b)}")
        if 0 <= selected < self.pair_list.count():
            self.pair_list.setCurrentRow(selected)
        self.pair_list.blockSignals(False)


class CorrespondenceTool(QObject):
    """Marks, list and saving of a correspondence figure (see the module docstring)."""

    figure_saved = Signal(object)  # SavedFigure
    pair_loaded = Signal(object)  # LoadedPair: A and B shown for marking, not compared
    failed = Signal(str, object)  # (title, exception)

    def __init__(
        self, jobs: JobRunner, view: PairView, undo_stack: QUndoStack, service: GeodataService
    ) -> None:
        super().__init__(view)
        self.view = view
        self.jobs, self.undo_stack, self.service = jobs, undo_stack, service
        self.case: Case | None = None
        self.draft = MarkDraft(self)
        self.layer = MarkLayer(view, self.draft, undo_stack)
        self.box = CorrespondenceBox()
        self.draft.changed.connect(self._update_box)
        self.layer.selected_changed.connect(self._update_box)
        self.box.pair_list.currentRowChanged.connect(self._on_pair_list_current_row_changed)
        self.box.delete_button.clicked.connect(self.delete_selected)
        self.box.save_button.clicked.connect(self.save)

    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.layer.sizes = None
        self.draft.reset(None)
        self.box.status.setText("")

    def views_shown(self, a: ViewRef, b: ViewRef, size_a, size_b) -> None:
        """The pair view now shows A and B: marks of other views are dropped."""
        self.layer.sizes = (size_a, size_b)
        if self.draft.views != (a, b):
            self.draft.reset((a, b))
        else:
            self.layer.redraw()

    def show_views(self, case: Case, a: ViewRef, b: ViewRef) -> None:
        """Show A and B in the pair view for marking (decoded in a job), unless shown."""
        if self.draft.views == (a, b) and self.layer.sizes is not None:
            return
        self.jobs.run(
            "Loading A and B",
            functools.partial(load_pair, case, a, b),
            on_result=functools.partial(self._on_pair_loaded, case),
            on_error=functools.partial(self._on_failed, "Cannot load A and B"),
        )

    def _on_pair_loaded(self, case: Case, loaded: LoadedPair) -> None:
        if case is not self.case:
            return
        self.view.set_pair(loaded.image_a, loaded.image_b)
        self.pair_loaded.emit(loaded)  # the panel calls views_shown

    def set_active(self, on: bool) -> None:
        self.layer.set_active(on)

    def delete_selected(self) -> None:
        self.layer.delete_pair(self.layer.selected)

    def _on_pair_list_current_row_changed(self, row: int) -> None:
        self.layer.selected = row
        self.layer.redraw()

    def _update_box(self, *_args) -> None:
        entries = self.draft.entries
        self.box.show_entries(entries, self.layer.selected)
        missing = self.draft.incomplete()
        ready = bool(entries) and not missing and self.case is not None
        self.box.save_button.setEnabled(ready)
        self.box.delete_button.setEnabled(bool(entries))
        if missing:
            side = "B" if entries[missing[0] - 1][0] is not None else "A"
            self.box.status.setText(f"Pair {missing[0]} waits for its mark in {side}.")
        elif self.box.status.text().startswith("Pair "):
            self.box.status.setText("")

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> None:
        """Draw and write the figure in a job, then record it (undoable, audited)."""
        case, views = self.case, self.draft.views
        pairs = self.draft.pairs()
        if case is None or views is None or not pairs or self.draft.incomplete():
            return
        self.box.save_button.setEnabled(False)
        self.box.status.setText("Drawing the figure…")
        self.jobs.run(
            "Drawing the correspondence figure",
            functools.partial(
                draw_correspondence,
                case,
                views[0],
                views[1],
                pairs,
                title=self.box.title_edit.text(),
                note=self.box.note_edit.toPlainText(),
            ),  # fmt: skip
            on_result=functools.partial(self._on_drawn, case),
            on_error=functools.partial(self._on_failed, "Cannot draw the figure"),
        )

    def _on_drawn(self, case: Case, drawn: DrawnFigure) -> None:
        if case is not self.case:
            return

        def stored(figure_id: int) -> None:
            self.undo_stack.push(
                AddRecordCommand(
                    self.service,
                    f"correspondence figure {figure_id}",
                    lambda: record_figure(case, drawn),
                    lambda i: delete_figure(case, i),
                    lambda record: restore_figure(case, record),
                    stored_id=figure_id,
                )
            )
            rel = drawn.png_path.relative_to(case.path).as_posix()
            self.box.status.setText(f"Saved as correspondence figure {figure_id}: {rel}")
            self._update_box()
            self.figure_saved.emit(SavedFigure(figure_id, drawn))

        self.service.submit(
            "the correspondence figure",
            lambda: record_figure(case, drawn),
            on_result=stored,
            on_error=functools.partial(self._on_failed, "Cannot record the figure"),
        )

    def _on_failed(self, title: str, exc: BaseException) -> None:
        self._update_box()
        if isinstance(exc, JobCancelled):
            self.box.status.setText(f"{title}: cancelled")
            return
        self.box.status.setText(f"{title}: {exc}")
        self.failed.emit(title, exc)

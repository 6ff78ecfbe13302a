"""AnnotationPanel: the Annotate tool of the video panel and the list beside the frame.

With a shape kind chosen (its button or key), clicks on the frame place its points: a point
or a text one click, a line, an arrow or a box two (a box by opposite corners), a polygon
three or more, closed by a click on its first point or Enter; a line, an arrow or a box can
also be dragged in one stroke. The shape being drawn follows the mouse. The label field
gives the new shape's label (a text's words). The list shows the annotations of the frame on
screen; the one selected is highlighted on the frame; Delete removes it, Set label renames
it, Redraw takes new points for it by the same clicks. Every add, delete, rename and redraw
is an undoable command (``ui.undo``) whose writes run one after another off the GUI thread;
what is shown is re-read from the case when the change feed says annotations changed
(``ui.changes``), whoever wrote them. Contact sheet... draws the annotated frames (or a
track's) into a sheet in the case's exports/contact_sheets/ as a job.

Keys while the tool is on (the focus on the frame): P point, I line, R arrow, B box,
G polygon, T text, E redraws the selected annotation, Enter closes a polygon, Esc drops the
shape being drawn (again: leaves the tool), Delete deletes the selected annotation.
"""

from __future__ import annotations

import functools
import math

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.changes import CaseChanges
from ui.jobs import JobRunner, show_job_error
from ui.undo import AddRecordCommand, DeleteRecordCommand, EditCommand, SerialWrites
from ui.video.annotation_items import AnnotationLayer
from ui.video.image_viewer import ImageViewer
from ui.video.on_screen import FrameRef
from workbench.annotations import (
    Annotation,
    add_annotation,
    delete_annotation,
    list_annotations,
    restore_annotation,
    update_annotation,
)
from workbench.case import Case
from workbench.contact_sheet_export import WrittenSheet, sheet_in_case
from workbench.tracks import list_tracks

# kind, button text, key
TOOLS = (("point", "Point", Qt.Key.Key_P), ("line", "Line", Qt.Key.Key_I),
         ("arrow", "Arrow", Qt.Key.Key_R), ("box", "Box", Qt.Key.Key_B),
         ("polygon", "Polygon", Qt.Key.Key_G), ("text", "Text", Qt.Key.Key_T))  # fmt: skip
NEEDED = {"point": 1, "text": 1, "line": 2, "arrow": 2, "box": 2}
CLOSE_PX = 8  # a polygon closes on a click this near its first point, on screen


def describe(a: Annotation) -> str:
    """One line of the list: id, kind, label, where."""
    x, y = a.shape.points[0]
    label = f"  “{a.label}”" if a.label else ""
    return f"#{a.id} {a.kind}{label}  at {x:.0f}, {y:.0f}"


class AnnotationPanel(QWidget):
    """The Annotate tool and the frame's annotation list (see the module docstring)."""

    message = Signal(str)
    export_requested = Signal()  # export the frame with its annotations burned in
    sheet_written = Signal(object)  # WrittenSheet
    tool_armed = Signal(str)  # a shape tool now takes the frame's clicks (the Track tool yields)

    def __init__(self, jobs: JobRunner, undo_stack: QUndoStack, viewer: ImageViewer, parent=None):
        super().__init__(parent)
        self.jobs, self.undo_stack, self.viewer = jobs, undo_stack, viewer
        self.case: Case | None = None
        self.frame: FrameRef | None = None
        self.annotations: list[Annotation] = []
        self.selected_id: int | None = None
        self.kind: str | None = None
        self.draft: list[tuple[float, float]] = []
        self.redraw_id: int | None = None  # the annotation the clicks redraw, if any
        self.writes = SerialWrites(jobs, self)
        self.writes.edit_failed.connect(self._show_error)
        self.changes = CaseChanges(self)
        self.changes.changed.connect(self._on_changes_changed)
        self.layer = AnnotationLayer(viewer, self)
        viewer.viewport().setMouseTracking(True)  # the shape being drawn follows the mouse
        viewer.pixel_clicked.connect(self._on_viewer_pixel_clicked)
        for w in (viewer, viewer.viewport()):
            w.installEventFilter(self)
        self._build()
        self.setVisible(False)

    def _build(self) -> None:
        grid = QGridLayout()
        self.tool_buttons: dict[str, QToolButton] = {}
        for k, (kind, text, key) in enumerate(TOOLS):
            b = QToolButton()
            b.setText(text)
            b.setCheckable(True)
            b.setToolTip(f"Draw a {kind} on the frame ({Qt.Key(key).name[4:]})")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(functools.partial(self._on_tool_clicked, kind))
            grid.addWidget(b, k // 3, k % 3)
            self.tool_buttons[kind] = b
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("label (a text's words)")
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self._take_label())
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.rename_button = QPushButton("Set label")
        self.rename_button.clicked.connect(self.rename_selected)
        self.redraw_button = QPushButton("Redraw")
        self.redraw_button.setToolTip("New points for the selected annotation (E)")
        self.redraw_button.clicked.connect(self.redraw_selected)
        self.sheet_button = QPushButton("Contact sheet…")
        self.sheet_button.setToolTip(
            "The annotated frames of this video in a grid, with provenance (exports/)"
        )
        self.export_button = QPushButton("Export with annotations")
        self.export_button.setToolTip("The frame with its annotations burned in; the sidecar "
                                      "keeps the clean frame's md5 (Shift+E)")  # fmt: skip
        self.export_button.clicked.connect(self.export_requested)
        self.sheet_menu = QMenu(self)
        self.sheet_menu.aboutToShow.connect(self._on_sheet_menu_about_to_show)
        self.sheet_button.setMenu(self.sheet_menu)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # labels and file names as typed
        self.status.setWordWrap(True)
        edits = QHBoxLayout()
        edits.addWidget(self.rename_button)
        edits.addWidget(self.redraw_button)
        edits.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(QLabel("Annotate (A)"))
        layout.addLayout(grid)
        layout.addWidget(self.label_edit)
        layout.addWidget(self.list, 1)
        layout.addLayout(edits)
        layout.addWidget(self.export_button)
        layout.addWidget(self.sheet_button)
        layout.addWidget(self.status)
        self.setFixedWidth(250)

    # -- what is shown ------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        if case is not self.case:
            self.case = case
            self.writes.set_case(case)
            self.changes.set_case(case)

    def show_frame(self, frame: FrameRef | None) -> None:
        """The frame on screen (None: none); its annotations are read and drawn."""
        if frame is None or self.frame is None or frame.frame_index != self.frame.frame_index:
            self._drop_draft()
        self.frame = frame
        self.reload()

    def reload(self) -> None:
        """Read the frame's annotations (one indexed query of a few rows) and show them."""
        f, case = self.frame, self.case
        if case is None or f is None or f.frame_index is None:
            self.annotations = []
        else:
            self.annotations = list_annotations(case.read(), f.evidence_id, f.frame_index)
        if self.selected_id not in {a.id for a in self.annotations}:
            self.selected_id = None
        self.list.blockSignals(True)
        self.list.clear()
        for a in self.annotations:
            item = QListWidgetItem(describe(a))
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.list.addItem(item)
            if a.id == self.selected_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.layer.show(self.annotations, self.selected_id)
        stale = [a.id for a in self.annotations if f is not None and a.frame_md5 != f.frame_md5]
        if stale:
            self.status.setText(f"⚠ annotations {stale} were drawn on another picture")
        elif self.status.text().startswith("⚠ annotations"):
            self.status.setText("")

    def _on_changes_changed(self, change) -> None:
        if change.touches("annotation"):
            self.reload()

    def _on_list_current_item_changed(self, item: QListWidgetItem | None, _prev) -> None:
        self.selected_id = None if item is None else int(item.data(Qt.ItemDataRole.UserRole))
        self.layer.show(self.annotations, self.selected_id)

    def selected(self) -> Annotation | None:
        return next((a for a in self.annotations if a.id == self.selected_id), None)

    # -- drawing ------------------------------------------------------------------------
    def set_tool(self, kind: str | None) -> None:
        """Draw ``kind`` from now on (None: stop drawing; clicks pan the frame again)."""
        if kind is not None:  # before arming the viewer: whoever yields disarms it first
            self.tool_armed.emit(kind)
        self._drop_draft()
        self.kind, self.redraw_id = kind, None
        for name, b in self.tool_buttons.items():
            b.setChecked(name == kind)
        self.viewer.set_armed(kind is not None)

    def toggle(self) -> bool:
        """Show or hide the tool and its list (hiding stops drawing); whether it is shown."""
        shown = self.isHidden()
        self.setVisible(shown)
        if not shown:
            self.set_tool(None)
        return shown

    def _on_tool_clicked(self, kind: str) -> None:
        self.set_tool(None if self.kind == kind else kind)

    def _on_viewer_pixel_clicked(self, x_px: float, y_px: float) -> None:
        if self.kind is None or self.frame is None or self.frame.frame_index is None:
            return
        self.viewer.set_armed(True)  # another tool may have disarmed it
        if self.kind == "polygon" and len(self.draft) >= 3:
            x0, y0 = self.draft[0]
            if math.hypot(x_px - x0, y_px - y0) * self.viewer.zoom <= CLOSE_PX:
                self.finish()
                return
        self.draft.append((x_px, y_px))
        if len(self.draft) == NEEDED.get(self.kind, 0):
            self.finish()
        else:
            self.layer.show_draft(self.draft)

    def finish(self) -> None:
        """Store the shape drawn so far (a polygon needs 3 points) as an undoable command."""
        case, f, kind, points = self.case, self.frame, self.kind, list(self.draft)
        self._drop_draft()
        if case is None or f is None or f.frame_index is None or kind is None:
            return
        if self.redraw_id is not None:
            self._push_redraw(case, self.redraw_id, points)
            return
        label = self.label_edit.text()
        add = functools.partial(add_annotation, case, f.evidence_id, f.frame_index, kind,
                                points, label)  # fmt: skip
        self.undo_stack.push(
            AddRecordCommand(self.writes, f"annotate a {kind} on frame {f.frame_index}", add,
                             functools.partial(delete_annotation, case),
                             functools.partial(restore_annotation, case))
        )  # fmt: skip
        self.status.setText("")

    def _drop_draft(self) -> None:
        self.draft = []
        self.layer.show_draft([])

    # -- edits --------------------------------------------------------------------------
    def delete_selected(self) -> None:
        a, case = self.selected(), self.case
        if a is None or case is None:
            return
        self.undo_stack.push(
            DeleteRecordCommand(self.writes, f"delete annotation {a.id}",
                                functools.partial(delete_annotation, case, a.id),
                                functools.partial(restore_annotation, case))
        )  # fmt: skip

    def rename_selected(self) -> None:
        a, case = self.selected(), self.case
        new = self.label_edit.text()
        if a is None or case is None or new == a.label:
            return

        def apply(label: str):
            return update_annotation(case, a.id, label=label)

        self.undo_stack.push(
            EditCommand(self.writes, f"label annotation {a.id}", apply, a.label, new)
        )

    def redraw_selected(self) -> None:
        """The next clicks give the selected annotation new points (same kind)."""
        a = self.selected()
        if a is not None:
            self.set_tool(a.kind)
            self.redraw_id = a.id

    def _push_redraw(self, case: Case, annotation_id: int, points) -> None:
        old = next((a.shape.points for a in self.annotations if a.id == annotation_id), None)
        self.set_tool(None)
        if old is None:
            return

        def apply(pts):
            return update_annotation(case, annotation_id, points=pts)

        self.undo_stack.push(
            EditCommand(self.writes, f"redraw annotation {annotation_id}", apply, old,
                        tuple(points))
        )  # fmt: skip

    def _take_label(self) -> None:
        a = self.selected()
        if a is not None:
            self.label_edit.setText(a.label)
            self.label_edit.setFocus()

    def _on_sheet_menu_about_to_show(self) -> None:
        self.sheet_menu.clear()
        self.sheet_menu.addAction("The annotated frames", self.make_contact_sheet)
        if self.case is None or self.frame is None:
            return
        for t in list_tracks(self.case.read(), self.frame.evidence_id):
            text = f"Track {t.id} {t.label} ({len(t.points)} frames)".replace("&", "&&")
            self.sheet_menu.addAction(text, functools.partial(self.make_contact_sheet, t.id))

    def make_contact_sheet(self, track_id: int | None = None) -> None:
        """The sheet of the annotated frames (or along a track) in the case, as a job."""
        case, f = self.case, self.frame
        if case is None or f is None:
            return
        what = "the annotated frames" if track_id is None else f"track {track_id}"
        self.jobs.run(
            f"Contact sheet of {what}",
            functools.partial(sheet_in_case, case, f.evidence_id, track_id),
            on_result=self._on_sheet_written,
            on_error=functools.partial(self._show_error, "Contact sheet failed"),
        )

    def _on_sheet_written(self, sheet: WrittenSheet) -> None:
        self.status.setText(f"Contact sheet of {len(sheet.cells)} frames: {sheet.png_path}")
        self.message.emit(self.status.text())
        self.sheet_written.emit(sheet)

    def _show_error(self, title: str, exc: BaseException | str) -> None:
        show_job_error(self.status, self.message, title, exc)

    # -- keys ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.KeyPress and not self.isHidden():
            return self.handle_key(event)
        if self.kind is not None and self.draft and watched is self.viewer.viewport():
            if kind == QEvent.Type.MouseMove:  # the shape follows the mouse
                self.layer.show_draft(self.draft, self._pixel_at(event), self.kind)
            elif kind == QEvent.Type.MouseButtonRelease and NEEDED.get(self.kind) == 2:
                self._on_drag_released(event)
        return False

    def _pixel_at(self, event) -> tuple[float, float]:
        """The frame pixel under the mouse (as ``ImageViewer`` maps a click)."""
        inverse, _ok = self.viewer.viewportTransform().inverted()
        point = inverse.map(event.position() + QPointF(0.5, 0.5))
        return point.x() - 0.5, point.y() - 0.5

    def _on_drag_released(self, event) -> None:
        """A press, a drag and a release draw a line, an arrow or a box in one stroke."""
        x, y = self._pixel_at(event)
        x0, y0 = self.draft[0]
        if len(self.draft) == 1 and math.hypot(x - x0, y - y0) * self.viewer.zoom > CLOSE_PX:
            self.draft.append((x, y))
            self.finish()

    def handle_key(self, event: QKeyEvent) -> bool:
        """The tool's keys (module docstring); False for keys it leaves to the panel."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = Qt.Key(event.key())
        kinds = {k: kind for kind, _text, k in TOOLS}
        if key in kinds:
            self.set_tool(kinds[key])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.kind == "polygon":
            self.finish()
        elif key == Qt.Key.Key_Escape and self.kind is not None:
            self.set_tool(self.kind if self.draft else None)  # drop the shape, then the tool
        elif key == Qt.Key.Key_Delete and self.selected() is not None:
            self.delete_selected()
        elif key == Qt.Key.Key_E and self.selected() is not None:
            self.redraw_selected()
        else:
            return False
        event.accept()
        return True

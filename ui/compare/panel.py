"""ComparePanel: two views of the case side by side, aligned, judged and annotated.

The user chooses A and B among the case's evidence (images; videos by frame or segment),
presses Compare and sees: the match lines, the aligned pair (overlay, blink, swipe), the
numbers and the viewpoint verdict (workbench.match_store on cached features). With "Find
landmark" on, a box drawn on A is searched in B and its quadrilateral outlined. The note
written beside the numbers is saved with them (a continuity note) and the figures go to
derived/figures with their provenance. With "Mark points" on, points and boxes marked by hand
on A and B make a correspondence figure (``ui.compare.correspondence``), for landmarks too
small for feature matching. "Leave out overlays" keeps a video's bars and static overlays
(logos, time stamps: ``workbench.media_inspection``) out of the features. Every computation
runs through the JobRunner.

Run alone: ``python -m ui.compare CASE``.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.jobs import JobCancelled
from analysis.matching.geometry import frame_of_b_in_a
from ui.compare.chooser import ViewChooser
from ui.compare.correspondence import CorrespondenceTool, LoadedPair
from ui.compare.jobs import (
    SavedNote,
    ShownComparison,
    ShownRegion,
    run_compare,
    run_compare_segments,
    run_find_region,
    run_save,
)
from ui.compare.numbers import FiguresBox, plain_status
from ui.compare.views import AlignedView, PairView
from ui.geodata.service import GeodataService
from ui.jobs import JobRunner
from workbench.case import Case
from workbench.case.evidence import list_evidence
from workbench.video_store import list_segments

VIEW_MODES = ("matches", "overlay", "blink", "swipe")


class ComparePanel(QWidget):
    """See the module docstring."""

    compared = Signal(object)  # ShownComparison
    region_found = Signal(object)  # ShownRegion
    note_saved = Signal(object)  # SavedNote
    pair_loaded = Signal(object)  # LoadedPair: A and B shown for marking, not compared
    failed = Signal(str)

    def __init__(self, jobs: JobRunner, parent=None, *, undo_stack: QUndoStack | None = None,
                 service: GeodataService | None = None) -> None:  # fmt: skip
        """``undo_stack``, ``service``: the window's (marks are undone with Ctrl+Z there, and
        a saved figure's record is written in turn with the other edits); alone, its own."""
        super().__init__(parent)
        self.jobs = jobs
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self._own_service = service is None
        self.service = service if service is not None else GeodataService(jobs, self.undo_stack)
        self.case: Case | None = None
        self.shown: ShownComparison | None = None
        self.region: ShownRegion | None = None
        self._build()

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.chooser_a = ViewChooser("A")
        self.chooser_b = ViewChooser("B")
        for chooser in (self.chooser_a, self.chooser_b):
            chooser.segments_wanted.connect(self._load_segments)
        self.compare_button = QPushButton("Compare")
        self.compare_button.clicked.connect(self.compare)
        self.find_button = QPushButton("Find landmark")
        self.find_button.setCheckable(True)
        self.find_button.setToolTip("Draw a box on A: the same place is searched in B")
        self.find_button.toggled.connect(self._on_find_button_toggled)
        self.mark_button = QPushButton("Mark points")
        self.mark_button.setCheckable(True)
        self.mark_button.setToolTip(
            "Mark the same points (or boxes) on A and B by hand: a correspondence figure with a"
            " loupe per pair, for a landmark too small or too far for feature matching"
        )
        self.mark_button.toggled.connect(self._on_mark_button_toggled)
        self.mask_check = QCheckBox("Leave out overlays")
        self.mask_check.setToolTip(
            "A video's black bars and static overlays (logos, time stamps) give no features"
            " (the video is inspected once, then cached)"
        )
        top = QHBoxLayout()
        top.addWidget(self.chooser_a, 1)
        top.addWidget(self.chooser_b, 1)
        top.addWidget(self.mask_check)
        top.addWidget(self.compare_button)
        top.addWidget(self.find_button)
        top.addWidget(self.mark_button)
        self.pair_view = PairView()
        self.pair_view.box_drawn.connect(self.find_region)
        self.correspondence = CorrespondenceTool(
            self.jobs, self.pair_view, self.undo_stack, self.service
        )
        self.correspondence.failed.connect(self._show_error)
        self.correspondence.pair_loaded.connect(self._on_correspondence_pair_loaded)
        self.aligned_view = AlignedView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pair_view)
        self.stack.addWidget(self.aligned_view)
        self.figures = FiguresBox()
        self.figures.setMinimumWidth(300)
        self.figures.save_requested.connect(self.save)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._left(self.stack))
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.figures, "Numbers")
        self.side_tabs.addTab(self.correspondence.box, "Correspondence")
        split.addWidget(self.side_tabs)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def _left(self, stack: QStackedWidget) -> QWidget:
        self.mode_group = QButtonGroup(self)
        row = QHBoxLayout()
        for k, name in enumerate(VIEW_MODES):
            b = QPushButton(name.capitalize())
            b.setCheckable(True)
            b.setChecked(k == 0)
            self.mode_group.addButton(b, k)
            row.addWidget(b)
        self.mode_group.idClicked.connect(lambda k: self.set_mode(VIEW_MODES[k]))
        self.swipe_slider = QSlider(Qt.Orientation.Horizontal)
        self.swipe_slider.setRange(0, 1000)
        self.swipe_slider.setValue(500)
        self.swipe_slider.setToolTip("Swipe divider")
        self.swipe_slider.valueChanged.connect(lambda v: self.aligned_view.set_swipe(v / 1000))
        self.swipe_slider.setVisible(False)
        row.addWidget(self.swipe_slider, 1)
        row.addStretch(0)
        self.status = QLabel("Choose A and B, then Compare.")
        self.status.setWordWrap(True)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(stack, 1)
        lay.addWidget(self.status)
        return box

    # -- case ---------------------------------------------------------------------------------
    def set_case(self, case: Case | None) -> None:
        self.case = case
        if self._own_service:
            self.service.set_case(case)
        self.correspondence.set_case(case)
        self.shown = self.region = None
        self.aligned_view.stop()
        self.aligned_view.set_images(None, None)
        self.pair_view.clear_overlays()
        self.figures.clear()
        if case is None:
            self.chooser_a.set_evidence([])
            self.chooser_b.set_evidence([])
            return
        self.refresh()

    def refresh(self) -> None:
        """Re-read the case's evidence list (off the GUI thread)."""
        case = self.case
        if case is None:
            return
        self.jobs.run(
            "Reading evidence for Compare",
            lambda progress, cancel: list_evidence(case.read()),
            on_result=functools.partial(self._on_evidence, case),
            quiet=True,
            on_error=functools.partial(self._show_error, "Cannot read the case"),
        )

    def _on_evidence(self, case: Case, items: list) -> None:
        if case is not self.case:
            return
        first_fill = self.chooser_b.combo.count() == 0
        self.chooser_a.set_evidence(items)
        self.chooser_b.set_evidence(items)
        if first_fill and self.chooser_b.combo.count() > 1:
            self.chooser_b.combo.setCurrentIndex(1)  # later refreshes keep the user's choice

    def _load_segments(self, evidence_id: int) -> None:
        case = self.case
        if case is None:
            return
        self.jobs.run(
            "Reading segments",
            lambda progress, cancel: list_segments(case.read(), evidence_id),
            on_result=functools.partial(self._on_segments, evidence_id),
            quiet=True,
            on_error=functools.partial(self._show_error, "Cannot read the segments"),
        )

    def _on_segments(self, evidence_id: int, segments: list) -> None:
        self.chooser_a.set_segments(evidence_id, segments)
        self.chooser_b.set_segments(evidence_id, segments)

    # -- actions ------------------------------------------------------------------------------
    def compare(self) -> None:
        """Compare the chosen A and B (a job)."""
        case, a, b = self.case, self.chooser_a.current_ref(), self.chooser_b.current_ref()
        if case is None or a is None or b is None:
            self._show_error("Compare", "Open a case and choose A and B first.")
            return
        masked = self.mask_check.isChecked()
        fn = functools.partial(run_compare, case, a, b, mask_overlays=masked)
        self._start("Comparing A and B", fn)

    def compare_segments(self, evidence_id: int, seg_a, seg_b) -> None:
        """Continuity of two segments of a video (from the timeline or the Case menu)."""
        case = self.case
        if case is None:
            return
        fn = functools.partial(run_compare_segments, case, evidence_id, seg_a, seg_b)
        self._start(f"Comparing segments {seg_a.first_frame}/{seg_b.first_frame}", fn)

    def _start(self, title: str, fn) -> None:
        self.compare_button.setEnabled(False)
        self.status.setText(f"{title}…")
        self.jobs.run(
            title,
            fn,
            on_result=functools.partial(self._on_compared, self.case),
            on_error=functools.partial(self._on_job_failed, "Comparison failed"),
        )

    def _on_compared(self, case: Case, shown: ShownComparison) -> None:
        self.compare_button.setEnabled(True)
        if case is not self.case:
            return
        self.shown, self.region = shown, None
        self.chooser_a.select(shown.a)
        self.chooser_b.select(shown.b)
        self.pair_view.set_pair(shown.image_a, shown.image_b)
        self._views_shown(shown.a, shown.b, shown.image_a, shown.image_b)
        self.pair_view.show_matches(shown.result.match)
        self.aligned_view.set_images(
            shown.image_a, shown.b_on_a, frame_of_b_in_a(shown.result.match)
        )
        self.figures.show_result(
            shown.result, f"{self.chooser_a.describe()} → {self.chooser_b.describe()}"
        )
        self.status.setText(plain_status(shown.result.match))
        self.status.setToolTip(shown.result.match.reason)
        self.compared.emit(shown)

    def find_region(self, box_xywh: tuple[float, float, float, float]) -> None:
        """Search the box drawn on A (A's pixels) in B (a job)."""
        case, shown = self.case, self.shown
        if case is None or shown is None:
            self._show_error("Find landmark", "Compare A and B first, then draw the box on A.")
            return
        self.status.setText("Searching the landmark in B…")
        self.pair_view.set_box(QRectF(*box_xywh))
        self.jobs.run(
            "Finding the landmark",
            functools.partial(
                run_find_region,
                case,
                shown.a,
                shown.b,
                box_xywh,
                mask_overlays=self.mask_check.isChecked(),
            ),  # fmt: skip
            on_result=self._on_region,
            on_error=functools.partial(self._on_job_failed, "Region search failed"),
        )

    def _on_region(self, region: ShownRegion) -> None:
        self.region = region
        self.pair_view.show_quad(region.result.quad_b_px)
        wh = self.shown.result.match.image_b_wh if self.shown is not None else None
        self.figures.show_region(region.result, wh)
        self.status.setText(f"Landmark: {region.result.verdict} ({region.result.reason})")
        if region.result.advice:
            self.status.setText(self.status.text() + ". Press Mark points to mark them.")
        self.region_found.emit(region)

    def save(self, note_text: str | None = None) -> None:
        """Save the numbers and the note (a continuity note) and write the figures."""
        case, shown = self.case, self.shown
        if case is None or shown is None:
            return
        text = self.figures.note_edit.toPlainText() if note_text is None else note_text
        quad = None
        if self.region is not None and self.region.result.found:
            quad = self.region.result.quad_b_px
        self.figures.save_button.setEnabled(False)
        self.jobs.run(
            "Saving the continuity note",
            functools.partial(run_save, case, shown, text, quad),
            on_result=self._on_saved,
            on_error=functools.partial(self._on_job_failed, "Cannot save the note"),
        )

    def _on_saved(self, saved: SavedNote) -> None:
        self.figures.save_button.setEnabled(True)
        figures = saved.figures.sidecar_path.name
        text = f"Saved as continuity note {saved.note_id}; figures: {figures}"
        if saved.same_time is not None:  # shadows were measured on both frames
            text += f"\nShadows: {saved.same_time['message']}"
        self.figures.saved_label.setText(text)
        self.note_saved.emit(saved)

    def set_mode(self, mode: str) -> None:
        """Show the match lines ("matches") or the aligned pair ("overlay", "blink", "swipe")."""
        if mode not in VIEW_MODES:
            raise ValueError(f"unknown view mode {mode!r}; one of {VIEW_MODES}")
        self.mode_group.button(VIEW_MODES.index(mode)).setChecked(True)
        self.swipe_slider.setVisible(mode == "swipe")
        if mode == "matches":
            self.aligned_view.stop()
            self.stack.setCurrentWidget(self.pair_view)
            return
        self.aligned_view.set_mode(mode)
        self.stack.setCurrentWidget(self.aligned_view)

    @property
    def mode(self) -> str:
        return VIEW_MODES[self.mode_group.checkedId()]

    def _on_find_button_toggled(self, on: bool) -> None:
        if on:
            self.mark_button.setChecked(False)
            self.set_mode("matches")
        self.pair_view.set_box_mode(on)

    def _on_mark_button_toggled(self, on: bool) -> None:
        if on:
            self.find_button.setChecked(False)
            self.set_mode("matches")
            self.side_tabs.setCurrentWidget(self.correspondence.box)
            a, b = self.chooser_a.current_ref(), self.chooser_b.current_ref()
            if self.case is not None and a is not None and b is not None:
                self.correspondence.show_views(self.case, a, b)  # unless already shown
        self.correspondence.set_active(on)

    def _on_correspondence_pair_loaded(self, loaded: LoadedPair) -> None:
        self.shown = self.region = None  # the numbers belonged to another pair
        self.figures.clear()
        self.aligned_view.set_images(None, None)
        self._views_shown(loaded.a, loaded.b, loaded.image_a, loaded.image_b)
        self.status.setText("Mark the same points on A and B.")
        self.pair_loaded.emit(loaded)

    def _views_shown(self, a, b, image_a, image_b) -> None:
        sizes = ((image_a.width(), image_a.height()), (image_b.width(), image_b.height()))
        self.correspondence.views_shown(a, b, *sizes)

    # -- errors -------------------------------------------------------------------------------
    def _on_job_failed(self, title: str, exc: BaseException) -> None:
        self.compare_button.setEnabled(True)
        self.figures.save_button.setEnabled(self.shown is not None)
        self._show_error(title, exc)

    def _show_error(self, title: str, exc: BaseException | str) -> None:
        if isinstance(exc, JobCancelled):
            self.status.setText(f"{title}: cancelled")
            return
        self.status.setText(f"{title}: {exc}")
        self.failed.emit(f"{title}: {exc}")
        if self.isVisible():
            box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()

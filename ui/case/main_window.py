"""MainWindow: the case, its evidence and the panels around the central viewer.

The window composes: it opens and closes the case, and points the shared services at it (the
change relay ``ui.changes``, the geodata service ``ui.geodata``, the evidence edits). After
that each panel updates itself from the change feed: the map its layers, the tools their
landmarks, the log panel its rows; the window re-reads the evidence list (and thumbnails) only
when evidence or notes changed. It announces the picture on screen to the geometry tools.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
)

from analysis.jobs import JobCancelled
from ui.case.case_reader import CaseReader
from ui.case.evidence_edits import EvidenceEdits
from ui.case.evidence_panel import EvidencePanel
from ui.case.log_panel import LogPanel
from ui.case.menus import (
    ask_case_folder,
    ask_media_files,
    ask_new_case_path,
    build_menus,
    fill_recent_menu,
)
from ui.case.metadata_panel import MetadataPanel
from ui.case.notes_panel import NotesPanel
from ui.case.settings_dialog import SettingsDialog
from ui.case.source_panel import SourcePanel
from ui.case.start_page import StartPage
from ui.case.window_parts import WindowParts, scrolled
from ui.changes import CaseChanges
from ui.compare.panel import ComparePanel
from ui.geodata.picks import MapPicks
from ui.geodata.service import GeodataService
from ui.geometry.dock import GeometryTools
from ui.jobs import JobRunner
from ui.map.panel import MapPanel
from ui.video.image_viewer import ImageViewer
from ui.video.media_loader import load_preview
from ui.video.on_screen import FrameRef, picture_ref
from ui.video.panel import VideoPanel
from workbench.case import Case, create_case, open_case
from workbench.case import evidence as ev
from workbench.case.intake import ImportReport, import_files
from workbench.case.verify import verify_case
from workbench.case.views import CaseSnapshot, EvidenceDetail
from workbench.settings import load_settings, save_settings
from workbench.video_store import consecutive_segments


class MainWindow(QMainWindow):
    """The workbench window. Every case read or write runs off the GUI thread."""

    case_opened = Signal(object)
    case_refreshed = Signal()
    import_finished = Signal(object)
    detail_shown = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.settings = load_settings()
        self.case: Case | None = None
        self.jobs = JobRunner(self)
        self.undo_stack = QUndoStack(self)
        self.changes = CaseChanges(self)  # what each write changed, on the GUI thread
        self.geodata = GeodataService(self.jobs, self.undo_stack, self)
        self.evidence_edits = EvidenceEdits(self.jobs, self.undo_stack, self)
        self.picks = MapPicks(self)  # the map's clicks that choose a landmark for a tool
        self.resize(1280, 720)  # the workspaces share out whatever the window is given
        self.setAcceptDrops(True)
        self._build_central()
        self._build_docks()
        build_menus(self)
        self.parts = WindowParts(self)  # workspaces, records, keys, history, exports
        self._fill_recent_menu()
        self._set_case_actions_enabled(False)
        self.changes.changed.connect(self.reader.on_change)
        self.geodata.edit_failed.connect(self.show_error)
        self.evidence_edits.edit_failed.connect(self.show_error)
        self.statusBar().addPermanentWidget(self.jobs.widget)
        self.case_label = QLabel("")
        self.statusBar().addWidget(self.case_label, 1)
        self._update_title()

    # -- construction -------------------------------------------------------------------
    def _build_central(self) -> None:
        self.viewer = ImageViewer()
        self.welcome = StartPage()  # no case open: the sample case, new, open, recent
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.central.addWidget(self.viewer)
        self.video_panel = VideoPanel(self.jobs, self.undo_stack)
        self.video_panel.frame_on_screen.connect(self._on_video_panel_frame_on_screen)
        self.central.addWidget(self.video_panel)
        self.compare_panel = ComparePanel(  # marks undone and figures recorded with the rest
            self.jobs, undo_stack=self.undo_stack, service=self.geodata
        )
        self.central.addWidget(self.compare_panel)
        self.case_opened.connect(self.compare_panel.set_case)
        self.case_refreshed.connect(self.compare_panel.refresh)
        self.setCentralWidget(self.central)

    def _dock(self, title: str, widget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower().replace(" ", "_"))
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.evidence_panel = EvidencePanel()
        self.metadata_panel = MetadataPanel()
        self.source_panel = SourcePanel()
        self.notes_panel = NotesPanel()
        self.log_panel = LogPanel()
        panels = (self.evidence_panel, self.notes_panel, self.log_panel)
        self.reader = CaseReader(self.jobs, *panels, self.settings.blur_graphic_thumbnails, self)
        self.reader.refreshed.connect(self._on_reader_refreshed)
        self.reader.detail_read.connect(self._on_reader_detail_read)
        self.reader.failed.connect(self.show_error)
        self.evidence_dock = self._dock("Evidence", self.evidence_panel, left)
        self.metadata_dock = self._dock("Metadata", scrolled(self.metadata_panel), right)
        self.source_dock = self._dock("Source", scrolled(self.source_panel), right)
        self.notes_dock = self._dock("Notes", scrolled(self.notes_panel), right)
        self.log_dock = self._dock(
            "Log", scrolled(self.log_panel), Qt.DockWidgetArea.BottomDockWidgetArea
        )
        shared = {"service": self.geodata, "changes": self.changes, "picks": self.picks}
        self.map_panel = MapPanel(self.jobs, **shared)  # its web view starts when shown
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.map_dock = self._dock("Map", scrolled(self.map_panel), bottom)
        self.tabifyDockWidget(self.map_dock, self.log_dock)  # the log stays in front
        self.case_opened.connect(self.map_panel.set_case)
        self.geometry_tools = GeometryTools(jobs=self.jobs, **shared)
        for viewer in (self.viewer, self.video_panel.viewer):
            self.geometry_tools.follow_viewer(viewer)
        self.case_opened.connect(lambda _case: self.geometry_tools.refresh())
        self.geometry_dock = self._dock("Geometry", scrolled(self.geometry_tools), right)
        self.tabifyDockWidget(self.metadata_dock, self.source_dock)
        self.tabifyDockWidget(self.source_dock, self.notes_dock)
        self.metadata_dock.raise_()
        self.evidence_panel.evidence_selected.connect(self.reader.read_detail)
        self.evidence_panel.reveal_requested.connect(self._on_evidence_panel_reveal_requested)
        self.source_panel.source_saved.connect(self.evidence_edits.source_saved)
        self.source_panel.flags_changed.connect(self.evidence_edits.flags_changed)
        self.notes_panel.note_saved.connect(self.evidence_edits.note_saved)
        self.log_panel.verify_requested.connect(self.verify)

    def _fill_recent_menu(self) -> None:
        fill_recent_menu(self.recent_menu, self.settings.recent_cases, self.open_case_path, self)
        self.welcome.set_recent(self.settings.recent_cases)

    def _set_case_actions_enabled(self, enabled: bool) -> None:
        self.import_action.setEnabled(enabled)
        self.log_panel.verify_button.setEnabled(enabled)

    # -- errors -------------------------------------------------------------------------
    def show_error(self, title: str, exc: BaseException | str) -> None:
        if isinstance(exc, JobCancelled):
            self.statusBar().showMessage(f"{title}: cancelled", 5000)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()  # window-modal, never blocks the event loop

    # -- case lifecycle -----------------------------------------------------------------
    def new_case_dialog(self) -> None:
        path = ask_new_case_path(self)
        if path:
            self.create_case_path(path)

    def open_case_dialog(self) -> None:
        path = ask_case_folder(self)
        if path:
            self.open_case_path(path)

    def create_case_path(self, path: str | Path, title: str | None = None) -> None:
        self.close_case()
        analyst = self.settings.analyst()
        self.jobs.run(
            "Creating case",
            lambda progress, cancel: create_case(path, title=title, analyst=analyst),
            on_result=self._on_case_ready,
            on_error=lambda e: self.show_error("Cannot create the case", e),
        )

    def open_case_path(self, path: str | Path) -> None:
        self.close_case()
        analyst = self.settings.analyst()
        self.jobs.run(
            "Opening case",
            lambda progress, cancel: open_case(path, analyst=analyst),
            on_result=self._on_case_ready,
            on_error=lambda e: self.show_error("Cannot open the case", e),
        )

    def _follow(self, case: Case | None) -> None:
        """Point the window's shared services at ``case`` (None: at none)."""
        self.case = case
        for follower in (self.changes, self.geodata, self.evidence_edits, self.reader):
            follower.set_case(case)

    def _on_case_ready(self, case: Case) -> None:
        self.settings.remember_case(case.path)
        save_settings(self.settings)
        self._fill_recent_menu()
        self._set_case_actions_enabled(True)
        note = f"  ⚠ {case.journal_note}: rollback journal in use" if case.journal_note else ""
        self.case_label.setText(f"{case.path}{note}")
        self._follow(case)
        self.parts.case_shown()
        self.case_opened.emit(case)

    def close_case(self) -> None:
        if self.case is None:
            return
        self.jobs.cancel_all()
        self.jobs.wait_for_done()
        self.map_panel.set_case(None)
        self.compare_panel.set_case(None)
        case = self.case
        self._follow(None)
        case.close()
        self.undo_stack.clear()
        self.geometry_tools.refresh()  # no case: no picture, no landmarks
        self.evidence_panel.set_evidence([])
        self.metadata_panel.show_evidence(None)
        self.source_panel.clear()
        self.viewer.set_image(None)
        self.video_panel.clear()
        self.central.setCurrentWidget(self.welcome)
        self.parts.case_closed()
        self.case_label.setText("")
        self._set_case_actions_enabled(False)
        self._update_title()

    def _update_title(self) -> None:
        title = self.reader.snapshot.title if self.reader.snapshot else None
        self.setWindowTitle(f"{title} — GeoWorkbench" if title else "GeoWorkbench")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.parts.workspaces.save()
        self.close_case()
        self.jobs.wait_for_done()
        super().closeEvent(event)

    # -- reading ------------------------------------------------------------------------
    def _on_reader_refreshed(self, _snapshot: CaseSnapshot) -> None:
        self._update_title()
        self.case_refreshed.emit()

    def _on_evidence_panel_reveal_requested(self, sha256: str) -> None:
        self.reader.reveal(sha256)
        shown = self.video_panel.evidence
        if shown is not None and shown.sha256 == sha256:
            self.video_panel.set_strip_blurred(False)

    def _on_reader_detail_read(self, detail: EvidenceDetail, again: bool) -> None:
        """Show the evidence selected (``again``: its record re-read after an edit)."""
        e = self.evidence_edits.evidence = detail.evidence
        self.parts.before_detail(e, again)
        self.metadata_panel.show_evidence(e)
        self.source_panel.load(detail.source, graphic=e.is_graphic, reference=e.is_reference)
        self.notes_panel.set_evidence_notes(e.id, list(detail.notes))
        if e.kind == "video":
            self.parts.put_in_centre(self.video_panel)
            self.video_panel.show_evidence(self.case, e, blur_strip=self.reader.blurred(e))
        elif not (again and self.central.currentWidget() is self.viewer):
            self.parts.put_in_centre(self.viewer)
            self.geometry_tools.show_picture(self.viewer, None)  # until the picture is in
            self.jobs.run(
                "Loading picture",
                functools.partial(load_preview, self.case.evidence_dir / e.stored_name, e.kind),
                on_result=functools.partial(self._on_picture_loaded, e),
                quiet=True,
                on_error=lambda exc: self.show_error("Cannot show the evidence", exc),
            )
        self.detail_shown.emit(e.id)

    # -- the picture on screen, for the geometry tools -------------------------------------
    def _on_picture_loaded(self, e: ev.Evidence, image: QImage) -> None:
        detail = self.reader.detail
        if detail is None or detail.evidence.id != e.id:
            return  # the analyst has moved on to another evidence
        self.viewer.set_image(image)
        frame = self.parts.picture_frame = picture_ref(e, image.width(), image.height())
        self.geometry_tools.show_picture(self.viewer, frame)

    def _on_video_panel_frame_on_screen(self, frame: FrameRef | None) -> None:
        if self.central.currentWidget() is self.video_panel:
            self.geometry_tools.show_picture(self.video_panel.viewer, frame)

    # -- compare ------------------------------------------------------------------------
    def show_compare(self) -> None:
        self.parts.workspaces.switch("Compare")  # no picture to measure on there

    def compare_segments_here(self) -> None:
        """Compare the shown video's segment at the playhead with the next one."""
        e, vp = self.video_panel.evidence, self.video_panel
        pair = consecutive_segments(vp.timeline.segments, vp.current_index) if e else None
        if e is None or pair is None:
            self.show_error("Compare segments", "Show a video with at least two segments.")
            return
        self.show_compare()
        self.compare_panel.compare_segments(e.id, *pair)

    # -- writing ------------------------------------------------------------------------
    def import_dialog(self) -> None:
        files = ask_media_files(self)
        if files:
            self.import_paths(files)

    def import_paths(self, paths: list[Path]) -> None:
        case = self.case
        if case is None:
            self.show_error("Import", "Open or create a case first.")
            return
        self.jobs.run(
            f"Importing {len(paths)} file(s)",
            functools.partial(import_files, case, paths),
            on_result=self._on_import_done,
            on_error=lambda e: (self.show_error("Import stopped", e), self.reader.refresh()),
        )

    def _on_import_done(self, result: ImportReport) -> None:
        added = sum(not e.already_present for e in result.imported)
        self.statusBar().showMessage(
            f"Imported {added} new, {len(result.imported) - added} already present, "
            f"{len(result.failed)} refused",
            10000,
        )
        if result.failed:
            self.show_error(
                "Some files were not imported", "\n\n".join(f.reason for f in result.failed)
            )
        self.reader.refresh()
        self.import_finished.emit(result)

    def verify(self) -> None:
        case = self.case
        if case is None:
            return
        self.log_dock.show()
        self.log_dock.raise_()
        self.jobs.run(
            "Verifying case",
            functools.partial(verify_case, case),
            on_result=self.log_panel.show_report,
            on_error=lambda e: self.show_error("Verify failed", e),
        )

    def settings_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            save_settings(dialog.result_settings())
            self.apply_settings(dialog.result_settings())

    def apply_settings(self, settings) -> None:
        """Use ``settings`` (saved already): the audit actor, the blurring of thumbnails."""
        self.settings = settings
        self.parts.analyst_bar.toolbar.setVisible(not settings.analyst_asked)
        self.reader.blur_graphic = self.settings.blur_graphic_thumbnails
        if self.case is not None:
            self.case.analyst = self.settings.analyst()
        self.reader.load_thumbnails()
        if self.video_panel.evidence is not None:
            self.video_panel.set_strip_blurred(self.reader.blurred(self.video_panel.evidence))

    # -- drag and drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        cases = [p for p in paths if p.is_dir() and p.name.endswith(".gwcase")]
        if cases:
            self.open_case_path(cases[0])
        elif paths:
            self.import_paths(paths)
        event.acceptProposedAction()

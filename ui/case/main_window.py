"""MainWindow: the case, its evidence and the panels around the central viewer."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
)

from analysis.jobs import JobCancelled
from ui.case.evidence_panel import EvidencePanel
from ui.case.log_panel import LogPanel
from ui.case.metadata_panel import MetadataPanel
from ui.case.notes_panel import NotesPanel
from ui.case.settings_dialog import SettingsDialog
from ui.case.source_panel import SourcePanel
from ui.compare.panel import ComparePanel, consecutive_segments
from ui.geometry.dock import GeometryTools
from ui.jobs import JobRunner
from ui.map.panel import MapPanel
from ui.undo import FlagsCommand, NoteEditCommand, SourceEditCommand
from ui.video.image_viewer import ImageViewer
from ui.video.media_loader import load_preview
from ui.video.panel import VideoPanel
from workbench.case import Case, create_case, open_case
from workbench.case import evidence as ev
from workbench.case.intake import ImportReport, import_files, thumbnail_path
from workbench.case.verify import verify_case
from workbench.case.views import CaseSnapshot, EvidenceDetail, evidence_detail, snapshot
from workbench.paths import default_cases_dir
from workbench.settings import load_settings, save_settings
from workbench.thumbs import load_thumbnails

WELCOME = (
    "No case is open.\n\nFile ▸ New case (Ctrl+N) or Open case (Ctrl+O).\n"
    "Drop media files here to import them once a case is open."
)


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
        self._snapshot: CaseSnapshot | None = None
        self._detail: EvidenceDetail | None = None
        self._revealed: set[str] = set()
        self._docks_sized = False
        self.resize(1400, 900)
        self.setAcceptDrops(True)
        self._build_central()
        self._build_docks()
        self._build_menus()
        self.statusBar().addPermanentWidget(self.jobs.widget)
        self.case_label = QLabel("")
        self.statusBar().addWidget(self.case_label, 1)
        self._update_title()

    # -- construction -------------------------------------------------------------------
    def _build_central(self) -> None:
        self.viewer = ImageViewer()
        self.welcome = QLabel(WELCOME)
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.central.addWidget(self.viewer)
        self.video_panel = VideoPanel(self.jobs, self.undo_stack)
        self.central.addWidget(self.video_panel)
        self.compare_panel = ComparePanel(self.jobs)
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
        self.evidence_dock = self._dock("Evidence", self.evidence_panel, left)
        self.metadata_dock = self._dock("Metadata", self.metadata_panel, right)
        self.source_dock = self._dock("Source", self.source_panel, right)
        self.notes_dock = self._dock("Notes", self.notes_panel, right)
        self.log_dock = self._dock("Log", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.map_panel = MapPanel(self.undo_stack, self.jobs)  # its web view starts when shown
        self.map_dock = self._dock("Map", self.map_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.map_dock, self.log_dock)  # the log stays in front
        self.case_opened.connect(self.map_panel.set_case)
        self.case_refreshed.connect(self.map_panel.refresh_layers)
        self.map_panel.edit_saved.connect(self.refresh)  # the log panel shows the edit
        self.geometry_tools = GeometryTools(self)
        self.geometry_dock = self._dock("Geometry", self.geometry_tools, right)
        self.tabifyDockWidget(self.metadata_dock, self.source_dock)
        self.tabifyDockWidget(self.source_dock, self.notes_dock)
        self.metadata_dock.raise_()
        self.evidence_panel.evidence_selected.connect(self._on_evidence_panel_evidence_selected)
        self.evidence_panel.reveal_requested.connect(self._on_evidence_panel_reveal_requested)
        self.source_panel.source_saved.connect(self._on_source_panel_source_saved)
        self.source_panel.flags_changed.connect(self._on_source_panel_flags_changed)
        self.notes_panel.note_saved.connect(self._on_notes_panel_note_saved)
        self.log_panel.verify_requested.connect(self.verify)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&New case…", self.new_case_dialog, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open case…", self.open_case_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.import_action = self._action(file_menu, "&Import media…", self.import_dialog, "Ctrl+I")
        file_menu.addSeparator()
        self._action(file_menu, "&Close case", self.close_case, "Ctrl+W")
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([undo, redo])
        edit_menu.addSeparator()
        self._action(edit_menu, "&Settings…", self.settings_dialog, "Ctrl+,")
        case_menu = self.menuBar().addMenu("&Case")
        self._action(case_menu, "&Verify", self.verify, "Ctrl+Shift+V")
        self._action(case_menu, "Cancel running job", self.jobs.cancel_all, "Esc")
        self.compare_action = self._action(case_menu, "Co&mpare…", self.show_compare, "Ctrl+M")
        self._action(case_menu, "Compare consecutive segments", self.compare_segments_here)
        geometry_menu = self.menuBar().addMenu("&Geometry")
        tools = self.geometry_tools
        self._action(geometry_menu, "&Bearing tool", tools.show_bearing_tool, "Ctrl+B")
        self._action(geometry_menu, "&Alignment tool", tools.show_alignment_tool)
        self._action(geometry_menu, "&Resection tool", tools.show_resection_tool, "Ctrl+Shift+R")
        self.view_menu = self.menuBar().addMenu("&View")
        for dock in (
            self.evidence_dock,
            self.metadata_dock,
            self.source_dock,
            self.notes_dock,
            self.log_dock,
            self.map_dock,
            self.geometry_dock,
        ):
            self.view_menu.addAction(dock.toggleViewAction())
        self._fill_recent_menu()
        self._set_case_actions_enabled(False)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_cases:
            self._action(self.recent_menu, path, functools.partial(self.open_case_path, path))
        self.recent_menu.setEnabled(bool(self.settings.recent_cases))

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
        path, _ = QFileDialog.getSaveFileName(
            self, "New case", str(default_cases_dir()), "Cases (*.gwcase)"
        )
        if path:
            self.create_case_path(path)

    def open_case_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Open case (a .gwcase folder)", str(default_cases_dir())
        )
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

    def _on_case_ready(self, case: Case) -> None:
        self.case = case
        self.settings.remember_case(case.path)
        save_settings(self.settings)
        self._fill_recent_menu()
        self._set_case_actions_enabled(True)
        self.central.setCurrentWidget(self.viewer)
        note = f"  ⚠ {case.journal_note}: rollback journal in use" if case.journal_note else ""
        self.case_label.setText(f"{case.path}{note}")
        self.refresh()
        self.case_opened.emit(case)

    def close_case(self) -> None:
        if self.case is None:
            return
        self.jobs.cancel_all()
        self.jobs.wait_for_done()
        self.map_panel.set_case(None)
        self.compare_panel.set_case(None)
        self.case.close()
        self.case = None
        self._snapshot = self._detail = None
        self.undo_stack.clear()
        self.evidence_panel.set_evidence([])
        self.metadata_panel.show_evidence(None)
        self.source_panel.clear()
        self.viewer.set_image(None)
        self.video_panel.clear()
        self.central.setCurrentWidget(self.welcome)
        self.case_label.setText("")
        self._set_case_actions_enabled(False)
        self._update_title()

    def _update_title(self) -> None:
        title = self._snapshot.title if self._snapshot else None
        self.setWindowTitle(f"{title} — GeoWorkbench" if title else "GeoWorkbench")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._docks_sized:  # dock sizes only take once the window is laid out
            self._docks_sized = True
            QTimer.singleShot(0, self._size_docks)

    def _size_docks(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and not self.isMaximized():
            self.resize(min(screen.width(), 1800), min(screen.height(), 1100))
        self.resizeDocks(
            [self.evidence_dock, self.metadata_dock], [320, 340], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.log_dock], [240], Qt.Orientation.Vertical)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.close_case()
        self.jobs.wait_for_done()
        super().closeEvent(event)

    # -- reading ------------------------------------------------------------------------
    def refresh(self) -> None:
        case = self.case
        if case is None:
            return
        self.jobs.run(
            "Reading case",
            functools.partial(snapshot, case),
            on_result=self._on_snapshot,
            quiet=True,
            on_error=lambda e: self.show_error("Cannot read the case", e),
        )

    def _on_snapshot(self, snap: CaseSnapshot) -> None:
        if self.case is None:
            return
        self._snapshot = snap
        self._update_title()
        self.evidence_panel.set_evidence(list(snap.evidence))
        self.notes_panel.set_case_notes(list(snap.case_notes))
        self.log_panel.set_entries(list(snap.log))
        self._load_thumbnails()
        if self.evidence_panel.current_id() is None:
            # Never open on graphic content that is to be blurred (the analyst's setting).
            first = next((e for e in snap.evidence if not self._blurred(e)), None)
            if first is not None:
                self.evidence_panel.select(first.id)
        self.case_refreshed.emit()

    def _load_thumbnails(self) -> None:
        case, snap = self.case, self._snapshot
        if case is None or snap is None:
            return
        items = [
            (e.sha256, thumbnail_path(case, e.sha256), self._blurred(e)) for e in snap.evidence
        ]
        self.jobs.run(
            "Thumbnails",
            functools.partial(load_thumbnails, items),
            on_result=self.evidence_panel.set_thumbnails,
            quiet=True,
        )

    def _blurred(self, e: ev.Evidence) -> bool:
        """Whether the thumbnails of ``e`` are shown blurred (graphic, not yet revealed)."""
        return (
            self.settings.blur_graphic_thumbnails
            and e.is_graphic
            and e.sha256 not in self._revealed
        )

    def _on_evidence_panel_reveal_requested(self, sha256: str) -> None:
        self._revealed.add(sha256)
        self._load_thumbnails()
        shown = self.video_panel.evidence
        if shown is not None and shown.sha256 == sha256:
            self.video_panel.set_strip_blurred(False)

    def _on_evidence_panel_evidence_selected(self, evidence_id: int) -> None:
        case = self.case
        if case is None:
            return
        self.jobs.run(
            "Reading evidence",
            functools.partial(evidence_detail, case, evidence_id),
            on_result=self._on_detail,
            quiet=True,
            on_error=lambda e: self.show_error("Cannot read the evidence", e),
        )

    def _on_detail(self, detail: EvidenceDetail) -> None:
        if self.case is None:
            return
        if detail.evidence.id != self.evidence_panel.current_id():
            return  # read for an evidence the analyst has since moved away from
        self._detail = detail
        e = detail.evidence
        self.metadata_panel.show_evidence(e)
        self.source_panel.load(detail.source, graphic=e.is_graphic, reference=e.is_reference)
        self.notes_panel.set_evidence_notes(e.id, list(detail.notes))
        if e.kind == "video":
            self.central.setCurrentWidget(self.video_panel)
            self.video_panel.show_evidence(self.case, e, blur_strip=self._blurred(e))
            self.detail_shown.emit(e.id)
            return
        self.central.setCurrentWidget(self.viewer)
        path = self.case.evidence_dir / e.stored_name
        self.jobs.run(
            "Loading picture",
            functools.partial(load_preview, path, e.kind),
            on_result=self.viewer.set_image,
            quiet=True,
            on_error=lambda exc: self.show_error("Cannot show the evidence", exc),
        )
        self.detail_shown.emit(e.id)

    # -- compare ------------------------------------------------------------------------
    def show_compare(self) -> None:
        self.central.setCurrentWidget(self.compare_panel)

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
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import media",
            str(Path.home()),
            "Media (*.jpg *.jpeg *.png *.heic *.heif *.tif "
            "*.tiff *.webp *.mp4 *.mov *.mkv *.webm *.avi "
            "*.m4v *.3gp *.ts);;All files (*)",
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def import_paths(self, paths: list[Path]) -> None:
        case = self.case
        if case is None:
            self.show_error("Import", "Open or create a case first.")
            return
        self.jobs.run(
            f"Importing {len(paths)} file(s)",
            functools.partial(import_files, case, paths),
            on_result=self._on_import_done,
            on_error=lambda e: (self.show_error("Import stopped", e), self.refresh()),
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
        self.refresh()
        self.import_finished.emit(result)

    def _write(self, future, what: str) -> None:
        self.jobs.watch(
            future,
            on_result=lambda _r: self._after_write(),
            on_error=lambda e: self.show_error(f"Could not save {what}", e),
        )

    def _after_write(self) -> None:
        self.refresh()
        if self._detail is not None:
            self._on_evidence_panel_evidence_selected(self._detail.evidence.id)

    def _on_source_panel_source_saved(self, old: ev.SourceRecord, new: ev.SourceRecord) -> None:
        if self._detail is not None:
            self.undo_stack.push(
                SourceEditCommand(self._apply_source, self._detail.evidence.id, old, new)
            )

    def _apply_source(self, evidence_id: int, record: ev.SourceRecord) -> None:
        if self.case is not None:
            self._write(ev.update_source(self.case, evidence_id, record), "the source record")

    def _on_source_panel_flags_changed(self, graphic: bool, reference: bool) -> None:
        if self._detail is None:
            return
        e = self._detail.evidence
        self.undo_stack.push(
            FlagsCommand(
                self._apply_flags, e.id, (e.is_graphic, e.is_reference), (graphic, reference)
            )
        )

    def _apply_flags(self, evidence_id: int, graphic: bool, reference: bool) -> None:
        if self.case is not None:
            self._write(
                ev.set_flags(self.case, evidence_id, graphic=graphic, reference=reference),
                "the flags",
            )

    def _on_notes_panel_note_saved(self, evidence_id, note_id, old: str, new: str) -> None:
        if self.case is None:
            return
        if note_id is None:
            self._write(ev.save_note(self.case, evidence_id, new), "the note")
        else:
            self.undo_stack.push(NoteEditCommand(self._apply_note, evidence_id, note_id, old, new))

    def _apply_note(self, evidence_id: int | None, note_id: int, body: str) -> None:
        if self.case is not None:
            self._write(ev.save_note(self.case, evidence_id, body, note_id), "the note")

    def verify(self) -> None:
        case = self.case
        if case is None:
            return
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
            self.settings = dialog.result_settings()
            save_settings(self.settings)
            if self.case is not None:
                self.case.analyst = self.settings.analyst()
            self._load_thumbnails()
            if self.video_panel.evidence is not None:
                self.video_panel.set_strip_blurred(self._blurred(self.video_panel.evidence))

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

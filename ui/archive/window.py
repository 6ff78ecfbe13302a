"""ArchiveWindow: a triaged catalog as a grid of keyframes with filters, the details of the
selected video, the catalog's error rows, and the near-duplicate groups.

Every catalog read (the filtered query, the errors, the duplicate search) runs as a job on the
window's JobRunner; the GUI thread only shows results. A result older than the newest query
is dropped. Triage and the import into a case are ``ui.archive.actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.jobs import CancelToken, JobCancelled, ProgressFn, check, report
from ui.archive.actions import ArchiveActions
from ui.archive.details_pane import DetailsPane, ErrorList
from ui.archive.filter_bar import FilterBar
from ui.archive.grid_model import KeyframeGridModel, with_keyframes
from ui.archive.groups_panel import GroupsPanel
from ui.archive.thumbs import ThumbnailCache
from ui.jobs import JobRunner
from workbench.archive.catalog import Catalog, Filters
from workbench.archive.dupes import DupeReport, find_dupes
from workbench.archive.shards import CatalogError, check_format

CaseSource = Callable[[], object]  # the open case (a workbench Case) or None


@dataclass(frozen=True)
class CatalogView:
    rows: list[dict]
    errors: list[dict]
    counts: dict[str, int]


def read_catalog(
    folder: Path, filters: Filters, progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> CatalogView:  # fmt: skip
    """The filtered contents, the error rows and the counts (a catalog per job: a DuckDB
    connection is not shared between threads)."""
    catalog = Catalog(folder)
    rows = with_keyframes(folder, catalog.files(filters))
    check(cancel)
    return CatalogView(rows, catalog.errors(), catalog.counts())


def search_dupes(
    folder: Path, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> DupeReport:
    """``find_dupes`` as a job, with its progress and Cancel."""
    found = find_dupes(Catalog(folder), progress=progress, cancel=cancel)
    report(progress, 1.0, f"{len(found.groups)} groups")
    return found


class ArchiveWindow(QMainWindow):
    """The Archive window (module doc). ``case_source`` gives the case to import into (the
    main window's open case); without one, the import asks for a case folder."""

    catalog_shown = Signal(int)  # rows in the grid
    dupes_shown = Signal(object)  # DupeReport
    failed = Signal(str, str)  # title, message: also shown in a box

    def __init__(self, case_source: CaseSource | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("archive_window")
        self.jobs = JobRunner(self)  # its own: its status bar shows its jobs
        app = QApplication.instance()
        if app is not None:  # a triage must not hold the application open at quit
            app.aboutToQuit.connect(self.jobs.cancel_all)
        self.catalog_dir: Path | None = None
        self._query = 0
        self._dupes_job: CancelToken | None = None
        self.thumbs = ThumbnailCache(self.jobs, parent=self)
        self.filter_bar = FilterBar()
        self.model = KeyframeGridModel(None, self.thumbs, self)
        self.grid = self._make_grid()
        self.details = DetailsPane(self.thumbs, self.jobs)
        self.errors = ErrorList()
        self.groups = GroupsPanel(self.thumbs)
        self.actions_ = ArchiveActions(self, case_source)
        self._build()
        self.filter_bar.filters_changed.connect(self._on_filter_bar_filters_changed)
        self.groups.member_selected.connect(self._on_groups_member_selected)
        self.resize(1280, 760)
        self._update_title()

    # -- construction -------------------------------------------------------------------
    def _make_grid(self) -> QListView:
        grid = QListView()
        grid.setViewMode(QListView.ViewMode.IconMode)
        grid.setResizeMode(QListView.ResizeMode.Adjust)
        grid.setMovement(QListView.Movement.Static)
        grid.setUniformItemSizes(True)
        grid.setLayoutMode(QListView.LayoutMode.Batched)  # a large catalog lays out in steps
        grid.setBatchSize(200)
        grid.setIconSize(self.thumbs.size)
        grid.setGridSize(QSize(self.thumbs.size.width() + 24, self.thumbs.size.height() + 48))
        grid.setWordWrap(True)
        grid.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        grid.setModel(self.model)
        grid.selectionModel().currentChanged.connect(self._on_grid_current_changed)
        return grid

    def _build(self) -> None:
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.filter_bar)
        self.count_label = QLabel("No catalog open.")
        lay.addWidget(self.count_label)
        lay.addWidget(self.grid, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, "Details")
        self.tabs.addTab(self.groups, "Duplicate groups")
        self.tabs.addTab(self.errors, "Errors")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setSizes([640, 640])
        self.setCentralWidget(split)
        self.statusBar().addPermanentWidget(self.jobs.widget)
        bar = self.addToolBar("Archive")
        bar.setObjectName("archive_toolbar")
        a = self.actions_
        for text, slot, key in (
            ("Open catalog…", self.open_catalog_dialog, QKeySequence.StandardKey.Open),
            ("Triage a folder…", a.triage_folder_dialog, "Ctrl+T"),
            ("Find duplicates", self.find_duplicates, "Ctrl+D"),
            ("Import into case", a.import_selected, "Ctrl+I"),
            ("Import group into case", a.import_group, "Ctrl+Shift+I"),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            bar.addAction(action)
        cancel = QAction("Cancel running job", self)
        cancel.setShortcut(QKeySequence("Esc"))
        cancel.triggered.connect(self.jobs.cancel_all)
        self.addAction(cancel)

    def _update_title(self) -> None:
        where = f" — {self.catalog_dir}" if self.catalog_dir else ""
        self.setWindowTitle(f"Archive{where}")

    # -- the catalog --------------------------------------------------------------------
    def open_catalog_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open archive catalog")
        if folder:
            self.open_catalog(Path(folder))

    def open_catalog(self, folder: Path) -> None:
        """Show ``folder``'s catalog, and look for its near-duplicate groups."""
        try:
            check_format(Path(folder))  # a small JSON file: read here, once, for one message
        except CatalogError as exc:
            self.show_error("Open catalog", str(exc))
            return
        self.catalog_dir = Path(folder)
        self.thumbs.clear()
        self._update_title()
        self.refresh()
        self.find_duplicates()

    def refresh(self) -> None:
        """Query the catalog with the filters (a job; an older query's result is dropped)."""
        if self.catalog_dir is None:
            return
        self._query += 1
        query, folder, filters = self._query, self.catalog_dir, self.filter_bar.filters()
        self.count_label.setText("Reading the catalog…")
        self.jobs.run(
            "Reading the catalog",
            lambda progress, cancel: read_catalog(folder, filters, progress, cancel),
            on_result=lambda view: self._on_catalog_read(query, folder, view),
            on_error=lambda exc: self.show_error("Reading the catalog", exc),
        )

    def _on_catalog_read(self, query: int, folder: Path, view: CatalogView) -> None:
        if query != self._query:
            return
        self.model.set_rows(folder, view.rows)
        self.errors.set_errors(view.errors)
        c = view.counts
        self.count_label.setText(
            f"{len(view.rows)} of {c['contents']} videos and pictures shown; "
            f"{c['paths']} paths, {c['errors']} failed (see Errors)"
        )
        self.details.show_row(None)
        self.catalog_shown.emit(len(view.rows))

    def find_duplicates(self) -> None:
        if self.catalog_dir is None:
            return
        if self._dupes_job is not None:
            self._dupes_job.cancel()
        folder = self.catalog_dir
        self.groups.set_report(folder, None)
        token = self.jobs.run(
            "Finding near-duplicates",
            lambda progress, cancel: search_dupes(folder, progress, cancel),
            on_result=lambda found: self._on_dupes_found(token, folder, found),
            on_error=lambda exc: self._on_dupes_failed(token, exc),
        )
        self._dupes_job = token

    def _on_dupes_found(self, token: CancelToken, folder: Path, found: DupeReport) -> None:
        if token is not self._dupes_job or folder != self.catalog_dir:
            return
        self._dupes_job = None
        self.groups.set_report(folder, found)
        self.dupes_shown.emit(found)

    def _on_dupes_failed(self, token: CancelToken, exc: BaseException) -> None:
        if token is self._dupes_job:
            self._dupes_job = None
            self.groups.status.setText("The duplicate search did not finish.")
            if not isinstance(exc, JobCancelled):
                self.show_error("Finding near-duplicates", exc)

    # -- selection ----------------------------------------------------------------------
    def selected_shas(self) -> list[str]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.model.row_item(r)["sha256"] for r in rows]

    def select_sha(self, sha256: str) -> bool:
        row = self.model.row_of(sha256)
        if row is None:
            return False
        self.grid.setCurrentIndex(self.model.index(row))
        return True

    def _on_grid_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_item(current.row()) if current.isValid() else None
        self.details.show_row(row, self.catalog_dir)

    def _on_groups_member_selected(self, sha256: str) -> None:
        row = self.model.row_of(sha256)
        if row is not None:
            self.grid.setCurrentIndex(self.model.index(row))
            self.grid.scrollTo(self.model.index(row))

    def _on_filter_bar_filters_changed(self, _filters: Filters) -> None:
        self.refresh()

    # -- messages and closing -----------------------------------------------------------
    def show_error(self, title: str, exc: BaseException | str) -> None:
        """A non-modal message box (the window goes on working) and ``failed``."""
        self.failed.emit(title, str(exc))
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.jobs.cancel_all()
        self.actions_.close()
        super().closeEvent(event)


def open_archive_window(parent: QWidget, case_source: CaseSource) -> ArchiveWindow | None:
    """Ask for a catalog folder and open it in ``parent``'s Archive window (made once and
    kept: closing it hides it, so a job still running has a window to report to)."""
    folder = QFileDialog.getExistingDirectory(parent, "Open archive catalog")
    if not folder:
        return None
    window = parent.findChild(ArchiveWindow, "archive_window")
    if window is None:
        window = ArchiveWindow(case_source, parent=parent)
    window.show()
    window.raise_()
    window.open_catalog(Path(folder))
    return window

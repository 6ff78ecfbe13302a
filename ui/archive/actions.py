"""The Archive window's two writing actions, each a job with progress and Cancel:

* "Triage a folder…": ``run_triage`` on a local Dask cluster (one single-threaded worker
  process per core), resuming, so a folder triaged again does only what is new; its progress
  line gives files and frames per second and the time left. The grid and the groups are read
  again after it.
* "Import into case": a video (or the open group's members) into the open case, or into a case
  chosen in a dialog, through ``workbench.archive.into_case`` (the catalog's sha256 kept,
  a changed file refused).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from analysis.jobs import JobCancelled
from workbench.archive.engine import TriageSummary, run_triage
from workbench.archive.into_case import IntoCaseReport, import_from_catalog
from workbench.case import Case, open_case
from workbench.settings import load_settings


class ArchiveActions(QObject):
    """Triage and import for an ``ArchiveWindow`` (named by duck type: it imports this)."""

    triage_finished = Signal(object)  # TriageSummary
    import_finished = Signal(object)  # IntoCaseReport

    def __init__(self, window, case_source: Callable[[], Case | None] | None) -> None:
        super().__init__(window)
        self.w = window
        self._case_source = case_source or (lambda: None)
        self.own_case: Case | None = None  # a case this window opened (closed with it)
        self.workers: int | None = None  # local worker processes; None: one per core

    # -- triage -------------------------------------------------------------------------
    def triage_folder_dialog(self) -> None:
        catalog = self.w.catalog_dir
        if catalog is None:
            chosen = QFileDialog.getExistingDirectory(
                self.w, "Catalog folder (an empty folder makes a new catalog)"
            )
            if not chosen:
                return
            catalog = Path(chosen)
        source = QFileDialog.getExistingDirectory(self.w, "Folder to triage")
        if source:
            self.triage([Path(source)], catalog)

    def triage(self, sources: Sequence[Path], catalog: Path) -> None:
        """Triage ``sources`` into ``catalog`` as a job, then show the catalog."""
        workers = self.workers
        self.w.jobs.run(
            f"Triage of {', '.join(Path(s).name for s in sources)}",
            lambda progress, cancel: run_triage(
                sources, catalog, workers=workers, resume=True, progress=progress, cancel=cancel
            ),
            on_result=lambda summary: self._on_triage_done(catalog, summary),
            on_error=lambda exc: self._on_triage_failed(catalog, exc),
        )

    def _on_triage_done(self, catalog: Path, summary: TriageSummary) -> None:
        self.w.statusBar().showMessage(
            f"Triage: {summary.triaged} triaged, {summary.seen} copies of content already "
            f"seen, {summary.skipped} already in the catalog, {summary.errors} failed; "
            f"{summary.wall_s:.1f} s on {summary.workers} workers",
            15000,
        )
        self.w.open_catalog(catalog)
        self.triage_finished.emit(summary)

    def _on_triage_failed(self, catalog: Path, exc: BaseException) -> None:
        if isinstance(exc, JobCancelled):
            self.w.statusBar().showMessage(str(exc), 15000)
        else:
            self.w.show_error("Triage", exc)
        if (catalog / "catalog.json").exists():
            self.w.open_catalog(catalog)  # what was done before it stopped is in the catalog

    # -- import into a case -------------------------------------------------------------
    def import_selected(self) -> None:
        """The video selected in the open group (on the groups tab), else the grid's."""
        member = self.w.groups.current_member() if self.w.tabs.currentWidget() is self.w.groups \
            else None  # fmt: skip
        shas = [member] if member else self.w.selected_shas()
        if not shas:
            self.w.show_error("Import into case", "Select a video in the grid or in a group.")
            return
        self.import_shas(shas)

    def import_group(self) -> None:
        group = self.w.groups.current_group()
        if group is None:
            self.w.show_error("Import group into case", "Open a group on the groups tab first.")
            return
        self.import_shas([m.sha256 for m in group.members])  # the likely original first

    def import_shas(self, shas: Sequence[str]) -> None:
        """Import into the open case; without one, ask for a case folder first."""
        if self.w.catalog_dir is None:
            return
        case = self._case_source() or self.own_case
        if case is not None:
            self._run_import(case, list(shas))
            return
        folder = QFileDialog.getExistingDirectory(self.w, "Import into which case (.gwcase)?")
        if folder:
            self.open_case_then_import(Path(folder), list(shas))

    def open_case_then_import(self, folder: Path, shas: list[str]) -> None:
        analyst = load_settings().analyst()
        self.w.jobs.run(
            f"Opening {folder.name}",
            lambda progress, cancel: open_case(folder, analyst=analyst),
            on_result=lambda case: (self._keep_case(case), self._run_import(case, shas)),
            on_error=lambda exc: self.w.show_error("Open case", exc),
        )

    def _keep_case(self, case: Case) -> None:
        if self.own_case is not None:
            self.own_case.close()
        self.own_case = case

    def _run_import(self, case: Case, shas: list[str]) -> None:
        catalog = self.w.catalog_dir
        self.w.jobs.run(
            f"Importing {len(shas)} video(s) into {Path(case.path).name}",
            lambda progress, cancel: import_from_catalog(
                case, catalog, shas, progress=progress, cancel=cancel
            ),
            on_result=self._on_import_done,
            on_error=lambda exc: self.w.show_error("Import into case", exc),
        )

    def _on_import_done(self, report: IntoCaseReport) -> None:
        added = sum(not i.already_present for i in report.imported)
        self.w.statusBar().showMessage(
            f"Imported {added} new, {len(report.imported) - added} already in the case, "
            f"{len(report.refused)} refused",
            15000,
        )
        if report.refused:
            self.w.show_error(
                "Some videos were not imported", "\n\n".join(r.reason for r in report.refused)
            )
        self.import_finished.emit(report)

    def close(self) -> None:
        """Close the case this window opened, once no job of the window runs."""
        if self.own_case is not None and self.w.jobs.active_count == 0:
            self.own_case.close()
            self.own_case = None

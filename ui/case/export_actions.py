"""File ▸ Export: frames (this frame, one every N seconds, each segment's keyframe), KML and
GeoJSON, each run as a job through the workbench's functions, each saying where it went with
"Open folder". Also the start page's sample case (built on first use, as ``geoworkbench demo``).

The window is named by duck type (``MainWindow``): this module sits below it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox

from ui.case.report_actions import ReportActions
from workbench.case import Case


def _frames_every(case: Case, evidence_id: int, every_s: float, progress=None, cancel=None):
    from workbench.frame_table_store import load_or_build_frame_table

    table = load_or_build_frame_table(case, evidence_id, progress=progress, cancel=cancel)
    return _export_frames(case, evidence_id, table.indices_every(every_s), progress)


def _segment_frames(case: Case, evidence_id: int, progress=None, cancel=None):
    from workbench.video_store import detect_and_store_segments, list_segments

    segments = list_segments(case.read(), evidence_id)
    if not segments:
        segments = detect_and_store_segments(case, evidence_id, progress=progress, cancel=cancel)
    return _export_frames(case, evidence_id, [s.keyframe_index for s in segments], progress)


def _export_frames(case: Case, evidence_id: int, indices: list[int], progress) -> list:
    from analysis.video.decode import VideoReader
    from workbench.frame_export import export_frame
    from workbench.frame_table_store import load_or_build_frame_table, video_evidence

    _, path = video_evidence(case, evidence_id)
    table = load_or_build_frame_table(case, evidence_id)
    out = []
    with VideoReader(path, table) as reader:
        for n, index in enumerate(indices):
            out.append(export_frame(case, evidence_id, index, reader=reader))
            if progress is not None:
                progress((n + 1) / max(1, len(indices)), f"frame {index}")
    return out


class ExportActions(QObject):
    """The Export menu and what its items run (module doc); ``announced(text, path)`` after
    each export, for tests and the status bar."""

    announced = Signal(str, str)

    @property
    def w(self) -> QMainWindow:
        return self.parent()

    def __init__(self, w: QMainWindow) -> None:
        super().__init__(w)  # the window, reached as ``parent()``: no reference cycle
        self.last_box: QMessageBox | None = None
        w.video_panel.frame_exported.connect(self._on_frame_exported)

    def build_menu(self, file_menu: QMenu) -> None:
        menu = QMenu("&Export", self.w)
        items = (
            ("This frame (PNG + provenance)", self.w.video_panel.export_current),
            ("Frames every N seconds…", self.ask_frames_every),
            ("Each segment's keyframe", self.export_segment_keyframes),
            (None, None),
            ("Geodata as KML (Google Earth)…", functools.partial(self.ask_geodata, "kml")),
            ("Geodata as GeoJSON (QGIS)…", functools.partial(self.ask_geodata, "geojson")),
        )
        self.menu_actions: list[QAction] = []
        for text, slot in items:
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.triggered.connect(slot)
            self.menu_actions.append(action)
        file_menu.insertMenu(file_menu.actions()[4], menu)  # after Import media…
        self.menu = menu
        self.report = ReportActions(self.w)  # File ▸ Export report…, after Export
        actions = file_menu.actions()
        file_menu.insertAction(actions[actions.index(menu.menuAction()) + 1], self.report.action)

    # -- frames -------------------------------------------------------------------------------
    def _video(self):
        vp = self.w.video_panel
        if self.w.case is None or vp.evidence is None:
            self.w.show_error("Export frames", "Show a video evidence first.")
            return None
        return vp.evidence

    def ask_frames_every(self) -> None:
        e = self._video()
        if e is None:
            return
        seconds, ok = QInputDialog.getDouble(
            self.w, "Export frames", "One frame every (seconds):", 2.0, 0.04, 3600.0, 2
        )
        if ok:
            self.export_frames_every(seconds)

    def export_frames_every(self, every_s: float) -> None:
        e = self._video()
        if e is not None:
            fn = functools.partial(_frames_every, self.w.case, e.id, every_s)
            self._run_frames(f"Exporting frames every {every_s:g} s", fn)

    def export_segment_keyframes(self) -> None:
        e = self._video()
        if e is not None:
            fn = functools.partial(_segment_frames, self.w.case, e.id)
            self._run_frames("Exporting segment keyframes", fn)

    def _run_frames(self, title: str, fn) -> None:
        self.w.jobs.run(
            title,
            fn,
            on_result=self._on_frames_exported,
            on_error=lambda exc: self.w.show_error("Export failed", exc),
        )

    def _on_frames_exported(self, frames: list) -> None:
        if frames:
            folder = str(Path(frames[0].png_path).parent)
            self.announce(f"Exported {len(frames)} frame(s) with provenance sidecars", folder)

    def _on_frame_exported(self, exported) -> None:
        self.announce(f"Exported frame {exported.frame_index}", str(exported.png_path))

    # -- geodata ------------------------------------------------------------------------------
    def ask_geodata(self, fmt: str) -> None:
        case = self.w.case
        if case is None:
            return
        suggested = case.exports_dir / f"{case.path.stem}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(
            self.w, f"Export geodata as {fmt.upper()}", str(suggested), f"{fmt.upper()} (*.{fmt})"
        )
        if path:
            self.export_geodata(Path(path), fmt)

    def export_geodata(self, path: Path, fmt: str) -> None:
        """Write the case's geodata to ``path`` in a job (the dialog asked before replacing)."""
        from workbench.geoexchange import export_geodata

        case = self.w.case
        if case is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.w.jobs.run(
            f"Exporting {fmt.upper()}",
            lambda progress=None, cancel=None: export_geodata(case, path, fmt, replace=True),
            on_result=self._on_geodata_exported,
            on_error=lambda exc: self.w.show_error("Export failed", exc),
        )

    def _on_geodata_exported(self, result) -> None:
        self.announce(
            f"Exported {result.feature_count} features as {result.format.upper()} "
            f"(audit head {result.audit_head_seq})",
            str(result.path),
        )

    # -- telling where it went ----------------------------------------------------------------
    def announce(self, text: str, path: str) -> None:
        """Say where an export went, with "Open folder" (window-modal, never blocking)."""
        self.w.statusBar().showMessage(f"{text}: {path}", 15000)
        box = QMessageBox(QMessageBox.Icon.Information, "Exported", f"{text}\n\n{path}")
        box.setParent(self.w, box.windowFlags())
        folder_button = box.addButton("Open folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        target = Path(path)
        folder = target if target.is_dir() else target.parent
        folder_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        )
        if self.last_box is not None:
            self.last_box.close()
        self.last_box = box
        box.open()
        self.announced.emit(text, path)

    # -- the sample case ----------------------------------------------------------------------
    def open_sample_case(self) -> None:
        from workbench.demo import build_demo_case
        from workbench.paths import default_cases_dir

        directory = default_cases_dir()
        self.w.jobs.run(
            "Building the sample case",
            functools.partial(build_demo_case, directory),
            on_result=lambda demo: self.w.open_case_path(demo.case_path),
            on_error=lambda exc: self.w.show_error("Cannot build the sample case", exc),
        )

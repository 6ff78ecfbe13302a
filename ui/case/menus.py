"""The main window's menus and their keys (File, Edit, Case, Geometry, View), and the file
dialogs they open.

Built once from the window's methods and docks (``build_menus``); the window keeps the actions
it enables and disables with the case (``import_action``) and the recent-cases menu.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QWidget

from workbench.paths import default_cases_dir

MEDIA_FILTER = (
    "Media (*.jpg *.jpeg *.png *.heic *.heif *.tif *.tiff *.webp *.mp4 *.mov *.mkv *.webm *.avi "
    "*.m4v *.3gp *.ts);;All files (*)"
)

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def _add_action(
    menu: QMenu, text: str, slot: Callable, shortcut: Shortcut = None, owner: QObject | None = None
) -> QAction:
    """An action in ``menu``, owned by ``owner`` (the window: its keys work in all of it)."""
    action = QAction(text, owner or menu)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(w: QMainWindow) -> None:
    """The window's menu bar; sets ``w.recent_menu``, ``w.import_action``, ``w.compare_action``
    and ``w.view_menu``. ``w`` is the ``MainWindow`` (named by duck type: this module sits
    below it)."""
    keys = QKeySequence.StandardKey
    add_action = functools.partial(_add_action, owner=w)
    file_menu = w.file_menu = w.menuBar().addMenu("&File")
    add_action(file_menu, "&New case…", w.new_case_dialog, keys.New)
    add_action(file_menu, "&Open case…", w.open_case_dialog, keys.Open)
    w.recent_menu = file_menu.addMenu("Open &recent")
    w.import_action = add_action(file_menu, "&Import media…", w.import_dialog, "Ctrl+I")
    add_action(file_menu, "Open &archive catalog…", lambda: _archive_window(w))
    file_menu.addSeparator()
    add_action(file_menu, "&Close case", w.close_case, "Ctrl+W")
    add_action(file_menu, "&Quit", w.close, keys.Quit)
    edit_menu = w.menuBar().addMenu("&Edit")
    undo = w.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence(keys.Undo))
    redo = w.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcut(QKeySequence(keys.Redo))
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    add_action(edit_menu, "&Settings…", w.settings_dialog, "Ctrl+,")
    case_menu = w.menuBar().addMenu("&Case")
    add_action(case_menu, "&Verify", w.verify, "Ctrl+Shift+V")
    add_action(case_menu, "Cancel running job", w.jobs.cancel_all, "Esc")
    w.compare_action = add_action(case_menu, "Co&mpare…", w.show_compare, "Ctrl+M")
    add_action(case_menu, "Compare consecutive segments", w.compare_segments_here)
    geometry_menu = w.menuBar().addMenu("&Geometry")
    tools = w.geometry_tools

    def in_geometry(show: Callable[[], None]) -> Callable[[], None]:
        return lambda: w.parts.show_tool(show)  # the tools open in the Geometry workspace

    add_action(geometry_menu, "&Bearing tool", in_geometry(tools.show_bearing_tool), "Ctrl+B")
    add_action(geometry_menu, "&Alignment tool", in_geometry(tools.show_alignment_tool))
    add_action(
        geometry_menu, "&Resection tool", in_geometry(tools.show_resection_tool), "Ctrl+Shift+R"
    )
    add_action(geometry_menu, "S&hadow tool", in_geometry(tools.show_shadow_tool), "Ctrl+Shift+H")
    add_action(geometry_menu, "&Georeference image…", lambda: _gcp_dialog(w), "Ctrl+Shift+G")
    add_action(geometry_menu, "Add &imagery layer…", lambda: _imagery_layer(w))
    w.view_menu = w.menuBar().addMenu("&View")
    for dock in (
        w.evidence_dock,
        w.metadata_dock,
        w.source_dock,
        w.notes_dock,
        w.log_dock,
        w.map_dock,
        w.geometry_dock,
    ):
        w.view_menu.addAction(dock.toggleViewAction())


def _archive_window(w: QMainWindow) -> None:
    from ui.archive.window import open_archive_window

    open_archive_window(w, lambda: w.case)  # imports go into the case open at that moment


def _gcp_dialog(w: QMainWindow) -> None:
    from ui.imagery.gcp_dialog import open_gcp_dialog

    open_gcp_dialog(w, w.case, w.jobs, w.evidence_panel.current_id())


def _imagery_layer(w: QMainWindow) -> None:
    from ui.imagery.layer_dialog import add_imagery_layer

    add_imagery_layer(w, w.case, w.jobs)


def fill_recent_menu(
    menu: QMenu, paths: list[str], open_path: Callable[[str], None], owner: QObject
) -> None:
    """The recent cases, newest first; disabled when there are none."""
    menu.clear()
    for path in paths:
        _add_action(menu, path, functools.partial(open_path, path), owner=owner)
    menu.setEnabled(bool(paths))


def ask_new_case_path(parent: QWidget) -> str:
    """Where to create a case ("" when cancelled)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "New case", str(default_cases_dir()), "Cases (*.gwcase)"
    )
    return path


def ask_case_folder(parent: QWidget) -> str:
    """A case folder to open ("" when cancelled)."""
    return QFileDialog.getExistingDirectory(
        parent, "Open case (a .gwcase folder)", str(default_cases_dir())
    )


def ask_media_files(parent: QWidget) -> list[Path]:
    """Media files to import (none when cancelled)."""
    files, _ = QFileDialog.getOpenFileNames(parent, "Import media", str(Path.home()), MEDIA_FILTER)
    return [Path(f) for f in files]

"""File > Open archive catalog… in the main window opens the Archive window on the chosen
catalog, and its imports go into the case open in the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from ui.archive.window import ArchiveWindow
from ui.case.main_window import MainWindow
from workbench.case import create_case

WAIT_MS = 20_000


def test_the_file_menu_opens_the_archive_on_the_main_windows_case(
    qtbot, tiny, tmp_path, monkeypatch
):
    create_case(tmp_path / "c.gwcase").close()
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    with qtbot.waitSignal(main.case_refreshed, timeout=WAIT_MS):
        main.open_case_path(tmp_path / "c.gwcase")
    action = next(a for a in main.file_menu.actions() if a.text() == "Open &archive catalog…")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tiny.folder))
    action.trigger()
    archive = main.findChild(ArchiveWindow, "archive_window")
    assert archive is not None and archive.isVisible() and archive.catalog_dir == tiny.folder
    qtbot.waitUntil(lambda: archive.model.rowCount() == 3, timeout=WAIT_MS)
    sha = archive.model.row_item(0)["sha256"]
    archive.select_sha(sha)
    with qtbot.waitSignal(archive.actions_.import_finished, timeout=WAIT_MS):
        archive.actions_.import_selected()
    assert main.case.read().execute("SELECT sha256 FROM evidence").fetchall() == [(sha,)]
    archive.jobs.cancel_all()
    archive.jobs.wait_for_done()
    main.close_case()

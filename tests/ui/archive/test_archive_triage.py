""" "Triage a folder…" as a job: its progress reaches the status bar, the grid is read again
after it, and a cancelled run still shows what was done. The engine is replaced by an
in-process stand-in (no Dask cluster in the GUI tests; the engine has its own tests)."""

from __future__ import annotations

import shutil

import pytest

from analysis.jobs import JobCancelled
from ui.archive import actions
from ui.archive.window import ArchiveWindow
from workbench.archive import shards
from workbench.archive.engine import TriageSummary, collect_sources
from workbench.archive.task import triage_file

WAIT_MS = 20_000


def fake_run_triage(sources, catalog, *, progress=None, cancel=None, stop_after=None, **_kw):
    shards.open_catalog(catalog)
    paths = collect_sources(sources)
    summary = TriageSummary(sources=len(paths))
    for n, path in enumerate(paths):
        if stop_after is not None and n == stop_after:
            raise JobCancelled("triage cancelled; what was done is in the catalog")
        triage_file(path, str(catalog))
        summary.triaged += 1
        progress(summary.done / len(paths), f"{summary.done}/{len(paths)} files, 1.00 files/s")
    return summary


@pytest.fixture
def window(qtbot):
    w = ArchiveWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.jobs.cancel_all()
    w.jobs.wait_for_done()


def test_triage_a_folder_then_the_grid_shows_it(qtbot, window, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(actions, "run_triage", fake_run_triage)
    messages: list[str] = []
    monkeypatch.setattr(window.jobs.widget, "show_progress", lambda _id, _f, m: messages.append(m))
    with qtbot.waitSignals([window.actions_.triage_finished, window.catalog_shown],
                           timeout=WAIT_MS):  # fmt: skip
        window.actions_.triage([tiny.original.parent], tmp_path / "new_catalog")
    assert window.catalog_dir == tmp_path / "new_catalog"
    assert window.model.rowCount() == 3
    assert any("files/s" in m for m in messages)


def test_a_cancelled_triage_shows_what_was_done(qtbot, window, tiny, tmp_path, monkeypatch):
    def stops(*args, **kwargs):
        return fake_run_triage(*args, stop_after=1, **kwargs)

    monkeypatch.setattr(actions, "run_triage", stops)
    media = tmp_path / "media"
    shutil.copytree(tiny.original.parent, media)
    with qtbot.waitSignal(window.catalog_shown, timeout=WAIT_MS):
        window.actions_.triage([media], tmp_path / "cat")
    assert window.model.rowCount() == 1
    assert "cancelled" in window.statusBar().currentMessage()


def test_a_folder_that_is_no_catalog_is_refused_by_name(qtbot, window, tmp_path):
    told: list[str] = []
    window.failed.connect(lambda _title, text: told.append(text))
    window.open_catalog(tmp_path)
    assert window.catalog_dir is None and str(tmp_path) in told[0]

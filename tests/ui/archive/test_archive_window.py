"""The Archive window offscreen on a tiny catalog (three clips triaged in-process, no Dask):
the grid shows every keyframe, the filters narrow it, the group opens with its likely original
marked, and "Import into case" keeps the catalog's sha256 and refuses a changed file."""

from __future__ import annotations

import pytest

from ui.archive.groups_panel import ORIGINAL_MARK, SHA_ROLE
from ui.archive.window import ArchiveWindow
from workbench.archive.catalog import Catalog
from workbench.case import create_case
from workbench.case.evidence import get_source

WAIT_MS = 20_000


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "c.gwcase")
    yield c
    c.close()


@pytest.fixture
def window(qtbot, tiny, case):
    w = ArchiveWindow(lambda: case)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignals([w.catalog_shown, w.dupes_shown], timeout=WAIT_MS):
        w.open_catalog(tiny.folder)
    yield w
    w.jobs.cancel_all()
    w.jobs.wait_for_done()


def _sha(tiny, path) -> str:
    return next(r["sha256"] for r in Catalog(tiny.folder).files() if str(path) in r["paths"])


def test_the_grid_shows_one_keyframe_per_video_loaded_off_the_gui_thread(qtbot, window):
    assert window.model.rowCount() == 3
    qtbot.waitUntil(  # asking starts the load; the cache has it once a job delivered it
        lambda: all(
            window.thumbs.pixmap(window.model.keyframe(window.model.row_item(r))) is not None
            for r in range(3)
        ),
        timeout=WAIT_MS,
    )
    pixmap = window.thumbs.pixmap(window.model.keyframe(window.model.row_item(0)))
    assert pixmap.width() == 160 and not pixmap.isNull()
    assert "3 of 3" in window.count_label.text()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (lambda bar: bar.min_height.setValue(200), {"other.mp4"}),
        (lambda bar: bar.cuts.setCurrentIndex(1), {"other.mp4"}),
        (lambda bar: bar.cuts.setCurrentIndex(2), {"strike.mp4", "strike_mirrored.mp4"}),
        (lambda bar: bar.date_from.setText("2016-10-01"), {"strike.mp4"}),
        (lambda bar: bar.date_to.setText("2016-10-26"), {"strike.mp4"}),
        (lambda bar: bar.min_duration.setValue(5.0), set()),
    ],
)
def test_filters_narrow_the_grid(qtbot, window, setting, expected):
    with qtbot.waitSignal(window.catalog_shown, timeout=WAIT_MS):
        setting(window.filter_bar)
    names = {
        window.model.data(window.model.index(r)).split("\n")[0]
        for r in range(window.model.rowCount())
    }
    assert names == expected


def test_a_group_opens_with_the_likely_original_marked(window, tiny):
    report = window.groups.report
    assert report is not None and len(report.groups) == 1
    window.tabs.setCurrentWidget(window.groups)
    window.groups.open_group(0)
    members = window.groups.members
    assert members.count() == 2
    first, second = members.item(0), members.item(1)
    assert first.data(SHA_ROLE) == _sha(tiny, tiny.original)
    assert first.text().startswith(ORIGINAL_MARK)
    assert "mirrored left-right" in second.text() and ORIGINAL_MARK not in second.text()
    assert "earliest stated time" in window.groups.reason.text()
    members.setCurrentRow(1)  # a member chosen in the group is shown in the grid
    assert window.selected_shas() == [_sha(tiny, tiny.mirror)]


def test_import_into_case_keeps_the_sha256_and_the_source_record(qtbot, window, tiny, case):
    sha = _sha(tiny, tiny.original)
    assert window.select_sha(sha)
    with qtbot.waitSignal(window.actions_.import_finished, timeout=WAIT_MS) as got:
        window.actions_.import_selected()
    report = got.args[0]
    assert not report.refused and report.imported[0].sha256 == sha
    row = case.read().execute("SELECT id, sha256 FROM evidence").fetchall()
    assert [r[1] for r in row] == [sha]
    assert get_source(case.read(), row[0][0]).url == "https://youtu.be/abc"


def test_a_group_is_imported_whole_and_a_changed_file_is_refused(qtbot, window, tiny, case):
    window.tabs.setCurrentWidget(window.groups)
    window.groups.open_group(0)
    kept = tiny.mirror.read_bytes()
    told: list[str] = []
    window.failed.connect(lambda title, text: told.append(text))
    try:
        tiny.mirror.write_bytes(kept + b"\0")
        with qtbot.waitSignal(window.actions_.import_finished, timeout=WAIT_MS) as got:
            window.actions_.import_group()
        report = got.args[0]
    finally:
        tiny.mirror.write_bytes(kept)
    assert [i.sha256 for i in report.imported] == [_sha(tiny, tiny.original)]
    assert "changed since triage" in report.refused[0].reason
    assert told and str(tiny.mirror) in told[0]  # and the analyst is told, naming the file
    count = case.read().execute("SELECT count(*) FROM evidence").fetchone()[0]
    assert count == 1


def test_a_shot_without_a_keyframe_shows_the_nearest_shots(tmp_path):
    import cv2
    import numpy as np
    from PySide6.QtCore import QSize

    from ui.archive.thumbs import load_thumbnail

    cv2.imwrite(str(tmp_path / "0.jpg"), np.full((60, 80, 3), 200, np.uint8))
    image = load_thumbnail(tmp_path / "1.jpg", QSize(160, 120))
    assert not image.isNull() and image.width() == 160


def test_details_show_a_keyframe_per_shot_and_the_upload_record(qtbot, window, tiny):
    assert window.select_sha(_sha(tiny, tiny.other))  # two shots: a hard cut at 2 s
    qtbot.waitUntil(lambda: window.details.shots.count() == 2, timeout=WAIT_MS)
    assert window.details.shots.item(1).text() == "shot 2 · 2.0 s"
    assert str(tiny.other) in window.details.text.toPlainText()
    assert window.select_sha(_sha(tiny, tiny.original))
    text = window.details.text.toPlainText()
    assert "Upload record" in text and "https://youtu.be/abc" in text


@pytest.mark.parametrize(
    ("description", "said"),
    [(None, "is not an archive catalog (no catalog.json)"),
     ('{"format": 1}', "is a catalog of format 1"),
     ("{format", "not a catalog's description")],
)  # fmt: skip
def test_a_folder_that_cannot_be_read_as_a_catalog_is_said_once(qtbot, tmp_path, description,
                                                                said):  # fmt: skip
    folder = tmp_path / "old"
    folder.mkdir()
    if description is not None:
        (folder / "catalog.json").write_text(description)
    w = ArchiveWindow(lambda: None)
    qtbot.addWidget(w)
    messages = []
    w.failed.connect(lambda title, text: messages.append((title, text)))
    w.open_catalog(folder)
    qtbot.wait(300)  # no job was started that could say it again
    assert len(messages) == 1 and said in messages[0][1] and str(folder) in messages[0][1]
    assert w.catalog_dir is None

"""The basemap menu's "Fetch this view's tiles": the view's tiles asked once each, after the
analyst agreed to what the provider learns; cached tiles not asked again."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from analysis.imagery.mosaic import tile_range
from tests.ui.test_map_panel import TIMEOUT, _png, js, open_map
from workbench.case import create_case
from workbench.tiles import BasemapConfig, MBTilesSource, save_basemap

URL = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "fetch.gwcase", title="Fetch")
    yield c
    c.close()


def _question(qtbot, panel) -> QMessageBox:
    qtbot.waitUntil(lambda: panel.tile_fetch.box is not None, timeout=TIMEOUT)
    return panel.tile_fetch.box


def test_the_view_s_tiles_are_fetched_once_after_the_analyst_agrees(qtbot, map_panel, case):
    calls: list[str] = []

    def fake_fetch(url: str) -> bytes:  # stands in for the network, records every download
        calls.append(url)
        return _png((0, 90, 0))

    map_panel.fetch = fake_fetch
    save_basemap(case, BasemapConfig(kind="xyz", url_template=URL, remote_enabled=True)).result()
    open_map(qtbot, map_panel, case)
    assert map_panel.basemap_button.fetch_action.isEnabled()
    js(qtbot, map_panel, "GW.setView(35.62, 36.52, 15)")
    view = js(qtbot, map_panel, "JSON.stringify(GW.viewBox())")  # arrays come back empty
    south, west, north, east, zoom = json.loads(view)
    x0, y0, x1, y1 = tile_range(max(south, -85), west, min(north, 85), east, int(zoom))
    wanted = {(int(zoom), x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}

    map_panel.basemap_button.fetch_action.trigger()
    question = _question(qtbot, map_panel)
    assert f"{len(wanted)} tiles" in question.text() and "tiles.example.org" in question.text()
    assert "learns which area" in question.text()
    question.button(QMessageBox.StandardButton.Yes).click()
    # the fetch's own word (another of the panel's jobs may end first)
    qtbot.waitUntil(lambda: "fetched" in map_panel.status.text(), timeout=60_000)
    cache = MBTilesSource(case.derived_dir / "tile_cache.mbtiles")
    try:
        assert all(cache.get_tile(*t) == _png((0, 90, 0)) for t in wanted)
    finally:
        cache.close()
    fetched = {tuple(int(v) for v in (u.split("/")[-3], u.split("/")[-2], u.split("/")[-1][:-4]))
               for u in calls}  # fmt: skip
    assert wanted <= fetched  # the page may have asked for a few more as it drew
    calls.clear()

    map_panel.basemap_button.fetch_action.trigger()  # again: all cached, none asked
    map_panel.status.setText("")
    _question(qtbot, map_panel).button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "fetched" in map_panel.status.text(), timeout=60_000)
    assert (
        calls == [] and f"0 tiles fetched, {len(wanted)} already cached" in map_panel.status.text()
    )


def test_cancel_asks_nothing_and_an_offline_basemap_cannot_fetch(qtbot, map_panel, case):
    calls: list[str] = []
    map_panel.fetch = lambda url: calls.append(url) or _png((0, 0, 90))
    save_basemap(case, BasemapConfig(kind="xyz", url_template=URL, remote_enabled=False)).result()
    open_map(qtbot, map_panel, case)
    assert not map_panel.basemap_button.fetch_action.isEnabled()  # downloads are off
    save_basemap(case, BasemapConfig(kind="xyz", url_template=URL, remote_enabled=True)).result()
    with qtbot.waitSignal(map_panel.page_loaded, timeout=TIMEOUT):
        map_panel.reload_page()
    calls.clear()  # what the page itself drew
    map_panel.basemap_button.fetch_action.trigger()
    _question(qtbot, map_panel).button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(500)
    assert calls == [] and "fetched" not in map_panel.status.text()

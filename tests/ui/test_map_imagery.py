"""Imagery overlays on the map offscreen: an orthophoto and a registered still arrive through
the worker, the swipe clips the "after" image, opacity reaches the page, no console errors."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from analysis.imagery.georef import north_up_from_corners
from analysis.imagery.georeference import georeference_gcps
from analysis.imagery.register_fit import Gcp
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.imagery.layers import add_layer, store_registration

TIMEOUT = 30000


def js(qtbot, panel, code):
    box = []
    panel.run_js(code, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=TIMEOUT)
    return box[0]


@pytest.fixture
def case(tmp_path, media_data):
    c = create_case(tmp_path / "img.gwcase", title="Imagery")
    sat = media_data / "satellite"
    add_layer(c, sat / "sat_map_00.png", corners=sat / "map.csv", acquired="2021-05-01")
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), np.full((60, 80, 3), 200, np.uint8))
    ev = import_file(c, still)
    g = north_up_from_corners((60.4035, 22.4610), (60.4030, 22.4620), 80, 60)
    px = [(0, 0), (79, 0), (79, 59), (0, 59)]
    lat, lon = g.pixel_to_latlon(np.array([p[0] for p in px]), np.array([p[1] for p in px]))
    gcps = [Gcp(x, y, a, o) for (x, y), a, o in zip(px, lat, lon, strict=True)]
    store_registration(c, ev.id, georeference_gcps((80, 60), gcps, "projective")).result()
    yield c
    c.close()


def test_overlays_opacity_and_swipe(qtbot, map_panel, case):
    panel = map_panel
    panel.resize(900, 700)
    with qtbot.waitSignal(panel.imagery.overlays_shown, timeout=TIMEOUT) as shown:
        panel.set_case(case)
    assert shown.args == [2]
    bar = panel.imagery
    assert bar.isVisible() or not panel.isVisible()
    ids = [i for i, _ in bar.names]
    assert len(ids) == 2 and bar.after.currentData() == ids[1]
    bar.choose(ids[0], ids[1])
    bar.swipe.setValue(50)
    bar.opacity.setValue(40)
    js(qtbot, panel, f"GWImagery.fitTo({json.dumps(ids[0])}); true")
    qtbot.wait(300)
    query = "Array.from(document.querySelectorAll('.leaflet-gwImagery-pane img'))"
    pairs = "e => [e.style.opacity, e.style.clipPath]"
    state = js(qtbot, panel, f"JSON.stringify({query}.map({pairs}))")
    imgs = json.loads(state)
    assert len(imgs) == 2
    assert all(o == "0.4" for o, _ in imgs)
    assert imgs[0][1] == "" and imgs[1][1].startswith("inset(")
    bar.choose(ids[0])  # no "after": nothing clipped, one image
    qtbot.wait(100)
    one = json.loads(js(qtbot, panel, f"JSON.stringify({query}.map(e => e.style.clipPath))"))
    assert one == [""]
    from PySide6.QtWebEngineCore import QWebEnginePage

    level = QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel.value
    assert [m for m in panel.page.console if m.level == level] == []

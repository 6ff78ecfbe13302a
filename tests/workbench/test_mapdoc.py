"""The map page: offline (no CDN, no remote asset), user text kept as data, both variants."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from workbench import geodata
from workbench.case import create_case
from workbench.geolayers import LAYER_IDS, collections
from workbench.mapdoc import (
    TILE_URL,
    build_page,
    export_interactive_map,
    leaflet_css,
    script_json,
    write_map_page,
)
from workbench.tiles import BasemapConfig, save_basemap

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


class _Assets(HTMLParser):
    """Every URL the browser would fetch on its own, and the JSON config block."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href") if tag in ("script", "link", "img", "iframe") else ():
            if a.get(key):
                self.urls.append(a[key])
        self._in_config = tag == "script" and a.get("id") == "gw-config"

    def handle_data(self, data):
        if self._in_config:
            self.config = (self.config or "") + data

    def handle_endtag(self, tag):
        self._in_config = False


def parse(page: str) -> _Assets:
    p = _Assets()
    p.feed(page)
    return p


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "doc.gwcase", title="Hass <b>map</b>")
    yield c
    c.close()


def test_interactive_page_loads_nothing_remote():
    page = build_page(collections([]))
    assets = parse(page)
    assert assets.urls == ["qrc:///qtwebchannel/qwebchannel.js"]
    for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrap", "cdnjs", "fontawesome", "netdna"):
        assert cdn not in page
    assert '"1.9.3"' in page  # the version string of the inlined xstatic-leaflet copy
    assert "GW.init(" in page and "window.GW" in page


def test_leaflet_css_images_are_inlined():
    css = leaflet_css()
    assert "url(images/" not in css
    assert "data:image/png;base64," in css


def test_user_text_is_data_never_markup():
    items = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [36.55, 35.62]},
        "properties": {"id": "landmark:1", "name": XSS, "description": BREAKOUT},
    }
    layers = collections([])
    layers["landmarks"]["features"].append(items)
    page = build_page(layers, title=XSS, provenance=BREAKOUT)
    assert "<img src=x" not in page
    assert "</script><script>alert(2)" not in page
    assets = parse(page)
    assert "img" not in assets.tags
    config = json.loads(assets.config)
    [feat] = config["initial"]["landmarks"]["features"]
    assert feat["properties"]["name"] == XSS and feat["properties"]["description"] == BREAKOUT
    assert config["provenance"] == BREAKOUT
    assert [pair[0] for pair in config["layers"]] == list(LAYER_IDS)
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_script_json_round_trips_and_cannot_close_the_script():
    data = {"a": BREAKOUT, "b": "&<>\u2028"}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_map_page_of_a_case_has_its_layers_bounds_and_basemap(case):
    geodata.add_landmark(case, "water tower", 35.6205, 36.5507).result()
    geodata.add_landmark(case, "rooftop", 35.6190, 36.5200, kind="camera").result()
    path = write_map_page(case)
    assert path == case.derived_dir / "map.html"
    config = json.loads(parse(path.read_text(encoding="utf-8")).config)
    assert config["interactive"] is True
    assert config["basemap"] == {"kind": "none"}
    assert config["bounds"] == [[35.619, 36.52], [35.6205, 36.5507]]
    assert len(config["initial"]["landmarks"]["features"]) == 1
    save_basemap(case, BasemapConfig(kind="mbtiles", path="x.mbtiles", max_zoom=17)).result()
    config = json.loads(parse(write_map_page(case).read_text(encoding="utf-8")).config)
    assert config["basemap"]["url"] == TILE_URL and config["basemap"]["max_zoom"] == 17
    assert config["basemap"]["path"] == "x.mbtiles"
    assert not re.search(r"https?://", config["basemap"]["url"])


def test_standalone_export_has_no_tools_no_bridge_and_names_the_audit_head(case, tmp_path):
    geodata.add_landmark(case, XSS, 35.6205, 36.5507).result()
    save_basemap(case, BasemapConfig(kind="mbtiles", path="x.mbtiles")).result()
    seq, head = case.audit_head()
    out = export_interactive_map(case, tmp_path / "report_map.html")
    page = out.read_text(encoding="utf-8")
    assets = parse(page)
    assert assets.urls == []  # not even qrc: a browser opens it as is
    config = json.loads(assets.config)
    assert config["interactive"] is False
    assert config["basemap"] == {"kind": "none"}  # the report never asks a tile server
    assert head in config["provenance"] and f"audit head {seq}" in config["provenance"]
    assert config["initial"]["landmarks"]["features"][0]["properties"]["name"] == XSS
    assert "<img src=x" not in page

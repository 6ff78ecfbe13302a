"""The map page: a folium (Leaflet) shell with our JavaScript API, fully offline.

folium builds the page (the Leaflet map and its options); its default CDN assets (Leaflet,
jQuery, Bootstrap, Font Awesome, awesome-markers) are all dropped: Leaflet 1.9.3 is inlined
from the ``xstatic-leaflet`` package (its CSS images as data: URIs) and our own controls need
no other library, so the page loads nothing from the network. Our API (``map_assets/gwmap.js``,
``window.GW``) draws the layers that ``workbench.geolayers`` builds and talks to Python through
QWebChannel when the page runs in the workbench.

Two pages: ``write_map_page`` writes derived/map.html for the map panel (interactive: tools,
QWebChannel, the case's basemap through the ``gwtile://`` scheme) and ``export_interactive_map``
a standalone file for the report (layers and provenance embedded, offline grid, no tools).
User text travels only as JSON data, escaped for a <script> block, and the page puts it in
the DOM with textContent.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from analysis.fileio import write_text_atomic
from workbench.case import Case
from workbench.geolayers import LAYERS, layer_bounds, map_layers
from workbench.paths import PACKAGE_DIR
from workbench.tiles import BasemapConfig, load_basemap

ASSETS_DIR = PACKAGE_DIR / "map_assets"
TILE_URL = "gwtile://basemap/{z}/{x}/{y}"
QWEBCHANNEL_URL = "qrc:///qtwebchannel/qwebchannel.js"
MAP_PAGE_NAME = "map.html"
DEFAULT_CENTRE = (20.0, 0.0)
DEFAULT_ZOOM = 2


class _Raw(Element):
    """Markup inserted verbatim (never through Jinja: Leaflet's source contains braces)."""

    def __init__(self, html: str) -> None:
        super().__init__("")
        self._html = html

    def render(self, **kwargs: Any) -> str:
        return self._html


class _GwInit(MacroElement):
    """Calls GW.init(map, config) once folium has created the Leaflet map."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "GW.init({{ this._parent.get_name() }}, "
        "JSON.parse(document.getElementById('gw-config').textContent));"
        "{% endmacro %}"
    )


def script_json(data: Any) -> str:
    """JSON safe inside an HTML <script> block ('<', '>' and '&' as \\u escapes)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def leaflet_js() -> str:
    from xstatic.pkg import leaflet

    return (Path(leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images inlined, so no relative URL is ever requested."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = (base / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


def _asset(name: str) -> str:
    return (ASSETS_DIR / name).read_text(encoding="utf-8")


def _basemap_js(basemap: BasemapConfig | None) -> dict[str, Any]:
    if basemap is None or basemap.kind == "none":
        return {"kind": "none"}
    return {**asdict(basemap), "url": TILE_URL}


def build_page(
    layers: dict[str, dict[str, Any]],
    *,
    basemap: BasemapConfig | None = None,
    interactive: bool = True,
    title: str = "geoworkbench map",
    provenance: str = "",
    provenance_record: dict[str, Any] | None = None,
) -> str:
    """The HTML of a map page with ``layers`` (layer id -> FeatureCollection) drawn.

    The same arguments give the same bytes: folium's random element ids are replaced by fixed
    ones (:func:`_fix_ids`).

    Args:
        layers: GeoJSON FeatureCollections keyed by layer id (``geolayers.LAYER_IDS``).
        basemap: The basemap; None or kind "none" draws the offline grid.
        interactive: Add the tools and the QWebChannel connection (the workbench's panel).
        title: The page title (escaped).
        provenance: Text shown in a corner box (case, audit head); escaped by the page.
        provenance_record: ``Provenance.to_dict()`` of an exported page, embedded as JSON
            (``<script id="gw-provenance-record">``) for a program reading the file.
    """
    bounds = layer_bounds(layers)
    fmap = folium.Map(
        location=DEFAULT_CENTRE,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        max_zoom=22,
    )
    # Drop folium's CDN links: Leaflet is inlined below; nothing else is used.
    fmap.default_js = []
    fmap.default_css = []
    config = {
        "layers": [list(pair) for pair in LAYERS],
        "initial": layers,
        "bounds": [list(bounds[0]), list(bounds[1])] if bounds else None,
        "basemap": _basemap_js(basemap),
        "interactive": interactive,
        "provenance": provenance,
    }
    header = fmap.get_root().header
    header.add_child(_Raw(f"<title>{_html_text(title)}</title>"), name="gw_title")
    header.add_child(_Raw(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
    header.add_child(_Raw(f"<style>{_asset('gwmap.css')}</style>"), name="gw_css")
    header.add_child(_Raw(f"<script>{leaflet_js()}</script>"), name="leaflet_js")
    if interactive:
        header.add_child(_Raw(f'<script src="{QWEBCHANNEL_URL}"></script>'), name="qwebchannel")
    header.add_child(_Raw(f"<script>{_asset('gwview.js')}</script>"), name="gw_view_js")
    header.add_child(_Raw(f"<script>{_asset('gwcontrols.js')}</script>"), name="gw_controls_js")
    header.add_child(_Raw(f"<script>{_asset('gwmap.js')}</script>"), name="gw_js")
    header.add_child(_Raw(f"<script>{_asset('gwimagery.js')}</script>"), name="gw_imagery_js")
    header.add_child(
        _Raw(f'<script type="application/json" id="gw-config">{script_json(config)}</script>'),
        name="gw_config",
    )
    if provenance_record is not None:
        record = script_json(provenance_record)
        header.add_child(
            _Raw(f'<script type="application/json" id="gw-provenance-record">{record}</script>'),
            name="gw_provenance_record",
        )
    fmap.add_child(_GwInit())
    root = fmap.get_root()
    _fix_ids(root)
    return root.render()


def _fix_ids(root: Element) -> None:
    """Give every element under ``root`` a fixed id, in tree order.

    branca gives each Element a random ``_id`` (uuid4), and folium writes ``get_name()``
    (``_name + "_" + _id``) into the page as the map's div id and JavaScript variable, so two
    builds of one page would differ. Children added without a name are keyed by that name too:
    they are re-keyed so that nothing random is left in the tree.
    """
    root._id = "gw0"
    count = 0
    pending = [root]
    while pending:
        element = pending.pop(0)
        children = list(element._children.items())
        keyed_by_name = {key for key, child in children if key == child.get_name()}
        for _key, child in children:
            count += 1
            child._id = f"gw{count}"
        element._children = type(element._children)(
            (child.get_name() if key in keyed_by_name else key, child) for key, child in children
        )
        pending.extend(child for _key, child in children)


def _html_text(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def write_map_page(case: Case, layers: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write derived/map.html for the map panel (the case's layers and basemap).

    ``layers`` (from ``geolayers.map_layers``) saves building them twice when the caller
    keeps them, e.g. to know which layer changed later.
    """
    conn = case.read()
    layers = map_layers(conn) if layers is None else layers
    page = build_page(layers, basemap=load_basemap(conn), title=case.title)
    out = case.derived_dir / MAP_PAGE_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, page)
    return out


def export_interactive_map(case: Case, out_html: Path) -> Path:
    """A standalone interactive map of the case for the report (offline grid, no tools).

    The page embeds the layers and its provenance (``workbench.provenance``: the case's audit
    head at export time, as of that head row's time), so the same case at the same head gives
    the same bytes.
    """
    from workbench import provenance

    conn = case.read()
    head = provenance.case_head(conn)
    record = provenance.build(
        as_of=head.at_utc,
        software=provenance.software({"folium": folium.__version__}),
        audit_head=head,
        operations=[provenance.Operation("map_page", {"basemap": "grid", "interactive": False})],
        details={"case": case.path.name, "title": case.title},
    )
    text = (
        f"Case {case.path.name} ({case.title}); audit head {head.seq} {head.row_hash}; "
        f"geoworkbench {record.software.version}; as of {record.as_of_utc}. "
        "Grid basemap: no tiles."
    )
    page = build_page(
        map_layers(conn),
        basemap=None,
        interactive=False,
        title=case.title,
        provenance=text,
        provenance_record=record.to_dict(),
    )
    out = Path(out_html)
    write_text_atomic(out, page)
    return out

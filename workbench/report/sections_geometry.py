"""The Geometry section: landmarks, cameras and targets, every fix with its 95% ellipse in one
table, the same on a static map (tiles or grid) and on the app's interactive offline map."""

from __future__ import annotations

import math
from typing import Any

import folium
from PIL import Image

from workbench import provenance
from workbench.geodata_records import list_landmarks, list_observations
from workbench.geolayers import build_layers, layer_bounds
from workbench.map_positions import with_positions
from workbench.mapdoc import build_page
from workbench.report.context import ReportContext
from workbench.report.figures import figure_html
from workbench.report.markup import MISSING, code, esc, num, para, table, text
from workbench.report.model import MethodStep, Section
from workbench.report.static_map import draw_map, tile_source_for_report
from workbench.tiles import load_basemap

# A circular bivariate normal holds 95% within sqrt(chi2(2 dof, 0.95)) sigma of its centre.
K95_2D = math.sqrt(-2.0 * math.log(0.05))
CLOSE_UP_LAYERS = ("ellipses", "hypotheses")


def geometry(ctx: ReportContext) -> list[Section]:
    body = ["<h3>Landmarks, cameras and targets</h3>", _landmarks(ctx)]
    body += ["<h3>Positions with their 95% ellipses</h3>", _ellipses(ctx)]
    layers = build_layers(ctx.conn)  # once: both maps draw the same shapes
    body += ["<h3>Static map</h3>", *_static_maps(ctx, layers)]
    body += ["<h3>Interactive map</h3>", _interactive(ctx, with_positions(layers))]
    return [Section("geometry", "Geometry", "\n".join(body))]


def _landmarks(ctx: ReportContext) -> str:
    rows = [
        [
            str(m.id),
            text(m.name),
            esc(m.kind),
            f"{m.lat_deg:.7f}",
            f"{m.lon_deg:.7f}",
            num(m.height_m, 1, " m"),
            num(m.position_sigma_m, 1, " m"),
            text(m.notes),
        ]
        for m in list_landmarks(ctx.conn)
    ]
    return table(
        ["id", "name", "kind", "lat (deg)", "lon (deg)", "height", "sigma", "notes"],
        rows,
        cls="landmarks",
    )


def ellipse_rows(ctx: ReportContext) -> list[dict[str, Any]]:
    """Every position the case states with its 95% region: landmarks (a circle from their
    one-sigma), and observations whose result is a position with an ellipse."""
    out: list[dict[str, Any]] = []
    for m in list_landmarks(ctx.conn):
        r = None if m.position_sigma_m is None else K95_2D * m.position_sigma_m
        out.append(
            {"what": f"{m.kind} {m.id}", "name": m.name, "lat": m.lat_deg, "lon": m.lon_deg,
             "major": r, "minor": r, "azimuth": None, "confidence": 0.95 if r else None,
             "status": "stated sigma" if r else "no sigma stated"}
        )  # fmt: skip
    for o in list_observations(ctx.conn):
        res = o.result
        if res.get("lat_deg") is None or res.get("lon_deg") is None:
            continue
        e = res.get("ellipse") or {}
        out.append(
            {"what": f"{o.kind} {o.id}", "name": res.get("message", ""), "lat": res["lat_deg"],
             "lon": res["lon_deg"], "major": e.get("semi_major_m"), "minor": e.get("semi_minor_m"),
             "azimuth": e.get("azimuth_deg"), "confidence": e.get("confidence"),
             "status": res.get("status", "")}
        )  # fmt: skip
    return out


def _ellipses(ctx: ReportContext) -> str:
    rows = [
        [
            f'<span class="what">{esc(r["what"])}</span>',
            text(r["name"]),
            f"{r['lat']:.7f}",
            f"{r['lon']:.7f}",
            num(r["major"], 1, " m"),
            num(r["minor"], 1, " m"),
            num(r["azimuth"], 1, "°"),
            MISSING if r["confidence"] is None else f"{r['confidence']:.0%}",
            text(r["status"]),
        ]
        for r in ellipse_rows(ctx)
    ]
    return table(
        ["what", "name", "lat (deg)", "lon (deg)", "semi-major", "semi-minor",
         "major axis azimuth", "confidence", "status"],
        rows,
        cls="ellipses",
    )  # fmt: skip


def _static_maps(ctx: ReportContext, layers: dict[str, dict[str, Any]]) -> list[str]:
    bounds = layer_bounds(layers)
    if bounds is None:
        return [para("Nothing in the case has a position: no map.", "none")]
    basemap = load_basemap(ctx.conn)
    tiles = tile_source_for_report(basemap, ctx.case.path)
    views = [("overview", "Everything with a position", bounds)]
    close = layer_bounds({k: v for k, v in layers.items() if k in CLOSE_UP_LAYERS})
    if close is not None and close != bounds:
        views.append(("close-up", "Close-up of the fixes, their ellipses and the hypotheses",
                      close))  # fmt: skip
    out = []
    for name, caption, box in views:
        drawn = draw_map(
            layers, bounds=box, tiles=tiles, basemap_kind=basemap.kind, max_zoom=basemap.max_zoom
        )
        fig = ctx.figures.add(drawn.png)
        line = (
            f"drawn by {esc(provenance.SOFTWARE_NAME)} {esc(provenance.software().version)} "
            f"(Pillow {esc(Image.__version__)}) from the case's layers at audit head "
            f"{esc(ctx.head.label)}; Web Mercator zoom {drawn.zoom}, centre "
            f"{drawn.centre[0]:.6f}, {drawn.centre[1]:.6f}; basemap {esc(drawn.basemap)} "
            f"({drawn.tiles_used} tiles)"
        )
        out.append(figure_html(fig, f"Static map, {esc(caption)}", line, ident=f"map-{name}"))
        ctx.methods.append(
            MethodStep(
                what=f"static map ({name})",
                algorithm="Web-Mercator (EPSG:3857) XYZ tile arithmetic, shapes from the "
                "case's map layers (geodesic rays, tangent-plane ellipses), drawn with Pillow",
                version=f"{provenance.SOFTWARE_NAME} {provenance.software().version}",
                params={"zoom": drawn.zoom, "basemap": drawn.basemap, "size_px": [960, 640]},
                inputs=(ctx.head.label,),
                commands=(f"geoworkbench report ../{ctx.case_name} -o ../report_check "
                          f"--at {ctx.head.seq}",),
            )
        )  # fmt: skip
    return out


def _interactive(ctx: ReportContext, layers: dict[str, dict[str, Any]]) -> str:
    """The app's own map page (Leaflet inline, grid basemap), embedded whole in the report."""
    record = provenance.build(
        as_of=ctx.head.at_utc,
        software=provenance.software({"folium": folium.__version__}),
        audit_head=ctx.head,
        operations=[provenance.Operation("map_page", {"basemap": "grid", "interactive": False})],
        details={"case": ctx.case_name, "title": ctx.case.title},
    )
    note = (
        f"Case {ctx.case_name} ({ctx.case.title}); audit head {ctx.head.seq} "
        f"{ctx.head.row_hash}; geoworkbench {record.software.version}; as of "
        f"{record.as_of_utc}. Grid basemap: no tiles."
    )
    page = build_page(
        layers,
        basemap=None,
        interactive=False,
        title=ctx.case.title,
        provenance=note,
        provenance_record=record.to_dict(),
    )
    digest = provenance.bytes_sha256(page.encode("utf-8"))
    return (
        para(
            "The map the app shows, offline (Leaflet inline, no tiles), embedded whole; "
            f"page SHA-256 {code(digest)}. Printed copies show the static map above instead."
        )
        + f'\n<iframe class="map" title="interactive map" sandbox="allow-scripts" '
        f'data-sha256="{digest}" srcdoc="{esc(page)}"></iframe>'
    )

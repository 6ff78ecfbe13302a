"""Where each map feature is, for its popup: decimal degrees and MGRS.

The page shows them and copies them; they are computed here (``analysis.geometry.mgrs``) so
that the page needs no converter of its own: for the exported page, for every feature up
front (``with_positions``); in the workbench, when a popup asks (``MapBridge.mgrs``).
A point is where it is, a line where it starts, a field-of-view wedge at its apex, any other
polygon (an ellipse, a region) at the mean of its vertices (an ellipse's centre).
"""

from __future__ import annotations

from typing import Any

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.mgrs import to_mgrs


def anchor(feature: dict[str, Any]) -> tuple[str, float, float] | None:
    """(what, lat, lon) of a GeoJSON feature: "position", "start", "apex" or "centre"."""
    geom = feature.get("geometry") or {}
    kind, coords = geom.get("type"), geom.get("coordinates")
    if not coords:
        return None
    if kind == "Point":
        return "position", coords[1], coords[0]
    if kind == "LineString":
        return "start", coords[0][1], coords[0][0]
    if kind == "Polygon":
        ring = coords[0][:-1] if coords[0][0] == coords[0][-1] else coords[0]
        if feature.get("properties", {}).get("layer") == "wedges":
            return "apex", ring[0][1], ring[0][0]
        lat = sum(p[1] for p in ring) / len(ring)
        lon = sum(p[0] for p in ring) / len(ring)
        return "centre", lat, lon
    return None


def mgrs_text(lat: float, lon: float) -> str:
    """The 1 m MGRS reference, or why there is none (polar regions)."""
    try:
        return to_mgrs(LatLon(lat, lon))
    except GeometryError:
        return "none (outside 80 S to 84 N)"


def with_positions(layers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The layers with ``at`` ([what, lat, lon]) and ``mgrs`` in each feature's properties
    (new feature dicts; the geometry is shared)."""
    out: dict[str, dict[str, Any]] = {}
    for layer_id, fc in layers.items():
        features = []
        for f in fc["features"]:
            where = anchor(f)
            props = dict(f.get("properties") or {})
            if where is not None and not props.get("radius_m"):  # a circle: its point has it
                what, lat, lon = where
                props["at"] = [what, round(lat, 7), round(lon, 7)]
                props["mgrs"] = mgrs_text(lat, lon)
            features.append({**f, "properties": props})
        out[layer_id] = {**fc, "features": features}
    return out

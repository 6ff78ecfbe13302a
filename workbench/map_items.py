"""One feature of one map layer, and the colours items take (shared by geolayers and the
observation registry, so that neither imports the other for them).

Each camera, its rays and its wedges share the colour of the video they belong to
(``evidence_colour``); landmarks, cameras and targets without one take ``KIND_COLOURS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.geometry.geoexport import Feature, to_geojson

# Tableau 10: ten colours that stay distinguishable on a light grid and on imagery.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
KIND_COLOURS = {"landmark": "#1f4e9c", "camera": "#444444", "target": "#111111"}


def evidence_colour(evidence_id: int | None) -> str | None:
    """The colour of one evidence (a video, a photo) on the map; None when there is none."""
    return None if evidence_id is None else PALETTE[(evidence_id - 1) % len(PALETTE)]


@dataclass(frozen=True)
class MapItem:
    """One feature of one layer: its geometry, stable id (``landmark:3``) and style."""

    layer: str
    ident: str
    feature: Feature
    colour: str
    editable: bool = False
    extra: tuple[tuple[str, Any], ...] = ()  # more properties for the page (label, radius_m)


def item_geojson(item: MapItem) -> dict[str, Any]:
    """The GeoJSON Feature of an item; user text stays data (the page sets textContent)."""
    [feat] = to_geojson([item.feature])["features"]
    feat["properties"].update(
        {"id": item.ident, "layer": item.layer, "colour": item.colour, "editable": item.editable}
    )
    feat["properties"].update(item.extra)
    return feat


def ellipse_label(confidence: float, semi_major_m: float, semi_minor_m: float) -> str:
    """The map label of a confidence ellipse: its full axes, e.g. ``95%: 54 x 16 m``."""

    def size(m: float) -> str:
        return f"{m:,.0f}" if m >= 10 else f"{m:.1f}"

    return f"{confidence:.0%}: {size(2 * semi_major_m)} x {size(2 * semi_minor_m)} m"

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


def item_geojson(item: MapItem) -> dict[str, Any]:
    """The GeoJSON Feature of an item; user text stays data (the page sets textContent)."""
    [feat] = to_geojson([item.feature])["features"]
    feat["properties"].update(
        {"id": item.ident, "layer": item.layer, "colour": item.colour, "editable": item.editable}
    )
    return feat

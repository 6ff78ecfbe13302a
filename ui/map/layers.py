"""What the map page shows, as Python keeps it: the GeoJSON of each layer pushed, the name and
position of each feature, so that an edit pushes only the layers whose GeoJSON changed and a
drag or a rename knows the value it replaces."""

from __future__ import annotations

import json
from typing import Any


def landmark_id(feature_id: str) -> int | None:
    """The landmark id of a feature id such as ``landmark:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "landmark" and rest.isdigit() else None


def hypothesis_id(feature_id: str) -> int | None:
    """The hypothesis id of a feature id such as ``hypothesis:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "hypothesis" and rest.isdigit() else None


def layer_text(collection: dict[str, Any]) -> str:
    return json.dumps(collection, sort_keys=True)


class MapLayers:
    """The layers on the page (``pushed``) and the features in them (module doc)."""

    def __init__(self) -> None:
        self.pushed: dict[str, str] = {}  # layer id -> the GeoJSON text on the page
        self.names: dict[str, str] = {}  # feature id -> its name
        self.positions: dict[int, tuple[float, float]] = {}  # landmark id -> (lat, lon)
        self.hypothesis_positions: dict[int, tuple[float, float]] = {}

    def clear(self) -> None:
        self.pushed.clear()

    def loaded(self, layers: dict[str, dict[str, Any]]) -> None:
        """The page was built with ``layers``: they are on it already."""
        self.remember(layers)
        self.pushed = {k: layer_text(v) for k, v in layers.items()}

    def changed(self, layers: dict[str, dict[str, Any]]) -> list[tuple[str, dict, str]]:
        """The layers of ``layers`` whose GeoJSON differs from the page's: (id, data, text)."""
        self.remember(layers)
        out = []
        for layer_id, collection in layers.items():
            text = layer_text(collection)
            if self.pushed.get(layer_id) != text:
                out.append((layer_id, collection, text))
        return out

    def remember(self, layers: dict[str, dict[str, Any]]) -> None:
        self.names.clear()
        self.positions.clear()
        self.hypothesis_positions.clear()
        for collection in layers.values():
            for f in collection["features"]:
                ident = f["properties"]["id"]
                self.names[ident] = f["properties"].get("name", "")
                point_id, claim_id = landmark_id(ident), hypothesis_id(ident)
                if point_id is not None or claim_id is not None:
                    lon, lat = f["geometry"]["coordinates"][:2]
                    if point_id is not None:
                        self.positions[point_id] = (lat, lon)
                    else:
                        self.hypothesis_positions[claim_id] = (lat, lon)

    def landmark_count(self) -> int:
        return sum(1 for ident in self.names if ident.startswith("landmark:"))

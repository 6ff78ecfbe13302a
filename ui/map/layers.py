"""What the map page shows, as Python keeps it: the GeoJSON of each layer pushed, the name and
position of each feature, so that an edit pushes only the layers whose GeoJSON changed and a
drag or a rename knows the value it replaces.

The heavy part (the JSON text of every layer, the walk over every feature) is ``prepare``,
which runs in the worker that built the layers; the GUI thread only swaps dictionaries and
compares strings (10,000 hypotheses: 0.5 s of ``json.dumps`` off the GUI thread)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def landmark_id(feature_id: str) -> int | None:
    """The landmark id of a feature id such as ``landmark:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "landmark" and rest.isdigit() else None


def hypothesis_id(feature_id: str) -> int | None:
    """The hypothesis id of a feature id such as ``hypothesis:3`` (None for other features)."""
    kind, _, rest = feature_id.partition(":")
    return int(rest) if kind == "hypothesis" and rest.isdigit() else None


CHUNK_FEATURES = 1000  # per json.dumps call and per message to the page (~250 kB)


def layer_chunks(collection: dict[str, Any]) -> tuple[str, ...]:
    """A layer's features as JSON arrays of at most ``CHUNK_FEATURES`` each.

    Several small ``json.dumps`` calls rather than one: a C call holds the GIL throughout, and
    one over 10,000 features stalls the GUI thread for 300 ms even from a worker.
    """
    features = collection["features"]
    # A JavaScript string literal for JSON.parse: V8 parses JSON faster than object literals.
    return tuple(
        json.dumps(json.dumps(features[k : k + CHUNK_FEATURES], sort_keys=True))
        for k in range(0, len(features), CHUNK_FEATURES)
    )


@dataclass(frozen=True)
class LayerState:
    """Layers as built, with what the GUI thread needs of them, computed in the worker."""

    texts: dict[str, tuple[str, ...]]  # layer id -> its chunks (``layer_chunks``)
    names: dict[str, str] = field(default_factory=dict)
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    hypothesis_positions: dict[int, tuple[float, float]] = field(default_factory=dict)


def prepare(layers: dict[str, dict[str, Any]]) -> LayerState:
    """The state of ``layers`` (call it off the GUI thread: it serialises every layer)."""
    state = LayerState({k: layer_chunks(v) for k, v in layers.items()})
    for collection in layers.values():
        for f in collection["features"]:
            ident = f["properties"]["id"]
            state.names[ident] = f["properties"].get("name", "")
            point_id, claim_id = landmark_id(ident), hypothesis_id(ident)
            if point_id is not None or claim_id is not None:
                lon, lat = f["geometry"]["coordinates"][:2]
                if point_id is not None:
                    state.positions[point_id] = (lat, lon)
                else:
                    state.hypothesis_positions[claim_id] = (lat, lon)
    return state


class MapLayers:
    """The layers on the page (``pushed``) and the features in them (module doc)."""

    def __init__(self) -> None:
        self.pushed: dict[str, tuple[str, ...]] = {}  # layer id -> the chunks on the page
        self.names: dict[str, str] = {}  # feature id -> its name
        self.positions: dict[int, tuple[float, float]] = {}  # landmark id -> (lat, lon)
        self.hypothesis_positions: dict[int, tuple[float, float]] = {}

    def clear(self) -> None:
        self.pushed.clear()

    def loaded(self, state: LayerState) -> None:
        """The page was built with these layers: they are on it already."""
        self.remember(state)
        self.pushed = dict(state.texts)

    def changed(self, state: LayerState) -> list[tuple[str, tuple[str, ...]]]:
        """The layers whose GeoJSON differs from the page's: (id, chunks)."""
        self.remember(state)
        return [(k, text) for k, text in state.texts.items() if self.pushed.get(k) != text]

    def remember(self, state: LayerState) -> None:
        self.names = dict(state.names)
        self.positions = dict(state.positions)
        self.hypothesis_positions = dict(state.hypothesis_positions)

    def landmark_count(self) -> int:
        return sum(1 for ident in self.names if ident.startswith("landmark:"))

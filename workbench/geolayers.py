"""The case's geodata as map layers: GeoJSON FeatureCollections, one per layer.

Layers (ids used by the page's ``setLayer``): evidence (GPS positions of evidence and
reference photos, with a short line along the image direction when EXIF records one),
landmarks, cameras, targets, rays (bearing observations), wedges (fields of view), sightlines
(alignments, and the lines from a resected camera to the landmarks it saw), ellipses
(intersections, resections and bearings with a range: the fix, its confidence ellipse, or the
sampled region when the rays are nearly parallel) and hypotheses (claimed location with its
radius).

Observations are drawn by their kind's entry in the registry (``workbench.observations``:
``map_items``, and ``export_features`` for the exports). Each camera, its rays and its wedges
share the colour of the video they belong to (``evidence_colour``). Geometry is built with
``analysis.geometry.geoexport`` (geodesic polylines, tangent-plane ellipses) so that the map and
the KML/GeoJSON exports draw the same shapes.
Positions are WGS84 degrees; GeoJSON positions are [lon, lat] (RFC 7946).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine, GeoPoint, ellipse_polygon
from workbench import observations
from workbench.case import evidence as ev
from workbench.geodata_records import Landmark, Observation, list_landmarks, list_observations
from workbench.hypotheses import list_hypotheses
from workbench.map_items import KIND_COLOURS, MapItem, evidence_colour, item_geojson
from workbench.map_positions import with_positions

LAYERS: tuple[tuple[str, str], ...] = (
    ("evidence", "Evidence GPS"),
    ("landmarks", "Landmarks"),
    ("cameras", "Cameras"),
    ("targets", "Targets"),
    ("rays", "Bearing rays"),
    ("wedges", "Fields of view"),
    ("sightlines", "Sight lines"),
    ("ellipses", "Uncertainty"),
    ("hypotheses", "Hypotheses"),
)
LAYER_IDS = tuple(layer for layer, _ in LAYERS)
DIRECTION_LINE_M = 300.0


def _landmark_items(marks: Iterable[Landmark]) -> list[MapItem]:
    out = []
    for m in marks:
        colour = (evidence_colour(m.evidence_id) if m.kind == "camera" else None) or (
            KIND_COLOURS[m.kind]
        )
        desc = m.notes if m.height_m is None else f"height {m.height_m:g} m. {m.notes}".strip()
        point = GeoPoint(m.name, m.position, desc, m.height_m)
        out.append(MapItem(f"{m.kind}s", f"landmark:{m.id}", point, colour, editable=True))
    return out


def _evidence_items(items: Iterable[ev.Evidence]) -> list[MapItem]:
    out = []
    for e in items:
        gps = e.metadata.get("gps") or e.metadata.get("location") or {}
        lat, lon = gps.get("latitude_deg"), gps.get("longitude_deg")
        if lat is None or lon is None:
            continue
        where = LatLon(float(lat), float(lon))
        colour = evidence_colour(e.id) or "#333333"
        role = "reference" if e.is_reference else "evidence"
        out.append(
            MapItem(
                "evidence",
                f"evidence:{e.id}",
                GeoPoint(e.original_name, where, f"{role} GPS position"),
                colour,
            )
        )
        direction = gps.get("img_direction_deg")
        if direction is not None:
            ref = gps.get("img_direction_ref") or "unknown reference"
            line = GeoLine(
                f"{e.original_name} direction",
                (where, geodesy.destination(where, float(direction), DIRECTION_LINE_M)),
                f"image direction {float(direction):.1f} deg ({ref} north)",
            )
            out.append(MapItem("evidence", f"evidence:{e.id}:direction", line, colour))
    return out


def _hypothesis_items(conn: sqlite3.Connection, *, polygons: bool) -> list[MapItem]:
    """Each placed hypothesis: a draggable point and, with a radius, its circle.

    The map gets the circle as its centre with ``radius_m`` (the page draws it: 10,000
    hypotheses would be 480,000 vertices, 6 s to compute and 20 MB to send); the exports,
    whose formats have no circle, get a 48-gon (``polygons``)."""
    out = []
    for h in list_hypotheses(conn):
        if h.lat_deg is None or h.lon_deg is None:
            continue
        centre = LatLon(h.lat_deg, h.lon_deg)
        text = f"{h.confidence}: {h.rationale}".strip(": ")
        point = GeoPoint(h.title, centre, text)
        out.append(MapItem("hypotheses", f"hypothesis:{h.id}", point, "#d35400", editable=True))
        if h.radius_m and h.radius_m > 0 and not polygons:
            ident, label = f"hypothesis:{h.id}:radius", f"{h.title} ({h.radius_m:g} m)"
            extra = (("radius_m", h.radius_m),)
            out.append(
                MapItem("hypotheses", ident, GeoPoint(label, centre, text), "#d35400", False, extra)
            )
        elif h.radius_m and h.radius_m > 0:
            circle = ellipse_polygon(
                centre,
                ErrorEllipse(h.radius_m, h.radius_m, 0.0, 1.0),
                f"{h.title} ({h.radius_m:g} m)",
                text,
                vertices=48,
            )
            out.append(MapItem("hypotheses", f"hypothesis:{h.id}:radius", circle, "#d35400"))
    return out


ObservationItems = Callable[[Iterable[Observation], observations.MapContext], list[MapItem]]


def _items(
    conn: sqlite3.Connection, observation_items: ObservationItems, *, polygons: bool
) -> list[MapItem]:
    marks = list_landmarks(conn)
    context = observations.MapContext({m.id: m for m in marks})
    items = _evidence_items(ev.list_evidence(conn)) + _landmark_items(marks)
    items += observation_items(list_observations(conn), context)  # each through its kind's entry
    items += _hypothesis_items(conn, polygons=polygons)
    order = {layer: k for k, layer in enumerate(LAYER_IDS)}
    return sorted(items, key=lambda it: order[it.layer])


def case_items(conn: sqlite3.Connection) -> list[MapItem]:
    """Every map item of the case, in layer order."""
    return _items(conn, observations.map_items, polygons=False)


def export_items(conn: sqlite3.Connection) -> list[MapItem]:
    """Every item a KML/GeoJSON export of the case carries, in layer order (the observations'
    through ``ObservationEntry.export_features``)."""
    return _items(conn, observations.export_features, polygons=True)


def collections(items: Iterable[MapItem]) -> dict[str, dict[str, Any]]:
    """One FeatureCollection per layer id (every layer present, empty ones too)."""
    out: dict[str, dict[str, Any]] = {
        layer: {"type": "FeatureCollection", "features": []} for layer in LAYER_IDS
    }
    for item in items:
        out[item.layer]["features"].append(item_geojson(item))
    return out


def build_layers(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """The case's layers as GeoJSON FeatureCollections keyed by layer id."""
    return collections(case_items(conn))


def map_layers(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """The layers as the map page takes them: each feature's popup position and MGRS added
    (``workbench.map_positions``)."""
    return with_positions(build_layers(conn))


def layer_bounds(layers: dict[str, dict[str, Any]]) -> tuple[tuple[float, float], ...] | None:
    """((south, west), (north, east)) of every position in the layers, or None if empty."""
    lats: list[float] = []
    lons: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for fc in layers.values():
        for f in fc["features"]:
            walk(f["geometry"]["coordinates"])
            radius = f["properties"].get("radius_m")
            if radius:  # a circle the page draws: its extent, not only its centre
                lon, lat = f["geometry"]["coordinates"][:2]
                dlat = radius / 111_000.0
                dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
                lats += [lat - dlat, lat + dlat]
                lons += [lon - dlon, lon + dlon]
    if not lats:
        return None
    return (min(lats), min(lons)), (max(lats), max(lons))

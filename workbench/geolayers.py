"""The case's geodata as map layers: GeoJSON FeatureCollections, one per layer.

Layers (ids used by the page's ``setLayer``): evidence (GPS positions of evidence and
reference photos, with a short line along the image direction when EXIF records one),
landmarks, cameras, targets, rays (bearing observations), wedges (fields of view), sightlines
(alignments, and the lines from a resected camera to the landmarks it saw), ellipses
(intersections, resections and bearings with a range: the fix, its confidence ellipse, or the
sampled region when the rays are nearly parallel) and hypotheses (claimed location with its
radius).

Each camera, its rays and its wedges share the colour of the video they belong to
(``evidence_colour``). Geometry is built with ``analysis.geometry.geoexport`` (geodesic polylines,
tangent-plane ellipses) so that the map and the KML/GeoJSON exports draw the same shapes.
Positions are WGS84 degrees; GeoJSON positions are [lon, lat] (RFC 7946).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse, chi2_2dof_quantile
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import (
    Feature,
    GeoLine,
    GeoPoint,
    GeoPolygon,
    ellipse_polygon,
    ray_line,
    to_geojson,
)
from analysis.geometry.triangulation import BearingRay
from workbench.case import evidence as ev
from workbench.geodata import Landmark, Observation, list_landmarks, list_observations
from workbench.hypotheses import list_hypotheses

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
DIRECTION_LINE_M = 300.0
SIGHTLINE_EXTENSION = 3.0
WEDGE_STEP_DEG = 5.0  # the camera lies beyond the near object: draw 3x the spacing


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


@lru_cache(maxsize=8192)
def _ray_points(origin: LatLon, az: float, sigma: float, range_m: float) -> tuple[LatLon, ...]:
    # Cached: a refresh after one edit recomputes only the geodesics that changed.
    return ray_line(BearingRay(origin, az, sigma), range_m, "").points


@lru_cache(maxsize=8192)
def _wedge_ring(origin: LatLon, view_deg: float, hfov_deg: float, range_m: float) -> tuple:
    # One arc vertex per WEDGE_STEP_DEG (at least 4): the far edge of a 40 deg wedge at 5 km
    # then departs from the true arc by at most 5000 * (1 - cos(2.5 deg)) = 4.8 m.
    points = max(4, math.ceil(hfov_deg / WEDGE_STEP_DEG) + 1)
    return tuple(geodesy.wedge_polygon(origin, view_deg, hfov_deg, range_m, arc_points=points))


def _bearing_items(obs: Observation, cameras: dict[int, Landmark]) -> list[MapItem]:
    i = obs.inputs
    cam = cameras.get(i.get("camera_id"))
    origin = cam.position if cam else LatLon(i["camera_lat_deg"], i["camera_lon_deg"])
    colour = (
        evidence_colour(obs.evidence_id)
        or (evidence_colour(cam.evidence_id) if cam else None)
        or KIND_COLOURS["camera"]
    )
    cam_name = cam.name if cam else f"camera {i.get('camera_id')}"
    az, sigma = float(i["azimuth_deg"]), float(i["sigma_deg"])
    text = f"bearing {az:.2f} deg ± {sigma:.2f} deg (1 sigma) from {cam_name}"
    range_m = float(i.get("range_m") or 5000.0)
    ray = GeoLine(f"bearing {obs.id}", _ray_points(origin, az, sigma, range_m), text)
    out = [MapItem("rays", f"observation:{obs.id}", ray, colour)]
    if i.get("hfov_deg"):
        view = i.get("view_azimuth_deg")
        view = az if view is None else float(view)
        hfov = float(i["hfov_deg"])
        ring = _wedge_ring(origin, view, hfov, range_m)
        text = f"{hfov:.1f} deg wide, axis {view:.1f} deg"
        wedge = GeoPolygon(f"field of view {obs.id}", ring, text)
        out.append(MapItem("wedges", f"observation:{obs.id}:wedge", wedge, colour))
    if i.get("range_estimate"):
        out += _range_fix_items(obs, origin, az, sigma, i["range_estimate"], colour)
    return out


def _range_fix_items(
    obs: Observation, origin: LatLon, az: float, sigma_deg: float, r: dict, colour: str
) -> list[MapItem]:
    """A bearing with a range is a fix: the point down the ray and its 95% ellipse (along the
    ray the range's sigma, across it the bearing's), both from one camera."""
    distance, sigma_m = float(r["distance_m"]), float(r["sigma_m"])
    centre = geodesy.destination(origin, az, distance)
    along, across = sigma_m, distance * math.radians(sigma_deg)
    k = math.sqrt(chi2_2dof_quantile(0.95))
    major_az = az if along >= across else az + 90.0
    ellipse = ErrorEllipse(k * max(along, across), k * min(along, across), major_az % 180.0, 0.95)
    text = (
        f"range {distance:,.0f} m ± {sigma_m:,.0f} m from a {r['height_m']:g} m height "
        f"(clicks and height: an error in the field of view adds to it), "
        f"bearing {az:.2f} deg ± {sigma_deg:.2f} deg"
    )
    ident = f"observation:{obs.id}:range"
    return [
        MapItem("ellipses", ident, GeoPoint(f"range fix {obs.id}", centre, text), colour),
        MapItem(
            "ellipses",
            f"{ident}:ellipse",
            ellipse_polygon(centre, ellipse, f"range ellipse {obs.id}", text),
            colour,
        ),
    ]


def _fix_items(obs: Observation, label: str, colour: str) -> list[MapItem]:
    """A stored fix (intersection or resection): its point and its confidence ellipse."""
    r = obs.result
    ident = f"observation:{obs.id}"
    if r.get("lat_deg") is None:
        return []
    centre = LatLon(r["lat_deg"], r["lon_deg"])
    out = [MapItem("ellipses", ident, GeoPoint(label, centre, r.get("message", "")), colour)]
    e = r.get("ellipse")
    if e:
        ellipse = ErrorEllipse(
            e["semi_major_m"], e["semi_minor_m"], e["azimuth_deg"], e["confidence"]
        )
        text = (
            f"{e['confidence'] * 100:.0f}% ellipse: {e['semi_major_m']:.1f} m x "
            f"{e['semi_minor_m']:.1f} m, major axis {e['azimuth_deg']:.1f} deg"
        )
        poly = ellipse_polygon(centre, ellipse, f"ellipse {obs.id}", text)
        out.append(MapItem("ellipses", f"{ident}:ellipse", poly, colour))
    return out


def _intersection_items(obs: Observation) -> list[MapItem]:
    r = obs.result
    ident = f"observation:{obs.id}"
    out = _fix_items(obs, f"fix {obs.id}", "#8e44ad")
    for k, (lat, lon) in enumerate(r.get("samples") or []):
        point = GeoPoint(f"sample {k}", LatLon(lat, lon), r.get("message", ""))
        out.append(MapItem("ellipses", f"{ident}:sample:{k}", point, "#8e44ad"))
    return out


def _resection_items(obs: Observation) -> list[MapItem]:
    """The resected camera, its ellipse and a line to each landmark it saw."""
    r = obs.result
    out = _fix_items(obs, f"resected camera {obs.id}", "#2c3e50")
    if r.get("lat_deg") is None:
        return out
    camera = LatLon(r["lat_deg"], r["lon_deg"])
    residuals = r.get("residuals", [])  # in the order of the sightings (names may repeat)
    for k, seen in enumerate(obs.inputs.get("sightings", [])):
        name = str(seen.get("name", ""))
        mark = LatLon(seen["lat_deg"], seen["lon_deg"])
        residual = residuals[k]["residual_deg"] if k < len(residuals) else float("nan")
        text = f"seen in the frame; residual {residual:+.2f} deg"
        line = GeoLine(name, (camera, mark), text)
        out.append(MapItem("sightlines", f"observation:{obs.id}:sighting:{k}", line, "#2c3e50"))
    return out


def _alignment_items(obs: Observation, marks: dict[int, Landmark]) -> list[MapItem]:
    i = obs.inputs
    near_m, far_m = marks.get(i["near_id"]), marks.get(i["far_id"])
    near = near_m.position if near_m else LatLon(*i["near"])
    far = far_m.position if far_m else LatLon(*i["far"])
    g = geodesy.inverse(far, near)
    end = geodesy.destination(far, g.azimuth1_deg, g.distance_m * SIGHTLINE_EXTENSION)
    text = f"camera on this line beyond the near object (azimuth {g.azimuth1_deg:.1f} deg)"
    line = GeoLine(f"alignment {obs.id}", (far, near, end), text)
    return [MapItem("sightlines", f"observation:{obs.id}", line, "#16a085")]


def _hypothesis_items(conn: sqlite3.Connection) -> list[MapItem]:
    """Each placed hypothesis: a draggable point and, with a radius, its circle."""
    out = []
    for h in list_hypotheses(conn):
        if h.lat_deg is None or h.lon_deg is None:
            continue
        centre = LatLon(h.lat_deg, h.lon_deg)
        text = f"{h.confidence}: {h.rationale}".strip(": ")
        point = GeoPoint(h.title, centre, text)
        out.append(MapItem("hypotheses", f"hypothesis:{h.id}", point, "#d35400", editable=True))
        if h.radius_m and h.radius_m > 0:
            circle = ellipse_polygon(
                centre,
                ErrorEllipse(h.radius_m, h.radius_m, 0.0, 1.0),
                f"{h.title} ({h.radius_m:g} m)",
                text,
                vertices=48,
            )
            out.append(MapItem("hypotheses", f"hypothesis:{h.id}:radius", circle, "#d35400"))
    return out


def case_items(conn: sqlite3.Connection) -> list[MapItem]:
    """Every map item of the case, in layer order."""
    marks = list_landmarks(conn)
    by_id = {m.id: m for m in marks}
    items = _evidence_items(ev.list_evidence(conn)) + _landmark_items(marks)
    for obs in list_observations(conn):
        if obs.kind == "bearing":
            items += _bearing_items(obs, by_id)
        elif obs.kind == "intersection":
            items += _intersection_items(obs)
        elif obs.kind == "alignment":
            items += _alignment_items(obs, by_id)
        elif obs.kind == "resection":
            items += _resection_items(obs)
    items += _hypothesis_items(conn)
    order = {layer: k for k, layer in enumerate(LAYER_IDS)}
    return sorted(items, key=lambda it: order[it.layer])


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
    if not lats:
        return None
    return (min(lats), min(lons)), (max(lats), max(lons))

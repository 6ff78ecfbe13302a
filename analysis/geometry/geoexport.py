"""KML and GeoJSON exchange for plain geometry dataclasses (no case, no Qt).

Writers follow OGC KML 2.2 (namespace http://www.opengis.net/kml/2.2; coordinates
"lon,lat[,height]") and RFC 7946 GeoJSON (positions [lon, lat(, height)], WGS84, exterior
rings counter-clockwise, longitudes wrapped to [-180, 180]). Text is escaped by the XML
serializer and JSON encoder, never pasted into markup; characters XML 1.0 forbids become
U+FFFD. A KML ``<description>`` is HTML to its readers (Google Earth renders it), so its text
is HTML-escaped before the XML escaping: ``<img onerror=...>`` in a rationale shows as text
(``kml_description``), and the reader unescapes it again. Rays are written as geodesic
polylines (a vertex every ``step_m``) and ellipses as polygons in the tangent plane at
their centre.

Reading placemarks back (KML, KMZ, GeoJSON) is ``analysis.geometry.geoimport``.
"""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import GeometryError
from analysis.fileio import write_text_atomic
from analysis.geometry import geodesy
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.triangulation import BearingRay

KML_NS = "http://www.opengis.net/kml/2.2"


@dataclass(frozen=True)
class GeoPoint:
    """A named point (landmark, camera position, target)."""

    name: str
    position: LatLon
    description: str = ""
    height_m: float | None = None


@dataclass(frozen=True)
class GeoLine:
    """A named polyline (ray, sight line, measured distance)."""

    name: str
    points: tuple[LatLon, ...]
    description: str = ""


@dataclass(frozen=True)
class GeoPolygon:
    """A named polygon; ``ring`` is the exterior ring (closing point optional)."""

    name: str
    ring: tuple[LatLon, ...]
    description: str = ""


Feature = GeoPoint | GeoLine | GeoPolygon


def ray_line(
    ray: BearingRay, length_m: float, name: str, description: str = "", *, step_m: float = 500.0
) -> GeoLine:
    """A bearing ray as a polyline following its geodesic for ``length_m``."""
    if not (length_m > 0.0 and step_m > 0.0):
        raise GeometryError(f"ray length {length_m} m and step {step_m} m must be positive")
    n = max(1, math.ceil(length_m / step_m))
    pts = [
        geodesy.destination(ray.origin, ray.azimuth_deg, length_m * i / n) for i in range(1, n + 1)
    ]
    return GeoLine(name, (ray.origin, *pts), description)


def ellipse_polygon(
    center: LatLon, ellipse: ErrorEllipse, name: str, description: str = "", *, vertices: int = 72
) -> GeoPolygon:
    """A confidence ellipse as a closed polygon (tangent plane at ``center``)."""
    if vertices < 8:
        raise GeometryError(f"an ellipse needs at least 8 vertices, got {vertices}")
    frame = EnuFrame(center)
    az = math.radians(ellipse.azimuth_deg)
    major = (math.sin(az), math.cos(az))
    minor = (math.cos(az), -math.sin(az))
    ring = []
    for i in range(vertices):
        t = 2.0 * math.pi * i / vertices
        a, b = ellipse.semi_major_m * math.cos(t), ellipse.semi_minor_m * math.sin(t)
        ring.append(frame.from_enu(a * major[0] + b * minor[0], a * major[1] + b * minor[1])[0])
    return GeoPolygon(name, (*ring, ring[0]), description)


def region_polygon(
    samples: Sequence[LatLon], name: str, description: str = "", *, keep_fraction: float = 0.95
) -> GeoPolygon:
    """Outline of a Monte-Carlo sampled region (nearly parallel rays) as a polygon.

    The ``keep_fraction`` of samples nearest to the component-wise median (in the tangent
    plane there) are kept and their convex hull (Andrew's monotone chain) is returned.

    Raises:
        GeometryError: if fewer than three samples are kept or they are collinear.
    """
    if not 0.0 < keep_fraction <= 1.0:
        raise GeometryError(f"keep fraction {keep_fraction} is not in (0, 1]")
    if len(samples) < 3:
        raise GeometryError(f"a region needs at least 3 samples, got {len(samples)}")
    lat = sorted(p.lat_deg for p in samples)[len(samples) // 2]
    lon = sorted(p.lon_deg for p in samples)[len(samples) // 2]
    frame = EnuFrame(LatLon(lat, lon))
    pts = [frame.to_enu(p)[:2] for p in samples]
    pts.sort(key=lambda q: math.hypot(*q))
    kept = sorted(set(pts[: max(3, math.ceil(keep_fraction * len(pts)))]))
    hull = _convex_hull(kept)
    if len(hull) < 3:
        raise GeometryError("the sampled region is degenerate (all samples on a line)")
    ring = [frame.from_enu(e, n)[0] for e, n in hull]
    return GeoPolygon(name, (*ring, ring[0]), description)


def _convex_hull(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Counter-clockwise hull of points sorted by (x, y), without collinear vertices."""

    def turns_left(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]):
        # Strictly left by more than a micro-radian: near-collinear vertices are dropped.
        ax, ay, bx, by = a[0] - o[0], a[1] - o[1], b[0] - o[0], b[1] - o[1]
        return ax * by - ay * bx > 1e-6 * math.hypot(ax, ay) * math.hypot(bx, by)

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for seq, out in ((pts, lower), (reversed(pts), upper)):
        for p in seq:
            while len(out) >= 2 and not turns_left(out[-2], out[-1], p):
                out.pop()
            out.append(p)
    hull = lower[:-1] + upper[:-1]
    # The chains always keep their end points, even where they are (nearly) collinear.
    i = 0
    while len(hull) >= 3 and i < len(hull):
        if turns_left(hull[i - 1], hull[i], hull[(i + 1) % len(hull)]):
            i += 1
        else:
            del hull[i]
            i = max(0, i - 1)
    return hull


def wedge_feature(
    origin: LatLon, azimuth_deg: float, hfov_deg: float, range_m: float, name: str,
    description: str = "",
) -> GeoPolygon:  # fmt: skip
    """A field-of-view wedge as a polygon (see ``geodesy.wedge_polygon``)."""
    ring = geodesy.wedge_polygon(origin, azimuth_deg, hfov_deg, range_m, arc_points=24)
    return GeoPolygon(name, tuple(ring), description)


def _lon(lon_deg: float) -> float:
    return math.remainder(lon_deg, 360.0) if abs(lon_deg) > 180.0 else lon_deg


def _closed_ccw(ring: Sequence[LatLon]) -> list[LatLon]:
    if len(ring) < 3:
        raise GeometryError(f"a polygon needs at least 3 vertices, got {len(ring)}")
    pts = list(ring) if ring[0] == ring[-1] else [*ring, ring[0]]
    # Shoelace on (lon, lat); positive area means counter-clockwise.
    area = sum(
        _lon(a.lon_deg) * b.lat_deg - _lon(b.lon_deg) * a.lat_deg
        for a, b in zip(pts, pts[1:], strict=False)
    )
    return pts if area >= 0.0 else pts[::-1]


def _position(p: LatLon, height_m: float | None = None) -> list[float]:
    pos = [round(_lon(p.lon_deg), 9), round(p.lat_deg, 9)]
    return pos if height_m is None else [*pos, round(height_m, 3)]


def _no_surrogates(text: str) -> str:
    """Lone surrogates cannot be encoded as UTF-8: replace them by U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def to_geojson(features: Iterable[Feature]) -> dict:
    """An RFC 7946 FeatureCollection of the features (``kind`` in properties)."""
    out = []
    for f in features:
        if isinstance(f, GeoPoint):
            geom = {"type": "Point", "coordinates": _position(f.position, f.height_m)}
        elif isinstance(f, GeoLine):
            geom = {"type": "LineString", "coordinates": [_position(p) for p in f.points]}
        elif isinstance(f, GeoPolygon):
            geom = {"type": "Polygon", "coordinates": [[_position(p) for p in _closed_ccw(f.ring)]]}
        else:
            raise TypeError(f"not a geodata feature: {type(f).__name__}")
        props = {
            "name": _no_surrogates(f.name),
            "description": _no_surrogates(f.description),
            "kind": type(f).__name__,
        }
        out.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": out}


def _coords_text(points: Iterable[LatLon], height_m: float | None = None) -> str:
    return " ".join(
        ",".join(f"{v:.9f}".rstrip("0").rstrip(".") for v in _position(p, height_m)) for p in points
    )


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def kml_description(text: str) -> str:
    """Plain text as the content of a KML ``<description>``, which readers render as HTML:
    HTML-escaped (``<`` as ``&lt;``), so that it displays as the same text and nothing in it
    becomes markup; the XML serializer escapes the result once more."""
    return html.escape(xml_text(text), quote=True)


def to_kml(features: Iterable[Feature], document_name: str = "geoworkbench") -> str:
    """A KML 2.2 document with one Placemark per feature (text escaped by the serializer).

    Characters that XML 1.0 forbids (C0 controls other than tab/newline/CR, lone surrogates)
    are replaced by U+FFFD so that the file stays readable.
    """
    # Plain tags under a default xmlns attribute: no global ET.register_namespace state.
    root = ET.Element("kml", xmlns=KML_NS)
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = xml_text(document_name)
    for f in features:
        pm = ET.SubElement(doc, "Placemark")
        ET.SubElement(pm, "name").text = xml_text(f.name)
        if f.description:
            ET.SubElement(pm, "description").text = kml_description(f.description)
        if isinstance(f, GeoPoint):
            geom = ET.SubElement(pm, "Point")
            text = _coords_text([f.position], f.height_m)
        elif isinstance(f, GeoLine):
            geom = ET.SubElement(pm, "LineString")
            ET.SubElement(geom, "tessellate").text = "1"
            text = _coords_text(f.points)
        elif isinstance(f, GeoPolygon):
            poly = ET.SubElement(pm, "Polygon")
            ring = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
            geom, text = ring, _coords_text(_closed_ccw(f.ring))
        else:
            raise TypeError(f"not a geodata feature: {type(f).__name__}")
        ET.SubElement(geom, "coordinates").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_geojson(path: Path, features: Iterable[Feature]) -> None:
    """Write an RFC 7946 GeoJSON file (UTF-8, via a temporary file and os.replace)."""
    write_text_atomic(Path(path), json.dumps(to_geojson(features), ensure_ascii=False, indent=1))


def write_kml(path: Path, features: Iterable[Feature], document_name: str = "geoworkbench") -> None:
    """Write a KML 2.2 file (UTF-8, via a temporary file and os.replace)."""
    write_text_atomic(Path(path), to_kml(features, document_name))

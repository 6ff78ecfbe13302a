"""Placemarks (points) read from KML, KMZ and GeoJSON, refusing what could harm the reader.

KML is parsed with xml.etree after an expat pass that refuses any DOCTYPE or entity
declaration (defusedxml is not available: this blocks entity-expansion bombs and external
entities); files larger than ``MAX_FILE_BYTES`` are refused. A KML ``<description>`` is HTML
text (``geoexport.kml_description`` escapes it so), so it is unescaped on reading; GeoJSON
positions are [lon, lat(, height)] (RFC 7946).
"""

from __future__ import annotations

import html
import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import GeoDataError, GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoPoint

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class PlacemarkImport:
    """Points read from a geodata file; ``skipped`` counts features that are not points."""

    source: str
    points: tuple[GeoPoint, ...]
    skipped: int


class _UnsafeXml(Exception):
    pass


def read_placemarks(path: Path) -> PlacemarkImport:
    """Read point placemarks from a .kml, .kmz, .geojson or .json file.

    Raises:
        GeoDataError: if the file is missing, too large, of another kind, malformed,
            unsafe (DOCTYPE/ENTITY) or holds invalid coordinates; the message names the file.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise GeoDataError(f"{name}: cannot read the file ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise GeoDataError(f"{name}: {size} bytes is larger than the {MAX_FILE_BYTES} limit")
    suffix = path.suffix.lower()
    if suffix not in {".kml", ".kmz", ".geojson", ".json"}:
        raise GeoDataError(f"{name}: unsupported file type; expected .kml, .kmz, .geojson or .json")
    data = path.read_bytes()
    if suffix == ".kml":
        return parse_kml_points(data, name)
    if suffix == ".kmz":
        return parse_kml_points(_kml_from_kmz(data, name), name)
    return parse_geojson_points(data, name)


def _kml_from_kmz(data: bytes, source: str) -> bytes:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            kmls = [i for i in zf.infolist() if i.filename.lower().endswith(".kml")]
            if not kmls:
                raise GeoDataError(f"{source}: the KMZ archive holds no .kml document")
            info = next((i for i in kmls if i.filename.lower() == "doc.kml"), kmls[0])
            if info.file_size > MAX_FILE_BYTES:
                raise GeoDataError(f"{source}: {info.filename} unpacks beyond the size limit")
            return zf.read(info)
    except zipfile.BadZipFile as exc:
        raise GeoDataError(f"{source}: not a valid KMZ (zip) archive: {exc}") from exc


def _refuse_declarations(data: bytes, source: str) -> None:
    from xml.parsers import expat

    def refuse(kind: str):
        def handler(*_args: object) -> None:
            raise _UnsafeXml(kind)

        return handler

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse("DOCTYPE")
    parser.EntityDeclHandler = refuse("ENTITY")
    try:
        parser.Parse(data, True)
    except _UnsafeXml as exc:
        raise GeoDataError(
            f"{source}: refused: the file declares a {exc} (not used by KML; such declarations "
            "can expand entities or read other files)"
        ) from None
    except expat.ExpatError as exc:
        raise GeoDataError(
            f"{source}: not well-formed XML at line {exc.lineno}, column {exc.offset}: "
            f"{expat.ErrorString(exc.code)}"
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(elem: ET.Element, local: str) -> str:
    for child in elem:
        if _local(child.tag) == local:
            return (child.text or "").strip()
    return ""


def _latlon(lon: object, lat: object, where: str) -> LatLon:
    if isinstance(lon, bool) or isinstance(lat, bool):
        raise GeoDataError(f"{where}: coordinates must be numbers")
    try:
        return LatLon(float(lat), float(lon))  # type: ignore[arg-type]
    except (TypeError, ValueError, GeometryError) as exc:
        raise GeoDataError(f"{where}: invalid coordinates ({exc})") from exc


def parse_kml_points(data: bytes, source: str) -> PlacemarkImport:
    """Point placemarks of a KML document (any KML namespace, MultiGeometry included)."""
    _refuse_declarations(data, source)
    root = ET.fromstring(data)
    if _local(root.tag) != "kml":
        raise GeoDataError(f"{source}: not a KML document (root element <{_local(root.tag)}>)")
    points: list[GeoPoint] = []
    skipped = 0
    marks = [e for e in root.iter() if _local(e.tag) == "Placemark"]
    for index, mark in enumerate(marks, start=1):
        name = _child_text(mark, "name") or f"placemark {index}"
        where = f"{source}: placemark {name!r}"
        coords = [_child_text(e, "coordinates") for e in mark.iter() if _local(e.tag) == "Point"]
        if not coords:
            skipped += 1
            continue
        for k, text in enumerate(coords, start=1):
            parts = text.split(",")
            if len(text.split()) != 1 or len(parts) not in (2, 3):
                raise GeoDataError(f"{where}: expected 'lon,lat[,height]', got {text!r}")
            height = _float(parts[2], where) if len(parts) == 3 else None
            label = name if len(coords) == 1 else f"{name} ({k})"
            desc = html.unescape(_child_text(mark, "description"))  # KML: HTML text
            points.append(GeoPoint(label, _latlon(parts[0], parts[1], where), desc, height))
    return PlacemarkImport(source, tuple(points), skipped)


def _float(text: object, where: str) -> float:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise GeoDataError(f"{where}: {text!r} is not a number") from exc
    if not math.isfinite(value):
        raise GeoDataError(f"{where}: {text!r} is not a finite number")
    return value


def _refuse_constant(name: str) -> float:
    raise GeoDataError(f"JSON constant {name} is not allowed in GeoJSON")


def parse_geojson_points(data: bytes, source: str) -> PlacemarkImport:
    """Point and MultiPoint features of a GeoJSON document (RFC 7946, [lon, lat])."""
    try:
        obj = json.loads(data, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise GeoDataError(f"{source}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise GeoDataError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except GeoDataError as exc:
        raise GeoDataError(f"{source}: {exc}") from exc
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "FeatureCollection" and isinstance(obj.get("features"), list):
        features = obj["features"]
    elif kind == "Feature":
        features = [obj]
    elif kind in {"Point", "MultiPoint", "LineString", "Polygon", "MultiLineString",
                  "MultiPolygon", "GeometryCollection"}:  # fmt: skip
        features = [{"type": "Feature", "geometry": obj, "properties": {}}]
    else:
        raise GeoDataError(f"{source}: not GeoJSON (no FeatureCollection, Feature or geometry)")
    points: list[GeoPoint] = []
    skipped = 0
    for index, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise GeoDataError(f"{source}: feature {index} is not a GeoJSON Feature")
        found = _geojson_feature_points(feat, index, source)
        skipped += not found
        points.extend(found)
    return PlacemarkImport(source, tuple(points), skipped)


def _geojson_feature_points(feat: dict, index: int, source: str) -> list[GeoPoint]:
    props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
    name = str(props.get("name") or props.get("Name") or props.get("title") or f"feature {index}")
    desc = str(props.get("description") or "")
    geom = feat.get("geometry")
    where = f"{source}: feature {name!r}"
    if not isinstance(geom, dict) or geom.get("type") not in {"Point", "MultiPoint"}:
        return []
    coords = geom.get("coordinates")
    positions = [coords] if geom["type"] == "Point" else coords
    if not isinstance(positions, list):
        raise GeoDataError(f"{where}: coordinates must be a list")
    out = []
    for k, pos in enumerate(positions, start=1):
        if (
            not isinstance(pos, list)
            or len(pos) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos)
        ):
            raise GeoDataError(f"{where}: a position must be [lon, lat] or [lon, lat, height]")
        height = _float(pos[2], where) if len(pos) == 3 else None
        label = name if len(positions) == 1 else f"{name} ({k})"
        out.append(GeoPoint(label, _latlon(pos[0], pos[1], where), desc, height))
    return out

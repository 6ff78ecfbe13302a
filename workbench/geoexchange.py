"""Exchanging a case's geodata: placemarks in (KML/KMZ/GeoJSON), all geodata out (KML/GeoJSON).

Imports add landmarks in one write with the file's SHA-256 in the audit row; exports carry the
audit head in the file and are themselves logged with the file's SHA-256, so that an exported
file can be tied to the state of the case it came from.
"""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import GeometryError
from analysis.fileio import write_text_atomic
from workbench.case import Case
from workbench.case.audit import utc_now_iso
from workbench.geodata import LANDMARK_KINDS, check_position


def import_placemarks(case: Case, path: Path, *, kind: str = "landmark") -> Future[list[int]]:
    """Import the point placemarks of a KML/KMZ/GeoJSON file as landmarks, in one write.

    Raises:
        GeoDataError: if the file cannot be read (see ``analysis.geometry.geoexport.read_placemarks``).
    """
    import hashlib

    from analysis.geometry.geoexport import read_placemarks

    if kind not in LANDMARK_KINDS:
        raise GeometryError(f"kind {kind!r} is not one of {', '.join(LANDMARK_KINDS)}")
    path = Path(path)
    found = read_placemarks(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for p in found.points:
        check_position(p.position.lat_deg, p.position.lon_deg)

    def do(conn: sqlite3.Connection) -> list[int]:
        now, ids = utc_now_iso(), []
        for p in found.points:
            cur = conn.execute(
                "INSERT INTO landmark (name, kind, lat_deg, lon_deg, height_m, notes,"
                " created_at_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    p.name,
                    kind,
                    p.position.lat_deg,
                    p.position.lon_deg,
                    p.height_m,
                    p.description,
                    now,
                ),
            )
            ids.append(int(cur.lastrowid))
        case.log(
            conn,
            "geodata.import",
            path.name,
            {"sha256": digest, "ids": ids, "skipped_non_points": found.skipped},
        )
        return ids

    return case.write(do)


# -- export ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeoExport:
    """What an export wrote: the file, its format and SHA-256, and the audit head it carries."""

    path: Path
    format: str
    feature_count: int
    sha256: str
    audit_head_seq: int
    audit_head_hash: str


def _provenance(case: Case, seq: int, row_hash: str) -> dict[str, Any]:
    from workbench import __version__ as version

    return {
        "case": case.path.name,
        "title": case.title,
        "audit_head_seq": seq,
        "audit_head_hash": row_hash,
        "exported_at_utc": utc_now_iso(),
        "software": f"geoworkbench {version}",
    }


def export_geodata(case: Case, out_path: Path, fmt: str) -> GeoExport:
    """Write every layer's features to KML or GeoJSON and log the export (blocking).

    The file carries the audit head at the time of export (KML: the Document's description
    and ExtendedData; GeoJSON: a ``geoworkbench`` member of the FeatureCollection), so that a
    later rewrite of the chain can be caught from outside. The export's own audit row (with the
    file's SHA-256) follows that head.
    """
    import hashlib

    from analysis.geometry.geoexport import to_geojson, to_kml
    from workbench.geolayers import case_items

    if fmt not in ("kml", "geojson"):
        raise GeometryError(f"export format {fmt!r} is not kml or geojson")
    out_path = Path(out_path)
    conn = case.read()
    seq, row_hash = case.audit_head()
    prov = _provenance(case, seq, row_hash)
    items = case_items(conn)
    features = [item.feature for item in items]
    if fmt == "geojson":
        doc = to_geojson(features)
        for item, feat in zip(items, doc["features"], strict=True):
            feat["properties"].update({"id": item.ident, "layer": item.layer})
        doc["geoworkbench"] = prov
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    else:
        text = _kml_with_provenance(to_kml(features, f"{prov['title']} ({prov['case']})"), prov)
    write_text_atomic(out_path, text)
    digest = hashlib.sha256(out_path.read_bytes()).hexdigest()
    details = {
        "format": fmt,
        "path": str(out_path),
        "sha256": digest,
        "feature_count": len(features),
        "audit_head_seq": seq,
    }
    case.write_sync(lambda c: case.log(c, "geodata.export", out_path.name, details))
    return GeoExport(out_path, fmt, len(features), digest, seq, row_hash)


def _kml_with_provenance(kml: str, prov: dict[str, Any]) -> str:
    """Insert a description and ExtendedData after the Document's name (KML 2.2 order)."""
    import xml.etree.ElementTree as ET

    desc = ET.Element("description")
    desc.text = (
        f"Exported from case {prov['case']} by {prov['software']} at "
        f"{prov['exported_at_utc']}; audit head {prov['audit_head_seq']} "
        f"{prov['audit_head_hash']}"
    )
    extended = ET.Element("ExtendedData")
    for key in sorted(prov):
        data = ET.SubElement(extended, "Data", name=key)
        ET.SubElement(data, "value").text = str(prov[key])
    ET.indent(extended, level=2)
    snippet = "\n    ".join(ET.tostring(e, encoding="unicode").strip() for e in (desc, extended))
    start = kml.index("<Document>")
    end = kml.index("</name>", start) + len("</name>")
    return f"{kml[:end]}\n    {snippet}{kml[end:]}"

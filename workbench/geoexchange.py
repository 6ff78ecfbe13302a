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

from analysis.errors import GeometryError
from analysis.fileio import write_text_atomic
from workbench import provenance
from workbench.case import Case, audit, binding
from workbench.case.audit import utc_now_iso
from workbench.case.errors import CaseError
from workbench.geodata_records import LANDMARK_KINDS, check_position
from workbench.provenance import AuditHead, Provenance, case_head


def import_placemarks(case: Case, path: Path, *, kind: str = "landmark") -> Future[list[int]]:
    """Import the point placemarks of a KML/KMZ/GeoJSON file as landmarks, in one write.

    Raises:
        GeoDataError: if the file cannot be read (see
        ``analysis.geometry.geoimport.read_placemarks``).
    """
    import hashlib

    from analysis.geometry.geoimport import read_placemarks

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
    recorded: bool = True  # False: the case was open read-only, its log has no row for it


def _provenance(case: Case, title: str, head: AuditHead, fmt: str) -> Provenance:
    """The export's provenance, as of the audit head it quotes (so: the same bytes each time)."""
    return provenance.build(
        as_of=head.at_utc,
        software=provenance.software(),
        audit_head=head,
        operations=[provenance.Operation("export_geodata", {"format": fmt})],
        details={"case": case.path.name, "title": title},
    )


def _case_at(case: Case, at_seq: int | None) -> sqlite3.Connection:
    """The case's tables now, or as they stood at audit row ``at_seq`` (rebuilt from the chain).

    Raises:
        CaseError: ``at_seq`` is not a row of the chain, or the case predates binding.
    """
    conn = case.read()
    if at_seq is None:
        return conn
    last, _ = audit.head(conn)
    if not 1 <= at_seq <= last:
        raise CaseError(f"{case.path}: audit row {at_seq} is not in the chain (1..{last})")
    if not binding.has_state(conn):
        raise CaseError(
            f"{case.path}: the case predates binding its tables to the chain; open it once for "
            "writing, then export at the heads that follow"
        )
    return binding.state_at(conn, at_seq)


def _title(conn: sqlite3.Connection, fallback: str) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'title'").fetchone()
    return row[0] if row else fallback


def export_geodata(
    case: Case, out_path: Path, fmt: str, *, at_seq: int | None = None, replace: bool = True
) -> GeoExport:
    """Write every layer's features to KML or GeoJSON and log the export (blocking).

    The file carries its provenance (``workbench.provenance``: the audit head at the time of
    export and, as ``as_of_utc``, that head row's time; KML: the Document's description and
    ExtendedData; GeoJSON: a ``geoworkbench`` member of the FeatureCollection), so that a later
    rewrite of the chain can be caught from outside, and the same case at the same head gives
    the same bytes. The export's own audit row (with the file's SHA-256) follows that head.

    With ``at_seq``, the export is of the case as it stood at that audit row (the tables
    rebuilt from the chain's records, ``workbench.case.binding.state_at``): the same bytes as
    an export made then.

    A case opened read-only (another process holds it for writing) is exported all the same:
    the file carries its provenance and head, but the case's log gets no row for it
    (``recorded`` is False), since only the holder may write.

    Args:
        replace: whether an existing (writable) file may be replaced; the CLI passes its
            ``--force``. Nothing is ever written into a case's evidence/ or over a read-only
            file (``workbench.output_guard``).

    Raises:
        OutputRefusedError: where the file may not be written.
    """
    import hashlib

    from analysis.geometry.geoexport import to_geojson, to_kml
    from workbench.geolayers import export_items
    from workbench.output_guard import check_output

    if fmt not in ("kml", "geojson"):
        raise GeometryError(f"export format {fmt!r} is not kml or geojson")
    out_path = check_output(out_path, replace=replace)
    conn = _case_at(case, at_seq)
    head = case_head(conn)
    seq, row_hash = head.seq, head.row_hash
    title = _title(conn, case.title)
    prov = _provenance(case, title, head, fmt)
    items = export_items(conn)  # observations through their entries' export_features
    features = [item.feature for item in items]
    if fmt == "geojson":
        doc = to_geojson(features)
        for item, feat in zip(items, doc["features"], strict=True):
            feat["properties"].update({"id": item.ident, "layer": item.layer})
        doc["geoworkbench"] = prov.to_dict()
        text = json.dumps(doc, ensure_ascii=False, indent=1)
    else:
        text = _kml_with_provenance(to_kml(features, f"{title} ({case.path.name})"), prov)
    write_text_atomic(out_path, text)
    digest = hashlib.sha256(out_path.read_bytes()).hexdigest()
    details = {
        "format": fmt,
        "path": str(out_path),
        "sha256": digest,
        "feature_count": len(features),
        "audit_head_seq": seq,
    }
    if case.read_only:
        return GeoExport(out_path, fmt, len(features), digest, seq, row_hash, recorded=False)
    case.write_sync(lambda c: case.log(c, "geodata.export", out_path.name, details))
    return GeoExport(out_path, fmt, len(features), digest, seq, row_hash)


def _kml_with_provenance(kml: str, prov: Provenance) -> str:
    """Insert a description and ExtendedData after the Document's name (KML 2.2 order).

    ExtendedData holds the audit head and the time for a reader of the file, and the whole
    record as canonical JSON (``provenance``) for a program. Text from the case (its folder
    name, its title) is made safe for XML 1.0 (``xml_text``) and, in the description that
    Google Earth renders as HTML, HTML-escaped; the JSON carries ``<``, ``>`` and ``&`` as
    ``\\u`` escapes, which JSON readers decode to the same value and no HTML reader reads as
    markup.
    """
    import xml.etree.ElementTree as ET

    from analysis.geometry.geoexport import kml_description, xml_text

    desc = ET.Element("description")
    desc.text = kml_description(
        f"Exported from case {prov.details['case']} by {prov.software.name} "
        f"{prov.software.version} as of {prov.as_of_utc}; audit head {prov.audit_head}"
    )
    extended = ET.Element("ExtendedData")
    record = prov.to_json(indent=None)
    for char in "<>&":
        record = record.replace(char, f"\\u{ord(char):04x}")
    fields = {
        "audit_head": prov.audit_head,
        "as_of_utc": prov.as_of_utc,
        "provenance": record,
    }
    for key, value in fields.items():
        data = ET.SubElement(extended, "Data", name=key)
        ET.SubElement(data, "value").text = xml_text(str(value))
    ET.indent(extended, level=2)
    snippet = "\n    ".join(ET.tostring(e, encoding="unicode").strip() for e in (desc, extended))
    start = kml.index("<Document>")
    end = kml.index("</name>", start) + len("</name>")
    return f"{kml[:end]}\n    {snippet}{kml[end:]}"

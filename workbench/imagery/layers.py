"""Imagery layers of a case: orthophotos, DEMs and registered images, as reference evidence.

A layer is an evidence (the file hashed, copied read-only and logged by the case intake,
``workbench.case.intake``), flagged as a reference, plus one ``imagery_layer`` row: its kind,
acquisition date, source, licence and georeference (the grid of a GeoTIFF or world file,
as ``analysis.imagery.georef.Georef.to_json``; or, for a registered image, the transform of
its ``georeference`` observation). The georeference is read and checked BEFORE the file is
imported, so a file without one leaves nothing in the case.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import WorkbenchError
from workbench.case.audit import utc_now_iso

if TYPE_CHECKING:
    from concurrent.futures import Future

    from analysis.imagery.georeference import GeorefResult
    from workbench.case import Case

KINDS = ("ortho", "dem", "registered")
_COLUMNS = ("id, evidence_id, kind, name, acquired_date, source, licence, georef_json, "
            "observation_id, created_at_utc")  # fmt: skip


class ImageryLayerError(WorkbenchError):
    """A layer cannot be added: a bad kind or date, or a file without a georeference."""


@dataclass(frozen=True)
class ImageryLayer:
    id: int
    evidence_id: int
    kind: str
    name: str
    acquired: str | None
    source: str
    licence: str
    georef: dict[str, Any]
    observation_id: int | None
    created_at_utc: str
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "evidence_id": self.evidence_id, "kind": self.kind,
                "name": self.name, "acquired": self.acquired, "source": self.source,
                "licence": self.licence, "georef": self.georef,
                "observation_id": self.observation_id, "sha256": self.sha256}  # fmt: skip


def _check_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ImageryLayerError(f"acquisition date {text!r} is not YYYY-MM-DD") from None


def read_georef(
    path: Path, kind: str, crs: str | None = None, corners: Path | None = None
) -> dict[str, Any]:
    """The layer's georeference, read and checked (raises GeoreferenceError/DemError)."""
    if corners is not None and kind == "ortho":
        from analysis.imagery.sources import open_with_corners

        return open_with_corners(path, corners).georef.to_json() | {"corners_table": corners.name}
    if kind == "dem":
        from analysis.imagery.dem import Dem

        dem = Dem.open(path)
        return dem.georef.to_json() | {"heights": "metres, the DEM's own vertical datum"}
    from analysis.imagery.sources import open_georeferenced, world_file_for

    mosaic = open_georeferenced(path, crs=crs)
    out = mosaic.georef.to_json()
    world = world_file_for(path)
    if world is not None:
        out["world_file"] = world.read_text(errors="replace")
    return out


def add_layer(
    case: Case, path: Path | str, *, kind: str = "ortho", acquired: str | None = None,
    source: str = "", licence: str = "", crs: str | None = None, corners: Path | None = None,
) -> ImageryLayer:  # fmt: skip
    """Import ``path`` as a reference layer (blocking: call it off the GUI thread).

    Raises:
        ImageryLayerError: a bad kind or date. GeoreferenceError: no usable georeference.
        MediaError: the intake refused the file. Nothing is written in any of these cases.
    """
    from workbench.case.intake import import_file

    if kind not in ("ortho", "dem"):
        raise ImageryLayerError(f"layer kind {kind!r} is not ortho or dem")
    path = Path(path)
    day = _check_date(acquired)
    georef = read_georef(path, kind, crs, Path(corners) if corners else None)
    imported = import_file(case, path, note=f"imagery layer ({kind})")
    record = dict(evidence_id=imported.id, kind=kind, name=path.name, acquired_date=day,
                  source=source, licence=licence, georef_json=json.dumps(georef, sort_keys=True),
                  observation_id=None)  # fmt: skip
    new_id = case.write_sync(lambda conn: _insert(case, conn, record))
    return get_layer(case.read(), new_id)


def add_layer_for_evidence(
    case: Case, evidence_id: int, georef: dict[str, Any], *, kind: str = "ortho",
    acquired: str | None = None, source: str = "", licence: str = "",
) -> Future[int]:  # fmt: skip
    """A layer for an evidence already in the case, georeferenced by ``georef`` (the vendor's
    metadata, typed corners): checked first, then written with its audit row (async)."""
    from analysis.imagery.georef import Georef

    if kind not in ("ortho", "dem"):
        raise ImageryLayerError(f"layer kind {kind!r} is not ortho or dem")
    Georef.from_json(georef)  # raises GeoreferenceError on a nonsense grid
    day = _check_date(acquired)

    def do(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT original_name FROM evidence WHERE id = ?",
                           (evidence_id,)).fetchone()  # fmt: skip
        if row is None:
            raise ImageryLayerError(f"no evidence with id {evidence_id}")
        gj = json.dumps(georef, sort_keys=True)
        record = dict(evidence_id=evidence_id, kind=kind, name=row[0], acquired_date=day,
                      source=source, licence=licence, georef_json=gj,
                      observation_id=None)  # fmt: skip
        return _insert(case, conn, record)

    return case.write(do)


def _insert(case: Case, conn: sqlite3.Connection, record: dict[str, Any]) -> int:
    record = record | {"created_at_utc": utc_now_iso()}
    cols = ", ".join(record)
    cur = conn.execute(
        f"INSERT INTO imagery_layer ({cols}) VALUES ({', '.join('?' * len(record))})",
        tuple(record.values()),
    )
    conn.execute("UPDATE evidence SET is_reference = 1 WHERE id = ?", (record["evidence_id"],))
    new_id = int(cur.lastrowid)
    details = {k: v for k, v in record.items() if k != "georef_json"}
    details["georef"] = json.loads(record["georef_json"])
    case.log(conn, f"imagery.{record['kind']}", f"imagery_layer:{new_id}", details)
    return new_id


def get_layer(conn: sqlite3.Connection, layer_id: int) -> ImageryLayer:
    row = conn.execute(
        f"SELECT {_COLUMNS}, (SELECT sha256 FROM evidence e WHERE e.id = l.evidence_id)"
        " FROM imagery_layer l WHERE id = ?", (layer_id,),
    ).fetchone()  # fmt: skip
    if row is None:
        raise ImageryLayerError(f"no imagery layer with id {layer_id}")
    return _layer(row)


def _layer(row: tuple) -> ImageryLayer:
    (i, ev, kind, name, day, source, licence, gj, obs, created, sha) = row
    return ImageryLayer(i, ev, kind, name, day, source, licence, json.loads(gj), obs, created,
                        sha or "")  # fmt: skip


def list_layers(conn: sqlite3.Connection, kind: str | None = None) -> list[ImageryLayer]:
    """The case's layers in the order they were added (``kind`` filters)."""
    where, args = ("WHERE kind = ?", (kind,)) if kind else ("", ())
    rows = conn.execute(
        f"SELECT {_COLUMNS}, (SELECT sha256 FROM evidence e WHERE e.id = l.evidence_id)"
        f" FROM imagery_layer l {where} ORDER BY id", args,
    ).fetchall()  # fmt: skip
    return [_layer(r) for r in rows]


def store_registration(
    case: Case, evidence_id: int, result: GeorefResult, *, frame_index: int | None = None,
    reference_layer_id: int | None = None,
) -> Future[tuple[int, int]]:  # fmt: skip
    """Store a registered image: a ``georeference`` observation and a "registered" layer row,
    in one transaction (async: the future gives (observation id, layer id)).

    Raises:
        ImageryLayerError: the result is "not registered" (nothing to store).
    """
    from workbench.geodata import insert_observation
    from workbench.observations import result_json

    if not result.registered or not result.residuals:
        raise ImageryLayerError(f"not stored: the image is not registered ({result.reason})")
    kind = result.transform["kind"] if result.method == "gcp" else "projective"
    gcps = [[r["x"], r["y"], r["lat"], r["lon"], bool(r.get("enabled", True))]
            for r in result.residuals]  # fmt: skip
    inputs = {"image_wh": list(result.image_wh), "gcps": gcps, "transform_kind": kind,
              "method": result.method, "reference_layer_id": reference_layer_id,
              "registration_reason": result.reason}  # fmt: skip
    res = result_json("georeference", inputs)  # validated and recomputed before the writer

    def do(conn: sqlite3.Connection) -> tuple[int, int]:
        obs_id = insert_observation(case, conn, "georeference", inputs, res,
                                    evidence_id=evidence_id, frame_index=frame_index)  # fmt: skip
        name = conn.execute("SELECT original_name FROM evidence WHERE id = ?",
                            (evidence_id,)).fetchone()  # fmt: skip
        if name is None:
            raise ImageryLayerError(f"no evidence with id {evidence_id}")
        georef = {"transform": res["transform"], "corners": res["corners"],
                  "image_wh": list(result.image_wh), "frame_index": frame_index}  # fmt: skip
        gj = json.dumps(georef, sort_keys=True)
        record = dict(evidence_id=evidence_id, kind="registered", name=name[0],
                      acquired_date=None, source="", licence="", georef_json=gj,
                      observation_id=obs_id)  # fmt: skip
        return obs_id, _insert(case, conn, record)

    return case.write(do)

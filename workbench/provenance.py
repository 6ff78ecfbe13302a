"""One provenance record for every sidecar and export, and its canonical bytes.

Every file that leaves the workbench (a frame PNG from the CLI or a case, match figures, a
KML/GeoJSON export, the report's map page) says where it came from in one shape (ADR 0005):
``provenance_schema``; ``as_of_utc``; ``audit_head`` (``"seq:row_hash"``, None outside a
case); ``software`` (name, version, libraries); ``sources`` (each ``source_sha256``,
``source_name``, ``frame_index``, ``pts``, ``time_base``, ``pts_s``, ``frame_md5``; frame
fields None for a still image); ``operations`` (each ``op`` and ``params``, in order);
``outputs`` (each ``role``, ``file``, ``sha256``; empty when the record is inside the file it
describes); ``details`` (facts of one kind of export).

``as_of_utc`` is passed by the caller: this module never reads the clock. A case export
quotes the time of the audit head row it names, so the same case at the same head gives the
same bytes; a CLI command takes ``--as-of`` or reads the clock once at its own boundary.

Canonical bytes: sorted keys, UTF-8, Unicode NFC, floats rounded to :data:`FLOAT_DIGITS`
significant digits (and -0.0 written as 0.0), no NaN. A sidecar sits next to its file as
``NAME.EXT.json`` (:func:`sidecar_path`), from the CLI and in a case alike.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import platform
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.errors import WorkbenchError
from analysis.fileio import write_bytes_atomic
from workbench import __version__

SCHEMA_VERSION = 1
SOFTWARE_NAME = "geoworkbench"
FLOAT_DIGITS = 12  # significant digits: far below any measured quantity's precision
SIDECAR_SUFFIX = ".json"
FRAME_INDEX_MEANING = "0-based index in a full sequential decode of the first video stream"
FRAME_MD5_CHECK = "ffmpeg -noautorotate -i VIDEO -map 0:v:0 -f framemd5 -"
FRAME_DECODE_OPS = ("decode", "to_rgb", "square_pixels", "rotate_upright")


class ProvenanceError(WorkbenchError):
    """A provenance record cannot be built: a bad ``as_of``, a non-finite number, no head."""


@dataclass(frozen=True)
class SourceFrame:
    """One input: a file known by its SHA-256 and, for a video, the frame used."""

    source_sha256: str
    source_name: str
    frame_index: int | None = None  # 0-based, in a full sequential decode
    pts: int | None = None  # raw presentation timestamp, in time_base units
    time_base: tuple[int, int] | None = None  # seconds per pts tick, as numerator, denominator
    pts_s: float | None = None  # pts * time_base, seconds on the stream's clock
    frame_md5: str | None = None  # framemd5 of the decoded picture (native format)


@dataclass(frozen=True)
class Operation:
    """One step applied to the sources, with its parameters."""

    op: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Software:
    """The program that wrote the file and the libraries that shaped its content."""

    name: str
    version: str
    libraries: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return canonical_value(asdict(self))


@dataclass(frozen=True)
class Output:
    """A file the record describes, by name (not path: the record travels with the file)."""

    role: str
    file: str
    sha256: str


@dataclass(frozen=True)
class AuditHead:
    """A row of a case's audit chain, as quoted by an export."""

    seq: int
    row_hash: str
    at_utc: str  # the row's own time: the ``as_of`` of an export that quotes it

    @property
    def label(self) -> str:
        """The published form ``seq:row_hash``."""
        return f"{self.seq}:{self.row_hash}"


@dataclass(frozen=True)
class Provenance:
    """Where a file came from, in the one shape (see the module docstring)."""

    as_of_utc: str
    software: Software
    audit_head: str | None = None
    sources: tuple[SourceFrame, ...] = ()
    operations: tuple[Operation, ...] = ()
    outputs: tuple[Output, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as canonical JSON values (NFC strings, fixed floats)."""
        return canonical_value(
            {
                "provenance_schema": SCHEMA_VERSION,
                "as_of_utc": self.as_of_utc,
                "audit_head": self.audit_head,
                "software": asdict(self.software),
                "sources": [asdict(s) for s in self.sources],
                "operations": [asdict(o) for o in self.operations],
                "outputs": [asdict(o) for o in self.outputs],
                "details": dict(self.details),
            }
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON text; ``indent=None`` gives the compact form."""
        return canonical_json(self.to_dict(), indent=indent)

    def to_bytes(self) -> bytes:
        """The sidecar's bytes: indented canonical JSON, UTF-8, one final newline."""
        return (self.to_json() + "\n").encode("utf-8")


def build(
    *,
    as_of: str,
    software: Software,
    audit_head: AuditHead | None = None,
    sources: Iterable[SourceFrame] = (),
    operations: Iterable[Operation] = (),
    outputs: Iterable[Output] = (),
    details: Mapping[str, Any] | None = None,
) -> Provenance:
    """The provenance record of one file or export.

    Args:
        as_of: ISO 8601 time with a zone (normalised to UTC, microseconds, ``Z``). Never read
            from the clock here: a case export passes its audit head's ``at_utc``.
        software: From :func:`software`.
        audit_head: The case's head quoted by the file (None outside a case).
        sources: The inputs, in the order the operations use them.
        operations: The steps applied, in order.
        outputs: The files described (their names and SHA-256).
        details: Facts particular to the kind of export (JSON values).

    Returns:
        A frozen record; ``to_bytes()`` gives the same bytes for the same arguments.

    Raises:
        ProvenanceError: ``as_of`` is not an ISO 8601 time with a zone, or a detail holds a
            non-finite number.
    """
    record = Provenance(
        as_of_utc=parse_as_of(as_of),
        software=software,
        audit_head=None if audit_head is None else audit_head.label,
        sources=tuple(sources),
        operations=tuple(operations),
        outputs=tuple(outputs),
        details=dict(details or {}),
    )
    record.to_dict()  # refuse a non-finite number now, not when the file is written
    return record


def parse_as_of(text: str) -> str:
    """Normalise an ISO 8601 time with a zone to ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC).

    The audit log writes times in that form, so an audit row's ``at_utc`` comes back
    unchanged.

    Raises:
        ProvenanceError: ``text`` is not ISO 8601, or has no zone (a local time is ambiguous).
    """
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise ProvenanceError(
            f"as-of time {text!r} is not ISO 8601; give UTC, e.g. 2026-11-22T10:30:00Z"
        ) from exc
    if moment.utcoffset() is None:
        raise ProvenanceError(
            f"as-of time {text!r} has no time zone; give UTC, e.g. 2026-11-22T10:30:00Z"
        )
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def case_head(conn: sqlite3.Connection) -> AuditHead:
    """The last row of the case's audit chain, with its time (the as-of of an export).

    Raises:
        ProvenanceError: the chain is empty (a case always logs its creation).
    """
    row = conn.execute(
        "SELECT seq, row_hash, at_utc FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise ProvenanceError("the case's audit log is empty: there is no head to quote")
    return AuditHead(int(row[0]), str(row[1]), str(row[2]))


# -- software -------------------------------------------------------------------------------


def software(libraries: Mapping[str, str] | None = None) -> Software:
    """This program's name and version, with ``libraries`` (name -> version)."""
    return Software(SOFTWARE_NAME, __version__, dict(libraries or {}))


def decoder_libraries() -> dict[str, str]:
    """Python, PyAV and the FFmpeg libraries: what decoded a frame."""
    from analysis.video.probe import library_versions

    return {"python": platform.python_version(), **library_versions()}


def matcher_libraries() -> dict[str, str]:
    """Python, OpenCV and NumPy: what matched two views and drew the figures."""
    import cv2
    import numpy as np

    return {"python": platform.python_version(), "opencv": cv2.__version__, "numpy": np.__version__}


# -- frames ---------------------------------------------------------------------------------


def frame_source(sha256: str, name: str, frame: Any, time_base: Iterable[int]) -> SourceFrame:
    """The source record of a decoded frame (an ``analysis.video.decode.Frame``)."""
    num, den = (int(v) for v in time_base)
    return SourceFrame(sha256, name, frame.index, frame.pts, (num, den), frame.pts_s, frame.md5)


def frame_operations(
    frame: Any, pix_fmt: str, enhancement_steps: Iterable[Mapping[str, Any]] = ()
) -> list[Operation]:
    """What turns a coded picture into the exported upright RGB frame, then the enhancements.

    ``enhancement_steps`` are ``Enhancements.steps()`` dicts (``op`` plus its parameters).
    """
    decode, to_rgb, square, rotate = FRAME_DECODE_OPS
    ops = [
        Operation(decode, {"decoder": "FFmpeg (PyAV)", "pix_fmt": pix_fmt, "autorotate": False}),
        Operation(to_rgb, {"implementation": "swscale", "pix_fmt": "rgb24"}),
        Operation(square, {"sar": [int(v) for v in frame.sar]}),
        Operation(rotate, {"rotation_deg": int(frame.rotation_deg)}),
    ]
    for step in enhancement_steps:
        ops.append(Operation(str(step["op"]), {k: v for k, v in step.items() if k != "op"}))
    return ops


def frame_provenance(
    *,
    as_of: str,
    source_sha256: str,
    source_name: str,
    frame: Any,
    table: Any,
    png_name: str,
    png_sha256: str,
    enhancement_steps: Iterable[Mapping[str, Any]] = (),
    audit_head: AuditHead | None = None,
    details: Mapping[str, Any] | None = None,
) -> Provenance:
    """The provenance of one exported frame PNG: the CLI ``frame`` command and a case alike.

    Args:
        as_of: See :func:`build`.
        source_sha256: SHA-256 of the video file.
        source_name: Its name (the evidence's original name in a case).
        frame: The decoded ``analysis.video.decode.Frame``.
        table: The video's ``FrameTable`` (time base, native pixel format).
        png_name: The PNG's file name (the sidecar sits next to it).
        png_sha256: SHA-256 of the PNG's bytes.
        enhancement_steps: ``Enhancements.steps()`` applied after decoding.
        audit_head: The case head quoted (None outside a case).
        details: Facts of the caller added to :func:`frame_details`.

    Returns:
        The record; ``to_bytes()`` is the sidecar.
    """
    return build(
        as_of=as_of,
        software=software(decoder_libraries()),
        audit_head=audit_head,
        sources=[frame_source(source_sha256, source_name, frame, table.time_base)],
        operations=frame_operations(frame, table.pix_fmt, enhancement_steps),
        outputs=[Output("frame", png_name, png_sha256)],
        details={**frame_details(frame, table.pix_fmt), **(details or {})},
    )


def frame_details(frame: Any, pix_fmt: str) -> dict[str, Any]:
    """Facts about an exported frame shared by the CLI and the case (time code, size)."""
    from analysis.video.decode import time_code

    return {
        "frame_index_meaning": FRAME_INDEX_MEANING,
        "frame_md5_of": f"decoded picture, native {pix_fmt}, coded orientation",
        "frame_md5_check": FRAME_MD5_CHECK,
        "time_s": frame.time_s,
        "time_code": time_code(frame.time_s),
        "keyframe": bool(frame.keyframe),
        "image": {"width_px": int(frame.image.shape[1]), "height_px": int(frame.image.shape[0])},
    }


# -- canonical bytes and files --------------------------------------------------------------


def _fixed_float(value: float) -> float:
    if not math.isfinite(value):
        raise ProvenanceError(f"provenance holds a non-finite number ({value}); not written")
    rounded = float(f"{value:.{FLOAT_DIGITS}g}")
    return 0.0 if rounded == 0 else rounded


def canonical_value(value: Any) -> Any:
    """``value`` as plain JSON values: NFC strings and keys, fixed floats, lists for tuples.

    Raises:
        ProvenanceError: a number is NaN or infinite, or a value is not JSON data.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _fixed_float(float(value))
    if isinstance(value, Mapping):
        return {canonical_value(str(k)): canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(v) for v in value]
    raise ProvenanceError(f"provenance holds a {type(value).__name__}, not JSON data")


def canonical_json(value: Any, *, indent: int | None = 2) -> str:
    """Sorted-key JSON of :func:`canonical_value` (compact when ``indent`` is None)."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        canonical_value(value),
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=separators,
    )


def sidecar_path(output: Path) -> Path:
    """Where the sidecar of ``output`` goes: its full name plus ``.json`` (``f.png.json``)."""
    output = Path(output)
    return output.with_name(output.name + SIDECAR_SUFFIX)


def write_sidecar(output: Path, record: Provenance) -> Path:
    """Write ``record`` next to ``output`` (atomically) and return the sidecar's path."""
    path = sidecar_path(output)
    write_bytes_atomic(path, record.to_bytes())
    return path


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()

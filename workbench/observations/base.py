"""What every observation kind provides to the registry, and what the registry gives back.

An entry (``ObservationEntry``) knows one kind: its typed inputs and result (frozen
dataclasses, units in the names), how they are stored as JSON and how older stored shapes
are upgraded, ``validate``, ``recompute`` (the maths is in ``analysis``), the map items the
kind draws, the features it exports (KML/GeoJSON) and a short section for a report.

Stored JSON: a row's ``inputs_json`` carries ``"schema": N``, the entry's ``schema_version``
when the row was written; it names the shape of the whole row, inputs and result (the result
stays exactly what ``recompute`` gives, so a stored result compares equal to a recomputed
one). A row without it was written before the registry and is version 1. Reading upgrades a
row step by step (``upgrade``) to the current version in memory; a read never rewrites the
stored row (a read-only case stays untouched).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from analysis.errors import WorkbenchError
from analysis.geometry.ellipse import ErrorEllipse
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoPoint, ellipse_polygon
from workbench.map_items import MapItem, ellipse_label

if TYPE_CHECKING:
    from workbench.geodata_records import Landmark, Observation

SCHEMA_KEY = "schema"
UNVERSIONED = 1  # a row written before the registry had no schema member
InT = TypeVar("InT")  # the typed inputs of an entry
ResT = TypeVar("ResT")  # its typed result

Pixel = tuple[float, float]


class ObservationSchemaError(WorkbenchError):
    """A stored observation cannot be read: its kind is unknown to this version, its schema is
    newer than this version knows, or a member it needs is missing or malformed."""


@dataclass(frozen=True)
class MapContext:
    """What drawing an observation needs besides the observation: the case's landmarks now
    (a ray follows its camera when the camera is moved; the inputs keep where it stood)."""

    landmarks: Mapping[int, Landmark]


@dataclass(frozen=True)
class ReportSection:
    """A few lines and named figures about one observation, for a report, and optionally a
    plot of it (PNG bytes that depend only on the stored row: the same row, the same bytes)."""

    title: str
    lines: tuple[str, ...]
    figures: Mapping[str, float | int | str | None]
    plot_png: bytes | None = None
    plot_caption: str = ""

    def as_text(self) -> str:
        return "\n".join((self.title, *(f"  {line}" for line in self.lines)))


@dataclass(frozen=True)
class TypedObservation(Generic[InT, ResT]):
    """A stored observation read through its entry: typed inputs and result."""

    id: int
    kind: str
    evidence_id: int | None
    frame_index: int | None
    created_at_utc: str
    stored_schema: int  # the version the row was written at (upgraded on read)
    inputs: InT
    result: ResT


class ObservationEntry(ABC, Generic[InT, ResT]):
    """One kind of observation (see the module doc)."""

    kind: ClassVar[str]
    schema_version: ClassVar[int]
    title: ClassVar[str]

    # -- storage ------------------------------------------------------------------------
    @abstractmethod
    def inputs_from_json(self, d: Mapping[str, Any]) -> InT:
        """Typed inputs from stored JSON at the current version (without ``schema``)."""

    @abstractmethod
    def inputs_to_json(self, inputs: InT) -> dict[str, Any]:
        """The JSON object the inputs are stored as (without ``schema``)."""

    @abstractmethod
    def result_from_json(self, d: Mapping[str, Any]) -> ResT: ...

    @abstractmethod
    def result_to_json(self, result: ResT) -> dict[str, Any]: ...

    def upgrade(
        self, version: int, inputs: dict[str, Any], result: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Stored JSON of ``version`` as version + 1 (one step; entries override it).

        Raises:
            ObservationSchemaError: when the entry has no upgrade from ``version``.
        """
        raise ObservationSchemaError(f"{self.kind}: no upgrade from schema {version}")

    def current_json(
        self, inputs: Mapping[str, Any], result: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Stored JSON brought to ``schema_version`` (the schema member removed).

        Raises:
            ObservationSchemaError: for a schema newer than this version knows.
        """
        version = int(inputs.get(SCHEMA_KEY, UNVERSIONED))
        if version > self.schema_version:
            raise ObservationSchemaError(
                f"a {self.kind} observation has schema {version}; this version of the "
                f"workbench reads up to {self.schema_version}: open the case with a newer one"
            )
        ins = {k: v for k, v in inputs.items() if k != SCHEMA_KEY}
        res = {k: v for k, v in result.items() if k != SCHEMA_KEY}
        while version < self.schema_version:
            ins, res = self.upgrade(version, ins, res)
            version += 1
        return ins, res

    def stamped(self, d: Mapping[str, Any]) -> dict[str, Any]:
        """``d`` with this entry's schema version, as every stored row carries it."""
        return {SCHEMA_KEY: self.schema_version, **d}

    def read(self, row: Observation) -> TypedObservation[InT, ResT]:
        """A stored row, upgraded and typed.

        Raises:
            ObservationSchemaError: for a newer schema or a malformed row.
        """
        ins, res = self.current_json(row.inputs, row.result)
        try:
            inputs, result = self.inputs_from_json(ins), self.result_from_json(res)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ObservationSchemaError(
                f"{self.kind} observation {row.id} cannot be read: {type(exc).__name__} {exc}"
            ) from exc
        version = int(row.inputs.get(SCHEMA_KEY, UNVERSIONED))
        return TypedObservation(
            row.id,
            row.kind,
            row.evidence_id,
            row.frame_index,
            row.created_at_utc,
            version,
            inputs,
            result,
        )

    # -- meaning ------------------------------------------------------------------------
    def validate(self, inputs: InT) -> None:  # noqa: B027 - a kind may have nothing to check
        """Raise ``GeometryError`` for inputs that cannot be stored (numbers, consistency)."""

    @abstractmethod
    def recompute(self, inputs: InT) -> ResT:
        """The result from the inputs alone (``analysis`` functions; no case needed)."""

    @abstractmethod
    def map_items(self, obs: TypedObservation[InT, ResT], ctx: MapContext) -> list[MapItem]:
        """What the map draws for the observation (layers of ``workbench.geolayers``)."""

    def export_features(self, obs: TypedObservation[InT, ResT], ctx: MapContext) -> list[MapItem]:
        """What KML/GeoJSON exports carry for it: by default what the map draws."""
        return self.map_items(obs, ctx)

    @abstractmethod
    def report_section(self, obs: TypedObservation[InT, ResT]) -> ReportSection: ...


# -- JSON helpers shared by the entries ------------------------------------------------------
def pixel(v: Sequence[float]) -> Pixel:
    return float(v[0]), float(v[1])


def pixel_pair(v: Sequence[Sequence[float]] | None) -> tuple[Pixel, Pixel] | None:
    return None if not v else (pixel(v[0]), pixel(v[1]))


def pair_json(v: tuple[Pixel, Pixel] | None) -> list[list[float]] | None:
    return None if v is None else [list(v[0]), list(v[1])]


def opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def opt_int(v: Any) -> int | None:
    return None if v is None else int(v)


def ellipse_json(e: ErrorEllipse | None) -> dict[str, float] | None:
    if e is None:
        return None
    return {
        "semi_major_m": e.semi_major_m,
        "semi_minor_m": e.semi_minor_m,
        "azimuth_deg": e.azimuth_deg,
        "confidence": e.confidence,
    }


def ellipse_from_json(d: Mapping[str, Any] | None) -> ErrorEllipse | None:
    if not d:
        return None
    return ErrorEllipse(
        float(d["semi_major_m"]),
        float(d["semi_minor_m"]),
        float(d["azimuth_deg"]),
        float(d["confidence"]),
    )


def same_angle(a_deg: float, b_deg: float, tol_deg: float) -> bool:
    """Two azimuths agree within ``tol_deg`` (modulo 360)."""
    d = math.fmod(a_deg - b_deg, 360.0)
    return min(abs(d), 360.0 - abs(d)) <= tol_deg


def fix_items(
    obs_id: int,
    label: str,
    colour: str,
    position: LatLon | None,
    message: str,
    ellipse: ErrorEllipse | None,
) -> list[MapItem]:
    """A stored fix (intersection, resection): its point and its confidence ellipse."""
    if position is None:
        return []
    ident = f"observation:{obs_id}"
    out = [MapItem("ellipses", ident, GeoPoint(label, position, message), colour)]
    if ellipse is not None:
        e = ellipse
        text = (
            f"{e.confidence * 100:.0f}% ellipse: {e.semi_major_m:.1f} m x "
            f"{e.semi_minor_m:.1f} m, major axis {e.azimuth_deg:.1f} deg"
        )
        poly = ellipse_polygon(position, e, f"ellipse {obs_id}", text)
        label = ellipse_label(e.confidence, e.semi_major_m, e.semi_minor_m)
        out.append(MapItem("ellipses", f"{ident}:ellipse", poly, colour, extra=(("label", label),)))
    return out

"""Storing a "shadow" observation: validated and recomputed before it reaches the writer.

The shadow's result (its 95% intervals of the day: an SPA solve, tens of milliseconds) is
computed on the calling thread, a worker in the GUI, so the writer only inserts the row and its
audit row (``geodata.insert_observation``). The Shadow tool, the Sun panel and the demo store
shadows through here.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from typing import Any

from workbench.case.store import Case
from workbench.geodata import insert_observation

KIND = "shadow"


def shadow_result(inputs: dict[str, Any]) -> dict[str, Any]:
    """The result a shadow's inputs get (validated, recomputed): run it in a worker.

    Raises:
        GeometryError: For inputs the shadow kind refuses (a bad place, no zone, polar night).
        ObservationSchemaError: For malformed inputs.
    """
    from workbench.observations import result_json

    return result_json(KIND, inputs)


def write_shadow(
    case: Case,
    inputs: dict[str, Any],
    result: dict[str, Any],
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
) -> Future[int]:
    """Queue the row of a shadow whose result ``shadow_result`` gave; the future gives its id."""

    def do(conn: sqlite3.Connection) -> int:
        return insert_observation(
            case, conn, KIND, inputs, result, evidence_id=evidence_id, frame_index=frame_index
        )

    return case.write(do)


def add_shadow(
    case: Case,
    inputs: dict[str, Any],
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
) -> Future[int]:
    """Compute a shadow's result here, then queue its row; the future gives its id.

    Args:
        case: The open case.
        inputs: The shadow's inputs as ``workbench.observations.shadow`` reads them (position,
            direction and/or length ratio with sigmas, or a posed frame's clicks; the date).
        evidence_id: The picture it was measured on.
        frame_index: The frame of a video it was measured on.

    Raises:
        GeometryError: For inputs the shadow kind refuses (a bad place, no zone, polar night).
        ObservationSchemaError: For malformed inputs.
    """
    result = shadow_result(inputs)
    return write_shadow(case, inputs, result, evidence_id=evidence_id, frame_index=frame_index)

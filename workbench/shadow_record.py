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


def add_shadow(
    case: Case,
    inputs: dict[str, Any],
    *,
    evidence_id: int | None = None,
    frame_index: int | None = None,
) -> Future[int]:
    """Queue a shadow observation; the future gives its id.

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
    from workbench.observations import result_json

    result = result_json(KIND, inputs)

    def do(conn: sqlite3.Connection) -> int:
        return insert_observation(
            case, conn, KIND, inputs, result, evidence_id=evidence_id, frame_index=frame_index
        )

    return case.write(do)

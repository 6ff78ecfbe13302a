"""Resection observations: the camera position from three or more landmarks seen in one frame.

The analyst clicks landmarks of known position in a frame. The observation stores what was
measured, not what was derived from it: the frame model (size, field of view given or its
start, pixel aspect, the two horizon pixels), the pixels, the landmarks' ids, names and
positions at the time, the one-sigma and whether the field of view was estimated.
``workbench.resection_record.resection_from_inputs`` recomputes the result from those inputs alone
(``analysis.geometry.resection_frame.resect_frame``): levelling, directions, the fix, its ellipse,
the azimuth of the optical axis, the field of view and every landmark's residual, so another
investigator can check the figure. The map draws the fix, its ellipse and a line to each
landmark; it becomes a camera position only when the analyst places one there.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from analysis.geometry.resection_frame import FrameModel
from workbench.case import Case
from workbench.geodata import insert_observation, merge_extra
from workbench.resection_record import Sighting, compute_resection


def add_resection(
    case: Case,
    frame: FrameModel,
    sightings: Sequence[Sighting],
    *,
    sigma_deg: float,
    estimate_hfov: bool = False,
    evidence_id: int | None = None,
    frame_index: int | None = None,
    confidence: float = 0.95,
    extra_inputs: dict[str, Any] | None = None,
) -> Future[int]:
    """Resect and store the result with its inputs (computed on the calling thread).

    Raises:
        GeometryError: as ``compute_resection``; nothing is stored then.
    """
    inputs, result = compute_resection(
        case.read(),
        frame,
        sightings,
        sigma_deg=sigma_deg,
        estimate_hfov=estimate_hfov,
        confidence=confidence,
    )
    inputs = merge_extra(inputs, extra_inputs)
    return case.write(
        lambda conn: insert_observation(
            case,
            conn,
            "resection",
            inputs,
            result,
            evidence_id=evidence_id,
            frame_index=frame_index,
        )
    )

"""The sample case's shadows: when was the rooftop video filmed, and are its two segments the
same time of day?

The analyst measures the shadow of the mosque's minaret (32 m, the tallest thing seen in both
segments; its foot and height in the scenario truth, standing for satellite imagery and a
survey) in the first frame of each segment: its foot and the tip of its shadow. The demo has
no hand to click with: the clicks are stood in for by the true cameras (as the demo's bearings
are) applied to the shadow the scenario drew with its own NOAA sun, read to the nearest pixel.
What is measured from them uses this workbench's SPA, never the scenario's sun.

From 2.6 km away and 20 m up a shadow's ground direction cannot be read (ADR 0009), so each
shadow is a posed one (``workbench.observations.shadow_posed``): segment 1's ground homography
is its camera pose (the rooftop found on satellite imagery, from the truth); segment 2's is the
continuity note's homography (measured by matching the two segments) times segment 1's. Each
shadow is stored as a "shadow" observation with its 95% intervals, and the continuity note
gains the "same time" figure (``workbench.continuity_sun``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.jobs import CancelToken, check
from workbench.case import Case
from workbench.continuity_store import ContinuityNote, list_continuity_notes
from workbench.continuity_sun import add_same_time
from workbench.shadow_record import add_shadow

OBJECT = "minaret"
CLICK_SIGMA_PX = 0.5  # a careful click, read to the nearest pixel
TOOL = "geoworkbench demo (clicks stood in for by the true cameras)"


@dataclass(frozen=True)
class DemoShadows:
    """What the demo stored: the two shadows and the note's "same time" figure."""

    shadow_ids: tuple[int, int]
    note_id: int
    same_time: dict[str, Any]


def latest_note_between(conn, evidence_id: int) -> ContinuityNote | None:
    """The newest continuity note comparing two frames of one video."""
    notes = list_continuity_notes(conn, evidence_id)
    own = [n for n in notes if n.a.evidence_id == n.b.evidence_id == evidence_id]
    return own[-1] if own else None


def ground_homography(camera: dict[str, Any]) -> np.ndarray:
    """Ground (east, north, 1) metres to pixels of a pinhole camera: K [r1 r2 t]."""
    k, r, t = (np.asarray(camera[key], dtype=float) for key in ("K", "R", "t"))
    return k @ np.column_stack([r[:, 0], r[:, 1], t])


def _pixel(camera: dict[str, Any], en: np.ndarray) -> tuple[float, float]:
    """Where the analyst clicks a ground point: the true camera's projection, to the pixel."""
    v = ground_homography(camera) @ np.array([en[0], en[1], 1.0])
    return float(round(v[0] / v[2])), float(round(v[1] / v[2]))


def _tip_en(base: np.ndarray, height_m: float, sun: dict[str, Any]) -> np.ndarray:
    """The tip of a vertical edge's shadow under the scenario's sun (its truth)."""
    az, el = math.radians(sun["azimuth_deg"]), math.radians(sun["elevation_deg"])
    reach = height_m / math.tan(el)
    return base - reach * np.array([math.sin(az), math.cos(az)])


def _inputs(mark, base, seg, g, note_id, k) -> dict[str, Any]:
    camera, height = seg["camera"], mark["height_above_ground_m"]
    tip = _tip_en(base, height, seg["sun"])
    base_px, tip_px = _pixel(camera, base), _pixel(camera, tip)
    return {
        "object_id": None,
        "position": [mark["lat_deg"], mark["lon_deg"]],
        "shadow_azimuth_deg": None,
        "azimuth_sigma_deg": 1.0,
        "length_ratio": None,
        "ratio_sigma": 0.05,
        "date": seg["start_utc"][:10],
        "captured_at_utc": None,
        "tool": TOOL,
        "object_name": "Minaret (its tip's shadow)",
        "base_px": list(base_px),
        "tip_px": list(tip_px),
        "click_sigma_px": CLICK_SIGMA_PX,
        "segment": k,
        "posed": {
            "base_en_m": [float(base[0]), float(base[1])],
            "height_m": height,
            "tip_px": list(tip_px),
            "click_sigma_px": CLICK_SIGMA_PX,
            "image_from_ground": np.asarray(g).tolist(),
            "ground_frame": "ENU metres at the scenario's world origin",
            "pose": "the rooftop camera's (scenario truth)"
            if k == 0
            else f"continuity note {note_id}'s homography times segment 1's pose",
        },
    }


def measure_demo_shadows(
    case: Case,
    ids: dict[str, int],
    truth: dict[str, Any],
    *,
    cancel: CancelToken | None = None,
) -> DemoShadows | None:
    """Measure and store the two segments' shadows, then the note's "same time" figure.

    Returns:
        What was stored, or None when the video has no two segments or no continuity note
        with a homography to carry the pose (nothing is stored then).
    """
    video = truth["videos"]["video_rooftop"]
    segments = video["segments"]
    evidence_id = ids["video_rooftop"]
    note = latest_note_between(case.read(), evidence_id)
    if len(segments) < 2 or note is None or note.figures.get("homography") is None:
        return None
    h = np.asarray(note.figures["homography"], dtype=float)
    mark = truth["landmarks"][OBJECT]
    first = ground_homography(segments[0]["camera"])
    base = np.asarray(mark["enu_m"][:2], dtype=float)  # the foot, under the tip
    shadow_ids = []
    for k, (seg, g) in enumerate(zip(segments[:2], (first, h @ first), strict=True)):
        check(cancel)
        inputs = _inputs(mark, base, seg, g, note.id, k)
        shadow_ids.append(
            add_shadow(
                case, inputs, evidence_id=evidence_id, frame_index=int(seg["first_frame"])
            ).result()
        )
    figure = add_same_time(case, note.id, shadow_ids[0], shadow_ids[1]).result()
    return DemoShadows((shadow_ids[0], shadow_ids[1]), note.id, figure)

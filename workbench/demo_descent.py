"""The sample case's descending object: tracked in the rooftop video and measured.

The rooftop video's second segment (after the cut) shows the parachute-retarded object the
scenario renders at a known rate (truth.json: ``videos.video_rooftop.descent``). The demo does
what an analyst would: marks the object on one frame ten frames after the cut (the click is
the truth's pixel, standing in for the analyst's eye), tracks it from the cut to the end
(workbench.track_runs), stores the track, and measures the descent with the camera model
(workbench.descent_store): the distance from the camera to the object at mid-track, the line
of sight's pitch and the camera's field of view, all from truth.json (standing in for the map
geometry: the camera's resected position and the ground point under the object). The note says
where each input came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis.jobs import CancelToken, ProgressFn, report
from analysis.tracking.video_track import Mark
from workbench.case import Case
from workbench.descent_store import measure_track
from workbench.geodata_records import get_observation
from workbench.observations import read
from workbench.observations.descent import CAMERA, ScaleInputs
from workbench.track_runs import track_evidence
from workbench.tracks import read_track, store_track

MARK_AFTER_CUT = 10  # frames after the cut where the demo marks the object
TRACK_LABEL = "descending object (parachute?)"


@dataclass(frozen=True)
class DemoDescent:
    track_id: int
    observation_id: int
    verdict: str
    rate_m_s: float | None
    truth_rate_m_s: float


def camera_scale(video: dict[str, Any], landmarks: dict[str, Any], mid_frame: int) -> ScaleInputs:
    """The camera model's inputs from the truth: distance and pitch from the camera after the
    cut to the object at ``mid_frame``, and the camera's horizontal field of view."""
    cam = video["segments"][-1]["camera"]
    row = video["descent"]["frames"][mid_frame]
    ground = landmarks["descent_ground_point"]["enu_m"]
    east, north = ground[0] - cam["enu_m"][0], ground[1] - cam["enu_m"][1]
    up = row["height_above_ground_m"] - cam["height_above_ground_m"]
    distance = math.sqrt(east * east + north * north + up * up)
    pitch = math.degrees(math.atan2(up, math.hypot(east, north)))
    return ScaleInputs(
        CAMERA,
        distance_m=distance,
        hfov_deg=float(cam["hfov_deg"]),
        pitch_deg=pitch,
        origin=f"truth.json: camera after the cut to the object at frame {mid_frame}",
    )


def add_demo_descent(
    case: Case,
    evidence_id: int,
    truth: dict[str, Any],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> DemoDescent:
    """Track the rooftop video's descending object, store the track and its descent."""
    video = truth["videos"]["video_rooftop"]
    rows = video["descent"]["frames"]
    cut = int(video["cut"]["frame"])
    k = min(cut + MARK_AFTER_CUT, len(rows) - 1)
    report(progress, 0.0, "tracking the descending object")
    run = track_evidence(case, evidence_id, Mark(k, rows[k]["x_px"], rows[k]["y_px"]),
                         from_frame=cut, cancel=cancel)  # fmt: skip
    track_id = store_track(case, evidence_id, run.track, label=TRACK_LABEL,
                           params=run.params).result()  # fmt: skip
    stored = read_track(case.read(), track_id)
    mid = (stored.points[0].frame_index + stored.points[-1].frame_index) // 2
    scale = camera_scale(video, truth["landmarks"], mid)
    note = (
        "Demo: the object was marked by its true pixel ten frames after the cut; the scale is "
        f"the camera model ({scale.origin}): distance {scale.distance_m:.0f} m, field of view "
        f"{scale.hfov_deg:.1f} deg, pitch {scale.pitch_deg:.1f} deg."
    )
    report(progress, 0.8, "measuring the descent")
    obs_id = measure_track(case, track_id, scale, note=note).result()
    result = read(get_observation(case.read(), obs_id)).result
    report(progress, 1.0, "descent measured")
    return DemoDescent(track_id, obs_id, result.verdict, result.rate.value,
                       float(video["descent"]["rate_mps"]))  # fmt: skip

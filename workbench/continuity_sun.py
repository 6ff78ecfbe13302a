"""Same time in two frames: the continuity note's "same time" figure, from shadows.

A continuity note says whether two frames were filmed from the same place (the homography and
the parallax test). Whether they were filmed at the same time of day is for the shadows: one
"shadow" observation measured in each frame (ADR 0009):

* both clicked in posed frames (``workbench.observations.shadow_posed``): each frame is dated
  by where its shadow's tip falls, and the two 95% sets of instants are compared
  (``analysis.sun.posed_shadow.same_time_of_day``). A second frame stored without its own pose
  takes the first frame's, carried through the note's homography (frame A to frame B);
* both clicked as base and tip pixels on a near-nadir view: the two image directions are
  compared through the homography at the rate the shadow turns
  (``analysis.sun.same_time.same_time``);
* otherwise the two observations' stored intervals are compared as they are.

``add_same_time`` stores the figure in the note (``figures["same_time"]``, its message as the
note's ``time_note``) and, when the shadows support it, the note's verdict gains ", same time".
Audited as ``continuity.same_time``.
"""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future
from datetime import date, datetime
from typing import Any

import numpy as np

from analysis.errors import GeometryError
from workbench import observations
from workbench.case.errors import CaseError
from workbench.case.store import Case
from workbench.geodata_records import get_observation, list_observations
from workbench.observations.shadow import ShadowInputs
from workbench.observations.shadow_posed import posed_shadow, posed_time

SAME_TIME = "same time"


def _interval_json(intervals) -> list[list[str]]:
    return [[_iso(a), _iso(b)] for a, b, _ in intervals]


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _spans(result: Any) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(x["start_utc"]), datetime.fromisoformat(x["end_utc"]))
        for x in result.intervals
    ]


def _figures_json(conn: sqlite3.Connection, note_id: int) -> dict:
    row = conn.execute("SELECT figures_json FROM continuity_note WHERE id = ?", (note_id,))
    found = row.fetchone()
    if found is None:
        raise CaseError(f"no continuity note with id {note_id}")
    return json.loads(found[0])


def _posed_figure(a: ShadowInputs, b: ShadowInputs, homography: np.ndarray | None) -> dict:
    from dataclasses import replace

    from analysis.sun.posed_shadow import same_time_of_day

    pa, pb = posed_shadow(a.other), posed_shadow(b.other, need_pose=False)
    if pb.image_from_ground is None:
        if homography is None:
            raise GeometryError("same time: frame B has no pose and the note no homography")
        pb = replace(pb, image_from_ground=homography @ pa.image_from_ground)
    day = date.fromisoformat(a.date or b.date)
    ta = posed_time(day, a.lat_deg, a.lon_deg, pa)
    tb = posed_time(day, b.lat_deg, b.lon_deg, pb)
    answer = same_time_of_day(ta, tb)
    return {
        "method": "posed frames: each dated by where its shadow's tip falls (SPA, 95%)",
        "same_time": answer.same_time,
        "within_min": answer.within_min,
        "message": answer.message,
        "intervals_a_utc": _interval_json(ta.intervals),
        "intervals_b_utc": _interval_json(tb.intervals),
    }


def _nadir_figure(a: ShadowInputs, b: ShadowInputs, homography: np.ndarray, when_s: float) -> dict:
    from analysis.sun.same_time import ShadowSegment, same_time, shadow_rate_deg_per_min

    def segment(i: ShadowInputs) -> ShadowSegment:
        o = i.other
        return ShadowSegment(tuple(o["base_px"]), tuple(o["tip_px"]), float(o["click_sigma_px"]))

    rate = shadow_rate_deg_per_min(when_s, a.lat_deg, a.lon_deg)
    v = same_time(segment(a), segment(b), homography, rate)
    word = "same time of day" if v.same_time else "not the same time of day"
    return {
        "method": "shadow directions through the homography (a near-nadir view)",
        "same_time": v.same_time,
        "within_min": v.within_min,
        "minutes_apart": v.minutes_apart,
        "angle_difference_deg": v.angle_difference_deg,
        "sigma_deg": v.sigma_deg,
        "message": f"{word}: {abs(v.minutes_apart):.1f} minutes apart, within "
        f"{v.within_min:.0f} minutes (95%)",
    }


def _stored_figure(ra: Any, rb: Any) -> dict:
    """Overlap of the intervals the two observations store (no geometry between them)."""
    ia, ib = _spans(ra), _spans(rb)
    within = None
    for a0, a1 in ia:
        for b0, b1 in ib:
            if a0 <= b1 and b0 <= a1:
                span = max((b1 - a0).total_seconds(), (a1 - b0).total_seconds()) / 60.0
                within = span if within is None else max(within, span)
    same = within is not None
    return {
        "method": "the two shadows' own 95% intervals compared",
        "same_time": same,
        "within_min": within,
        "message": f"same time of day, within {within:.0f} minutes"
        if same
        else "the shadows fit no common time of day",
    }


def _nadir_pair(a: ShadowInputs, b: ShadowInputs) -> bool:
    return all(i.other.get("mode") == "nadir" and "tip_px" in i.other for i in (a, b))


def same_time_figure(a: Any, b: Any, homography_a_to_b: np.ndarray | None = None) -> dict[str, Any]:
    """The "same time" figure of two shadow observations (typed, ``observations.read``).

    Raises:
        GeometryError: When the observations cannot be compared (no date, no pose for B and
            no homography, a degenerate segment).
    """
    ia, ib = a.inputs, b.inputs
    h = None if homography_a_to_b is None else np.asarray(homography_a_to_b, dtype=float)
    try:
        if posed_shadow(ia.other) is not None and posed_shadow(ib.other, need_pose=False):
            fig = _posed_figure(ia, ib, h)
        elif (
            h is not None
            and all(i.other.get("mode") == "nadir" for i in (ia, ib))
            and a.result.intervals
        ):
            best = datetime.fromisoformat(a.result.intervals[0]["best_utc"]).timestamp()
            fig = _nadir_figure(ia, ib, h, best)
        else:
            fig = _stored_figure(a.result, b.result)
    except ValueError as exc:  # SunInputError and malformed inputs
        raise GeometryError(f"same time: {exc}") from exc
    return fig | {"observations": [a.id, b.id]}


def add_same_time(case: Case, note_id: int, shadow_a_id: int, shadow_b_id: int) -> Future[dict]:
    """Compute the figure of two shadow observations and store it in the note (audited).

    Returns:
        The writer's future of the stored figure.

    Raises:
        CaseError: For a missing note or observations that are not shadows.
        GeometryError: When they cannot be compared (see ``same_time_figure``).
    """
    conn = case.read()
    h = _figures_json(conn, note_id).get("homography")
    typed = []
    for obs_id in (shadow_a_id, shadow_b_id):
        obs = get_observation(conn, obs_id)
        if obs.kind != "shadow":
            raise CaseError(f"observation {obs_id} is a {obs.kind}, not a shadow")
        typed.append(observations.read(obs))
    figure = same_time_figure(typed[0], typed[1], None if h is None else np.asarray(h, float))

    def do(conn: sqlite3.Connection) -> dict:
        return _store(case, conn, note_id, figure)

    return case.write(do)


def _store(case: Case, conn: sqlite3.Connection, note_id: int, figure: dict) -> dict:
    figures = _figures_json(conn, note_id)
    figures["same_time"] = figure
    figures["time_note"] = f"Shadows: {figure['message']} ({figure['method']})."
    verdict = figures["verdict"] + (f", {SAME_TIME}" if figure["same_time"] else "")
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, allow_nan=False)
    conn.execute(
        "UPDATE continuity_note SET verdict = ?, figures_json = ? WHERE id = ?",
        (verdict, text, note_id),
    )
    details = {"note_id": note_id, "verdict": verdict, "same_time": figure}
    case.log(conn, "continuity.same_time", f"continuity_note:{note_id}", details)
    return figure


def shadows_for_pair(conn: sqlite3.Connection, a: Any, b: Any) -> tuple[int, int] | None:
    """The shadow observations measured on the two sides of a comparison (``ViewRef``s), or
    None: on each side, the newest shadow on that evidence at the frame nearest the side's,
    and nearer it than the other side's (two segments of one video each keep their own)."""
    rows = [o for o in list_observations(conn, "shadow") if o.evidence_id is not None]

    def gap(obs, ref) -> float:
        if obs.evidence_id != ref.evidence_id:
            return float("inf")
        if ref.frame_index is None or obs.frame_index is None:
            return 0.0 if ref.frame_index == obs.frame_index else float("inf")
        return abs(obs.frame_index - ref.frame_index)

    picked = []
    for side, other in ((a, b), (b, a)):
        near = [o for o in rows if gap(o, side) < float("inf") and gap(o, side) < gap(o, other)]
        if not near:
            return None
        best = min(near, key=lambda o: (gap(o, side), -o.id))
        picked.append(best.id)
    return None if picked[0] == picked[1] else (picked[0], picked[1])


def attach_same_time(case: Case, note_id: int, a: Any, b: Any) -> dict | None:
    """Add the "same time" figure to a note when shadows were measured on both sides (a
    worker: it waits for the write). Returns the figure, or a figure-shaped refusal
    (``same_time`` None, the reason as ``message``) when they cannot be compared, or None
    when no shadows were measured on both sides."""
    pair = shadows_for_pair(case.read(), a, b)
    if pair is None:
        return None
    try:
        return add_same_time(case, note_id, *pair).result()
    except GeometryError as exc:
        return {"same_time": None, "message": f"shadows not compared: {exc}"}

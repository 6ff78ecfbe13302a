"""Running the tracker on a case's video, as a job: a new track, or a re-propagation.

``track_evidence`` takes the analyst's mark on a video evidence, builds (or reads) the frame
table, reads the cached inspection (overlays masked; blended frames left out of rates,
duplicated ones where the object did not move either), runs analysis.tracking.video_track and
looks for a flash just after the track's end (the impact). ``repropagate`` re-runs the same
track from all its analyst points, the first of them (the reference frame) with the stored
box, so that the background coordinates stay the reference frame's. Neither writes: the
caller stores the result through workbench.tracks (the GUI from the job's result on its own
thread, the demo and the CLI directly). Both take the job protocol (progress, cancel, partial:
tuples of analysis.tracking.propagate.RawPoint while the track grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.jobs import CancelToken, PartialFn, ProgressFn, check
from analysis.tracking.methods import DEFAULT_METHOD
from analysis.tracking.model import ANALYST, Track
from analysis.tracking.video_track import Mark, VideoContext, exclude_repeats, track_video
from workbench.case import Case
from workbench.descent_io import impact_after
from workbench.frame_table_store import load_or_build_frame_table, video_evidence
from workbench.media_inspection import inspect_evidence
from workbench.tracks import StoredTrack, track_params


@dataclass(frozen=True)
class TrackRun:
    """A computed track and what its row keeps (``workbench.tracks.store_track``)."""

    evidence_id: int
    track: Track
    impact: dict[str, Any] | None
    params: dict[str, Any]


def _sub(progress: ProgressFn | None, a: float, b: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda frac, msg: progress(a + (b - a) * frac, msg)


def _run(
    case: Case,
    evidence_id: int,
    marks: list[Mark],
    span: tuple[int | None, int | None],
    method: str,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    partial: PartialFn | None,
) -> TrackRun:
    _e, path = video_evidence(case, evidence_id)
    table = load_or_build_frame_table(
        case, evidence_id, progress=_sub(progress, 0.0, 0.1), cancel=cancel
    )
    insp = inspect_evidence(case, evidence_id, progress=_sub(progress, 0.1, 0.3), cancel=cancel)
    ctx = VideoContext(
        overlays=insp.overlays.mask if insp.overlays.reliable else None,
        excluded_frames=frozenset(insp.blended),
    )
    track = track_video(
        path,
        marks,
        from_frame=span[0],
        to_frame=span[1],
        method=method,
        context=ctx,
        table=table,
        progress=_sub(progress, 0.3, 0.95),
        cancel=cancel,
        partial=partial,
    )
    check(cancel)
    track = exclude_repeats(track, frozenset(insp.duplicated))
    impact = impact_after(path, table, track.points[-1].frame_index, cancel=cancel)
    extra = {"from_frame": span[0], "to_frame": span[1],
             "marks": [[m.frame_index, m.x_px, m.y_px] for m in marks]}  # fmt: skip
    return TrackRun(evidence_id, track, impact, track_params(track, impact=impact, extra=extra))


def track_evidence(
    case: Case,
    evidence_id: int,
    mark: Mark,
    *,
    from_frame: int | None = None,
    to_frame: int | None = None,
    method: str = DEFAULT_METHOD,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    partial: PartialFn | None = None,
) -> TrackRun:
    """Track the object marked on a video evidence forward and backward.

    Raises:
        CaseError: not a video. ValueError: the mark is outside the video or the range.
        MediaError: the video cannot be decoded. JobCancelled.
    """
    return _run(
        case, evidence_id, [mark], (from_frame, to_frame), method, progress, cancel, partial
    )


def repropagate(
    case: Case,
    stored: StoredTrack,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    partial: PartialFn | None = None,
) -> TrackRun:
    """The stored track re-run from all its analyst points (after a correction).

    The reference frame keeps its box; if the analyst moved the reference point, the track
    is re-run from where it is now. Store the result with ``workbench.tracks.replace_after``.
    """
    p = stored.params
    ref = int(p.get("reference_frame", stored.points[0].frame_index))
    w, h = (int(v) for v in p.get("box_px", [0, 0]))
    analyst = [q for q in stored.points if q.source == ANALYST]
    first = next((q for q in analyst if q.frame_index == ref), None)
    if first is None:  # the reference is no longer the analyst's: the earliest mark leads
        first = analyst[0]
    marks = [Mark(first.frame_index, first.x_px, first.y_px, w or None, h or None)]
    marks += [Mark(q.frame_index, q.x_px, q.y_px) for q in analyst if q is not first]
    span = (p.get("from_frame"), p.get("to_frame"))
    return _run(case, stored.evidence_id, marks, span, stored.method, progress, cancel, partial)

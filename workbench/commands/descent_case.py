"""``track --case`` and ``descent --case``: the same commands on a case's video, stored in it.

``track --case CASE EVIDENCE --frame N (--point X,Y | --box X,Y,W,H)`` tracks a video
evidence of the case (workbench.track_runs) and stores the track (workbench.tracks); it
prints the new track's id. ``descent --case CASE --track ID [scale]`` measures that stored
track and stores the result as a ``descent`` observation (workbench.descent_store), printing
what ``descent TRACK.json`` prints plus the observation's id. Bad input is one line naming
the case, the track or the evidence; nothing is half-written.
"""

from __future__ import annotations

import argparse

from analysis.errors import WorkbenchError
from workbench.commands.output import print_json


def track_into_case(args: argparse.Namespace) -> int:
    """The ``track --case`` handler."""
    from analysis.tracking.video_track import Mark
    from workbench.case import open_case
    from workbench.case.evidence import find_evidence
    from workbench.jobs import TerminalProgress
    from workbench.track_runs import track_evidence
    from workbench.tracks import store_track

    if args.output is not None:
        raise WorkbenchError("track --case stores the track in the case; -o is for a video file")
    with open_case(args.case) as case:
        case.require_current_schema("track")
        e = find_evidence(case.read(), str(args.video))
        if args.box is not None:
            mark = Mark.from_box(args.frame, *args.box)
        else:
            mark = Mark(args.frame, *args.point)
        try:
            run = track_evidence(case, e.id, mark, from_frame=args.from_frame, to_frame=args.to,
                                 method=args.method, progress=TerminalProgress())  # fmt: skip
        except ValueError as exc:
            raise WorkbenchError(f"{e.original_name}: {exc}") from exc
        track_id = store_track(case, e.id, run.track, label=args.label, params=run.params).result()
    pts = run.track.points
    out = {"track_id": track_id, "evidence_id": e.id, "evidence_sha256": e.sha256,
           "frames": len(pts), "first_frame": pts[0].frame_index, "last_frame": pts[-1].frame_index,
           "stopped_forward": run.track.stopped_forward,
           "stopped_backward": run.track.stopped_backward, "impact": run.impact}  # fmt: skip
    if args.json:
        print_json(out)
        return 0
    print(f"track {track_id}: {e.original_name}, {len(pts)} frames tracked "
          f"({out['first_frame']}..{out['last_frame']}), method {run.track.method}")  # fmt: skip
    print(f"  forward: {run.track.stopped_forward}; backward: {run.track.stopped_backward}")
    if run.impact is not None:
        print(f"  ends in a flash at frame {run.impact['frame_index']}")
    return 0


def descent_into_case(args: argparse.Namespace) -> int:
    """The ``descent --case CASE --track ID`` handler."""
    from workbench.case import open_case
    from workbench.case.evidence import get_evidence
    from workbench.descent_io import descent_summary, scale_inputs_of
    from workbench.descent_store import descent_json, measure_track
    from workbench.geodata_records import get_observation

    if args.case is None or args.track_id is None:
        raise WorkbenchError("a descent in a case needs both --case CASE and --track ID")
    if args.track is not None:
        raise WorkbenchError("give either TRACK.json or --case with --track, not both")
    if args.figure is not None:
        raise WorkbenchError("--figure is for a track file; the case keeps its own figures")
    scale = scale_inputs_of(args)
    with open_case(args.case) as case:
        case.require_current_schema("track")
        obs_id = measure_track(case, args.track_id, scale, roll_deg=args.roll_deg,
                               note=args.note).result()  # fmt: skip
        row = get_observation(case.read(), obs_id)
        video = get_evidence(case.read(), row.evidence_id).original_name
        out = descent_json(row, video)
    if args.json:
        print_json(out)
        return 0
    for line in descent_summary(out):
        print(line)
    print(f"  stored: observation {obs_id} (track {args.track_id})")
    return 0

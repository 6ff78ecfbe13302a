"""Several videos on one clock: sync offsets stored as ``video_sync`` observations, and where
each video's first frame falls in UTC.

A video's clock starts at its first frame. One video is anchored in UTC by an analyst event
on the timeline (label ending in ``FIRST_FRAME``, with the evidence's id: an upload time, a
dated source, a sun-derived time); every video synced to an anchored one follows from the
offset (``offset_s`` is B's time minus A's for one moment, so B's first frame is at A's
first frame minus ``offset_s``), with the sigmas added in quadrature. The timeline then shows
the videos side by side, and the linked video view steps one to the other's moment.

An edit cut removes real time: a video's clock holds from its first frame to its first cut
(``VideoClock.until_s``, from the segments stored in the case); past it, its frames are not on
the shared clock (the anchor and the syncs are taken to lie before the first cut).
"""

from __future__ import annotations

import json
import math
import sqlite3
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from analysis.timekeeping.zones import iso_utc
from workbench.case import Case
from workbench.frame_table_store import load_or_build_frame_table
from workbench.geodata import insert_observation

FIRST_FRAME = "first frame"


@dataclass(frozen=True)
class VideoClock:
    """Where a video's first frame falls in UTC, one-sigma, and how that is known."""

    evidence_id: int
    start_utc: str
    sigma_s: float
    how: str
    until_s: float | None = None  # seconds after the first frame: its first edit cut
    anchored: bool = True  # False: synced to others but not placed in UTC (a relative clock)

    def holds(self, t_s: float) -> bool:
        """Whether ``t_s`` seconds after the first frame is on the clock (before any cut)."""
        return self.until_s is None or t_s < self.until_s - 1e-6


@dataclass(frozen=True)
class Sync:
    evidence_a: int
    evidence_b: int
    offset_s: float  # B's time minus A's
    sigma_s: float


def anchor_video(case: Case, evidence_id: int, frame_index: int, at: str) -> Future[int]:
    """Place a video in UTC: frame ``frame_index`` was filmed at ``at`` (ISO 8601 with its
    zone), so its first frame was that much earlier; stored as the analyst's timeline event
    "<name>: first frame" with the evidence's id (what ``video_clocks`` reads).

    Raises:
        TimeInputError: ``at`` has no zone; FlashBangError: the frame is not in the video.
    """
    from analysis.audio.measure import flash_times
    from analysis.timekeeping.zones import parse_instant
    from workbench.timeline import add_event

    moment = parse_instant(at)
    table = load_or_build_frame_table(case, evidence_id)
    t = flash_times(table, frame_index).pts_s - (table.frames[0].pts_s or 0.0)
    name = (
        case.read()
        .execute("SELECT original_name FROM evidence WHERE id = ?", (evidence_id,))
        .fetchone()[0]
    )
    return add_event(
        case, at=iso_utc(moment.utc - timedelta(seconds=t)), label=f"{name}: {FIRST_FRAME}",
        evidence_id=evidence_id, note=f"frame {frame_index} was at {moment.given_text}",
    )  # fmt: skip


def store_video_sync(case: Case, inputs: dict) -> Future[int]:
    """Validate, compute and store a ``video_sync`` observation (one write)."""
    from workbench.observations import result_json

    result = result_json("video_sync", inputs)
    return case.write(
        lambda c: insert_observation(
            case, c, "video_sync", inputs, result, evidence_id=inputs["evidence_b"]
        )
    )


def sync_by_sound(
    case: Case, evidence_a: int, evidence_b: int, *, tool: str, progress=None, cancel=None
) -> int | None:
    """Sync two videos by their sound (``analysis.audio.sync.sync_videos``) and store it;
    the observation's id, or None for "no match" (nothing is stored).

    Raises:
        MediaError subclasses for a file without (or with silent) sound.
    """
    from analysis.audio.sync import sync_videos
    from workbench.frame_table_store import video_evidence

    pa, pb = video_evidence(case, evidence_a)[1], video_evidence(case, evidence_b)[1]
    r = sync_videos(pa, pb, progress=progress, cancel=cancel)
    if not r.matched:
        return None
    inputs = {"evidence_a": evidence_a, "evidence_b": evidence_b, "method": "sound",
              "measured_offset_s": r.offset_s, "measured_ci95_s": list(r.offset_ci95_s),
              "chunks_agreeing": r.chunks_agreeing, "tool": tool}  # fmt: skip
    return store_video_sync(case, inputs).result()


def sync_by_frames(
    case: Case, evidence_a: int, frame_a: int, evidence_b: int, frame_b: int, *, tool: str
) -> Future[int]:
    """Sync two videos by one event first seen in frame ``frame_a`` of A and ``frame_b`` of B
    (the flash): each time's one sigma is its frame duration over sqrt(12) (the event fell
    somewhere between the frame before and this one)."""
    from analysis.audio.measure import flash_times

    times = []
    for evidence_id, frame in ((evidence_a, frame_a), (evidence_b, frame_b)):
        table = load_or_build_frame_table(case, evidence_id)

        t = flash_times(table, frame)
        zero = table.frames[0].pts_s or 0.0  # a video's own clock starts at its first frame
        times.append((t.pts_s - zero, t.frame_duration_s / math.sqrt(12.0)))
    (ta, sa), (tb, sb) = times
    inputs = {"evidence_a": evidence_a, "evidence_b": evidence_b, "method": "shared event",
              "a_time_s": ta, "a_sigma_s": sa, "b_time_s": tb, "b_sigma_s": sb,
              "frames": [frame_a, frame_b], "tool": tool}  # fmt: skip
    return store_video_sync(case, inputs)


def list_syncs(conn: sqlite3.Connection) -> list[Sync]:
    rows = conn.execute(
        "SELECT inputs_json, result_json FROM observation WHERE kind = 'video_sync' ORDER BY id"
    )
    out = []
    for inputs, result in rows:
        i, r = json.loads(inputs), json.loads(result)
        lo, hi = r["offset_ci95_s"]
        out.append(Sync(int(i["evidence_a"]), int(i["evidence_b"]), float(r["offset_s"]),
                        (hi - lo) / (2 * 1.96)))  # fmt: skip
    return out


def video_clocks(conn: sqlite3.Connection) -> dict[int, VideoClock]:
    """Each video whose first frame can be placed in UTC (module doc); videos synced to one
    another but to no anchored one get a relative clock (``anchored`` False, its reference
    at the epoch): enough to step them together, not to date them."""
    clocks: dict[int, VideoClock] = {}
    for evidence_id, at, sigma, label in conn.execute(
        "SELECT evidence_id, at_utc, sigma_s, label FROM timeline_event"
        " WHERE evidence_id IS NOT NULL ORDER BY id"
    ):
        if label.rstrip().endswith(FIRST_FRAME):
            clocks[int(evidence_id)] = VideoClock(int(evidence_id), at, sigma or 0.0, label)
    syncs = list_syncs(conn)
    _follow(clocks, syncs)
    for s in syncs:  # a sync with neither video anchored: a relative clock from its A
        if s.evidence_a not in clocks and s.evidence_b not in clocks:
            clocks[s.evidence_a] = VideoClock(s.evidence_a, "1970-01-01T00:00:00Z", 0.0,
                                              "reference of its sync (not placed in UTC)",
                                              anchored=False)  # fmt: skip
            _follow(clocks, syncs)
    return {i: replace(c, until_s=_first_cut_s(conn, i)) for i, c in clocks.items()}


def _follow(clocks: dict[int, VideoClock], syncs: list[Sync]) -> None:
    """Extend ``clocks`` along chains of syncs."""
    for _ in range(len(syncs)):
        for s in syncs:
            if s.evidence_a in clocks and s.evidence_b not in clocks:
                a = clocks[s.evidence_a]
                clocks[s.evidence_b] = _moved(a, s.evidence_b, -s.offset_s, s.sigma_s)
            elif s.evidence_b in clocks and s.evidence_a not in clocks:
                b = clocks[s.evidence_b]
                clocks[s.evidence_a] = _moved(b, s.evidence_a, s.offset_s, s.sigma_s)


def _first_cut_s(conn: sqlite3.Connection, evidence_id: int) -> float | None:
    """Seconds after the first frame of the video's first stored cut (None: no cut)."""
    from workbench.frame_table_store import cached_frame_table
    from workbench.video_store import list_segments

    segments = list_segments(conn, evidence_id)
    table = cached_frame_table(conn, evidence_id)
    if len(segments) < 2 or table is None or segments[1].first_frame >= len(table):
        return None
    zero = table.frames[0].pts_s or 0.0
    return (table.frames[segments[1].first_frame].pts_s or zero) - zero


def _moved(known: VideoClock, evidence_id: int, shift_s: float, sigma_s: float) -> VideoClock:
    start = datetime.fromisoformat(known.start_utc.replace("Z", "+00:00"))
    return VideoClock(
        evidence_id,
        iso_utc(start + timedelta(seconds=shift_s)),
        math.hypot(known.sigma_s, sigma_s),
        f"synced with evidence {known.evidence_id} ({shift_s:+.3f} s)",
        anchored=known.anchored,
    )

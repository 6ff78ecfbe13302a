"""The sample case's sound and several videos: sync, flash to bang, claims and the timeline.

Run by ``workbench.demo_analysis.run_demo_analyses`` after the bearings. What is measured is
measured from the rendered media with the functions the CLI and the GUI use: the flash's
first frame in each video, the two videos' offset from that shared event (and an attempt by
sound, which the scenario's independent jet noise should not match: ADR 0013), the bang
after the flash and the distance it gives, and the fix from the second camera's bearing and
its range ring. What the analyst would know from elsewhere is named as such: the rooftop
video's start in UTC (the scenario truth stands for a dated source) and the claims' words.

The rooftop video cannot give a flash-to-bang distance: its bang (about 8 s after the flash,
2.8 km away) comes after its edit cut, which removed 2.5 s; the measurement refuses a delay
across a cut, and the summary note says so. The second camera (about 1 km away, no cut) does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analysis.errors import GeometryError, MediaError, WorkbenchError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.jobs import CancelToken, check
from analysis.timekeeping.zones import iso_utc
from analysis.video.flash import flash_frame
from workbench.case import Case
from workbench.case.evidence import save_note
from workbench.claims import add_claim, link_claim
from workbench.frame_table_store import load_or_build_frame_table, video_evidence
from workbench.geodata import add_intersection
from workbench.geodata_records import get_observation
from workbench.hypotheses import list_hypotheses
from workbench.sound_store import measure_and_store_flash_bang
from workbench.sync_store import FIRST_FRAME, sync_by_frames
from workbench.timeline import add_event

ARABIC_DENIAL = "لم تتعرض المدرسة لأي غارة جوية، والصور المتداولة مفبركة"
ARABIC_TRANSLATION = "The school was not hit by any air strike; the pictures going round are faked"
REFUTED_WITHIN_M = 150.0  # a fix this close to the school refutes "the school was not hit"


@dataclass(frozen=True)
class SoundFindings:
    sync_id: int
    offset_s: float  # second video's time minus the rooftop's, for one moment
    sound_sync: str  # what syncing by sound said
    flash_bang_id: int | None
    distance_m: float | None
    range_fix_id: int | None
    range_fix_miss_m: float | None  # range fix to the true strike point
    claim_ids: tuple[int, ...]
    event_ids: tuple[int, ...]
    refusals: tuple[str, ...]  # what could not be measured, and why


def _flash(case: Case, evidence_id: int, video: dict[str, Any], cancel) -> int:
    """The flash's first frame, searched in the video's first segment (where it is seen)."""
    _e, path = video_evidence(case, evidence_id)
    last = video["segments"][0]["last_frame"]
    return flash_frame(path, max_frames=last + 1, cancel=cancel)[0]


def _sound_sync(case: Case, a: int, b: int, cancel) -> str:
    from analysis.audio.sync import sync_videos

    try:
        r = sync_videos(video_evidence(case, a)[1], video_evidence(case, b)[1], cancel=cancel)
    except MediaError as exc:
        return f"not tried: {exc}"
    if not r.matched:
        return (f"no match ({r.chunks_agreeing}/{r.chunks_total} chunks agree): their jet "
                "noise is not the same recording")  # fmt: skip
    return f"{r.offset_s:+.4f} s by {r.method}"


def run_demo_sound(
    case: Case,
    ids: dict[str, int],
    truth: dict[str, Any],
    bearing_ids: tuple[int, ...],
    cancel: CancelToken | None = None,
) -> SoundFindings:
    """Sync, flash-bang, range fix, claims and timeline events (module doc)."""
    a, b = ids["video_rooftop"], ids["video_second"]
    va, vb = truth["videos"]["video_rooftop"], truth["videos"]["video_second"]
    fa, fb = _flash(case, a, va, cancel), _flash(case, b, vb, cancel)
    check(cancel)
    sync_id = sync_by_frames(case, a, fa, b, fb, tool="geoworkbench demo").result()
    offset_s = get_observation(case.read(), sync_id).result["offset_s"]
    sound = _sound_sync(case, a, b, cancel)
    events = _events(case, a, va["start_utc"], fa)
    refusals, fb_id, distance = [], None, None
    when = datetime.fromisoformat(va["start_utc"])
    for evidence_id, flash in ((a, fa), (b, fb)):
        check(cancel)
        try:
            fb_id, r = measure_and_store_flash_bang(
                case, evidence_id, flash, when_utc=when, tool="geoworkbench demo",
                cancel=cancel,
            )  # fmt: skip
            distance = r.distance_m
        except (WorkbenchError, MediaError) as exc:  # named in the summary note
            refusals.append(f"evidence {evidence_id}: {exc}")
    fix_id, miss = _range_fix(case, bearing_ids, fb_id, truth) if fb_id else (None, None)
    claims = _claims(case, truth, fix_id, fb_id, a)
    save_note(case, None, _summary(offset_s, va, vb, sound, distance, miss, refusals)).result()
    return SoundFindings(sync_id, offset_s, sound, fb_id, distance, fix_id, miss, claims,
                         events, tuple(refusals))  # fmt: skip


def _events(case: Case, rooftop: int, start_utc: str, flash: int) -> tuple[int, ...]:
    """The rooftop video anchored in UTC (from the truth, standing for a dated source) and
    the strike at its flash frame on that clock."""
    anchor = add_event(
        case, at=start_utc, label=f"Rooftop video: {FIRST_FRAME}", evidence_id=rooftop,
        note="anchored from the scenario truth (stands for a dated source: an upload time, "
        "the sun, a witness)",
    ).result()  # fmt: skip
    table = load_or_build_frame_table(case, rooftop)
    pts = table.frames[flash].pts_s or 0.0
    fps = table.mean_fps() or 25.0
    at = datetime.fromisoformat(start_utc.replace("Z", "+00:00")) + timedelta(seconds=pts)
    strike = add_event(
        case, at=iso_utc(at), label="Strike: the flash, seen in both videos",
        sigma_s=1.0 / fps / math.sqrt(12.0), evidence_id=rooftop,
        note=f"flash first seen in frame {flash} of the rooftop video",
    ).result()  # fmt: skip
    return anchor, strike


def _range_fix(case: Case, bearing_ids, fb_id: int, truth) -> tuple[int | None, float | None]:
    """The flash-bang camera's bearing to the flash crossed with its range ring."""
    camera = get_observation(case.read(), fb_id).inputs.get("camera_id")
    own = [i for i in bearing_ids if get_observation(case.read(), i).inputs.get("camera_id")
           == camera]  # fmt: skip
    if not own:
        return None, None
    try:
        fix_id = add_intersection(case, own[:1], flash_bang_ids=[fb_id]).result()
    except GeometryError:
        return None, None
    fix = get_observation(case.read(), fix_id).result
    strike = truth["landmarks"]["strike_point"]
    miss = geodesy.distance_m(LatLon(fix["lat_deg"], fix["lon_deg"]),
                              LatLon(strike["lat_deg"], strike["lon_deg"]))  # fmt: skip
    return fix_id, miss


def _claims(case: Case, truth, fix_id: int | None, fb_id: int | None, rooftop: int) -> tuple:
    school = truth["landmarks"]["school"]
    verdict, note = "unverified", "no range fix was measured"
    if fix_id is not None:
        fix = get_observation(case.read(), fix_id).result
        d = geodesy.distance_m(LatLon(fix["lat_deg"], fix["lon_deg"]),
                               LatLon(school["lat_deg"], school["lon_deg"]))  # fmt: skip
        verdict = "refuted" if d <= REFUTED_WITHIN_M else "unverified"
        note = f"the flash's bearing and flash-bang ring cross {d:.0f} m from the school"
    denial = add_claim(
        case, text=ARABIC_DENIAL, claimed_by="a local news page (synthetic)",
        claimed_at="2016-10-26T14:20:00+03:00", language="ar", translation=ARABIC_TRANSLATION,
        source_url="https://example.org/synthetic-statement", verdict=verdict, verdict_note=note,
    ).result()  # fmt: skip
    for kind, target in (("observation", fix_id), ("observation", fb_id)):
        if target is not None:
            link_claim(case, denial, kind, target).result()
    for h in list_hypotheses(case.read()):
        if "not struck" in h.title:
            link_claim(case, denial, "hypothesis", h.id).result()
    aviation = add_claim(
        case, text="Russian aviation has not been used near the town since October 18",
        claimed_by="a ministry spokesperson (synthetic)", claimed_at="2016-10-27T12:00:00+03:00",
        language="en", verdict="unverified",
        verdict_note="jet noise is heard in the rooftop video; whose aircraft it was is not "
        "shown by the sound",
    ).result()  # fmt: skip
    link_claim(case, aviation, "frame", rooftop, frame_index=0, note="jet noise").result()
    return denial, aviation


def _summary(offset_s, va, vb, sound, distance, miss, refusals) -> str:
    true_offset = (datetime.fromisoformat(va["start_utc"])
                   - datetime.fromisoformat(vb["start_utc"])).total_seconds()  # fmt: skip
    text = (
        f"Demo sound. The second video's clock minus the rooftop's, from the flash seen in "
        f"both: {offset_s:+.3f} s (scenario truth {true_offset:+.3f} s). By sound: {sound}. "
    )
    if distance is not None:
        text += (f"Flash to bang from the second camera: {distance:.0f} m (scenario truth "
                 f"{vb['bang']['slant_distance_m']:.0f} m slant). ")  # fmt: skip
    if miss is not None:
        text += f"Its bearing and range ring cross {miss:.1f} m from the true strike point. "
    if refusals:
        text += "Not measured: " + "; ".join(refusals)
    return text.strip()

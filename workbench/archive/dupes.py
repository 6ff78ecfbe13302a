"""Near-duplicate groups of a catalog: which videos are copies of which, the likely original of
each group, and how every other member differs from it.

The matching is ``analysis.archive.groups`` (sampled hashes that line up in time). The likely
original is the member with the earliest time that the file or its downloader's record
states (a capture clock or an upload time); where no member states a time, the largest and
longest copy, and the group says so. A member's differences come from what can be measured:
the link's speed and mirroring, the shared stretch against the two durations, the picture
sizes and codecs, bars in its keyframe, and how far its frames' hashes are from the
original's where nothing geometric explains it (an overlay, or a heavy re-encode).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis.archive.fingerprint import SAMPLE_INTERVAL_S
from analysis.archive.footprint import Footprint, footprint
from analysis.archive.groups import (
    DEFAULT_RADIUS,
    SAMPLE_PAD_S,
    SharedFootage,
    VideoSamples,
    group_keys,
    shared_footage,
    shared_s,
)
from analysis.archive.phash import content_box
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.archive.catalog import Catalog

FULL_SHARE = 0.93  # a crop or bars below this share of the picture are named
LENGTH_TOLERANCE_S = 1.0
OVERLAY_SHARE = 0.003  # a changed compact patch this large is named an overlay


@dataclass(frozen=True)
class Member:
    sha256: str
    paths: tuple[str, ...]
    facts: dict[str, Any]
    differences: tuple[str, ...]  # against the group's likely original; () for the original
    offset_s: float | None = None  # t_member = speed * t_original + offset
    speed: float | None = None


@dataclass(frozen=True)
class DupeGroup:
    original: str
    original_reason: str
    members: tuple[Member, ...]


@dataclass
class DupeReport:
    groups: list[DupeGroup] = field(default_factory=list)
    also_contains: list[SharedFootage] = field(default_factory=list)  # links between groups
    videos: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "videos": self.videos,
            "groups": [
                {"original": g.original, "original_reason": g.original_reason,
                 "members": [{"sha256": m.sha256, "paths": list(m.paths),
                              "differences": list(m.differences), "offset_s": m.offset_s,
                              "speed": m.speed} for m in g.members]}
                for g in self.groups
            ],
            "also_contains": [
                {"a": s.a, "b": s.b, "a_span_s": list(s.a_span_s), "b_span_s": list(s.b_span_s)}
                for s in self.also_contains
            ],
        }  # fmt: skip


def find_dupes(
    catalog: Catalog,
    *,
    radius: int = DEFAULT_RADIUS,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> DupeReport:
    """The near-duplicate groups of a catalog (module doc).

    Raises:
        JobCancelled: ``cancel`` fired.
    """
    facts = {row["sha256"]: row for row in catalog.files()}
    arrays = catalog.hash_arrays()
    videos = [
        VideoSamples(sha, float(facts[sha]["duration_s"] or 0.0), a["time_s"], a["value"],
                     a["mirrored"])
        for sha, a in sorted(arrays.items())
        if sha in facts and len(a["value"])
    ]  # fmt: skip
    links = shared_footage(
        videos, radius=radius, cancel=cancel, progress=lambda f, m: report(progress, 0.7 * f, m)
    )
    # What can be compared: from the first hashed frame to the last (a black intro or a flat
    # sky is not hashed, and is neither shared footage nor "other footage").
    durations = {v.key: float(np.ptp(v.times_s)) for v in videos}
    for v in videos:
        facts[v.key]["footage_s"] = durations[v.key] + SAMPLE_PAD_S
        first = float(np.min(v.times_s))
        facts[v.key]["footage_span_s"] = (first, first + durations[v.key] + SAMPLE_PAD_S)
    result = DupeReport(videos=len(videos))
    grouped = group_keys([v.key for v in videos], links, durations)
    where = {k: n for n, g in enumerate(grouped) for k in g}
    for n, keys in enumerate(grouped):
        check(cancel)
        report(
            progress, 0.7 + 0.3 * n / len(grouped), f"describing group {n + 1} of {len(grouped)}"
        )
        result.groups.append(_group(keys, facts, links, catalog))
    result.also_contains = [s for s in links if where.get(s.a) != where.get(s.b)]
    return result


def _pixels(row: dict) -> int:
    return int(row.get("width_px") or 0) * int(row.get("height_px") or 0)


def _bitrate(row: dict) -> float:
    return float(json.loads(row.get("metadata_json") or "{}").get("bit_rate_bps") or 0)


def _footage_s(row: dict) -> float:
    return float(row.get("footage_s") or row["duration_s"] or 0.0)


def _extra_s(key: str, row: dict, links: list[SharedFootage]) -> float:
    """How much footage this member has beyond what it shares with the best-matching other:
    a compilation has much, an original or a plain copy none."""
    shared = max((shared_s(s) for s in links if key in (s.a, s.b)), default=0.0)
    return max(0.0, _footage_s(row) - shared - LENGTH_TOLERANCE_S)


def likely_original(
    keys: list[str], facts: dict[str, dict], links: list[SharedFootage], catalog: Catalog
) -> tuple[str, str]:
    """The member with the earliest stated time; without times, the copy that is not a
    compilation, with the most picture (bars left out), the highest bitrate, the longest."""
    timed = [(facts[k]["earliest_time_utc"], k) for k in keys if facts[k]["earliest_time_utc"]]
    if timed:
        when, key = min(timed)
        return key, f"earliest stated time: {when} ({facts[key]['earliest_time_basis']})"

    def rank(k: str) -> tuple:
        row = facts[k]
        picture = round(4 * np.log2(1 + _pixels(row) * _filled_share(catalog, k)))  # ~19% steps
        return (-_extra_s(k, row, links), picture, _bitrate(row), row["duration_s"] or 0, k)

    return max(keys, key=rank), (
        "no member states a time: the copy with no added footage, the most picture and the "
        "highest bitrate (a guess: check the upload records)"
    )


def _filled_share(catalog: Catalog, sha: str) -> float:
    """The share of the frame that shows picture (bars left out), from its keyframes (the
    largest: a dark frame looks all bar)."""
    shares = []
    for frame in _keyframes(catalog, sha):
        top, bottom, left, right = content_box(frame)
        shares.append((bottom - top) * (right - left) / float(frame.size))
    return max(shares, default=1.0)


def _link_between(a: str, b: str, links: list[SharedFootage]) -> tuple[SharedFootage, bool] | None:
    """The link of a and b, and whether it is stated from a's side."""
    for s in links:
        if (s.a, s.b) == (a, b):
            return s, True
        if (s.a, s.b) == (b, a):
            return s, False
    return None


def _group(keys, facts, links, catalog: Catalog) -> DupeGroup:
    original, reason = likely_original(keys, facts, links, catalog)
    members = []
    for key in sorted(keys, key=lambda k: (k != original, k)):
        row = facts[key]
        paths = tuple(row.get("paths") or ())
        if key == original:
            members.append(Member(key, paths, row, ()))
            continue
        found = _link_between(original, key, links)
        if found is None:
            members.append(Member(key, paths, row, ("shares footage with other members only",)))
            continue
        link, forward = found
        speed = link.speed if forward else 1 / link.speed
        offset = link.offset_s if forward else -link.offset_s / link.speed
        diffs = differences(facts[original], row, link, forward, catalog)
        members.append(Member(key, paths, row, diffs, round(offset, 3), round(speed, 4)))
    return DupeGroup(original, reason, tuple(members))


def _keyframes(catalog: Catalog, sha: str) -> list[np.ndarray]:
    """The keyframes of a content (gray), most detailed first: a black intro says nothing."""
    frames = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in keyframe_paths(catalog, sha)]
    return sorted((f for f in frames if f is not None), key=lambda f: -float(f.std()))


def _best_footprint(catalog: Catalog, orig: str, member: str, mirrored: bool) -> Footprint | None:
    """The member's most detailed keyframe located in whichever of the original's fits best."""
    copies = _keyframes(catalog, member)
    if not copies:
        return None
    copy = np.ascontiguousarray(copies[0][:, ::-1]) if mirrored else copies[0]
    found = [fp for picture in _keyframes(catalog, orig) if (fp := footprint(picture, copy))]
    return max(found, key=lambda f: f.inliers, default=None)


def differences(
    orig: dict, member: dict, link: SharedFootage, forward: bool, catalog: Catalog
) -> tuple[str, ...]:
    """How ``member`` differs from ``orig`` (module doc), in words an analyst reads."""
    out = []
    speed = link.speed if forward else 1 / link.speed
    if link.mirrored:
        out.append("mirrored left-right")
    if abs(speed - 1.0) > 0.03:
        out.append(f"speed x{speed:.2f}")
    out.extend(_time_change(orig, member, link, forward))
    out.extend(_picture_change(orig, member, link, catalog))
    codec = f"{orig.get('codec')} -> {member.get('codec')}"
    out.append("re-encoded" + (f" ({codec})" if orig.get("codec") != member.get("codec") else ""))
    return tuple(out)


def _time_change(orig: dict, member: dict, link: SharedFootage, forward: bool) -> list[str]:
    """Joined footage and trims. Matched samples alone undercount what is shared where the
    hashes are weak (a cloudy sky, a cropped copy of it), and the rest would read as "other
    footage". So a claim needs both: footage left unmatched, and the copy's hashed stretch
    reaching past the original's (joined) or stopping inside it (trimmed) on the time line
    that the matched samples fit (``t_copy = speed * t_original + offset``)."""
    if forward:
        speed, offset = link.speed, link.offset_s
    else:  # the link maps the copy onto the original: turn it round
        speed, offset = 1 / link.speed, -link.offset_s / link.speed
    shared = shared_s(link)  # the shorter measure: slow footage smears one of the spans
    o_len, m_len = _footage_s(orig), _footage_s(member)
    o_lo, o_hi = orig.get("footage_span_s") or (0.0, o_len)
    m_lo, m_hi = member.get("footage_span_s") or (0.0, m_len)
    # Other footage lies outside the original's frames, not just outside its hashed stretch
    # (a logo over its dark first second makes the copy's frames there hashable).
    o_end = max(o_hi, float(orig.get("duration_s") or 0.0))
    before = max(0.0, (speed * min(o_lo, 0.0) + offset) - m_lo)  # copy seconds before it
    after = max(0.0, m_hi - (speed * o_end + offset))  # ... and after its last frame
    kept = (max(o_lo, (m_lo - offset) / speed), min(o_hi, (m_hi - offset) / speed))
    out = []
    if m_len > shared + LENGTH_TOLERANCE_S and before + after >= SAMPLE_INTERVAL_S:
        out.append(f"joined with {before + after:.1f} s of other footage")
    if shared < o_len - LENGTH_TOLERANCE_S and kept[1] - kept[0] < o_len - LENGTH_TOLERANCE_S:
        out.append(f"trimmed: keeps {kept[0]:.1f}-{kept[1]:.1f} s of the original's "
                   f"{o_len:.1f} s")  # fmt: skip
    return out


def _picture_change(orig: dict, member: dict, link: SharedFootage, catalog: Catalog) -> list[str]:
    out = []
    fp = _best_footprint(catalog, orig["sha256"], member["sha256"], link.mirrored)
    if fp is not None and fp.overlay_share >= OVERLAY_SHARE:
        out.append(f"overlay: a patch of {100 * fp.overlay_share:.1f}% of the picture changed "
                   "(a logo, a caption)")  # fmt: skip
    if fp is not None and fp.original_shown < FULL_SHARE:
        out.append(f"cropped: shows {100 * fp.original_shown:.0f}% of the original picture")
    filled = _filled_share(catalog, member["sha256"])  # both measured alike: their best frames
    if filled < FULL_SHARE * _filled_share(catalog, orig["sha256"]):
        out.append(f"letterboxed: the picture fills {100 * filled:.0f}% of the frame")
    sizes = [int(x or 0) for x in (orig["width_px"], orig["height_px"], member["width_px"],
                                   member["height_px"])]  # fmt: skip
    if all(sizes) and sizes[:2] != sizes[2:]:
        out.append(f"resized {sizes[0]}x{sizes[1]} -> {sizes[2]}x{sizes[3]}")
    return out


def keyframe_paths(catalog: Catalog, sha: str) -> list[Path]:
    """The keyframes of a content, in shot order."""
    folder = catalog.keyframe(sha, 0).parent
    return sorted(folder.glob("*.jpg"), key=lambda p: int(p.stem))

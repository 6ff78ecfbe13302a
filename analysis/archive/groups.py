"""Near-duplicate videos: which videos share footage, at what offset and speed, and groups.

Two videos share footage when many of their sampled frames hash alike (within ``radius``
bits) *and* the matched sample times line up: t_B = speed * t_A + offset for one speed and
offset. The line is what separates a re-upload from two clips that merely show similar
frames (the same sky, the same wall): chance matches scatter, shared footage lines up. A
mirrored copy matches through the mirrored hashes and is marked so. The line is found by
RANSAC over pairs of matches (speed between 0.5 and 2), then refitted by least squares on its
inliers.

Groups are the connected components of the "shares footage" relation (a union-find), so a
compilation ties together the clips it was cut from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.archive.hash_index import HashIndex
from analysis.jobs import CancelToken, ProgressFn, check, report

DEFAULT_RADIUS = 12  # bits of 64; unrelated frames measured at 20 and more (ADR 0015)
MIN_SHARED_SAMPLES = 4  # matched samples on the line: two seconds at two samples a second
MIN_SHARED_SPAN_S = 1.0
LINE_TOLERANCE_S = 0.6  # a sample is on the line within this (sampling is every 0.5 s)
SPEED_RANGE = (0.5, 2.0)
RANSAC_TRIALS = 200
PROBE_BITS = 1  # all against all: exact to 7 bits, likely beyond (HashIndex.query_many)
SPEED_EVIDENCE = 1.5  # a line at another speed needs this many times the speed-1 line's samples
SPEED_TOLERANCE = 0.03  # a fitted speed this close to 1 is 1 (frame-rate jitter)
JOIN_COVERAGE = 0.4  # a lone video joins its best partner when this much of either is shared
CORE_COVERAGE = 0.8  # full copies: this much of both is shared
SAMPLE_PAD_S = 0.5  # a stretch of n samples spans (n - 1) intervals: pad by one


@dataclass(frozen=True)
class VideoSamples:
    """The sampled hashes of one video (from ``fingerprint_video``)."""

    key: str  # the video's identity in the archive: its sha256
    duration_s: float
    times_s: np.ndarray  # float64
    values: np.ndarray  # uint64
    mirrored: np.ndarray  # uint64


@dataclass(frozen=True)
class SharedFootage:
    """Video b contains footage of video a: t_b = speed * t_a + offset_s."""

    a: str
    b: str
    mirrored: bool
    speed: float
    offset_s: float
    matched_samples: int
    a_span_s: tuple[float, float]  # the shared stretch, in a's time
    b_span_s: tuple[float, float]
    median_distance_bits: float


def _candidate_matches(
    videos: list[VideoSamples], index: HashIndex, owner: np.ndarray, radius: int
) -> dict[tuple[int, int, bool], list[tuple[float, float, int]]]:
    """(i, j, mirrored) -> [(t_i, t_j, bits)] for i < j (mirrored: i's mirror hash matched)."""
    times = np.concatenate([v.times_s for v in videos])
    found: dict[tuple[int, int, bool], list[tuple[float, float, int]]] = {}
    for mirrored in (False, True):
        queries = np.concatenate([v.mirrored if mirrored else v.values for v in videos])
        qi, pos, bits = index.query_many(queries, radius, probe_bits=PROBE_BITS)
        i, j = owner[qi], owner[pos]
        keep = j > i
        for a, b, ta, tb, d in zip(i[keep], j[keep], times[qi[keep]], times[pos[keep]],
                                   bits[keep], strict=True):  # fmt: skip
            found.setdefault((int(a), int(b), mirrored), []).append((float(ta), float(tb), int(d)))
    return found


def fit_line(
    ta: np.ndarray, tb: np.ndarray, rng: np.random.Generator
) -> tuple[float, float, np.ndarray] | None:
    """The speed and offset that put the most matches on one line (module doc), or None.

    Speed 1 is tried first, at every offset the matches suggest; another speed is kept only
    when it puts clearly more matches on its line (``SPEED_EVIDENCE``), so that the scatter of
    a static scene cannot bend a re-upload into a "speed change"."""
    n = len(ta)
    if n < MIN_SHARED_SAMPLES:
        return None
    plain = np.zeros(n, bool)
    for o in np.unique(np.round(tb - ta, 1)):
        inl = np.abs(tb - ta - o) <= LINE_TOLERANCE_S
        if inl.sum() > plain.sum():
            plain = inl
    best, speed = plain, 1.0
    for _ in range(RANSAC_TRIALS):
        p, q = rng.choice(n, 2, replace=False)
        if abs(ta[q] - ta[p]) < 2.0:
            continue
        s = (tb[q] - tb[p]) / (ta[q] - ta[p])
        if abs(s - 1.0) <= SPEED_TOLERANCE or not SPEED_RANGE[0] <= s <= SPEED_RANGE[1]:
            continue
        inl = np.abs(tb - s * ta - (tb[p] - s * ta[p])) <= LINE_TOLERANCE_S * max(1.0, s)
        if inl.sum() >= SPEED_EVIDENCE * max(plain.sum(), 1) and inl.sum() > best.sum():
            best, speed = inl, s
    if best.sum() < MIN_SHARED_SAMPLES:
        return None
    if speed == 1.0:
        return 1.0, float(np.median(tb[best] - ta[best])), best
    fitted, intercept = np.polyfit(ta[best], tb[best], 1)
    if not SPEED_RANGE[0] <= fitted <= SPEED_RANGE[1]:
        return None
    return float(fitted), float(intercept), best


def shared_footage(
    videos: list[VideoSamples],
    *,
    radius: int = DEFAULT_RADIUS,
    seed: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[SharedFootage]:
    """Every pair of videos that share footage (module doc), ordered as given.

    Raises:
        JobCancelled: ``cancel`` fired.
    """
    if not videos:
        return []
    owner = np.concatenate([np.full(len(v.values), i) for i, v in enumerate(videos)])
    index = HashIndex(np.concatenate([v.values for v in videos]).astype(np.uint64))
    rng = np.random.default_rng(seed)
    report(progress, 0.0, f"matching the frame hashes of {len(videos)} videos")
    candidates = sorted(_candidate_matches(videos, index, owner, radius).items())
    pairs = []
    for n, ((i, j, mirrored), rows) in enumerate(candidates):
        if n % 200 == 0:
            check(cancel)
            report(progress, 0.5 + 0.5 * n / len(candidates), f"lining up pair {n + 1}")
        m = np.asarray(rows)
        fit = fit_line(m[:, 0], m[:, 1], rng)
        if fit is None:
            continue
        speed, offset, on = fit
        ta, tb, bits = m[on, 0], m[on, 1], m[on, 2]
        one_to_one = min(len(np.unique(ta)), len(np.unique(tb)))
        if min(np.ptp(ta), np.ptp(tb)) < MIN_SHARED_SPAN_S or one_to_one < MIN_SHARED_SAMPLES:
            continue  # many samples on one frame (a still, a freeze) are not shared footage
        pairs.append(
            SharedFootage(
                videos[i].key, videos[j].key, mirrored, speed, offset, int(one_to_one),
                (float(ta.min()), float(ta.max())), (float(tb.min()), float(tb.max())),
                float(np.median(bits)),
            )
        )  # fmt: skip
    return _one_per_pair(pairs)


def _one_per_pair(pairs: list[SharedFootage]) -> list[SharedFootage]:
    """Keep the better of a pair's plain and mirrored fits (a symmetric scene gives both)."""
    best: dict[tuple[str, str], SharedFootage] = {}
    for p in pairs:
        kept = best.get((p.a, p.b))
        if kept is None or p.matched_samples > kept.matched_samples:
            best[(p.a, p.b)] = p
    return list(best.values())


def shared_s(link: SharedFootage) -> float:
    """The length of the shared stretch (the shorter of its two measures, padded by one
    sampling step: n samples span n - 1 steps)."""
    a = link.a_span_s[1] - link.a_span_s[0]
    b = (link.b_span_s[1] - link.b_span_s[0]) / max(link.speed, 1e-9)
    return min(a, b) + SAMPLE_PAD_S


def shares(link: SharedFootage, durations: dict[str, float]) -> tuple[float, float]:
    """The shares of a's and of b's length that the shared stretch makes up."""
    out = []
    for key, scale in ((link.a, 1.0), (link.b, link.speed)):
        length = durations.get(key, 0.0) + SAMPLE_PAD_S
        out.append(min(1.0, shared_s(link) * scale / length))
    return out[0], out[1]


def coverage(link: SharedFootage, durations: dict[str, float]) -> float:
    """The larger share of either video's length that the shared footage makes up."""
    return max(shares(link, durations))


def group_keys(
    keys: list[str], links: list[SharedFootage], durations: dict[str, float]
) -> list[list[str]]:
    """Groups of near-duplicates, in two steps.

    1. Cores: videos joined by links that cover most of *both* (``CORE_COVERAGE``): full
       copies (re-encoded, rescaled, cropped, mirrored, with a logo) of one footage.
    2. Each video left alone (a trimmed copy, a compilation) joins the one partner, core or
       lone video, with which it shares the longest stretch, if that stretch is at least
       ``JOIN_COVERAGE`` of it or of the partner. The partner is chosen first, by length
       shared, and only then checked: a compilation goes with the footage that makes most of
       it, not with a short clip that happens to resemble its intro.

    Each group sorted; singletons left out."""
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for link in links:
        if min(shares(link, durations)) >= CORE_COVERAGE:
            join(link.a, link.b)
    size = {}
    for k in keys:
        size[root(k)] = size.get(root(k), 0) + 1
    lone = {k for k in keys if size[root(k)] == 1}
    best: dict[str, tuple[float, SharedFootage]] = {}
    for link in links:
        for me in (link.a, link.b):
            if me in lone and shared_s(link) > best.get(me, (0.0, None))[0]:
                best[me] = (shared_s(link), link)
    for _, link in (best[k] for k in sorted(best)):
        if coverage(link, durations) >= JOIN_COVERAGE:
            join(link.a, link.b)
    members: dict[str, list[str]] = {}
    for k in keys:
        members.setdefault(root(k), []).append(k)
    return sorted(sorted(m) for m in members.values() if len(m) > 1)

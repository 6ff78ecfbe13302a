"""Shared footage: matched sample times that line up, at speed 1 or another speed; groups."""

from __future__ import annotations

import numpy as np

from analysis.archive.groups import (
    SharedFootage,
    VideoSamples,
    fit_line,
    group_keys,
    shared_footage,
)


def _video(key: str, hashes: np.ndarray, times: np.ndarray | None = None) -> VideoSamples:
    t = np.arange(len(hashes)) * 0.5 if times is None else times
    mirror = hashes ^ np.uint64(0xFFFF_0000_0000_0000)  # any other value: never matched here
    return VideoSamples(key, float(t[-1]), t.astype(float), hashes.astype(np.uint64), mirror)


def _noisy(hashes: np.ndarray, rng: np.random.Generator, bits: int) -> np.ndarray:
    out = hashes.copy()
    for _ in range(bits):
        out ^= np.uint64(1) << rng.integers(0, 64, size=out.size).astype(np.uint64)
    return out


def test_a_trimmed_re_encode_is_found_at_its_offset():
    rng = np.random.default_rng(1)
    original = rng.integers(0, 2**63, size=40, dtype=np.uint64)
    copy = _noisy(original[10:30], rng, 3)  # samples 10..29: starts 5 s into the original
    links = shared_footage([_video("a", original), _video("b", copy)])
    assert len(links) == 1
    link = links[0]
    assert (link.a, link.b, link.mirrored, link.speed) == ("a", "b", False, 1.0)
    assert abs(link.offset_s - (-5.0)) < 0.01  # t_b = t_a - 5
    assert link.matched_samples == 20
    assert link.a_span_s == (5.0, 14.5)


def test_a_sped_up_copy_is_found_with_its_speed():
    rng = np.random.default_rng(2)
    original = rng.integers(0, 2**63, size=60, dtype=np.uint64)
    taken = np.arange(0, 60, 3)  # every third sample, played twice as fast as sampled...
    times = np.arange(len(taken)) * 0.75  # ...a 2x speed-up: t_b = 0.5 * t_a
    links = shared_footage([_video("a", original), _video("b", original[taken], times)])
    assert len(links) == 1 and abs(links[0].speed - 0.5) < 0.01


def test_unrelated_videos_share_nothing():
    rng = np.random.default_rng(3)
    videos = [_video(k, rng.integers(0, 2**63, size=50, dtype=np.uint64)) for k in "abcdef"]
    assert shared_footage(videos) == []


def test_matches_that_do_not_line_up_are_not_shared_footage():
    ta = np.array([0.0, 5.0, 9.0, 13.0, 20.0, 31.0])
    tb = np.array([7.0, 1.0, 30.0, 2.0, 18.0, 4.0])  # scattered: a similar sky, a wall
    assert fit_line(ta, tb, np.random.default_rng(0)) is None


def _link(a: str, b: str, a_span: tuple[float, float], b_span: tuple[float, float]):
    return SharedFootage(a, b, False, 1.0, 0.0, 8, a_span, b_span, 4.0)


def test_groups_join_on_most_of_a_video_not_on_a_few_seconds_in_a_compilation():
    durations = {"orig": 60.0, "trim": 20.0, "other": 60.0, "compilation": 120.0}
    links = [
        _link("orig", "trim", (10.0, 30.0), (0.0, 20.0)),  # all of "trim"
        _link("other", "compilation", (0.0, 5.0), (0.0, 5.0)),  # 5 s of each
    ]
    assert group_keys(list(durations), links, durations) == [["orig", "trim"]]

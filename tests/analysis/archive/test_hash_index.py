"""Multi-index hashing returns exactly what a linear scan returns."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.archive.hash_index import MAX_RADIUS, HashIndex


def _clustered(rng: np.random.Generator, n: int) -> np.ndarray:
    """Hashes in clusters (re-uploads of one frame) with a few bits flipped each."""
    centres = rng.integers(0, 2**63, size=n // 8, dtype=np.uint64) << np.uint64(1)
    values = np.repeat(centres, 8)
    for _ in range(5):
        values ^= np.uint64(1) << rng.integers(0, 64, size=values.size).astype(np.uint64)
    return values


@pytest.mark.parametrize("radius", [0, 3, 7, 12, MAX_RADIUS])
def test_the_index_answers_as_a_linear_scan(radius):
    rng = np.random.default_rng(radius)
    index = HashIndex(_clustered(rng, 40_000))
    for q in index.hashes[rng.integers(0, len(index), 30)]:
        fast, slow = index.query(int(q), radius), index.query_linear(int(q), radius)
        assert np.array_equal(fast.positions, slow.positions)
        assert np.array_equal(fast.distances, slow.distances)
        assert fast.positions.size >= 1  # the query itself is in the index


def test_a_query_near_nothing_finds_nothing():
    index = HashIndex(np.zeros(100, np.uint64))
    far = index.query(2**64 - 1, 12)
    assert far.positions.size == 0 and far.distances.size == 0


def test_a_radius_out_of_range_is_refused():
    index = HashIndex(np.zeros(3, np.uint64))
    with pytest.raises(ValueError, match="between 0 and 15"):
        index.query(0, 16)


def test_many_queries_at_once_answer_as_one_at_a_time():
    rng = np.random.default_rng(7)
    index = HashIndex(_clustered(rng, 20_000))
    queries = np.concatenate([index.hashes[rng.integers(0, len(index), 300)],
                              rng.integers(0, 2**63, 50, dtype=np.uint64)])  # fmt: skip
    qi, pos, dist = index.query_many(queries, 12, batch=64)
    for n, q in enumerate(queries):
        one = index.query(int(q), 12)
        assert np.array_equal(pos[qi == n], one.positions)
        assert np.array_equal(dist[qi == n], one.distances)

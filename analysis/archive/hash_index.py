"""An index of 64-bit hashes for radius queries in Hamming space: multi-index hashing.

Multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in Hamming space with multi-index
hashing", CVPR 2012): cut each hash into m = 4 chunks of 16 bits. Two hashes within r bits
differ, by the pigeonhole principle, in at most floor(r / m) bits of at least one chunk. So a
query probes, in each chunk's table, every 16-bit value within floor(r / m) bits of its own
chunk (697 values for r up to 15), and checks only the hashes found there. The tables are
sorted arrays, probed with one vectorised ``searchsorted``: a query costs a few thousand
probes and the candidates they return, not a pass over the archive. We chose it over a BK-tree
because a BK-tree's nodes are Python objects (a million of them is slow to build and to walk),
while these tables are four numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from analysis.archive.phash import hamming

CHUNKS = 4
CHUNK_BITS = 16
MAX_RADIUS = 4 * CHUNKS - 1  # 15: the probe sets stay small (697 values per chunk)


@lru_cache(maxsize=8)
def _flips(bits_within: int) -> np.ndarray:
    """Every 16-bit mask with at most ``bits_within`` bits set."""
    masks = [0]
    for k in range(1, bits_within + 1):
        masks.extend(sum(1 << b for b in combo) for combo in combinations(range(CHUNK_BITS), k))
    return np.asarray(masks, dtype=np.uint16)


def _chunk(values: np.ndarray, c: int) -> np.ndarray:
    return ((values >> np.uint64(CHUNK_BITS * c)) & np.uint64(0xFFFF)).astype(np.uint16)


def _spans(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The positions lo[i] <= p < hi[i] of every span, concatenated (no Python loop)."""
    lengths = hi - lo
    total = int(lengths.sum())
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return starts + np.arange(total)


@dataclass(frozen=True)
class Neighbours:
    """The hashes within a radius of one query: positions in the index, and distances."""

    positions: np.ndarray  # int64, ascending
    distances: np.ndarray  # int64


class HashIndex:
    """Radius search over a fixed array of 64-bit hashes (module doc)."""

    def __init__(self, hashes: np.ndarray) -> None:
        self.hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        self._order: list[np.ndarray] = []
        self._sorted: list[np.ndarray] = []
        for c in range(CHUNKS):
            keys = _chunk(self.hashes, c)
            order = np.argsort(keys, kind="stable")
            self._order.append(order)
            self._sorted.append(keys[order])

    def __len__(self) -> int:
        return len(self.hashes)

    def query(self, value: int, radius: int) -> Neighbours:
        """Every indexed hash within ``radius`` bits of ``value``.

        Raises:
            ValueError: for a radius beyond ``MAX_RADIUS`` or below 0.
        """
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"a radius must be between 0 and {MAX_RADIUS} bits, not {radius}")
        q = np.asarray([value], dtype=np.uint64)
        flips = _flips(radius // CHUNKS)
        found = []
        for c in range(CHUNKS):
            probes = np.bitwise_xor(_chunk(q, c)[0], flips)
            lo = np.searchsorted(self._sorted[c], probes, side="left")
            hi = np.searchsorted(self._sorted[c], probes, side="right")
            if (hi > lo).any():
                found.append(self._order[c][_spans(lo, hi)])
        if not found:
            empty = np.zeros(0, np.int64)
            return Neighbours(empty, empty)
        candidates = np.concatenate(found)  # a hash found through two chunks comes twice
        near = candidates[hamming(self.hashes[candidates], value) <= radius]
        positions = np.unique(near).astype(np.int64)
        return Neighbours(positions, hamming(self.hashes[positions], value))

    def query_many(
        self, values: np.ndarray, radius: int, *, batch: int = 2048, probe_bits: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Query, indexed hash) pairs within ``radius``, for many queries at once (the same
        probes as ``query``, vectorised over the queries).

        ``probe_bits`` below ``radius // 4`` probes fewer chunk values: every pair within
        ``4 * probe_bits + 3`` bits is still found, and a pair further apart only when one of
        its chunks differs in at most ``probe_bits`` bits (likely, not certain). That is what
        an all-against-all search of an archive can afford: at radius 12, one bit per chunk
        probes 17 values instead of 697. Every pair returned is within ``radius``.

        Returns:
            (query positions, index positions, distances), int64 arrays, sorted by query then
            index position.
        """
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"a radius must be between 0 and {MAX_RADIUS} bits, not {radius}")
        values = np.asarray(values, dtype=np.uint64)
        bits = radius // CHUNKS if probe_bits is None else min(probe_bits, radius // CHUNKS)
        flips = _flips(bits)
        parts = []
        for start in range(0, len(values), batch):
            q = values[start : start + batch]
            keys = []
            for c in range(CHUNKS):
                probes = (_chunk(q, c)[:, None] ^ flips[None, :]).reshape(-1)
                lo = np.searchsorted(self._sorted[c], probes, side="left")
                hi = np.searchsorted(self._sorted[c], probes, side="right")
                owner = np.repeat(np.arange(len(q)), len(flips))
                found = self._order[c][_spans(lo, hi)]
                keys.append(np.repeat(owner, hi - lo) * len(self) + found)
            pair = np.concatenate(keys)  # a pair found through two chunks comes twice
            near = hamming(q[pair // len(self)], self.hashes[pair % len(self)]) <= radius
            pair = np.sort(pair[near])
            pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if pair.size else pair
            qi, pos = pair // len(self), pair % len(self)
            parts.append((qi + start, pos, hamming(q[qi], self.hashes[pos])))
        if not parts:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        return tuple(np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(3))

    def query_linear(self, value: int, radius: int) -> Neighbours:
        """The same answer by checking every hash (the reference the index is tested against)."""
        distances = hamming(self.hashes, value)
        positions = np.flatnonzero(distances <= radius)
        return Neighbours(positions.astype(np.int64), distances[positions])

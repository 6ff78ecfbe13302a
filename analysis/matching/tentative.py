"""Tentative matches: exact nearest neighbours, Lowe's ratio test, mutual check.

For RootSIFT (unit-length float descriptors) the squared Euclidean distance is ``2 - 2 a.b``, so
one matrix product per block of rows gives both directions of nearest neighbours exactly (no
approximate search). Binary descriptors use OpenCV's brute-force Hamming matcher. Besides the
tentative matches, the first and second nearest neighbours of every feature of A are kept as
candidates for guided matching once a homography is known.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.matching.features import Features

_BLOCK_ROWS = 2048


@dataclass(frozen=True, eq=False)
class Tentative:
    """Index pairs (into A's and B's features).

    Attributes:
        pairs: (M, 2) int matches passing the ratio test and the mutual check.
        candidates: (K, 2) int pairs of each A feature with its two nearest neighbours in B.
    """

    pairs: np.ndarray
    candidates: np.ndarray


def _float_knn(da: np.ndarray, db: np.ndarray):
    n, m = len(da), len(db)
    nn1 = np.empty(n, np.int64)
    nn2 = np.empty(n, np.int64)
    s1 = np.empty(n, np.float32)
    s2 = np.empty(n, np.float32)
    col_best = np.full(m, -np.inf, np.float32)
    col_arg = np.zeros(m, np.int64)
    cols = np.arange(m)
    for start in range(0, n, _BLOCK_ROWS):
        sim = da[start : start + _BLOCK_ROWS] @ db.T
        rows = np.arange(sim.shape[0])
        i1 = sim.argmax(axis=1)
        v1 = sim[rows, i1]
        cm = cv2.reduceArgMax(sim, 0).ravel()  # numpy's argmax down columns is ~8x slower
        cv = sim[cm, cols]
        better = cv > col_best
        col_best[better] = cv[better]
        col_arg[better] = cm[better] + start
        sim[rows, i1] = -np.inf
        i2 = sim.argmax(axis=1)
        sl = slice(start, start + len(rows))
        nn1[sl], nn2[sl], s1[sl], s2[sl] = i1, i2, v1, sim[rows, i2]
    d1 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s1))
    d2 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s2))
    return nn1, nn2, d1, d2, col_arg


def _binary_knn(da: np.ndarray, db: np.ndarray):
    bf = cv2.BFMatcher(cv2.NORM_HAMMING)
    knn = bf.knnMatch(da, db, k=2)
    nn1 = np.array([k[0].trainIdx for k in knn], np.int64)
    nn2 = np.array([k[1].trainIdx if len(k) > 1 else k[0].trainIdx for k in knn], np.int64)
    d1 = np.array([k[0].distance for k in knn], np.float32)
    d2 = np.array([k[1].distance if len(k) > 1 else np.inf for k in knn], np.float32)
    back = bf.match(db, da)
    col_arg = np.full(len(db), -1, np.int64)
    for mt in back:
        col_arg[mt.queryIdx] = mt.trainIdx
    return nn1, nn2, d1, d2, col_arg


def tentative_matches(fa: Features, fb: Features, *, ratio: float = 0.8) -> Tentative:
    """Mutual nearest neighbours that pass Lowe's ratio test ``d1 < ratio * d2``.

    Args:
        fa, fb: features of A and B, at least two each.
        ratio: ratio-test threshold (Lowe 2004 recommends 0.8).

    Returns:
        The tentative pairs and the guided-matching candidates.
    """
    empty = np.zeros((0, 2), np.int64)
    if len(fa) < 2 or len(fb) < 2:
        return Tentative(empty, empty)
    if fa.is_binary:
        nn1, nn2, d1, d2, col_arg = _binary_knn(fa.descriptors, fb.descriptors)
    else:
        nn1, nn2, d1, d2, col_arg = _float_knn(fa.descriptors, fb.descriptors)
    idx = np.arange(len(fa))
    ok = (d1 < ratio * d2) & (col_arg[nn1] == idx)
    pairs = np.column_stack((idx[ok], nn1[ok]))
    cand = np.vstack((np.column_stack((idx, nn1)), np.column_stack((idx, nn2))))
    return Tentative(pairs, cand)

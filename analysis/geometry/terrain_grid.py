"""A small regular latitude/longitude grid of terrain heights, kept with a stored pose.

A pose observation must recompute from its inputs alone, so the terrain its footprint and
ground points were projected on is stored with it: the elevation model sampled on a grid of
``rows`` x ``cols`` nodes over a box (south, west, north, east), heights in metres to a
centimetre, read back by bilinear interpolation (NaN outside the box).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.errors import GeometryError


@dataclass(frozen=True)
class TerrainGrid:
    """Heights (row 0 at the north edge) over a box; see the module doc."""

    south_deg: float
    west_deg: float
    north_deg: float
    east_deg: float
    rows: int
    cols: int
    heights_m: tuple[float, ...]  # rows x cols, row-major

    def __post_init__(self) -> None:
        if self.rows < 2 or self.cols < 2 or len(self.heights_m) != self.rows * self.cols:
            raise GeometryError(
                f"a terrain grid needs at least 2 x 2 heights, {self.rows} x {self.cols} given "
                f"with {len(self.heights_m)} values"
            )
        if not (self.north_deg > self.south_deg and self.east_deg > self.west_deg):
            raise GeometryError("a terrain grid's box is empty")
        if not all(math.isfinite(h) for h in self.heights_m):
            raise GeometryError("a terrain grid has a height that is not a number")

    @classmethod
    def sample(
        cls,
        height: Callable[[np.ndarray, np.ndarray], np.ndarray],
        box: Sequence[float],
        rows: int,
        cols: int,
    ) -> TerrainGrid:
        """The grid of ``height(lat, lon)`` (vectorised) over box (south, west, north, east).

        Raises:
            GeometryError: where the height function gives no value (outside its model).
        """
        s, w, n, e = (float(v) for v in box)
        lat = np.linspace(n, s, rows)[:, None] * np.ones((1, cols))
        lon = np.ones((rows, 1)) * np.linspace(w, e, cols)[None, :]
        h = np.asarray(height(lat, lon), dtype=float)
        if not np.all(np.isfinite(h)):
            raise GeometryError(
                f"the elevation model does not cover {s:.5f}, {w:.5f} to {n:.5f}, {e:.5f}"
            )
        values = tuple(round(float(v), 2) for v in h.ravel())
        return cls(s, w, n, e, rows, cols, values)

    def height_m(self, lat_deg: float, lon_deg: float) -> float:
        """Bilinear height; NaN outside the box."""
        fy = (self.north_deg - lat_deg) / (self.north_deg - self.south_deg) * (self.rows - 1)
        fx = (lon_deg - self.west_deg) / (self.east_deg - self.west_deg) * (self.cols - 1)
        if not (0.0 <= fy <= self.rows - 1 and 0.0 <= fx <= self.cols - 1):
            return math.nan
        r0, c0 = min(int(fy), self.rows - 2), min(int(fx), self.cols - 2)
        ty, tx = fy - r0, fx - c0
        h = self.heights_m
        top = h[r0 * self.cols + c0] * (1 - tx) + h[r0 * self.cols + c0 + 1] * tx
        bottom = h[(r0 + 1) * self.cols + c0] * (1 - tx) + h[(r0 + 1) * self.cols + c0 + 1] * tx
        return top * (1 - ty) + bottom * ty

    def to_json(self) -> dict[str, Any]:
        return {
            "box": [self.south_deg, self.west_deg, self.north_deg, self.east_deg],
            "rows": self.rows,
            "cols": self.cols,
            "heights_m": list(self.heights_m),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> TerrainGrid:
        s, w, n, e = (float(v) for v in d["box"])
        heights = tuple(float(v) for v in d["heights_m"])
        return cls(s, w, n, e, int(d["rows"]), int(d["cols"]), heights)

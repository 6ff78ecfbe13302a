"""The stored terrain grid: exact on a plane (bilinear), NaN outside, refused when incomplete."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.geometry.terrain_grid import TerrainGrid

BOX = (35.60, 36.50, 35.64, 36.56)


def plane(lat, lon):
    return 400.0 + 1000.0 * (np.asarray(lat) - 35.6) - 500.0 * (np.asarray(lon) - 36.5)


def test_a_plane_is_read_back_exactly_between_the_nodes_and_round_trips_json():
    grid = TerrainGrid.sample(plane, BOX, 5, 7)
    for lat, lon in ((35.6, 36.5), (35.6123, 36.5377), (35.64, 36.56), (35.631, 36.501)):
        assert grid.height_m(lat, lon) == pytest.approx(float(plane(lat, lon)), abs=0.01)
    assert math.isnan(grid.height_m(35.59, 36.52)) and math.isnan(grid.height_m(35.62, 36.57))
    assert TerrainGrid.from_json(grid.to_json()) == grid


def test_a_model_that_does_not_cover_the_box_or_a_bad_grid_is_refused():
    with pytest.raises(GeometryError, match="does not cover"):
        TerrainGrid.sample(
            lambda lat, lon: np.where(np.asarray(lat) > 35.63, np.nan, 1.0), BOX, 4, 4
        )
    with pytest.raises(GeometryError, match="2 x 2"):
        TerrainGrid(*BOX, 1, 3, (1.0, 2.0, 3.0))
    with pytest.raises(GeometryError, match="empty"):
        TerrainGrid(35.6, 36.5, 35.6, 36.6, 2, 2, (1.0,) * 4)

"""The DEM reader against synthetic rasters with an exact truth (planes, a ridge)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from analysis.imagery.dem import Dem
from analysis.imagery.errors import DemError
from analysis.imagery.georef import from_crs, to_crs
from analysis.imagery.terrain import curvature_drop_m, line_of_sight

UTM = "EPSG:32634"
ORIGIN = (500_000.0, 6_700_000.0)  # 34N, about 60.4 N 21 E
PIXEL_M = 30.0


def from_origin(x0, y0, px, py):
    return Affine(px, 0.0, x0, 0.0, -py, y0)


def write_dem(path, heights, crs=UTM, nodata=None, origin=ORIGIN, pixel=PIXEL_M):
    transform = from_origin(origin[0], origin[1], pixel, pixel)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=heights.shape[0],
        width=heights.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as ds:
        ds.write(heights.astype(np.float32), 1)
    return path


def plane(shape, a=100.0, bx=0.01, by=-0.02):
    """Height = a + bx*E + by*N in metres from the origin, at pixel centres."""
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    east = (cols + 0.5) * PIXEL_M
    north = -(rows + 0.5) * PIXEL_M
    return a + bx * east + by * north


def test_bilinear_height_on_a_plane_is_exact_in_utm(tmp_path):
    dem = Dem.open(write_dem(tmp_path / "plane.tif", plane((50, 60))))
    rng = np.random.default_rng(1)
    east = rng.uniform(40, 60 * PIXEL_M - 40, 200)
    north = -rng.uniform(40, 50 * PIXEL_M - 40, 200)
    lat, lon = from_crs(UTM, ORIGIN[0] + east, ORIGIN[1] + north)
    got = dem.height_m(lat, lon)
    truth = 100.0 + 0.01 * east - 0.02 * north
    assert got.shape == (200,)
    np.testing.assert_allclose(got, truth, atol=1e-3)  # float32 storage


def test_outside_and_nodata_are_nan_not_zero(tmp_path):
    h = plane((20, 20))
    h[5, 5] = -9999
    dem = Dem.open(write_dem(tmp_path / "hole.tif", h, nodata=-9999))
    lat, lon = from_crs(UTM, ORIGIN[0] + 5.5 * PIXEL_M, ORIGIN[1] - 5.5 * PIXEL_M)
    assert np.isnan(dem.height_m(lat, lon))
    lat, lon = from_crs(UTM, ORIGIN[0] - 1000, ORIGIN[1])
    assert np.isnan(dem.height_m(lat, lon))
    assert not dem.covers(float(lat), float(lon))


def test_geographic_dem_scalar_and_round_trip(tmp_path):
    heights = np.arange(100, dtype=float).reshape(10, 10)
    path = tmp_path / "geo.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=10,
        width=10,
        count=1,
        dtype="float64",
        crs="EPSG:4326",
        transform=from_origin(22.0, 61.0, 0.001, 0.001),
    ) as ds:
        ds.write(heights, 1)
    dem = Dem.open(path)
    # the centre of pixel (row 3, col 4)
    assert float(dem.height_m(61.0 - 0.0035, 22.0045)) == pytest.approx(34.0)
    # halfway between columns 4 and 5 of row 3
    assert float(dem.height_m(61.0 - 0.0035, 22.005)) == pytest.approx(34.5)


def test_line_of_sight_ridge_blocks_and_height_clears(tmp_path):
    h = np.full((10, 200), 50.0)
    h[:, 100] = 80.0  # a ridge 30 m high, one pixel wide, across the line
    dem = Dem.open(write_dem(tmp_path / "ridge.tif", h))
    north = ORIGIN[1] - 5 * PIXEL_M
    cam = from_crs(UTM, ORIGIN[0] + 10 * PIXEL_M, north)
    tgt = from_crs(UTM, ORIGIN[0] + 190 * PIXEL_M, north)
    cam, tgt = (float(cam[0]), float(cam[1])), (float(tgt[0]), float(tgt[1]))
    low = line_of_sight(dem, cam, tgt, camera_agl_m=2, target_agl_m=2, step_m=5)
    assert not low.visible
    assert low.blocked_at_m == pytest.approx(90 * PIXEL_M, abs=PIXEL_M)
    high = line_of_sight(dem, cam, tgt, camera_agl_m=40, target_agl_m=40, step_m=5)
    assert high.visible and high.clearance_m > 0


def test_curvature_hides_a_low_target_far_away():
    # 10 km chord: the bulge at the middle is 25 km^2/(2 R/(1-k)) = 1.7 m with refraction
    drop = curvature_drop_m(np.array([5000.0]), 10_000.0)
    assert float(drop[0]) == pytest.approx(5000 * 5000 / (2 * 6_371_000 / 0.87), rel=1e-9)


def test_flat_long_sight_line_is_blocked_by_the_bulge(tmp_path):
    dem = Dem.open(write_dem(tmp_path / "flat.tif", np.zeros((5, 800)), pixel=30.0))
    north = ORIGIN[1] - 2.5 * PIXEL_M
    a = from_crs(UTM, ORIGIN[0] + 100, north)
    b = from_crs(UTM, ORIGIN[0] + 23_000, north)
    a, b = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
    # 23 km at 1 m eye height: the bulge (~9 m) hides it
    assert not line_of_sight(dem, a, b, camera_agl_m=1, target_agl_m=1, step_m=100).visible
    assert line_of_sight(dem, a, b, camera_agl_m=30, target_agl_m=30, step_m=100).visible


def test_dem_bad_inputs(tmp_path):
    with pytest.raises(DemError, match="no such"):
        Dem.open(tmp_path / "missing.tif")
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"not a tiff at all")
    with pytest.raises(DemError, match="junk.tif"):
        Dem.open(junk)
    nocrs = tmp_path / "nocrs.tif"
    with rasterio.open(
        nocrs,
        "w",
        driver="GTiff",
        height=4,
        width=4,
        count=1,
        dtype="float32",
        transform=Affine(1.0, 0, 10.0, 0, -1.0, 10.0),
    ) as ds:
        ds.write(np.zeros((4, 4), np.float32), 1)
    with pytest.raises(DemError, match="no coordinate system"):
        Dem.open(nocrs)
    local = (
        'LOCAL_CS["site grid",LOCAL_DATUM["x",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'
    )
    with pytest.raises(DemError, match="nocrs|local|unknown"):
        Dem.open(write_dem(tmp_path / "local.tif", np.zeros((4, 4)), crs=local))


def test_to_crs_round_trip():
    lat, lon = np.array([60.4, 60.41]), np.array([22.46, 22.47])
    back = from_crs(UTM, *to_crs(UTM, lat, lon))
    np.testing.assert_allclose(back[0], lat, atol=1e-10)
    np.testing.assert_allclose(back[1], lon, atol=1e-10)

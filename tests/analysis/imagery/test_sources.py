"""Georeferenced image readers: GeoTIFF in UTM, world files, corner tables, tile mosaics;
and what they refuse (no georeference, nonsense world files)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import rasterio
from affine import Affine

from analysis.imagery.errors import GeoreferenceError
from analysis.imagery.georef import Georef, north_up_from_corners, to_crs
from analysis.imagery.mosaic import (
    latlon_to_tile,
    mosaic_from_tiles,
    tile_range,
    tile_to_mercator,
)
from analysis.imagery.sources import open_georeferenced, open_with_corners, read_world_file

UTM = "EPSG:32634"


def test_pixel_latlon_round_trip_and_corners():
    g = north_up_from_corners((60.403962, 22.460441), (60.402409, 22.464059), 1469, 1274)
    lat, lon = g.pixel_to_latlon(np.array([-0.5, 1468.5]), np.array([-0.5, 1273.5]))
    assert lat[0] == pytest.approx(60.403962) and lon[1] == pytest.approx(22.464059)
    x, y = g.latlon_to_pixel(lat, lon)
    np.testing.assert_allclose(x, [-0.5, 1468.5], atol=1e-6)
    assert g.corners_latlon()[2] == pytest.approx((60.402409, 22.464059))
    assert g.pixel_size_m() == pytest.approx(0.136, abs=0.01)
    assert Georef.from_json(g.to_json()) == g


def test_geotiff_in_utm(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    e0, n0 = 500_123.0, 6_700_456.0
    path = tmp_path / "utm.tif"
    with rasterio.open(path, "w", driver="GTiff", width=60, height=40, count=3, dtype="uint8",
                       crs=UTM, transform=Affine(0.5, 0, e0, 0, -0.5, n0)) as ds:  # fmt: skip
        ds.write(np.moveaxis(img[:, :, ::-1], -1, 0))
    m = open_georeferenced(path)
    assert m.image.shape == (40, 60, 3) and np.array_equal(m.image, img)
    # the centre of pixel (10, 20) lies at E0 + 10.5 * 0.5, N0 - 20.5 * 0.5
    lat, lon = m.georef.pixel_to_latlon(np.array([10.0]), np.array([20.0]))
    e, n = to_crs(UTM, lat, lon)
    assert e[0] == pytest.approx(e0 + 5.25, abs=1e-6) and n[0] == pytest.approx(n0 - 10.25)


def test_world_file_and_its_nonsense(tmp_path):
    img = np.zeros((20, 30, 3), np.uint8)
    cv2.imwrite(str(tmp_path / "a.png"), img)
    (tmp_path / "a.pgw").write_text("0.0001\n0\n0\n-0.00005\n22.46005\n60.40\n")
    m = open_georeferenced(tmp_path / "a.png")
    lat, lon = m.georef.pixel_to_latlon(np.array([0.0]), np.array([0.0]))
    assert lon[0] == pytest.approx(22.46005) and lat[0] == pytest.approx(60.40)
    bad = {
        "three lines": "1\n2\n3\n",
        "words": "a\nb\nc\nd\ne\nf\n",
        "zero pixel": "0\n0\n0\n0\n22\n60\n",
        "mirrored": "0.0001\n0\n0\n0.0001\n22\n60\n",
        "metres, no prj": "0.5\n0\n0\n-0.5\n500000\n6700000\n",
        "nan": "nan\n0\n0\n-1\n0\n0\n",
    }
    for why, text in bad.items():
        (tmp_path / "a.pgw").write_text(text)
        with pytest.raises(GeoreferenceError, match="a.pgw"):
            open_georeferenced(tmp_path / "a.png")
        assert why
    # the same metres with a .prj beside the world file are fine
    (tmp_path / "a.pgw").write_text("0.5\n0\n0\n-0.5\n500000\n6700000\n")
    from pyproj import CRS

    (tmp_path / "a.prj").write_text(CRS.from_user_input(UTM).to_wkt())
    assert open_georeferenced(tmp_path / "a.png").georef.crs.startswith("PROJCRS")
    with pytest.raises(GeoreferenceError, match="off the Earth"):
        read_world_file(tmp_path / "a.pgw", 30, 20, crs="EPSG:4326")


def test_no_georeference(tmp_path, media_data):
    cv2.imwrite(str(tmp_path / "plain.png"), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(GeoreferenceError, match="plain.png: no georeference"):
        open_georeferenced(tmp_path / "plain.png")
    cv2.imwrite(str(tmp_path / "plain.tif"), np.zeros((8, 8), np.uint8))
    with pytest.raises(GeoreferenceError, match="plain.tif"):
        open_georeferenced(tmp_path / "plain.tif")
    table = tmp_path / "corners.csv"
    table.write_text("Filename,a,b,c,d\nplain.png,60.40,22.47,60.41,22.46\n")
    with pytest.raises(GeoreferenceError, match="corners.csv: plain.png"):
        open_with_corners(tmp_path / "plain.png", table)


def test_tile_arithmetic_and_mosaic():
    # OSM wiki example: zoom 0 is one tile; the Greenwich meridian at zoom 1 is x = 1
    assert latlon_to_tile(0.0, 0.0, 1) == pytest.approx((1.0, 1.0))
    assert tile_to_mercator(0, 0, 0) == pytest.approx((-20037508.342789244, 20037508.342789244))
    bbox = (60.400, 22.460, 60.404, 22.468)
    x0, y0, x1, y1 = tile_range(*bbox, 17)
    calls = []

    def read(z, x, y):
        calls.append((z, x, y))
        tile = np.zeros((256, 256, 3), np.uint8)
        tile[:, :, 0] = x % 256
        tile[:, :, 1] = y % 256
        return tile

    m = mosaic_from_tiles(bbox, 17, read)
    assert len(calls) == (x1 - x0 + 1) * (y1 - y0 + 1)
    # the pixel at the box's centre comes from the tile that contains the centre
    lat, lon = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    px, py = m.georef.latlon_to_pixel(np.array([lat]), np.array([lon]))
    tx, ty = latlon_to_tile(lat, lon, 17)
    b, g, _ = m.image[int(py[0]), int(px[0])]
    assert (b, g) == (int(tx) % 256, int(ty) % 256)
    corners = m.georef.corners_latlon()
    assert corners[0] == pytest.approx((bbox[2], bbox[1]), abs=2e-5)
    with pytest.raises(GeoreferenceError, match="no tile"):
        mosaic_from_tiles(bbox, 17, lambda z, x, y: None)

"""georef against a folder of XYZ tiles made from the real satellite tiles: the automatic
registration through the command, corners checked against the view's exact truth."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from analysis.imagery.georef import from_crs
from analysis.imagery.mosaic import TILE_PX, mosaic_from_pieces, tile_range, tile_to_mercator
from analysis.imagery.sources import open_with_corners, read_corner_table
from tests.conftest import MEDIA_DATA
from tests.synth.georef_views import ViewSpec, frame_to_mosaic, render
from workbench.cli import main

ZOOM = 18


@pytest.fixture(scope="module")
def mosaic():
    table = MEDIA_DATA / "satellite"
    csv = table / "map.csv"
    return mosaic_from_pieces([open_with_corners(table / n, csv) for n in read_corner_table(csv)])


def write_tiles(mosaic, root):
    """The mosaic resampled into the XYZ tiles of zoom ZOOM (bilinear), as PNG files."""
    (s, w), (n, e) = mosaic.georef.corners_latlon()[3], mosaic.georef.corners_latlon()[1]
    x0, y0, x1, y1 = tile_range(s, w, n, e, ZOOM)
    for ty in range(y0, y1 + 1):
        for tx in range(x0, x1 + 1):
            mx0, my0 = tile_to_mercator(tx, ty, ZOOM)
            mx1, my1 = tile_to_mercator(tx + 1, ty + 1, ZOOM)
            c = (np.arange(TILE_PX) + 0.5) / TILE_PX
            gx, gy = np.meshgrid(mx0 + c * (mx1 - mx0), my0 + c * (my1 - my0))
            lat, lon = from_crs("EPSG:3857", gx, gy)
            px, py = mosaic.georef.latlon_to_pixel(lat, lon)
            tile = cv2.remap(mosaic.image, px.astype(np.float32), py.astype(np.float32),
                             cv2.INTER_LINEAR)  # fmt: skip
            path = root / str(ZOOM) / str(tx) / f"{ty}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), tile)
    return (s, w, n, e)


@pytest.fixture(scope="module")
def tiles(mosaic, tmp_path_factory):
    root = tmp_path_factory.mktemp("xyz")
    return root, write_tiles(mosaic, root)


def test_georef_against_a_tile_folder(tmp_path, mosaic, tiles, capsys):
    folder, bbox = tiles
    spec = ViewSpec(centre_px=(650, 520), ground_px=450, out_wh=(400, 300), yaw_deg=60,
                    tilt_deg=15, gain=1.2, colour=(0.9, 1.0, 1.1), jpeg_quality=60)  # fmt: skip
    frame = tmp_path / "still.jpg"
    cv2.imwrite(str(frame), render(mosaic.image, spec, seed=4))
    code = main(["georef", str(frame), "--reference", str(folder), "--bbox",
                 ",".join(f"{v:.7f}" for v in bbox), "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["registered"], out["reason"]
    w, h = spec.out_wh
    corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    q = cv2.perspectiveTransform(corners[None], frame_to_mosaic(spec))[0]
    lat, lon = mosaic.georef.pixel_to_latlon(q[:, 0], q[:, 1])
    for c, a, o in zip(out["corners"], lat, lon, strict=True):
        err_m = np.hypot((c["lat"] - a) * 111_400, (c["lon"] - o) * 55_100)
        assert err_m < 1.5
    assert out["transform"]["kind"] == "projective" and "3857" in out["transform"]["crs"]


def test_tile_reference_needs_a_box(tmp_path, tiles, capsys):
    frame = tmp_path / "f.png"
    cv2.imwrite(str(frame), np.zeros((10, 10, 3), np.uint8))
    assert main(["georef", str(frame), "--reference", str(tiles[0])]) == 1
    assert "--bbox" in capsys.readouterr().err


def test_georef_against_the_case_basemap_and_fetch_refusals(tmp_path, mosaic, tiles, capsys):
    from workbench.case import create_case
    from workbench.tiles import BasemapConfig, save_basemap

    folder, bbox = tiles
    case = create_case(tmp_path / "b.gwcase", title="b")
    save_basemap(case, BasemapConfig(kind="folder", path=str(folder))).result()
    case.close()
    spec = ViewSpec(centre_px=(500, 600), ground_px=420, out_wh=(400, 300), yaw_deg=200,
                    tilt_deg=8)  # fmt: skip
    frame = tmp_path / "still.jpg"
    cv2.imwrite(str(frame), render(mosaic.image, spec, seed=5))
    box = ",".join(f"{v:.7f}" for v in bbox)
    code = main(["georef", str(frame), "--reference", str(tmp_path / "b.gwcase"), "--bbox", box,
                 "--zoom", str(ZOOM), "--json"])  # fmt: skip
    assert code == 0 and json.loads(capsys.readouterr().out)["registered"]
    assert main(["imagery", "fetch", str(tmp_path / "b.gwcase"), "--bbox", box, "--zoom",
                 "18"]) == 1  # fmt: skip
    assert "local" in capsys.readouterr().err
    case = create_case(tmp_path / "x.gwcase", title="x")
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    save_basemap(case, BasemapConfig(kind="xyz", url_template=url)).result()
    case.close()
    assert main(["imagery", "fetch", str(tmp_path / "x.gwcase"), "--bbox", box, "--zoom",
                 "18"]) == 1  # fmt: skip
    assert "remote tiles are off" in capsys.readouterr().err


def test_georef_against_a_utm_geotiff(tmp_path, mosaic, capsys):
    """Commercial imagery comes in UTM: the mosaic resampled onto a UTM 34N grid."""
    import rasterio
    from affine import Affine

    from analysis.imagery.georef import from_crs as crs_to_ll
    from analysis.imagery.georef import to_crs

    utm, gsd = "EPSG:32634", 0.3
    corners = mosaic.georef.corners_latlon()
    e, n = to_crs(utm, np.array([c[0] for c in corners]), np.array([c[1] for c in corners]))
    e0, n1 = e.min() + 5, n.max() - 5
    w, h = int((e.max() - e.min() - 10) / gsd), int((n.max() - n.min() - 10) / gsd)
    gx, gy = np.meshgrid(e0 + (np.arange(w) + 0.5) * gsd, n1 - (np.arange(h) + 0.5) * gsd)
    lat, lon = crs_to_ll(utm, gx, gy)
    px, py = mosaic.georef.latlon_to_pixel(lat, lon)
    img = cv2.remap(mosaic.image, px.astype(np.float32), py.astype(np.float32), cv2.INTER_LINEAR)
    path = tmp_path / "utm.tif"
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=3, dtype="uint8",
                       crs=utm, transform=Affine(gsd, 0, e0, 0, -gsd, n1)) as ds:  # fmt: skip
        ds.write(np.moveaxis(img[:, :, ::-1], -1, 0))
    spec = ViewSpec(centre_px=(640, 560), ground_px=430, out_wh=(400, 300), yaw_deg=300,
                    tilt_deg=25, jpeg_quality=50)  # fmt: skip
    frame = tmp_path / "still.jpg"
    cv2.imwrite(str(frame), render(mosaic.image, spec, seed=6))
    assert main(["georef", str(frame), "--reference", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["registered"], out["reason"]
    assert "32634" in out["transform"]["crs"] or "UTM zone 34N" in out["transform"]["crs"]
    ww, hh = spec.out_wh
    c = np.array([[-0.5, -0.5], [ww - 0.5, -0.5], [ww - 0.5, hh - 0.5], [-0.5, hh - 0.5]])
    q = cv2.perspectiveTransform(c[None], frame_to_mosaic(spec))[0]
    tlat, tlon = mosaic.georef.pixel_to_latlon(q[:, 0], q[:, 1])
    te, tn = to_crs(utm, tlat, tlon)
    ge, gn = to_crs(utm, np.array([k["lat"] for k in out["corners"]]),
                    np.array([k["lon"] for k in out["corners"]]))  # fmt: skip
    assert np.hypot(ge - te, gn - tn).max() < 1.5

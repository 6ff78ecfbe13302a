"""The report's static map: Web-Mercator tile arithmetic, tiles from the case's folder, the
grid without them."""

from __future__ import annotations

import io
import math

from PIL import Image

from workbench.report.static_map import (
    TILE_PX,
    draw_map,
    fit_zoom,
    metres_per_px,
    tile_source_for_report,
    world_px,
)
from workbench.tiles import BasemapConfig

TILE_COLOUR = (12, 200, 90)


def _layers(points):
    feats = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"name": f"p{k}", "colour": "#ff0000"}}
        for k, (lat, lon) in enumerate(points)
    ]  # fmt: skip
    return {"landmarks": {"type": "FeatureCollection", "features": feats}}


def test_tile_arithmetic_matches_the_slippy_map_scheme():
    # OSM wiki "Slippy map tilenames": London (51.5074 N, 0.1278 W) is tile 511, 340 at z 10.
    x, y = world_px(51.5074, -0.1278, 10)
    assert (int(x // TILE_PX), int(y // TILE_PX)) == (511, 340)
    assert world_px(0.0, 0.0, 0) == (128.0, 128.0)
    assert math.isclose(metres_per_px(0.0, 0), 156543.03392804097, rel_tol=1e-9)
    box = ((35.61, 36.54), (35.63, 36.56))  # about 1.8 x 2.2 km
    z = fit_zoom(box, (960, 640), 19)
    (x0, y0), (x1, y1) = world_px(35.63, 36.54, z), world_px(35.61, 36.56, z)
    assert x1 - x0 <= 864 and y1 - y0 <= 544
    (x0, y0), (x1, y1) = world_px(35.63, 36.54, z + 1), world_px(35.61, 36.56, z + 1)
    assert x1 - x0 > 864 or y1 - y0 > 544  # the largest that fits


def test_a_folder_of_tiles_is_pasted_under_the_layers(tmp_path):
    points = [(35.62, 36.55), (35.625, 36.556)]
    box = ((35.62, 36.55), (35.625, 36.556))
    z = fit_zoom(box, (960, 640), 19)
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_COLOUR).save(buf, format="PNG")
    n = 2**z
    cx, cy = world_px(35.6225, 36.553, z)
    for tx in range(int(cx // 256) - 3, int(cx // 256) + 4):
        for ty in range(int(cy // 256) - 3, int(cy // 256) + 4):
            folder = tmp_path / "tiles" / str(z) / str(tx % n)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{ty}.png").write_bytes(buf.getvalue())
    config = BasemapConfig(kind="folder", path="tiles")
    tiles = tile_source_for_report(config, tmp_path)
    drawn = draw_map(_layers(points), bounds=box, tiles=tiles, basemap_kind="folder")
    image = Image.open(io.BytesIO(drawn.png)).convert("RGB")
    assert drawn.basemap == "folder" and drawn.tiles_used > 0 and drawn.zoom == z
    assert image.getpixel((480, 20)) == TILE_COLOUR  # tile where nothing is drawn
    x, y = world_px(35.62, 36.55, z)
    px = (round(x - (cx - 480)), round(y - (cy - 320)))
    assert image.getpixel(px) == (255, 0, 0)  # the point, where the arithmetic puts it


def test_without_tiles_the_grid_is_drawn_and_nothing_is_fetched(tmp_path):
    xyz = BasemapConfig(kind="xyz", url_template="https://tiles.example/{z}/{x}/{y}.png",
                        remote_enabled=True)  # fmt: skip
    assert tile_source_for_report(xyz, tmp_path) is None  # no cache on disk: no download
    assert tile_source_for_report(BasemapConfig(), tmp_path) is None
    box = ((35.62, 36.55), (35.625, 36.556))
    drawn = draw_map(_layers([(35.62, 36.55)]), bounds=box, tiles=None, basemap_kind="none")
    assert drawn.basemap == "grid" and drawn.tiles_used == 0
    again = draw_map(_layers([(35.62, 36.55)]), bounds=box, tiles=None, basemap_kind="none")
    assert again.png == drawn.png  # the same bytes each time

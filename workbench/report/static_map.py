"""A static map image drawn in the core: the case's basemap tiles (or the grid) under its
layers, for the report and its PDF.

Web-Mercator tile arithmetic follows the XYZ ("slippy map") scheme of OpenStreetMap (EPSG:3857,
256-px tiles, y = 0 at the north edge, 2**z tiles a side at zoom z; OSM wiki, "Slippy map
tilenames"; the arithmetic is ``analysis.imagery.mosaic``'s). Tiles come from the case's
own basemap (a local MBTiles file or folder, or the tile cache of an XYZ basemap); nothing
is ever downloaded for a report. Without tiles the map is drawn on a graticule, as the app's
offline grid. The shapes are the layers the app's map draws (``workbench.geolayers``), so
both show the same geometry.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from analysis.imagery.mosaic import TILE_PX, latlon_to_tile
from workbench.report.map_labels import draw_label, label_bbox
from workbench.tiles import CACHE_NAME, BasemapConfig, MBTilesSource, TileSource, open_tile_source

EARTH_CIRCUMFERENCE_M = 40075016.68557849
SIZE_PX = (960, 640)
MARGIN_PX = 48
BACKGROUND = (246, 244, 238)
GRID = (200, 200, 200)
INK = (40, 40, 40)
MAX_TILES = 64
MAX_FILLED = 40  # polygons of one layer drawn filled; beyond, outlines


@dataclass(frozen=True)
class StaticMap:
    """The drawn map and how it was drawn (for its provenance line)."""

    png: bytes
    zoom: int
    centre: tuple[float, float]  # lat, lon
    basemap: str  # "grid" or the tile source's kind
    tiles_used: int


def world_px(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Global Web-Mercator pixel of a point at zoom ``z`` (256 px tiles)."""
    x, y = latlon_to_tile(lat, lon, z)
    return x * TILE_PX, y * TILE_PX


def metres_per_px(lat: float, z: int) -> float:
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / (TILE_PX * 2.0**z)


def fit_zoom(bounds: tuple[tuple[float, float], ...], size: tuple[int, int], max_zoom: int) -> int:
    """The largest zoom at which ``bounds`` ((south, west), (north, east)) fits ``size``."""
    (s, w), (n, e) = bounds
    room_w, room_h = size[0] - 2 * MARGIN_PX, size[1] - 2 * MARGIN_PX
    for z in range(max_zoom, -1, -1):
        x0, y0 = world_px(n, w, z)
        x1, y1 = world_px(s, e, z)
        if x1 - x0 <= room_w and y1 - y0 <= room_h:
            return z
    return 0


def tile_source_for_report(config: BasemapConfig, case_dir: Path) -> TileSource | None:
    """The basemap's tiles that are on disk; None for the grid. Never a downloader."""
    if config.kind == "none":
        return None
    if config.kind == "xyz":
        cache = Path(case_dir) / "derived" / CACHE_NAME
        return MBTilesSource(cache) if cache.is_file() else None
    return open_tile_source(config, case_dir)


class _Canvas:
    def __init__(self, centre: tuple[float, float], z: int, size: tuple[int, int]) -> None:
        self.z, self.size = z, size
        cx, cy = world_px(centre[0], centre[1], z)
        self.ox, self.oy = cx - size[0] / 2.0, cy - size[1] / 2.0
        self.image = Image.new("RGB", size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self.font = ImageFont.load_default()
        self.labels: list[tuple[float, float, float, float]] = []

    def label(self, x: float, y: float, words: str) -> None:
        """Write a label unless it would overlap one already written (the table lists all);
        Arabic in the bundled Arabic font, shaped right to left (``map_labels``)."""
        box = label_bbox((x, y), words)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in self.labels):  # fmt: skip
            return
        self.labels.append(box)
        draw_label(self.draw, (x, y), words, INK)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = world_px(lat, lon, self.z)
        return x - self.ox, y - self.oy


def draw_map(
    layers: dict[str, dict[str, Any]],
    *,
    bounds: tuple[tuple[float, float], ...],
    tiles: TileSource | None,
    basemap_kind: str,
    max_zoom: int = 19,
    size: tuple[int, int] = SIZE_PX,
) -> StaticMap:
    """Draw ``layers`` (GeoJSON FeatureCollections by layer id) fitted to ``bounds``."""
    (s, w), (n, e) = bounds
    if n - s < 1e-5:
        s, n = s - 2e-4, n + 2e-4
    if e - w < 1e-5:
        w, e = w - 2e-4, e + 2e-4
    z = fit_zoom(((s, w), (n, e)), size, max_zoom)
    centre = ((s + n) / 2.0, (w + e) / 2.0)
    canvas = _Canvas(centre, z, size)
    used = _paste_tiles(canvas, tiles) if tiles is not None else 0
    if used == 0:
        _graticule(canvas)
    for layer, fc in layers.items():
        # Many overlapping filled polygons are mud (and slow to blend): outlines only then.
        filled = sum(f["geometry"]["type"] == "Polygon" for f in fc["features"]) <= MAX_FILLED
        for feature in fc["features"]:
            _feature(canvas, layer, feature, filled)
    _scale_bar(canvas, centre[0])
    kind = basemap_kind if used else "grid"
    note = "north up · Web Mercator · " + (
        f"{basemap_kind} tiles, zoom {z}" if used else "grid (no tiles)"
    )
    canvas.draw.text((8, size[1] - 16), note, fill=INK, font=canvas.font)
    buf = io.BytesIO()
    canvas.image.save(buf, format="PNG")
    return StaticMap(buf.getvalue(), z, centre, kind, used)


def _paste_tiles(canvas: _Canvas, tiles: TileSource) -> int:
    w, h = canvas.size
    tx0, ty0 = int(canvas.ox // TILE_PX), int(canvas.oy // TILE_PX)
    tx1, ty1 = int((canvas.ox + w) // TILE_PX), int((canvas.oy + h) // TILE_PX)
    n = 2**canvas.z
    used = 0
    for ty in range(max(0, ty0), min(n - 1, ty1) + 1):
        for tx in range(tx0, tx1 + 1):
            if used >= MAX_TILES:
                return used
            data = tiles.get_tile(canvas.z, tx % n, ty)
            if not data:
                continue
            try:
                with Image.open(io.BytesIO(data)) as tile:
                    piece = tile.convert("RGB")
            except OSError:
                continue  # an unreadable tile leaves the background
            canvas.image.paste(
                piece, (round(tx * TILE_PX - canvas.ox), round(ty * TILE_PX - canvas.oy))
            )
            used += 1
    return used


def _nice_step(span: float) -> float:
    raw = span / 6.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _graticule(canvas: _Canvas) -> None:
    w, h = canvas.size
    (lon0, lat0), (lon1, lat1) = _lonlat(canvas, 0, h), _lonlat(canvas, w, 0)
    for lo, hi, vertical in ((lon0, lon1, True), (lat0, lat1, False)):
        step = _nice_step(hi - lo)
        v = math.ceil(lo / step) * step
        while v <= hi:
            if vertical:
                x, _ = canvas.xy(v, lat0)
                canvas.draw.line([(x, 0), (x, h)], fill=GRID)
                canvas.draw.text((x + 2, 2), f"{v:.4f}°E", fill=INK, font=canvas.font)
            else:
                _, y = canvas.xy(lon0, v)
                canvas.draw.line([(0, y), (w, y)], fill=GRID)
                canvas.draw.text((2, y + 2), f"{v:.4f}°N", fill=INK, font=canvas.font)
            v += step


def _lonlat(canvas: _Canvas, x: float, y: float) -> tuple[float, float]:
    scale = TILE_PX * 2.0**canvas.z
    gx, gy = x + canvas.ox, y + canvas.oy
    lon = gx / scale * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * gy / scale))))
    return lon, lat


def _rgb(colour: str | None) -> tuple[int, int, int]:
    c = (colour or "#333333").lstrip("#")
    try:
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except ValueError:
        return 51, 51, 51


def _feature(canvas: _Canvas, layer: str, feature: dict[str, Any], filled: bool) -> None:
    geom, props = feature["geometry"], feature["properties"]
    colour = _rgb(props.get("colour"))
    kind = geom["type"]
    if kind == "LineString":
        pts = [canvas.xy(c[0], c[1]) for c in geom["coordinates"]]
        canvas.draw.line(pts, fill=colour, width=2)
    elif kind == "Polygon":
        for ring in geom["coordinates"]:
            pts = [canvas.xy(c[0], c[1]) for c in ring]
            alpha = 40 if layer == "wedges" else 90
            fill = (*colour, alpha) if filled else None
            canvas.draw.polygon(pts, fill=fill, outline=colour)
    elif kind == "Point":
        lon, lat = geom["coordinates"][:2]
        x, y = canvas.xy(lon, lat)
        radius_m = props.get("radius_m")
        if radius_m:
            r = radius_m / metres_per_px(lat, canvas.z)
            canvas.draw.ellipse([x - r, y - r, x + r, y + r], outline=colour, width=2)
            return
        r = 5 if layer in ("cameras", "landmarks", "targets", "hypotheses") else 3
        canvas.draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=INK)
        label = str(props.get("name") or "")[:40]
        if label and layer != "evidence":
            canvas.label(x + 7, y - 6, label)


def _scale_bar(canvas: _Canvas, lat: float) -> None:
    w, h = canvas.size
    m_px = metres_per_px(lat, canvas.z)
    target = m_px * w / 5.0
    power = 10 ** math.floor(math.log10(target))
    metres = max(m * power for m in (1, 2, 5) if m * power <= target)
    length = metres / m_px
    x0, y0 = w - 16 - length, h - 24
    canvas.draw.rectangle([x0, y0, x0 + length, y0 + 5], fill=INK)
    label = f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.0f} km"
    canvas.draw.text((x0, y0 - 14), label, fill=INK, font=canvas.font)
    canvas.draw.text((w - 20, 8), "N", fill=INK, font=canvas.font)
    canvas.draw.line([(w - 17, 34), (w - 17, 22)], fill=INK, width=2)

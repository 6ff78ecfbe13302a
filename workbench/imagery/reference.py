"""What ``--reference`` names, opened: a mosaic to register against, or control points.

A reference is a georeferenced image (GeoTIFF, or an image with a world file), a corners
table (CSV as ``../shared/data/satellite/map.csv``: its images, mosaicked), an MBTiles file or
a folder of XYZ tiles, or a case folder (its basemap: a mosaic of ``--bbox`` at ``--zoom``,
read through workbench.tiles), or a QGIS ``.points`` file (control points for the image).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from analysis.imagery.errors import GeoreferenceError
from analysis.imagery.mosaic import Mosaic, mosaic_from_pieces, mosaic_from_tiles
from analysis.imagery.points_file import read_points
from analysis.imagery.register_fit import Gcp
from analysis.imagery.sources import open_georeferenced, open_with_corners, read_corner_table
from analysis.jobs import CancelToken, ProgressFn
from workbench.tiles import FolderSource, MBTilesSource, TileError, TileSource

BBox = tuple[float, float, float, float]


def decode_tile(data: bytes | None) -> np.ndarray | None:
    if data is None:
        return None
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return img


def tile_mosaic(
    source: TileSource, bbox: BBox, zoom: int, *, progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Mosaic:  # fmt: skip
    """The mosaic of ``bbox`` at ``zoom`` from any basemap source (local or cached remote)."""
    return mosaic_from_tiles(
        bbox, zoom, lambda z, x, y: decode_tile(source.get_tile(z, x, y)),
        progress=progress, cancel=cancel,
    )  # fmt: skip


def case_basemap(case_path: Path) -> TileSource:
    """The tile source of a case's basemap (its XYZ cache downloads only when remote tiles
    are on for the case)."""
    from workbench.case import open_case
    from workbench.tiles import load_basemap, open_tile_source

    with open_case(case_path, read_only=True) as case:
        config = load_basemap(case.read())
    if not config.makes_requests:
        raise GeoreferenceError(f"{case_path}: the case's basemap is the offline grid (no tiles)")
    return open_tile_source(config, case_path)


def _max_zoom(source: MBTilesSource | FolderSource) -> int:
    if isinstance(source, FolderSource):
        zooms = [int(p.name) for p in source.root.iterdir() if p.is_dir() and p.name.isdigit()]
    else:
        rows = source._conn.execute("SELECT DISTINCT zoom_level FROM tiles").fetchall()
        zooms = [int(r[0]) for r in rows]
    if not zooms:
        raise GeoreferenceError(f"{getattr(source, 'path', getattr(source, 'root', ''))}: no tiles")
    return max(zooms)


def open_reference(
    path: Path, *, bbox: BBox | None = None, zoom: int | None = None, crs: str | None = None,
    progress: ProgressFn | None = None, cancel: CancelToken | None = None,
) -> Mosaic | list[Gcp]:  # fmt: skip
    """Open ``path`` as a reference (see the module's docstring).

    Raises:
        GeoreferenceError: no georeference, a nonsense one, no tiles, a box outside it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".points":
        return read_points(path)
    if path.is_dir() and (path / "case.sqlite").is_file():
        if bbox is None:
            raise GeoreferenceError(f"{path}: the case's basemap needs --bbox S,W,N,E")
        return tile_mosaic(case_basemap(path), bbox, zoom or 18, progress=progress,
                           cancel=cancel)  # fmt: skip
    if path.is_dir() or suffix == ".mbtiles":
        try:
            source = FolderSource(path) if path.is_dir() else MBTilesSource(path)
        except TileError as exc:
            raise GeoreferenceError(str(exc)) from exc
        if bbox is None:
            raise GeoreferenceError(f"{path}: a tile reference needs --bbox S,W,N,E")
        return tile_mosaic(source, bbox, zoom or _max_zoom(source), progress=progress,
                           cancel=cancel)  # fmt: skip
    if suffix == ".csv":
        table = read_corner_table(path)
        pieces = [open_with_corners(path.parent / name, path) for name in table]
        mosaic = mosaic_from_pieces(pieces)
    else:
        mosaic = open_georeferenced(path, crs=crs)
    return mosaic.crop_bbox(*bbox) if bbox is not None else mosaic

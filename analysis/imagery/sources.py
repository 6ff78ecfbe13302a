"""Reading georeferenced images: GeoTIFF in any CRS, an image with a world file, typed corners.

- GeoTIFF: rasterio (GDAL) gives the pixels, the geotransform and the CRS (UTM, national grids,
  anything pyproj knows).
- World file (ESRI): six lines A, D, B, E, C, F with ``X = A*col + B*row + C`` where (C, F) is
  the CENTRE of the top-left pixel. The suffix is the image's with a "w" (``.pgw``, ``.jgw``,
  ``.tfw``) or ``.wld``. A world file has no CRS: a ``.prj`` beside it gives one, or the caller
  does; values within longitude/latitude ranges are read as WGS84 degrees.
- Corners typed by the analyst: a CSV as ``../shared/data/satellite/map.csv`` (file name,
  top-left lat, lon, bottom-right lat, lon), north-up.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np

from analysis.errors import MediaError
from analysis.imagery.errors import GeoreferenceError
from analysis.imagery.georef import WGS84, Georef, check_crs, north_up_from_corners
from analysis.imagery.mosaic import Mosaic
from analysis.matching.io import read_image

GEOTIFF_SUFFIXES = (".tif", ".tiff")
WORLD_SUFFIXES = {".png": ".pgw", ".jpg": ".jgw", ".jpeg": ".jgw", ".tif": ".tfw", ".tiff": ".tfw"}


def world_file_for(image: Path) -> Path | None:
    """The world file beside ``image`` (``.pgw``/``.jgw``/``.tfw``, ``.xxxw`` or ``.wld``)."""
    suffix = image.suffix.lower()
    names = [WORLD_SUFFIXES.get(suffix, ""), suffix + "w", ".wld"]
    for name in filter(None, names):
        for cand in (image.with_suffix(name), image.with_suffix(name.upper())):
            if cand.is_file():
                return cand
    return None


def read_world_file(path: Path, width: int, height: int, crs: str | None = None) -> Georef:
    """The georeference of a ``width`` x ``height`` image from its world file.

    Raises:
        GeoreferenceError: not six numbers, zero or non-finite pixel size, a mirrored or
            collapsed grid, or coordinates that fit no CRS given or guessed.
    """
    try:
        lines = [ln.strip() for ln in Path(path).read_text(errors="replace").splitlines()]
    except OSError as exc:
        raise GeoreferenceError(f"{path}: cannot read the world file ({exc})") from exc
    lines = [ln for ln in lines if ln]
    try:
        vals = [float(v) for v in lines]
    except ValueError:
        raise GeoreferenceError(f"{path}: a world file holds six numbers, one a line") from None
    if len(vals) != 6 or not all(math.isfinite(v) for v in vals):
        raise GeoreferenceError(f"{path}: a world file holds six finite numbers, not {lines[:8]}")
    a, d, b, e, c, f = vals
    if abs(a * e - b * d) < 1e-30:
        raise GeoreferenceError(f"{path}: the pixel size is zero (a collapsed grid)")
    if a * e - b * d > 0:
        raise GeoreferenceError(
            f"{path}: the grid is mirrored (y grows northward with rows); rows must go south"
        )
    gt = (c - 0.5 * a - 0.5 * b, a, b, f - 0.5 * d - 0.5 * e, d, e)
    crs = crs or _prj_crs(path) or _guess_degrees(path, gt, width, height)
    georef = Georef(check_crs(crs, str(path)), gt, width, height)
    _check_on_earth(georef, path)
    return georef


def _prj_crs(world: Path) -> str | None:
    for prj in (world.with_suffix(".prj"), world.with_suffix(".PRJ")):
        if prj.is_file():
            return prj.read_text(errors="replace").strip() or None
    return None


def _guess_degrees(path: Path, gt: tuple, width: int, height: int) -> str:
    probe = Georef("EPSG:4326", gt, width, height)
    xs, ys = probe.pixel_to_crs(np.array([-0.5, width - 0.5]), np.array([-0.5, height - 0.5]))
    if np.all(np.abs(xs) <= 180) and np.all(np.abs(ys) <= 90) and abs(gt[1]) < 1:
        return WGS84
    raise GeoreferenceError(
        f"{path}: the world file's coordinates are not degrees and no .prj gives their "
        "coordinate system; give it (for example --crs EPSG:32634)"
    )


def _check_on_earth(georef: Georef, path: Path) -> None:
    lat, lon = georef.pixel_to_latlon(
        np.array([-0.5, georef.width - 0.5]), np.array([-0.5, georef.height - 0.5])
    )
    ok = np.all(np.isfinite(lat)) and np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 360)
    if not ok:
        raise GeoreferenceError(f"{path}: the georeference puts the image off the Earth")


def read_corner_table(path: Path) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """``{file name: ((top-left lat, lon), (bottom-right lat, lon))}`` from a corners CSV."""
    out = {}
    try:
        with Path(path).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh, skipinitialspace=True))
    except (OSError, UnicodeDecodeError) as exc:
        raise GeoreferenceError(f"{path}: cannot read the corner table ({exc})") from exc
    for n, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip():
            continue
        try:
            name, tl_lat, tl_lon, br_lat, br_lon = row[0].strip(), *map(float, row[1:5])
        except (ValueError, TypeError):
            raise GeoreferenceError(
                f"{path}, line {n}: expected name, top-left lat, lon, bottom-right lat, lon"
            ) from None
        out[name] = ((tl_lat, tl_lon), (br_lat, br_lon))
    if not out:
        raise GeoreferenceError(f"{path}: the corner table lists no image")
    return out


def open_with_corners(image_path: Path, corners_csv: Path) -> Mosaic:
    """An image georeferenced by its row in a corners CSV."""
    table = read_corner_table(corners_csv)
    key = Path(image_path).name
    if key not in table:
        raise GeoreferenceError(f"{corners_csv}: no row for {key}")
    image = _read_pixels(Path(image_path))
    tl, br = table[key]
    try:
        georef = north_up_from_corners(tl, br, image.shape[1], image.shape[0])
    except GeoreferenceError as exc:
        raise GeoreferenceError(f"{corners_csv}: {key}: {exc}") from exc
    return Mosaic(image, georef)


def open_georeferenced(path: Path | str, *, crs: str | None = None) -> Mosaic:
    """A georeferenced image: GeoTIFF, or any image with a world file beside it.

    Raises:
        GeoreferenceError: the file carries no georeference or a nonsense one.
        MediaError: the pixels cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise GeoreferenceError(f"{path}: no such file")
    world = world_file_for(path)
    if path.suffix.lower() in GEOTIFF_SUFFIXES and world is None:
        return _open_geotiff(path)
    if world is None:
        raise GeoreferenceError(
            f"{path}: no georeference (not a GeoTIFF and no world file "
            f"{path.with_suffix(WORLD_SUFFIXES.get(path.suffix.lower(), '.wld')).name} beside it)"
        )
    image = _read_pixels(path)
    return Mosaic(image, read_world_file(world, image.shape[1], image.shape[0], crs))


def _read_pixels(path: Path) -> np.ndarray:
    try:
        return read_image(path)
    except MediaError as exc:
        raise GeoreferenceError(str(exc)) from exc


def _open_geotiff(path: Path) -> Mosaic:
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)  # refused below, by name
            ds = rasterio.open(path)
        with ds:
            crs, t, count = ds.crs, ds.transform, ds.count
            data = ds.read(indexes=list(range(1, min(count, 3) + 1)))
    except RasterioError as exc:
        raise GeoreferenceError(f"{path}: not a readable GeoTIFF ({exc})") from exc
    if crs is None or t.is_identity:
        raise GeoreferenceError(f"{path}: the TIFF carries no georeference (no CRS or transform)")
    img = _to_u8(np.moveaxis(data, 0, -1))
    img = img[:, :, ::-1].copy() if img.shape[2] == 3 else img[:, :, 0].copy()
    gt = (t.c, t.a, t.b, t.f, t.d, t.e)
    georef = Georef(check_crs(crs.to_wkt(), str(path)), gt, img.shape[1], img.shape[0])
    _check_on_earth(georef, path)
    return Mosaic(img, georef)


def _to_u8(data: np.ndarray) -> np.ndarray:
    if data.dtype == np.uint8:
        return data
    finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data.ravel()
    lo, hi = np.percentile(finite, [0.5, 99.5]) if finite.size else (0.0, 1.0)
    scaled = (data.astype(np.float64) - lo) / max(hi - lo, 1e-9) * 255
    return np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)

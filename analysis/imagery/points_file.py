"""QGIS georeferencer ``.points`` files: read and write control points.

Format (QGIS 3): an optional first line ``#CRS: <WKT>``, then the header
``mapX,mapY,sourceX,sourceY,enable,dX,dY,residual`` and one row a point. ``mapX, mapY`` are in
that CRS (lon, lat when it is geographic: QGIS writes x first); ``sourceX, sourceY`` are image
coordinates counted from the top-left pixel's outer corner with y negative downward, so pixel
(x, y) of this project is (x + 0.5, -(y + 0.5)). Without a ``#CRS`` line, WGS84 is assumed
when the values fit longitude and latitude, else the file is refused.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from analysis.imagery.errors import GeoreferenceError
from analysis.imagery.georef import WGS84, check_crs, from_crs, to_crs
from analysis.imagery.register_fit import Gcp, GcpFit

HEADER = ["mapX", "mapY", "sourceX", "sourceY", "enable", "dX", "dY", "residual"]


def read_points(path: Path | str) -> list[Gcp]:
    """The control points of a QGIS ``.points`` file (disabled ones kept, ``enabled=False``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeoreferenceError(f"{path}: cannot read the points file ({exc})") from exc
    lines = text.splitlines()
    crs = None
    if lines and lines[0].startswith("#CRS:"):
        crs = check_crs(lines[0][5:].strip(), str(path)) if lines[0][5:].strip() else None
        lines = lines[1:]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    if not rows or not {"mapX", "mapY", "sourceX", "sourceY"} <= set(rows[0]):
        raise GeoreferenceError(f"{path}: not a QGIS .points file (no mapX,mapY,sourceX,sourceY)")
    try:
        vals = np.array([[float(r["mapX"]), float(r["mapY"]), float(r["sourceX"]),
                          float(r["sourceY"])] for r in rows])  # fmt: skip
    except (TypeError, ValueError):
        raise GeoreferenceError(f"{path}: a row holds something that is not a number") from None
    if not np.all(np.isfinite(vals)):
        raise GeoreferenceError(f"{path}: a row holds a non-finite number")
    if crs is None:
        if not (np.all(np.abs(vals[:, 0]) <= 180) and np.all(np.abs(vals[:, 1]) <= 90)):
            raise GeoreferenceError(f"{path}: no #CRS line and the map coordinates are not degrees")
        crs = WGS84
    lat, lon = from_crs(crs, vals[:, 0], vals[:, 1])
    enabled = [str(r.get("enable", "1")).strip() not in ("0", "false", "False") for r in rows]
    return [
        Gcp(x=v[2] - 0.5, y=-v[3] - 0.5, lat=float(a), lon=float(o), enabled=e, name=f"P{i + 1}")
        for i, (v, a, o, e) in enumerate(zip(vals, lat, lon, enabled, strict=True))
    ]


def format_points(gcps: list[Gcp], fit: GcpFit | None = None, crs: str = WGS84) -> str:
    """The text of a ``.points`` file (residuals from ``fit`` for the enabled points)."""
    from pyproj import CRS

    out = io.StringIO()
    out.write(f"#CRS: {CRS.from_user_input(crs).to_wkt()}\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    res = iter(fit.residual_en_m if fit is not None else [])
    for g in gcps:
        x, y = to_crs(crs, np.array([g.lat]), np.array([g.lon]))
        dx, dy = next(res, (0.0, 0.0)) if g.enabled else (0.0, 0.0)
        r = float(np.hypot(dx, dy))
        sx, sy = float(g.x) + 0.5, -(float(g.y) + 0.5)
        w.writerow([repr(float(x[0])), repr(float(y[0])), repr(sx), repr(sy),
                    int(g.enabled), f"{dx:.6f}", f"{dy:.6f}", f"{r:.6f}"])  # fmt: skip
    return out.getvalue()


def write_points(path: Path | str, gcps: list[Gcp], fit: GcpFit | None = None,
                 crs: str = WGS84) -> Path:  # fmt: skip
    """Write a ``.points`` file through a temporary file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(format_points(gcps, fit, crs), encoding="utf-8")
    tmp.replace(path)
    return path

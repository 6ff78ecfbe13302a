"""Place from shadows: where on the Earth does a measured shadow occur at a known time?

Each shadow gives the sun's apparent elevation (from the shadow length / height ratio on level
ground) and optionally its azimuth, each with a one-sigma error, at a known UTC instant. A place
fits when chi2 = sum ((measured - SPA at the place) / sigma)^2 <= the 95% quantile of chi2 with
k degrees of freedom, k the number of measured values: the inversion of the test at each place,
so the region holds the true place in 95% of trials by construction
(``tests/analysis/test_sun_calibration.py`` measures it). Two or more shadows, at one time or
at different times, add their terms. An elevation alone gives a ring around the sub-solar
point whose width is the elevation's uncertainty (1 deg of elevation = 111 km); an azimuth cuts
it to an arc.

The region is found on a 0.5 deg global grid, then traced on a finer grid around it (0.1 deg
for an arc, coarser for a ring spanning the globe: at most 400,000 cells) and returned as a
GeoJSON MultiPolygon (RFC 7946: split at the antimeridian, lon/lat order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analysis.sun.errors import SunBelowHorizonError, SunInputError
from analysis.sun.spa import angle_diff_deg, posix_seconds, sun_positions

CHI2_95 = (3.841, 5.991, 7.815, 9.488, 11.070, 12.592, 14.067, 15.507, 16.919, 18.307)
KM_PER_DEG = 111.195
COARSE_DEG = 0.5
FINE_DEG = 0.1
MAX_CELLS = 400_000


@dataclass(frozen=True)
class PlaceShadow:
    """One shadow measured at a known instant.

    Attributes:
        when_utc: Aware datetime of the picture.
        elevation_deg: Sun's apparent elevation (from the length ratio), or None.
        elevation_sigma_deg: One sigma of the elevation.
        azimuth_deg: Sun's azimuth (the shadow's plus 180), or None.
        azimuth_sigma_deg: One sigma of the azimuth.
    """

    when_utc: datetime
    elevation_deg: float | None
    elevation_sigma_deg: float = 1.0
    azimuth_deg: float | None = None
    azimuth_sigma_deg: float = 1.0

    def count(self) -> int:
        return (self.elevation_deg is not None) + (self.azimuth_deg is not None)


@dataclass(frozen=True)
class PlaceBand:
    """The 95% region where the shadows occur.

    Attributes:
        geojson: A FeatureCollection with one MultiPolygon feature (the region).
        cell_deg: Grid step the outline was traced on.
        half_width_km: Half the width across the ring implied by the elevations alone.
        lat_range_deg: Southern and northern limits.
        area_fraction: Fraction of the Earth's surface inside.
    """

    geojson: dict
    cell_deg: float
    half_width_km: float | None
    lat_range_deg: tuple[float, float]
    area_fraction: float


def _validate(shadows: list[PlaceShadow]) -> None:
    if not shadows:
        raise SunInputError("give at least one shadow")
    for s in shadows:
        posix_seconds(s.when_utc)
        if s.count() == 0:
            raise SunInputError("a shadow needs its length ratio (elevation) or its direction")
        if s.elevation_deg is not None and not s.elevation_deg > 0:
            raise SunBelowHorizonError(
                f"a shadow with the sun at {s.elevation_deg} deg: the sun must be above the "
                "horizon to cast one"
            )
        if min(s.elevation_sigma_deg, s.azimuth_sigma_deg) <= 0:
            raise SunInputError("a sigma must be above 0 degrees")
    if sum(s.count() for s in shadows) > len(CHI2_95):
        raise SunInputError(f"at most {len(CHI2_95)} measured values at once")


def chi2_at(shadows: list[PlaceShadow], lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Misfit of the shadows at places (inf where the sun is down at a shadow's instant)."""
    total = np.zeros(np.broadcast(lat, lon).shape)
    for s in shadows:
        pos = sun_positions(posix_seconds(s.when_utc), lat, lon)
        el = pos.apparent_elevation_deg
        if s.elevation_deg is not None:
            total = total + ((el - s.elevation_deg) / s.elevation_sigma_deg) ** 2
        if s.azimuth_deg is not None:
            total = (
                total + (angle_diff_deg(pos.azimuth_deg, s.azimuth_deg) / s.azimuth_sigma_deg) ** 2
            )
        total = np.where(el > 0, total, np.inf)
    return total


def threshold(shadows: list[PlaceShadow]) -> float:
    return CHI2_95[sum(s.count() for s in shadows) - 1]


def accepts(shadows: list[PlaceShadow], lat_deg: float, lon_deg: float) -> bool:
    """Whether a place lies inside the 95% region (no grid involved)."""
    _validate(shadows)
    value = chi2_at(shadows, np.asarray(lat_deg, float), np.asarray(lon_deg, float))
    return bool(value <= threshold(shadows))


def _grid(lat0: float, lat1: float, lon0: float, lon1: float, step: float):
    lats = np.arange(lat0 + step / 2, lat1, step)
    lons = np.arange(lon0 + step / 2, lon1, step)
    return lats, lons


def place_from_shadows(shadows: list[PlaceShadow]) -> PlaceBand:
    """The 95% region of the Earth where the shadows occur.

    Raises:
        SunInputError: On no shadows, a time without zone or bad sigmas.
        SunBelowHorizonError: If a shadow claims a sun below the horizon.
        SunInputError: If no place on Earth fits (the shadows contradict one another).
    """
    _validate(shadows)
    limit = threshold(shadows)
    lats, lons = _grid(-90, 90, -180, 180, COARSE_DEG)
    coarse = chi2_at(shadows, lats[:, None], lons[None, :]) <= limit * 1.5 + 2
    if not coarse.any():
        raise SunInputError("no place on Earth fits these shadows: check the times and values")
    rows = np.nonzero(coarse.any(axis=1))[0]
    cols = np.nonzero(coarse.any(axis=0))[0]
    lat0, lat1 = np.floor(max(-90.0, lats[rows[0]] - 1)), np.ceil(min(90.0, lats[rows[-1]] + 1))
    lon0, lon1 = np.floor(max(-180.0, lons[cols[0]] - 1)), np.ceil(min(180.0, lons[cols[-1]] + 1))
    # A fine step that keeps the grid near MAX_CELLS: 0.1 deg for an arc, coarser for a ring.
    step = max(FINE_DEG, float(np.sqrt((lat1 - lat0) * (lon1 - lon0) / MAX_CELLS)))
    step = float(np.ceil(step * 20) / 20)
    flat, flon = _grid(lat0, lat1, lon0, lon1, step)
    mask = chi2_at(shadows, flat[:, None], flon[None, :]) <= limit
    if not mask.any():
        raise SunInputError("no place on Earth fits these shadows: check the times and values")
    polygons = trace_polygons(mask, flat, flon, step)
    cell_area = np.cos(np.radians(flat))[:, None] * np.radians(step) ** 2
    area_fraction = float(np.sum(cell_area * mask) / (4 * np.pi))
    inside_rows = flat[mask.any(axis=1)]
    elev_sigmas = [s.elevation_sigma_deg for s in shadows if s.elevation_deg is not None]
    half = 1.96 * min(elev_sigmas) * KM_PER_DEG if elev_sigmas else None
    feature = {
        "type": "Feature",
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        "properties": {
            "kind": "shadow place band",
            "confidence": 0.95,
            "cell_deg": step,
            "shadows": len(shadows),
        },
    }
    return PlaceBand(
        geojson={"type": "FeatureCollection", "features": [feature]},
        cell_deg=step,
        half_width_km=half,
        lat_range_deg=(float(inside_rows[0] - step / 2), float(inside_rows[-1] + step / 2)),
        area_fraction=area_fraction,
    )


def _row_runs(row: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1, strict=True))


def trace_polygons(
    mask: np.ndarray, lats: np.ndarray, lons: np.ndarray, step: float
) -> list[list[list[list[float]]]]:
    """Outline accepted grid cells as polygons by chaining row runs that overlap.

    Each polygon is a west edge going north and an east edge coming back south; a run that
    meets none (or more than one) run of the row below starts a new polygon. Rings are closed
    and counter-clockwise (RFC 7946).
    """
    active: list[dict] = []
    done: list[dict] = []
    for i, lat in enumerate(lats):
        south, north = float(lat - step / 2), float(lat + step / 2)
        runs = _row_runs(mask[i])
        nxt: list[dict] = []
        used: set[int] = set()
        for j0, j1 in runs:
            west = float(lons[j0] - step / 2)
            east = float(lons[j1] + step / 2)
            touching = [k for k, c in enumerate(active) if c["j0"] <= j1 and j0 <= c["j1"]]
            if len(touching) == 1 and touching[0] not in used:
                chain = active[touching[0]]
                used.add(touching[0])
            else:
                chain = {"west": [], "east": []}
            chain["west"] += [[west, south], [west, north]]
            chain["east"] += [[east, south], [east, north]]
            chain["j0"], chain["j1"] = j0, j1
            nxt.append(chain)
        done += [c for k, c in enumerate(active) if k not in used]
        active = nxt
    done += active
    polygons = []
    for c in done:
        ring = c["east"] + c["west"][::-1]
        ring = [[round(x, 6), round(y, 6)] for x, y in ring]
        ring.append(ring[0])
        polygons.append([ring])
    return polygons

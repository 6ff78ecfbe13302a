"""What the Sun panel shows, computed off the GUI thread (Qt-free).

For a chosen point (a landmark, a camera, a hypothesis or typed coordinates), a date and a time
zone (IANA, ``analysis.timekeeping``): the sun's azimuth and elevation over the local solar day,
sunrise, noon and sunset (``analysis.sun.day``); at a chosen local time, the sun and the
shadow's direction, drawn on the map from the point; the 95% intervals of that day at which
each stored shadow observation fits (each recomputed through its registry entry at the
panel's place and date, so morning and afternoon solutions both show, with what carried
each); and where on the Earth one measured shadow length occurs at the chosen time
(``place_from_shadows``: the shadow chosen in the panel, else the newest), drawn on the map as
a polygon.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

import numpy as np

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.geoexport import GeoLine
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.sun.day import SunDay, sun_day, sun_path
from analysis.timekeeping.zones import zone
from workbench import observations
from workbench.geodata_records import Observation, list_landmarks, list_observations
from workbench.hypotheses import list_hypotheses
from workbench.map_items import MapItem, item_geojson

LINE_LAYER, BAND_LAYER = "sun", "sun_band"
SHADOW_COLOUR, BAND_COLOUR = "#8e24aa", "#f1c40f"  # apart from the videos' colours
LINE_M = 150.0


@dataclass(frozen=True)
class SunQuery:
    """Where, which day, which zone, and the local time of the shadow line and band."""

    lat_deg: float
    lon_deg: float
    day: date
    zone_name: str = "UTC"
    at_local: time = time(12, 0)
    point_name: str = "chosen point"
    band_shadow_id: int | None = None  # the shadow whose place band is drawn (None: newest)


@dataclass(frozen=True)
class ShadowFit:
    """The instants of the panel's day at which one shadow observation fits (95%)."""

    observation_id: int
    label: str
    intervals: tuple[dict[str, Any], ...]  # start/end/best (aware datetimes), branch, carried_by
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SunView:
    """Everything the panel draws (see the module doc); times are aware UTC datetimes."""

    query: SunQuery
    day: SunDay
    path_utc: tuple[datetime, ...]
    path_azimuth_deg: np.ndarray
    path_elevation_deg: np.ndarray
    at_utc: datetime
    at_azimuth_deg: float
    at_elevation_deg: float  # apparent
    fits: tuple[ShadowFit, ...]
    band_note: str
    messages: tuple[str, ...]  # polar night, the sun below the horizon at the chosen time
    layers: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class SunPoint:
    label: str
    lat_deg: float
    lon_deg: float


def read_inputs(
    conn: sqlite3.Connection,
) -> tuple[list[SunPoint], list[Observation], str | None]:
    """The points one may choose (landmarks, cameras, hypotheses), the shadows and the case's
    time zone (None when not set), read in a worker."""
    from workbench.timeline import case_zone

    points = [SunPoint(f"{m.name} ({m.kind})", m.lat_deg, m.lon_deg) for m in list_landmarks(conn)]
    points += [
        SunPoint(f"{h.title} (hypothesis)", h.lat_deg, h.lon_deg)
        for h in list_hypotheses(conn)
        if h.lat_deg is not None and h.lon_deg is not None
    ]
    return points, list_observations(conn, "shadow"), case_zone(conn)


def _fit(obs: Observation, q: SunQuery) -> ShadowFit:
    """The shadow as if measured at the panel's place on the panel's day."""
    entry = observations.entry("shadow")
    typed = entry.read(obs)
    inputs = replace(
        typed.inputs, lat_deg=q.lat_deg, lon_deg=q.lon_deg, date=q.day.isoformat(),
        captured_at_utc=None,
    )  # fmt: skip
    name = typed.inputs.other.get("object_name") or f"at {inputs.lat_deg:.4f}, {inputs.lon_deg:.4f}"
    what = (
        f"{inputs.shadow_azimuth_deg:.1f}° ± {inputs.azimuth_sigma_deg:.1f}°"
        if inputs.shadow_azimuth_deg is not None
        else "tip in a posed frame"
    )
    label = f"Shadow {obs.id} ({name}): {what}"
    try:
        result = entry.recompute(inputs)
    except GeometryError as exc:
        return ShadowFit(obs.id, label, (), (str(exc),))
    rows = tuple(
        {k: datetime.fromisoformat(v) if k.endswith("_utc") else v for k, v in iv.items()}
        for iv in result.intervals
    )
    return ShadowFit(obs.id, label, rows, tuple(result.warnings))


def _band(
    shadows: list[Observation], at_utc: datetime, chosen: int | None
) -> tuple[dict | None, str]:
    """The place band of one shadow with a measured length (the chosen one, else the newest),
    as if its picture was taken at the chosen instant: shadows of pictures taken at other
    times are not combined at one instant."""
    from analysis.sun.errors import SunBelowHorizonError, SunInputError
    from analysis.sun.place_from_shadows import PlaceShadow, place_from_shadows

    measured = [o for o in shadows if observations.read(o).result.sun_elevation_deg is not None]
    if not measured:
        return None, "No shadow with a measured length: no place band."
    obs = next((o for o in measured if o.id == chosen), max(measured, key=lambda o: o.id))
    r = observations.read(obs)
    shadow = PlaceShadow(
        at_utc, r.result.sun_elevation_deg, r.result.elevation_sigma_deg or 1.0,
        r.result.sun_azimuth_deg, r.inputs.azimuth_sigma_deg,
    )  # fmt: skip
    try:
        band = place_from_shadows([shadow])
    except (SunInputError, SunBelowHorizonError) as exc:
        return None, f"No place band for shadow {obs.id}: {exc}"
    lo, hi = band.lat_range_deg
    note = (
        f"Place band (95%) of shadow {obs.id} at {at_utc:%H:%M} UTC: latitudes {lo:.1f}° "
        f"to {hi:.1f}° (select another shadow in the list for its band)."
    )
    return band.geojson, note


def _line_layer(q: SunQuery, shadow_az: float, local: str) -> dict[str, Any]:
    start = LatLon(q.lat_deg, q.lon_deg)
    end = geodesy.destination(start, shadow_az, LINE_M)
    text = f"shadow at {local}: {shadow_az:.1f}° from {q.point_name}"
    item = MapItem(LINE_LAYER, "sun:shadow", GeoLine("shadow direction", (start, end), text),
                   SHADOW_COLOUR)  # fmt: skip
    return {"type": "FeatureCollection", "features": [item_geojson(item)]}


def _band_layer(geojson: dict | None) -> dict[str, Any]:
    features = []
    for k, f in enumerate((geojson or {}).get("features", [])):
        props = {"id": f"sun:band:{k}", "layer": BAND_LAYER, "colour": BAND_COLOUR,
                 "editable": False, "name": "place band (95%)",
                 "description": "where the measured shadows occur at the chosen time"}  # fmt: skip
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    return {"type": "FeatureCollection", "features": features}


def compute_sun_view(
    query: SunQuery,
    shadows: list[Observation],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SunView:
    """The panel's view (module doc).

    Raises:
        SunInputError: On a latitude beyond 90 or a longitude beyond 180.
        TimeInputError: On a zone the IANA database does not know.
    """
    from analysis.sun.spa import sun_at

    tz = zone(query.zone_name)
    report(progress, 0.0, "the sun over the day")
    day = sun_day(query.day, query.lat_deg, query.lon_deg)
    path = sun_path(query.day, query.lat_deg, query.lon_deg, step_s=300.0)
    at_utc = datetime.combine(query.day, query.at_local, tz).astimezone(day.noon_utc.tzinfo)
    pos = sun_at(at_utc, query.lat_deg, query.lon_deg)
    az, el = float(pos.azimuth_deg), float(pos.apparent_elevation_deg)
    messages = []
    if day.polar == "night":
        messages.append("Polar night: the sun does not rise here on this date; no shadows.")
    elif day.polar == "day":
        messages.append("Polar day: the sun does not set here on this date.")
    local = f"{query.at_local:%H:%M} {query.zone_name}"
    if el <= 0:
        messages.append(f"At {local} the sun is below the horizon: there is no shadow.")
    fits = []
    for k, obs in enumerate(shadows):
        check(cancel)
        report(progress, 0.2 + 0.6 * k / max(len(shadows), 1), f"shadow {obs.id}")
        fits.append(_fit(obs, query))
    check(cancel)
    report(progress, 0.85, "place band")
    band, band_note = _band(shadows, at_utc, query.band_shadow_id) if el > 0 else (None, "")
    line = _line_layer(query, (az + 180.0) % 360.0, local) if el > 0 else _empty()
    utc = tuple(datetime.fromtimestamp(float(t), day.noon_utc.tzinfo) for t in path.t_posix_s)
    report(progress, 1.0, "done")
    return SunView(
        query, day, utc, path.azimuth_deg, path.apparent_elevation_deg, at_utc, az, el,
        tuple(fits), band_note, tuple(messages),
        {LINE_LAYER: line, BAND_LAYER: _band_layer(band)},
    )  # fmt: skip


def _empty() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": []}

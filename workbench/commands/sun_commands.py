"""``geoworkbench sun``, ``sun-time`` and ``shadow-place``: the sun and what shadows say.

``sun`` gives the sun's azimuth and elevation (NREL SPA, ``analysis.sun.spa``) at a place and
instant, without and with refraction, plus the day's sunrise, noon and sunset. ``sun-time``
gives the UTC intervals of a day when the sun stood at a measured azimuth and/or elevation
(``analysis.sun.time_from_shadows``). ``shadow-place`` gives the band of the Earth where a
measured shadow occurs at a known instant, as GeoJSON (``analysis.sun.place_from_shadows``).

A time must carry its zone (``+03:00``, ``Z``); ``--assume-utc`` takes a zoneless time as UTC
and says so. Exit 0 with an answer, 1 when no time or place fits, 2 for bad input. Handlers
import the analysis modules only when they run, so registering stays light.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workbench.commands.output import add_json_flag, print_json

ALGORITHM = "NREL SPA (Reda and Andreas 2004/2008), azimuth clockwise from true north"


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat(timespec="seconds")


def _num(value: Any) -> float:
    """A finite float, or an error: NaN is never printed as a result."""
    f = float(value)
    if not math.isfinite(f):
        raise ValueError("internal error: a result is not a number")
    return f


def parse_time(text: str, assume_utc: bool) -> tuple[datetime, str | None]:
    """An aware datetime from ISO 8601, and a note when UTC was assumed."""
    try:
        when = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"time {text!r} is not ISO 8601 (e.g. 2016-10-26T10:32:00+03:00)"
        ) from None
    if when.tzinfo is None:
        if not assume_utc:
            raise ValueError(
                f"time {text!r} has no time zone: add its offset (e.g. {text}+03:00, or Z for "
                "UTC), or pass --assume-utc"
            )
        return when.replace(tzinfo=UTC), f"no zone given: {text} was taken as UTC"
    return when, None


def _add_place(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lat", type=float, required=True, help="latitude, degrees north")
    p.add_argument("--lon", type=float, required=True, help="longitude, degrees east")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sun", help="the sun's azimuth and elevation at a place and time")
    _add_place(p)
    p.add_argument("--time", required=True, help="ISO 8601 with its zone, e.g. ...T10:32+03:00")
    p.add_argument("--assume-utc", action="store_true", help="take a time without zone as UTC")
    p.add_argument("--pressure", type=float, default=1010.0, help="hPa, for refraction")
    p.add_argument("--temperature", type=float, default=10.0, help="Celsius, for refraction")
    add_json_flag(p)
    p.set_defaults(func=cmd_sun)

    t = subparsers.add_parser(
        "sun-time", help="when on a day the sun stood where the shadows say (95%% intervals)"
    )
    _add_place(t)
    t.add_argument("--date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    t.add_argument("--azimuth", type=float, help="the sun's azimuth, deg from north")
    t.add_argument("--shadow-azimuth", type=float, help="or the shadow's (the sun's + 180)")
    t.add_argument("--elevation", type=float, help="the sun's elevation, degrees")
    t.add_argument("--ratio", type=float, help="or a shadow length / height on level ground")
    t.add_argument("--sigma", type=float, required=True, help="one sigma of each angle, deg")
    t.add_argument("--elevation-sigma", type=float, help="one sigma of the elevation if different")
    add_json_flag(t)
    t.set_defaults(func=cmd_sun_time)

    s = subparsers.add_parser(
        "shadow-place", help="where on the Earth a measured shadow occurs at a time (GeoJSON)"
    )
    s.add_argument(
        "--time",
        required=True,
        action="append",
        help="ISO 8601 with zone; repeat with --ratio (and --azimuth) for each further shadow",
    )
    s.add_argument(
        "--ratio",
        type=float,
        required=True,
        action="append",
        help="shadow length / object height on level ground",
    )
    s.add_argument("--azimuth", type=float, action="append", help="the sun's azimuth, deg")
    s.add_argument("--shadow-azimuth", type=float, action="append", help="or the shadow's")
    s.add_argument("--sigma", type=float, required=True, help="one sigma of the angles, deg")
    s.add_argument("--assume-utc", action="store_true", help="take a time without zone as UTC")
    add_json_flag(s)
    s.set_defaults(func=cmd_shadow_place)


def _fail(name: str, exc: Exception) -> int:
    print(f"geoworkbench {name}: error: {exc}", file=sys.stderr)
    return 2


def cmd_sun(args: argparse.Namespace) -> int:
    """Print the sun's position and the day's rise, noon and set."""
    from analysis.sun.day import sun_day
    from analysis.sun.errors import SunInputError
    from analysis.sun.spa import sun_at

    try:
        when, note = parse_time(args.time, args.assume_utc)
        atm = {"pressure_hpa": args.pressure, "temperature_c": args.temperature}
        pos = sun_at(when, args.lat, args.lon, **atm)
        local_day = (when.astimezone(UTC) + timedelta(hours=args.lon / 15.0)).date()
        day = sun_day(local_day, args.lat, args.lon, **atm)
    except (ValueError, SunInputError) as exc:
        return _fail("sun", exc)
    apparent = _num(pos.apparent_elevation_deg)
    result = {
        "time_utc": _iso(when),
        "lat": args.lat,
        "lon": args.lon,
        "azimuth_deg": _num(pos.azimuth_deg),
        "elevation_deg": _num(pos.elevation_deg),
        "apparent_elevation_deg": apparent,
        "shadow_azimuth_deg": (_num(pos.azimuth_deg) + 180.0) % 360.0 if apparent > 0 else None,
        "shadow_ratio": 1.0 / math.tan(math.radians(apparent)) if apparent > 0 else None,
        "sunrise": _iso(day.sunrise_utc),
        "sunset": _iso(day.sunset_utc),
        "noon": _iso(day.noon_utc),
        "polar": day.polar,
        "pressure_hpa": args.pressure,
        "temperature_c": args.temperature,
        "algorithm": ALGORITHM,
        "notes": [note] if note else [],
    }
    if args.json:
        print_json(result)
        return 0
    lines = [
        f"sun at {result['time_utc']}  {args.lat:.5f}, {args.lon:.5f}",
        f"azimuth        {result['azimuth_deg']:.4f} deg",
        f"elevation      {result['elevation_deg']:.4f} deg (apparent, with refraction: "
        f"{apparent:.4f} deg)",
    ]
    if apparent <= 0:
        lines.append("the sun is below the horizon: no shadows")
    else:
        lines.append(
            f"shadows        point {result['shadow_azimuth_deg']:.2f} deg, "
            f"{result['shadow_ratio']:.3f} x the height on level ground"
        )
    if day.polar:
        lines.append(f"polar {day.polar}: the sun neither rises nor sets that day")
    lines.append(
        f"sunrise {result['sunrise'] or '-'}  noon {result['noon']}  "
        f"sunset {result['sunset'] or '-'}"
    )
    print("\n".join(lines + result["notes"]))
    return 0


def cmd_sun_time(args: argparse.Namespace) -> int:
    """Print the UTC intervals at which the sun stood where measured."""
    from analysis.sun.errors import SunBelowHorizonError, SunInputError
    from analysis.sun.shadow import elevation_from_ratio_deg
    from analysis.sun.time_from_shadows import SunMeasurement, time_from_shadows

    try:
        azimuth = _one_azimuth(args.azimuth, args.shadow_azimuth)
        elevation = args.elevation
        if args.ratio is not None:
            if elevation is not None:
                raise ValueError("give --elevation or --ratio, not both")
            elevation = float(elevation_from_ratio_deg(args.ratio))
        m = SunMeasurement(azimuth, args.sigma, elevation, args.elevation_sigma or args.sigma)
        sol = time_from_shadows(args.date, args.lat, args.lon, m)
    except (ValueError, SunInputError, SunBelowHorizonError) as exc:
        return _fail("sun-time", exc)
    result = {
        "date": args.date.isoformat(),
        "lat": args.lat,
        "lon": args.lon,
        "confidence": sol.confidence,
        "measured": {"azimuth_deg": azimuth, "elevation_deg": elevation, "sigma_deg": args.sigma},
        "intervals": [
            {
                "start": _iso(iv.start_utc),
                "end": _iso(iv.end_utc),
                "best": _iso(iv.best_utc),
                "minutes": round(_num(iv.width_min), 2),
                "branch": iv.branch,
                "carried_by": iv.carried_by,
            }
            for iv in sol.intervals
        ],
        "warnings": list(sol.warnings),
        "algorithm": ALGORITHM,
    }
    if args.json:
        print_json(result)
    else:
        print(f"95% intervals on {result['date']} at {args.lat:.5f}, {args.lon:.5f} (UTC):")
        for iv in result["intervals"]:
            print(
                f"  {iv['start']} .. {iv['end']}  ({iv['minutes']:.1f} min, {iv['branch']}, "
                f"best {iv['best']}; carried by {iv['carried_by']})"
            )
        for w in result["warnings"]:
            print(f"warning: {w}")
    return 0 if sol.intervals else 1


def _one_azimuth(sun: float | None, shadow: float | None) -> float | None:
    if sun is not None and shadow is not None:
        raise ValueError("give the sun's --azimuth or the --shadow-azimuth, not both")
    return sun if shadow is None else (shadow + 180.0) % 360.0


def cmd_shadow_place(args: argparse.Namespace) -> int:
    """Print the band of the Earth where the shadows occur (GeoJSON with --json)."""
    from analysis.sun.errors import SunBelowHorizonError, SunInputError
    from analysis.sun.place_from_shadows import PlaceShadow, place_from_shadows
    from analysis.sun.shadow import elevation_from_ratio_deg

    try:
        shadows, notes = _place_shadows(args, PlaceShadow, elevation_from_ratio_deg)
        band = place_from_shadows(shadows)
    except (ValueError, SunInputError, SunBelowHorizonError) as exc:
        return _fail("shadow-place", exc)
    doc = band.geojson
    doc["features"][0]["properties"].update(
        {
            "half_width_km": band.half_width_km,
            "lat_range_deg": list(band.lat_range_deg),
            "area_fraction_of_earth": band.area_fraction,
            "algorithm": ALGORITHM,
            "notes": notes,
        }
    )
    if args.json:
        print_json(doc)
    else:
        south, north = band.lat_range_deg
        print(
            f"95% band: latitudes {south:.1f} to {north:.1f}, "
            f"{band.area_fraction:.2%} of the Earth's surface"
        )
        if band.half_width_km is not None:
            print(f"half-width across the band {band.half_width_km:.0f} km")
        print("use --json for the GeoJSON polygon")
        for n in notes:
            print(n)
    return 0


def _place_shadows(args: argparse.Namespace, shadow_type: Any, to_elevation: Any):
    times, ratios = args.time, args.ratio
    azimuths = args.azimuth or []
    shadow_azimuths = args.shadow_azimuth or []
    if azimuths and shadow_azimuths:
        raise ValueError("give the sun's --azimuth or the --shadow-azimuth, not both")
    azimuths = azimuths or [(a + 180.0) % 360.0 for a in shadow_azimuths]
    if len(times) != len(ratios) or len(azimuths) > len(times):
        raise ValueError("give one --time per --ratio, and at most one azimuth per shadow")
    shadows, notes = [], []
    for k, (text, ratio) in enumerate(zip(times, ratios, strict=True)):
        when, note = parse_time(text, args.assume_utc)
        notes += [note] if note else []
        az = azimuths[k] if k < len(azimuths) else None
        elev = float(to_elevation(ratio))
        shadows.append(shadow_type(when, elev, args.sigma, az, args.sigma))
    return shadows, notes

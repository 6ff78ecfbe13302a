"""A position from what an investigator types or pastes: decimal degrees, degrees-minutes-
seconds, MGRS, or a Google Maps / OpenStreetMap link.

Accepted (WGS84 degrees; latitude first unless hemisphere letters say otherwise):

- decimal: ``35.6205, 36.5533``, ``35.6205 36.5533``, ``35.6205N 36.5533E``, ``-33.86, 151.2``;
- DMS and DM: ``35°37'13.8"N 36°33'11.9"E``, ``35 37 13.8 N, 36 33 11.9 E``, ``35°37.23'N
  36°33.198'E`` (typographic primes too);
- MGRS: ``37S BV 50000 43000``, ``37SBV5000043000`` (the centre of the square);
- links: Google Maps ``.../@35.62,36.55,17z`` and ``?q=35.62,36.55`` (``query=``, ``ll=``),
  OpenStreetMap ``#map=17/35.62/36.55`` and ``?mlat=35.62&mlon=36.55``.

Nothing is fetched: a link is only read for the numbers in it.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, unquote, urlsplit

from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.geometry.mgrs import parse_mgrs

_NUM = r"[-+]?\d+(?:\.\d+)?"
_DEG = "°º˚d"
_MIN = "'′’m"
_SEC = '"″”s'
# One angle: degrees, optional minutes and seconds, optional hemisphere letter before or after.
_ANGLE = re.compile(
    rf"""\s*(?P<pre>[NSEW](?![a-z]))?\s*
    (?:(?P<dec>[-+]?\d+\.\d+)\s*[{_DEG}]?
      |(?P<deg>[-+]?\d+)\s*[{_DEG}]?\s*
        (?:(?P<min>\d+(?:\.\d+)?)\s*[{_MIN}]?\s*
          (?:(?P<sec>\d+(?:\.\d+)?)\s*(?:''|[{_SEC}])?)?)?)
    \s*(?(pre)|(?P<post>[NSEW])?)\s*(?:[,;/]\s*)?""",
    re.IGNORECASE | re.VERBOSE,
)
_PAIR = re.compile(rf"^\s*({_NUM})\s*[,;/ ]\s*({_NUM})(?:\s*,.*)?$")


def parse_position(text: str) -> LatLon:
    """The WGS84 position that ``text`` gives (module doc for the forms).

    Raises:
        GeometryError: empty or unreadable text, or a position out of range; the message
            says what was wrong and shows an example.
    """
    raw = text.strip()
    if not raw:
        raise GeometryError("type or paste a position, e.g. 35.6205, 36.5533")
    if re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.IGNORECASE) or raw.lower().startswith("www."):
        return _from_url(raw)
    if re.match(r"^\s*\d{1,2}\s*[C-HJ-NP-X]\s*[A-Z]{2}\s*\d*\s*\d*\s*$", raw, re.IGNORECASE):
        return parse_mgrs(raw)
    return _from_angles(raw)


def _checked(lat: float, lon: float, source: str) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise GeometryError(f"{source!r}: not a number")
    if not -90.0 <= lat <= 90.0:
        hint = " (is it longitude, latitude? give latitude first)" if abs(lon) <= 90 else ""
        raise GeometryError(f"{source!r}: latitude {lat:g} is not in -90 to 90{hint}")
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"{source!r}: longitude {lon:g} is not in -180 to 180")
    return LatLon(lat, lon)


def _from_url(url: str) -> LatLon:
    parts = urlsplit(url if "://" in url else "https://" + url)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    query = parse_qs(parts.query)
    osm = re.search(rf"map=\d+(?:\.\d+)?/({_NUM})/({_NUM})", fragment)
    if osm:
        return _checked(float(osm[1]), float(osm[2]), url)
    if "mlat" in query and "mlon" in query:
        return _checked(float(query["mlat"][0]), float(query["mlon"][0]), url)
    at = re.search(rf"@({_NUM}),({_NUM})", path)
    if at:
        return _checked(float(at[1]), float(at[2]), url)
    for key in ("q", "query", "ll", "center", "destination"):
        if key in query:
            pair = _PAIR.match(query[key][0].replace("+", " "))
            if pair:
                return _checked(float(pair[1]), float(pair[2]), url)
    place = re.search(rf"/place/({_NUM}),\s*({_NUM})", path)
    if place:
        return _checked(float(place[1]), float(place[2]), url)
    raise GeometryError(
        f"no coordinates in the link {url!r}: copy a link with @lat,lon (Google Maps) or "
        "#map=zoom/lat/lon (OpenStreetMap), or paste the coordinates themselves"
    )


def _angle(match: re.Match[str]) -> tuple[float, str | None]:
    whole = match["dec"] or match["deg"]
    deg = float(whole)
    minutes = float(match["min"]) if match["min"] else 0.0
    seconds = float(match["sec"]) if match["sec"] else 0.0
    if minutes >= 60.0 or seconds >= 60.0:
        raise GeometryError(f"{match.group(0).strip()!r}: minutes and seconds must be below 60")
    value = abs(deg) + minutes / 60.0 + seconds / 3600.0
    hemi = (match["pre"] or match["post"] or "").upper() or None
    if match["pre"] and match["post"]:
        raise GeometryError(f"{match.group(0).strip()!r}: two hemisphere letters")
    if hemi and deg < 0:
        raise GeometryError(f"{match.group(0).strip()!r}: a minus sign and a hemisphere letter")
    negative = whole.startswith("-") or hemi in ("S", "W")
    return (-value if negative else value), hemi


def _from_angles(text: str) -> LatLon:
    example = "e.g. 35.6205, 36.5533 or 35°37'13.8\"N 36°33'11.9\"E or 37S BV 50000 43000"
    pair = _PAIR.match(text)
    if pair and "," not in text[pair.end(2) :]:
        return _checked(float(pair[1]), float(pair[2]), text.strip())
    first = _ANGLE.match(text)
    second = _ANGLE.match(text, first.end()) if first and first.end() > 0 else None
    complete = second is not None and second.end() == len(text)
    if not complete or not (second["dec"] or second["deg"]):
        raise GeometryError(f"cannot read {text.strip()!r} as a position ({example})")
    (a, ha), (b, hb) = _angle(first), _angle(second)
    if ha in ("E", "W") and hb in ("N", "S", None):
        a, b, ha, hb = b, a, hb, ha  # longitude given first, and said so
    if ha in ("E", "W") or hb in ("N", "S"):
        raise GeometryError(f"{text.strip()!r}: give one latitude (N/S) and one longitude (E/W)")
    return _checked(a, b, text.strip())

"""A shadow clicked in a posed (oblique) frame: the part of a "shadow" observation that says
where the shadow's tip fell in a picture whose ground-to-image homography is known.

Seen obliquely a shadow's ground direction cannot be read (ADR 0009), so such a shadow is
stored with what was clicked and the pose instead of an azimuth or a length ratio, under the
inputs' ``posed`` member::

    "posed": {"base_en_m": [E, N], "height_m": H, "tip_px": [x, y], "click_sigma_px": s,
              "image_from_ground": [[...], [...], [...]], "ground_frame": "..."}

``base_en_m`` and the homography share one local ground frame (east, north metres); the object's
height is above that ground. Its 95% intervals are ``analysis.sun.posed_shadow``'s: the instants
at which SPA puts the tip where it was clicked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from analysis.sun.posed_shadow import PosedShadow, PosedTime, time_from_posed_shadow

POSED_KEY = "posed"
CARRIED_BY = "tip position (posed frame)"


def posed_shadow(other: Mapping[str, Any], *, need_pose: bool = True) -> PosedShadow | None:
    """The posed shadow stored in an observation's other inputs, or None.

    ``need_pose=False`` accepts a member without its homography (``image_from_ground`` None:
    a second frame that takes the first's pose through a continuity homography).

    Raises:
        ValueError: On a malformed member (missing keys, a homography that is not 3x3 and
            finite, a height or a click sigma not above 0).
    """
    d = other.get(POSED_KEY)
    if d is None:
        return None
    try:
        pose = d["image_from_ground"]
        h = None if pose is None and not need_pose else np.asarray(pose, dtype=float)
        shadow = PosedShadow(
            (float(d["base_en_m"][0]), float(d["base_en_m"][1])),
            float(d["height_m"]),
            (float(d["tip_px"][0]), float(d["tip_px"][1])),
            float(d["click_sigma_px"]),
            h,
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"the posed shadow is malformed ({type(exc).__name__} {exc})") from None
    if h is not None and (h.shape != (3, 3) or not np.all(np.isfinite(h))):
        raise ValueError("the posed shadow's ground homography must be a finite 3x3 matrix")
    if not (shadow.height_m > 0 and shadow.click_sigma_px > 0):
        raise ValueError("the posed shadow's height and click sigma must be above 0")
    return shadow


def posed_time(day: date, lat_deg: float, lon_deg: float, shadow: PosedShadow) -> PosedTime:
    """The 95% intervals of ``day`` that put the tip where it was clicked."""
    return time_from_posed_shadow(day, lat_deg, lon_deg, shadow)


def interval_rows(times: PosedTime, noon_utc: Any) -> list[dict[str, Any]]:
    """The intervals as a shadow result stores them (start/end/best, branch, carried by)."""
    rows = []
    for start, end, best in times.intervals:
        if start <= noon_utc <= end:
            branch = "around noon"
        else:
            branch = "morning" if best < noon_utc else "afternoon"
        rows.append(
            {
                "start_utc": start.isoformat(timespec="seconds"),
                "end_utc": end.isoformat(timespec="seconds"),
                "best_utc": best.isoformat(timespec="seconds"),
                "branch": branch,
                "carried_by": CARRIED_BY,
            }
        )
    return rows


def posed_intervals(
    day: date, lat_deg: float, lon_deg: float, shadow: PosedShadow
) -> list[dict[str, Any]]:
    """``interval_rows`` of the posed shadow on ``day`` (SPA; see the module doc)."""
    from analysis.sun.day import sun_day

    noon = sun_day(day, lat_deg, lon_deg).noon_utc
    return interval_rows(posed_time(day, lat_deg, lon_deg, shadow), noon)

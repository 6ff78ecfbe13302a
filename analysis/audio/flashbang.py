"""Flash to bang: the distance to an explosion from the delay between its flash and its bang.

Conventions and sources:

- A flash first seen in frame N happened after frame N-1 was taken and no later than frame N:
  its time is uniform on (pts[N-1], pts[N]] (one frame duration wide), its mean half a frame
  before pts[N]. Light's travel time (microseconds) is ignored.
- The bang is an audio onset (``analysis.audio.onset``) with its own one-sigma precision.
- Speed of sound in dry air: c = 331.3 * sqrt(1 + T / 273.15) m/s (T in degrees C; Cramer
  1993 to 0.1%); humidity adds under 0.5 % and is covered by the temperature's sigma.
- Without a measured temperature, the default is a climatological guess for the place and
  month (``default_air_temperature_c``) with a sigma of 8 C.
- The 95% interval is the 2.5 and 97.5 percentiles of the distance over 40,000 draws of the
  three parts (uniform flash time, normal onset, normal temperature), with a fixed seed, so
  the same inputs give the same interval. The distance is the slant distance from the
  microphone to the explosion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analysis.audio.onset import Onset
from analysis.errors import WorkbenchError

MIN_TEMPERATURE_C = -60.0
MAX_TEMPERATURE_C = 60.0
DEFAULT_TEMPERATURE_SIGMA_C = 8.0
MEASURED_TEMPERATURE_SIGMA_C = 1.0
_DRAWS = 40_000


class FlashBangError(WorkbenchError):
    """The flash and bang cannot give a distance (order, temperature, span)."""


@dataclass(frozen=True)
class FlashBang:
    """The delay, the distance and its 95% interval, with every input that made them."""

    flash_frame: int
    flash_pts_s: float
    frame_duration_s: float
    bang_s: float
    bang_sigma_s: float
    delay_s: float
    delay_sigma_s: float
    temperature_c: float
    temperature_sigma_c: float
    speed_of_sound_mps: float
    distance_m: float
    distance_sigma_m: float
    distance_ci95_m: tuple[float, float]


def speed_of_sound_mps(temperature_c: float) -> float:
    """Speed of sound in dry air at ``temperature_c`` (331.3 * sqrt(1 + T / 273.15) m/s).

    Raises:
        FlashBangError: the temperature is outside -60 to 60 degrees C.
    """
    check_temperature(temperature_c)
    return 331.3 * math.sqrt(1.0 + temperature_c / 273.15)


def check_temperature(temperature_c: float) -> None:
    """Refuse air temperatures no surface weather has (outside -60..60 degrees C)."""
    if not (MIN_TEMPERATURE_C <= temperature_c <= MAX_TEMPERATURE_C) or math.isnan(temperature_c):
        raise FlashBangError(
            f"air temperature {temperature_c:g} C is not a surface air temperature "
            f"(give {MIN_TEMPERATURE_C:g} to {MAX_TEMPERATURE_C:g} C)"
        )


def default_air_temperature_c(lat_deg: float | None, when: datetime | None) -> float:
    """A rough daytime surface air temperature for a latitude and date (degrees C).

    A zonal climatology in two terms: an annual mean falling from 27 C at the equator to
    -15 C at the poles, and a seasonal swing growing with latitude, warmest a month after the
    solstice. With no place, 15 C (the standard atmosphere at sea level). Its sigma
    (``DEFAULT_TEMPERATURE_SIGMA_C``) is wide because weather is not climate.
    """
    if lat_deg is None:
        return 15.0
    phi = math.radians(abs(lat_deg))
    mean = -15.0 + 42.0 * math.cos(phi) ** 2
    if when is None:
        return round(mean, 1)
    swing = 14.0 * math.sin(phi) ** 1.2
    day = when.timetuple().tm_yday
    peak_day = 200 if lat_deg >= 0 else 17
    return round(mean + swing * math.cos(2 * math.pi * (day - peak_day) / 365.25), 1)


def flash_bang(
    *,
    flash_frame: int,
    flash_pts_s: float,
    frame_duration_s: float,
    bang: Onset,
    temperature_c: float,
    temperature_sigma_c: float,
) -> FlashBang:
    """Delay and distance from a flash frame and a bang onset.

    Args:
        flash_frame: the first frame that shows the flash.
        flash_pts_s: that frame's presentation time (container clock).
        frame_duration_s: time from the frame before to this one.
        bang: the bang's onset on the same clock.
        temperature_c: air temperature.
        temperature_sigma_c: its one-sigma uncertainty.

    Returns:
        The delay, distance and its 95% interval.

    Raises:
        FlashBangError: the bang does not come after the flash, the frame duration is not
            positive, or the temperature is impossible.
    """
    check_temperature(temperature_c)
    if not frame_duration_s > 0:
        raise FlashBangError(f"frame duration {frame_duration_s} s must be positive")
    if not 0 <= temperature_sigma_c < 30:
        raise FlashBangError(f"temperature sigma {temperature_sigma_c} C must be 0 to 30")
    flash_mean_s = flash_pts_s - frame_duration_s / 2.0
    delay = bang.time_s - flash_mean_s
    if bang.time_s <= flash_pts_s:
        raise FlashBangError(
            f"the bang at {bang.time_s:.3f} s is not after the flash (frame {flash_frame} at "
            f"{flash_pts_s:.3f} s): mark the flash before its bang"
        )
    c = speed_of_sound_mps(temperature_c)
    rng = np.random.default_rng(20161026)
    flash = flash_pts_s - rng.uniform(0.0, frame_duration_s, _DRAWS)
    onset = bang.time_s + rng.normal(0.0, bang.sigma_s, _DRAWS)
    temp = np.clip(temperature_c + rng.normal(0.0, temperature_sigma_c, _DRAWS), -90, 90)
    speed = 331.3 * np.sqrt(1.0 + temp / 273.15)
    dist = np.maximum(onset - flash, 0.0) * speed
    lo, hi = np.percentile(dist, [2.5, 97.5])
    delay_sigma = math.hypot(frame_duration_s / math.sqrt(12.0), bang.sigma_s)
    return FlashBang(
        flash_frame=flash_frame,
        flash_pts_s=flash_pts_s,
        frame_duration_s=frame_duration_s,
        bang_s=bang.time_s,
        bang_sigma_s=bang.sigma_s,
        delay_s=delay,
        delay_sigma_s=delay_sigma,
        temperature_c=temperature_c,
        temperature_sigma_c=temperature_sigma_c,
        speed_of_sound_mps=c,
        distance_m=delay * c,
        distance_sigma_m=float(np.std(dist)),
        distance_ci95_m=(float(lo), float(hi)),
    )

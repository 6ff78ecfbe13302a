"""Time from shadows: when, on a known day at a known place, did the sun stand where the
shadows say?

Method: the day is sampled every 15 s with SPA positions (apparent elevation: shadows are cast
by refracted light). A measurement m with one-sigma s is compared with the predicted value
p(t) by chi2(t) = sum ((m - p(t)) / s)^2 (azimuth differences wrapped). With one measurement
the 95% set is {t : chi2(t) <= 3.84}, the inversion of the test at each t, which holds the true
time in 95% of trials by construction. With azimuth and elevation together the unknown is
still one number, so the set is the profile-likelihood one {t : chi2(t) <= min chi2 + 3.84}
(Wilks, one degree of freedom); ``tests/analysis/test_sun_calibration.py`` measures how often
both hold the truth. Each connected run of accepted instants is one interval; morning and
afternoon solutions are both returned when both fit. Endpoints are interpolated between
samples (a few seconds).

"Carried by" compares the information each measurement gives at the best instant of an
interval: (dp/dt / s)^2, azimuth against elevation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from analysis.sun.day import day_window
from analysis.sun.errors import SunBelowHorizonError, SunInputError
from analysis.sun.spa import angle_diff_deg, check_place, sun_positions

CHI2_1_95 = 3.841458820694124
STEP_S = 15.0
WIDE_INTERVAL_MIN = 120.0


@dataclass(frozen=True)
class SunMeasurement:
    """What the shadows say about the sun (either or both of azimuth and elevation).

    Attributes:
        azimuth_deg: The sun's azimuth (the shadow's plus 180), or None.
        azimuth_sigma_deg: One sigma of the azimuth.
        elevation_deg: The sun's apparent elevation (from a length ratio), or None.
        elevation_sigma_deg: One sigma of the elevation.
    """

    azimuth_deg: float | None = None
    azimuth_sigma_deg: float = 1.0
    elevation_deg: float | None = None
    elevation_sigma_deg: float = 1.0

    def validate(self) -> None:
        """Raise ``SunInputError``/``SunBelowHorizonError`` on unusable values."""
        if self.azimuth_deg is None and self.elevation_deg is None:
            raise SunInputError("give the sun's azimuth, its elevation, or both")
        for name, value in (
            ("azimuth", self.azimuth_deg),
            ("elevation", self.elevation_deg),
            ("azimuth sigma", self.azimuth_sigma_deg),
            ("elevation sigma", self.elevation_sigma_deg),
        ):
            if value is not None and not np.isfinite(value):
                raise SunInputError(f"the {name} {value} is not a number")
        if self.azimuth_sigma_deg <= 0 or self.elevation_sigma_deg <= 0:
            raise SunInputError("a sigma must be above 0 degrees")
        if self.elevation_deg is not None and not self.elevation_deg > 0:
            raise SunBelowHorizonError(
                f"a shadow measured with the sun at {self.elevation_deg} deg elevation: the sun "
                "must be above the horizon to cast one; check the measurement"
            )
        if self.elevation_deg is not None and self.elevation_deg >= 90:
            raise SunInputError(f"sun elevation {self.elevation_deg} deg must be below 90")


@dataclass(frozen=True)
class TimeInterval:
    """One interval of UTC instants that fit the shadows.

    Attributes:
        start_utc: First instant that fits.
        end_utc: Last instant that fits.
        best_utc: The best fit.
        branch: "morning", "afternoon" or "around noon" (contains the transit).
        carried_by: "azimuth", "elevation" or "both": which measurement fixed it.
        azimuth_share: The azimuth's share of the information at ``best_utc`` (0..1).
    """

    start_utc: datetime
    end_utc: datetime
    best_utc: datetime
    branch: str
    carried_by: str
    azimuth_share: float

    @property
    def width_min(self) -> float:
        return (self.end_utc - self.start_utc).total_seconds() / 60.0


@dataclass(frozen=True)
class TimeSolution:
    """The answer: intervals (in time order), the confidence, and warnings in plain words."""

    intervals: tuple[TimeInterval, ...]
    confidence: float
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DayGrid:
    """Sun positions over one day at one place, sampled every ``STEP_S`` seconds."""

    t_posix_s: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    noon_s: float


def day_grid(day: date, lat_deg: float, lon_deg: float, step_s: float = STEP_S) -> DayGrid:
    """SPA positions over the local mean solar day (shared by many solves of one day)."""
    check_place(lat_deg, lon_deg)
    start, end = day_window(day, lon_deg)
    t = np.arange(start, end + 1e-6, step_s)
    pos = sun_positions(t, lat_deg, lon_deg)
    el = pos.apparent_elevation_deg
    ha = pos.hour_angle_deg
    cross = np.nonzero((ha[:-1] < 0) & (ha[1:] >= 0))[0]
    noon = float(t[cross[0]]) if cross.size else float(t[np.argmax(el)])
    return DayGrid(t, pos.azimuth_deg, el, noon)


def time_from_shadows(
    day: date, lat_deg: float, lon_deg: float, measurement: SunMeasurement
) -> TimeSolution:
    """The UTC intervals at which the sun stood where the shadows say (95%).

    Args:
        day: The date (local mean solar day at the place).
        lat_deg: Latitude north.
        lon_deg: Longitude east.
        measurement: The sun's azimuth and/or elevation with sigmas.

    Returns:
        Intervals in time order (possibly none, with a warning saying why).

    Raises:
        SunInputError: On a bad place or measurement.
        SunBelowHorizonError: If the sun never rises that day (polar night) or an elevation
            below the horizon was given.
    """
    measurement.validate()
    return solve_on_grid(day_grid(day, lat_deg, lon_deg), measurement)


def solve_on_grid(grid: DayGrid, m: SunMeasurement) -> TimeSolution:
    """``time_from_shadows`` on precomputed positions (the calibration reuses a day)."""
    up = grid.elevation_deg > 0.0
    if not np.any(up):
        raise SunBelowHorizonError(
            "polar night: the sun does not rise at this place on this date, so nothing there "
            "casts a sun shadow; check the date and the place"
        )
    chi2 = np.zeros_like(grid.t_posix_s)
    n = 0
    if m.azimuth_deg is not None:
        chi2 += (angle_diff_deg(grid.azimuth_deg, m.azimuth_deg) / m.azimuth_sigma_deg) ** 2
        n += 1
    if m.elevation_deg is not None:
        chi2 += ((grid.elevation_deg - m.elevation_deg) / m.elevation_sigma_deg) ** 2
        n += 1
    chi2 = np.where(up, chi2, np.inf)
    floor = float(np.min(chi2)) if n == 2 else 0.0
    threshold = floor + CHI2_1_95
    warnings: list[str] = []
    if n == 2 and floor > 13.8:
        warnings.append(
            "the azimuth and the elevation do not fit one instant of this day together "
            f"(best misfit chi2 {floor:.1f}); check both measurements, the date and the place"
        )
    accepted = chi2 <= threshold
    intervals = [_interval(grid, chi2, threshold, a, b, m) for a, b in _runs(accepted)]
    if not intervals:
        warnings.append(_no_fit_reason(grid, m))
    for iv in intervals:
        if iv.width_min > WIDE_INTERVAL_MIN:
            warnings.append(_wide_reason(iv, m))
    return TimeSolution(tuple(intervals), 0.95, tuple(warnings))


def accepted_intervals(
    grid: DayGrid, chi2: np.ndarray, threshold: float
) -> list[tuple[datetime, datetime, datetime]]:
    """(start, end, best) of each run of instants with chi2 <= threshold, endpoints
    interpolated between samples; for other measurements of the same day (a posed frame)."""
    out = []
    for a, b in _runs(chi2 <= threshold):
        t = grid.t_posix_s
        best = a + int(np.argmin(chi2[a : b + 1]))
        start = _edge(t, chi2, a, a - 1, threshold)
        end = _edge(t, chi2, b, b + 1, threshold)
        out.append((_utc(start), _utc(end), _utc(t[best])))
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1, strict=True))


def _edge(t: np.ndarray, chi2: np.ndarray, inside: int, outside: int, threshold: float) -> float:
    """Interpolated instant where chi2 crosses the threshold between two samples."""
    if outside < 0 or outside >= t.size or not np.isfinite(chi2[outside]):
        return float(t[inside])
    c_in, c_out = chi2[inside], chi2[outside]
    frac = (threshold - c_in) / (c_out - c_in) if c_out != c_in else 0.0
    return float(t[inside] + frac * (t[outside] - t[inside]))


def _interval(
    grid: DayGrid, chi2: np.ndarray, threshold: float, a: int, b: int, m: SunMeasurement
) -> TimeInterval:
    t = grid.t_posix_s
    start = _edge(t, chi2, a, a - 1, threshold)
    end = _edge(t, chi2, b, b + 1, threshold)
    best = a + int(np.argmin(chi2[a : b + 1]))
    share = _azimuth_share(grid, best, m)
    carried = "azimuth" if share > 0.8 else "elevation" if share < 0.2 else "both"
    if start <= grid.noon_s <= end:
        branch = "around noon"
    else:
        branch = "morning" if t[best] < grid.noon_s else "afternoon"
    return TimeInterval(_utc(start), _utc(end), _utc(t[best]), branch, carried, float(share))


def _rates_per_min(grid: DayGrid, i: int) -> tuple[float, float]:
    j0, j1 = max(i - 1, 0), min(i + 1, grid.t_posix_s.size - 1)
    dt_min = (grid.t_posix_s[j1] - grid.t_posix_s[j0]) / 60.0
    daz = float(angle_diff_deg(grid.azimuth_deg[j1], grid.azimuth_deg[j0])) / dt_min
    de = float(grid.elevation_deg[j1] - grid.elevation_deg[j0]) / dt_min
    return daz, de


def _azimuth_share(grid: DayGrid, i: int, m: SunMeasurement) -> float:
    daz, de = _rates_per_min(grid, i)
    ia = (daz / m.azimuth_sigma_deg) ** 2 if m.azimuth_deg is not None else 0.0
    ie = (de / m.elevation_sigma_deg) ** 2 if m.elevation_deg is not None else 0.0
    if ia + ie == 0.0:
        return 1.0 if m.azimuth_deg is not None else 0.0
    return ia / (ia + ie)


def _no_fit_reason(grid: DayGrid, m: SunMeasurement) -> str:
    up = grid.elevation_deg > 0
    top = float(np.max(grid.elevation_deg))
    if m.elevation_deg is not None and m.elevation_deg > top:
        return (
            f"no time fits: the sun rises at most {top:.1f} deg this day, below the measured "
            f"{m.elevation_deg:.1f} deg; check the ratio, the date and the place"
        )
    az = grid.azimuth_deg[up]
    return (
        "no time fits: the sun is never there while it is up this day (its azimuth runs "
        f"{float(az.min()):.0f}-{float(az.max()):.0f} deg); check the direction and the place"
    )


def _wide_reason(iv: TimeInterval, m: SunMeasurement) -> str:
    what = "elevation" if iv.carried_by == "elevation" else "azimuth"
    hint = (
        " (near solar noon the elevation hardly changes: measure the shadow's direction too)"
        if iv.branch == "around noon" and m.azimuth_deg is None
        else ""
    )
    return (
        f"neither measurement pins the time near {iv.best_utc:%H:%M} UTC: the {what} changes "
        f"too slowly there, so the interval is {iv.width_min:.0f} minutes wide{hint}"
    )


def _utc(t: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=float(t))

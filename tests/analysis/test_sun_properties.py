"""Properties of the SPA sun over random places and times, and agreement with the scenario's
independent NOAA sun (``workbench.scenario.sun``, Meeus's low-precision formulas, stated
accuracy about 0.01 deg)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sun.day import sun_day
from analysis.sun.spa import angle_diff_deg, sun_positions
from workbench.scenario.sun import solar_position

LATS = st.floats(-89.0, 89.0)
LONS = st.floats(-180.0, 180.0)
INSTANTS = st.datetimes(datetime(1950, 1, 1), datetime(2050, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)
DAYS = st.dates(date(1950, 1, 1), date(2050, 1, 1))


@settings(max_examples=300, deadline=None)
@given(LATS, LONS, INSTANTS)
def test_agrees_with_the_independent_noaa_sun(lat: float, lon: float, when: datetime) -> None:
    noaa = solar_position(when, lat, lon)
    ours = sun_positions(when.timestamp(), lat, lon)
    assert abs(float(ours.elevation_deg) - noaa.elevation_geometric_deg) < 0.02
    if -80 < noaa.elevation_geometric_deg < 80:  # azimuth is ill-defined at the zenith
        # An azimuth error d moves the sun by d * cos(elevation) on the sky.
        d_az = float(angle_diff_deg(ours.azimuth_deg, noaa.azimuth_deg))
        assert abs(d_az) * np.cos(np.radians(noaa.elevation_geometric_deg)) < 0.02


@settings(max_examples=60, deadline=None)
@given(st.floats(-80.0, 80.0), LONS, DAYS)
def test_noon_azimuth_is_south_or_north(lat: float, lon: float, day: date) -> None:
    d = sun_day(day, lat, lon)
    pos = sun_positions(d.noon_utc.timestamp(), lat, lon)
    if abs(lat - float(pos.declination_deg)) > 0.5:
        expected = 180.0 if lat > float(pos.declination_deg) else 0.0
        assert abs(float(angle_diff_deg(pos.azimuth_deg, expected))) < 1e-3


@settings(max_examples=60, deadline=None)
@given(st.floats(-80.0, 80.0), LONS, DAYS, st.floats(600.0, 4 * 3600.0))
def test_morning_and_afternoon_mirror_about_noon(
    lat: float, lon: float, day: date, tau_s: float
) -> None:
    # Only the declination's drift over +/- tau (under 0.4 deg a day) breaks the symmetry.
    noon = sun_day(day, lat, lon).noon_utc.timestamp()
    pos = sun_positions(np.array([noon - tau_s, noon + tau_s]), lat, lon)
    drift = abs(float(pos.declination_deg[0] - pos.declination_deg[1]))
    assert drift < 0.4 * 2 * tau_s / 86400 + 0.01
    assert abs(pos.elevation_deg[0] - pos.elevation_deg[1]) <= drift + 0.005
    d_az = abs(float(angle_diff_deg(pos.azimuth_deg[0], 360.0 - pos.azimuth_deg[1])))
    assert d_az * np.cos(np.radians(pos.elevation_deg[0])) <= 3 * drift + 0.01


@settings(max_examples=30, deadline=None)
@given(st.floats(69.0, 89.0), LONS, st.integers(1990, 2040))
def test_polar_day_and_night(lat: float, lon: float, year: int) -> None:
    north_winter = sun_day(date(year, 12, 21), lat, lon)
    north_summer = sun_day(date(year, 6, 21), lat, lon)
    south_winter = sun_day(date(year, 6, 21), -lat, lon)
    assert north_winter.polar == "night" and north_winter.sunrise_utc is None
    assert north_summer.polar == "day" and north_summer.sunset_utc is None
    assert south_winter.polar == "night"


def test_rise_and_set_straddle_noon_at_mid_latitudes() -> None:
    d = sun_day(date(2016, 10, 26), 35.62, 36.55)
    assert d.sunrise_utc is not None and d.sunset_utc is not None
    assert d.sunrise_utc < d.noon_utc < d.sunset_utc
    assert (d.sunset_utc - d.sunrise_utc) > timedelta(hours=10)


def test_the_day_path_peaks_at_noon() -> None:
    from analysis.sun.day import sun_path

    d = sun_day(date(2016, 10, 26), 35.62, 36.55)
    path = sun_path(date(2016, 10, 26), 35.62, 36.55, step_s=60.0)
    top = int(np.argmax(path.apparent_elevation_deg))
    assert abs(path.t_posix_s[top] - d.noon_utc.timestamp()) <= 60.0
    assert path.apparent_elevation_deg[top] == pytest.approx(d.noon_elevation_deg, abs=1e-3)

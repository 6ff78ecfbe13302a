"""Solar position (NOAA / Meeus) against published values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from workbench.scenario.sun import julian_day, solar_position


@dataclass(frozen=True)
class SunCase:
    name: str
    when: datetime
    lat_deg: float
    lon_deg: float
    azimuth_deg: float
    elevation_deg: float
    tolerance_deg: float


# Reda & Andreas (2004), NREL SPA, Table A4.1 example: topocentric zenith 50.11162 deg,
# azimuth 194.34024 deg (refraction included; SPA is accurate to 0.0003 deg, NOAA/Meeus
# to about 0.01 deg, so a 0.02 deg tolerance compares the algorithms, not rounding).
SPA_EXAMPLE = SunCase(
    "NREL SPA example, Golden CO",
    datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7))),
    39.742476,
    -105.1786,
    194.34024,
    90.0 - 50.11162,
    0.02,
)


def test_matches_published_spa_example() -> None:
    c = SPA_EXAMPLE
    sun = solar_position(c.when, c.lat_deg, c.lon_deg)
    assert sun.azimuth_deg == pytest.approx(c.azimuth_deg, abs=c.tolerance_deg)
    assert sun.elevation_deg == pytest.approx(c.elevation_deg, abs=c.tolerance_deg)


def test_julian_day_of_j2000_epoch() -> None:
    # Meeus: 2000 January 1.5 TT is JD 2451545.0 (UTC differs by ~64 s, here irrelevant).
    assert julian_day(datetime(2000, 1, 1, 12, tzinfo=UTC)) == 2451545.0


def test_declination_at_solstice_and_equinox() -> None:
    # June solstice 2016: 20 June 22:34 UTC, declination = obliquity = 23.437 deg;
    # March equinox 2016: 20 March 04:30 UTC, declination 0.
    june = solar_position(datetime(2016, 6, 20, 22, 34, tzinfo=UTC), 0.0, 0.0)
    march = solar_position(datetime(2016, 3, 20, 4, 30, tzinfo=UTC), 0.0, 0.0)
    assert june.declination_deg == pytest.approx(23.437, abs=0.005)
    assert march.declination_deg == pytest.approx(0.0, abs=0.005)


def test_scenario_morning_sun_is_south_east() -> None:
    # 26 Oct 2016 07:32 UTC (10:32 local) at Hass: the sun is in the south-east quadrant,
    # below its noon elevation (90 - 35.62 + declination -12.6 = 41.8 deg).
    sun = solar_position(datetime(2016, 10, 26, 7, 32, tzinfo=UTC), 35.62, 36.55)
    assert 135.0 < sun.azimuth_deg < 160.0
    assert 30.0 < sun.elevation_deg < 41.8
    noon_utc = datetime(2016, 10, 26, 12, tzinfo=UTC) - timedelta(
        minutes=4 * 36.55 + sun.equation_of_time_min
    )
    noon = solar_position(noon_utc, 35.62, 36.55)
    assert noon.azimuth_deg == pytest.approx(180.0, abs=0.1)
    assert noon.elevation_geometric_deg == pytest.approx(
        90 - 35.62 + noon.declination_deg, abs=0.01
    )


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        solar_position(datetime(2016, 10, 26, 7, 32), 35.62, 36.55)

"""Shadow geometry, time from shadows' messages and the nadir same-time comparison."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from analysis.sun.errors import SunBelowHorizonError, SunInputError
from analysis.sun.same_time import ShadowSegment, same_time
from analysis.sun.shadow import elevation_from_ratio_deg, shadow_azimuth_deg, shadow_ratio
from analysis.sun.time_from_shadows import SunMeasurement, time_from_shadows

HASS = (35.62, 36.55)
DAY = date(2016, 10, 26)


def test_level_ground_ratio_is_cot_elevation_and_inverts() -> None:
    assert float(shadow_ratio(150.0, 45.0)) == pytest.approx(1.0)
    assert float(elevation_from_ratio_deg(shadow_ratio(150.0, 30.0))) == pytest.approx(30.0)
    assert float(shadow_azimuth_deg(350.0)) == pytest.approx(170.0)


def test_ground_falling_away_lengthens_the_shadow_and_rising_ground_shortens_it() -> None:
    # Sun in the south: the shadow runs north. Ground descending to the north: longer.
    level = float(shadow_ratio(180.0, 30.0))
    down = float(shadow_ratio(180.0, 30.0, slope_deg=10.0, slope_aspect_deg=0.0))
    up = float(shadow_ratio(180.0, 30.0, slope_deg=10.0, slope_aspect_deg=180.0))
    assert up < level < down
    # Exact: horizontal run 1 / (tan e - tan s) on the descending slope, along the ground.
    run = 1 / (math.tan(math.radians(30)) - math.tan(math.radians(10)))
    assert down == pytest.approx(run / math.cos(math.radians(10)))


def test_no_shadow_with_the_sun_down_or_into_a_steeper_slope() -> None:
    with pytest.raises(SunBelowHorizonError):
        shadow_ratio(180.0, -1.0)
    with pytest.raises(SunInputError, match="falls away more steeply"):
        shadow_ratio(180.0, 10.0, slope_deg=20.0, slope_aspect_deg=0.0)


def test_azimuth_alone_is_one_branch_and_elevation_alone_both() -> None:
    by_az = time_from_shadows(DAY, *HASS, SunMeasurement(azimuth_deg=130.0, azimuth_sigma_deg=2))
    assert [iv.branch for iv in by_az.intervals] == ["morning"]
    by_el = time_from_shadows(DAY, *HASS, SunMeasurement(elevation_deg=25.0))
    assert [iv.branch for iv in by_el.intervals] == ["morning", "afternoon"]
    assert all(iv.carried_by == "elevation" for iv in by_el.intervals)
    assert not by_el.warnings


def test_a_sun_higher_than_noon_is_explained() -> None:
    sol = time_from_shadows(DAY, *HASS, SunMeasurement(elevation_deg=60.0))
    assert not sol.intervals
    assert "rises at most 41.8 deg" in sol.warnings[0]


def test_inconsistent_azimuth_and_elevation_are_flagged() -> None:
    m = SunMeasurement(azimuth_deg=120.0, azimuth_sigma_deg=1, elevation_deg=40.0)
    sol = time_from_shadows(DAY, *HASS, m)
    assert any("do not fit one instant" in w for w in sol.warnings)


def test_results_are_never_nan() -> None:
    sol = time_from_shadows(DAY, *HASS, SunMeasurement(azimuth_deg=150.0, elevation_deg=38.0))
    for iv in sol.intervals:
        assert math.isfinite(iv.width_min) and math.isfinite(iv.azimuth_share)


def test_nadir_frames_with_turned_shadows_are_minutes_apart() -> None:
    # On a nadir view (north up) a shadow turned by 3 deg at 0.25 deg/min is 12 min later.
    length = 200.0
    a = math.radians(40.0)
    b = math.radians(43.0)
    one = ShadowSegment((500, 500), (500 + length * math.sin(a), 500 - length * math.cos(a)))
    two = ShadowSegment((300, 300), (300 + length * math.sin(b), 300 - length * math.cos(b)))
    shift = np.array([[1, 0, -200], [0, 1, -200], [0, 0, 1]], dtype=float)
    v = same_time(one, two, shift, 0.25)
    assert v.minutes_apart == pytest.approx(12.0, abs=0.01)
    assert not v.same_time
    same = same_time(one, one, np.eye(3), 0.25)
    assert same.same_time and same.within_min < 5


def test_unzoned_time_for_the_day_window_is_not_needed() -> None:
    # The time solve takes a date, not an instant: nothing to assume about zones.
    sol = time_from_shadows(DAY, *HASS, SunMeasurement(azimuth_deg=147.7, azimuth_sigma_deg=0.5))
    assert sol.intervals[0].start_utc.tzinfo == UTC
    assert sol.intervals[0].start_utc < datetime(2016, 10, 26, 7, 32, tzinfo=UTC)


def test_two_times_narrow_the_place_and_keep_the_truth() -> None:
    from analysis.sun.place_from_shadows import PlaceShadow, accepts, place_from_shadows
    from analysis.sun.spa import sun_at

    morning = datetime(2016, 10, 26, 7, 0, tzinfo=UTC)
    afternoon = datetime(2016, 10, 26, 12, 0, tzinfo=UTC)
    shadows = []
    for when in (morning, afternoon):
        e = float(sun_at(when, *HASS).apparent_elevation_deg)
        shadows.append(PlaceShadow(when, e, 1.0))
    one = place_from_shadows(shadows[:1])
    both = place_from_shadows(shadows)
    assert accepts(shadows, *HASS)
    assert both.area_fraction < one.area_fraction / 5
    polygons = both.geojson["features"][0]["geometry"]["coordinates"]
    assert all(p[0][0] == p[0][-1] for p in polygons)  # closed rings

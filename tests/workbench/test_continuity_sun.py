"""The "same time" figure of two shadows measured on near-nadir views through a homography
(``workbench.continuity_sun``), against exact truth: the second view is the first turned and
zoomed (a known homography), its shadow drawn where SPA puts it at a known instant."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.errors import GeometryError
from analysis.sun.spa import sun_at
from workbench import observations
from workbench.continuity_sun import same_time_figure
from workbench.geodata_records import Observation

PLACE = (35.62, 36.55)
WHEN = datetime(2016, 10, 26, 7, 32, tzinfo=UTC)
ZOOM, TURN_DEG = 2.0, 30.0  # view B: the same camera zoomed 2x and rolled 30 deg
H = np.array(
    [[ZOOM * math.cos(math.radians(TURN_DEG)), -ZOOM * math.sin(math.radians(TURN_DEG)), 40.0],
     [ZOOM * math.sin(math.radians(TURN_DEG)), ZOOM * math.cos(math.radians(TURN_DEG)), -25.0],
     [0.0, 0.0, 1.0]]
)  # fmt: skip


def _shadow_px(when: datetime, base, image_up_deg: float, length_px: float):
    """Base and tip of a shadow on a nadir view whose up points to ``image_up_deg``."""
    az = (float(sun_at(when, *PLACE).azimuth_deg) + 180.0 - image_up_deg) % 360.0
    a = math.radians(az)
    return list(base), [base[0] + length_px * math.sin(a), base[1] - length_px * math.cos(a)]


def _observation(obs_id: int, base, tip, up_deg: float, other: dict | None = None):
    v = np.subtract(tip, base)
    az = (math.degrees(math.atan2(v[0], -v[1])) + up_deg) % 360.0
    inputs = {
        "object_id": None, "position": list(PLACE), "shadow_azimuth_deg": az,
        "azimuth_sigma_deg": 0.5, "length_ratio": None, "ratio_sigma": 0.05,
        "date": "2016-10-26", "captured_at_utc": None, "mode": "nadir",
        "base_px": list(base), "tip_px": list(tip), "click_sigma_px": 0.5,
    } | (other or {})  # fmt: skip
    result = observations.result_json("shadow", inputs)
    ins, res = observations.stored_json("shadow", inputs, result)
    row = Observation(obs_id, "shadow", None, None, ins, res, "2026-12-05T00:00:00+00:00")
    return observations.read(row)


def _view_b(when: datetime):
    """The same ground seen in view B: A's pixels through H, B's up turned by the roll."""
    base_a, tip_a = _shadow_px(when, (300.0, 200.0), 0.0, 80.0)
    ones = np.array([[*base_a, 1.0], [*tip_a, 1.0]]).T
    mapped = H @ ones
    base_b, tip_b = (mapped[:2] / mapped[2]).T
    return [float(v) for v in base_b], [float(v) for v in tip_b]


def test_same_instant_through_the_homography_is_the_same_time() -> None:
    a = _observation(1, *_shadow_px(WHEN, (300.0, 200.0), 0.0, 80.0), 0.0)
    base_b, tip_b = _view_b(WHEN)
    b = _observation(2, base_b, tip_b, -TURN_DEG)
    fig = same_time_figure(a, b, H)
    assert fig["same_time"] and fig["method"].startswith("shadow directions")
    assert abs(fig["minutes_apart"]) < 0.1 and 0 < fig["within_min"] < 5
    assert fig["observations"] == [1, 2]


def test_half_an_hour_later_is_told_apart() -> None:
    a = _observation(1, *_shadow_px(WHEN, (300.0, 200.0), 0.0, 80.0), 0.0)
    base_b, tip_b = _view_b(WHEN + timedelta(minutes=30))
    b = _observation(2, base_b, tip_b, -TURN_DEG)
    fig = same_time_figure(a, b, H)
    assert not fig["same_time"]
    assert fig["minutes_apart"] == pytest.approx(30.0, abs=2.0)


def test_without_geometry_the_stored_intervals_are_compared() -> None:
    a = _observation(1, *_shadow_px(WHEN, (300.0, 200.0), 0.0, 80.0), 0.0, {"mode": None})
    later = _shadow_px(WHEN + timedelta(hours=2), (300.0, 200.0), 0.0, 80.0)
    b = _observation(2, *later, 0.0, {"mode": None})
    assert same_time_figure(a, a, None)["same_time"]
    fig = same_time_figure(a, b, None)
    assert not fig["same_time"] and fig["within_min"] is None
    assert "no common time" in fig["message"]


def test_a_degenerate_shadow_is_refused_in_words() -> None:
    a = _observation(1, *_shadow_px(WHEN, (300.0, 200.0), 0.0, 80.0), 0.0)
    short = _observation(2, *_shadow_px(WHEN, (300.0, 200.0), 0.0, 1.0), 0.0)
    with pytest.raises(GeometryError, match="too short"):
        same_time_figure(a, short, H)
    with pytest.raises(GeometryError, match="too short"):
        same_time_figure(short, a, H)


def test_saving_a_comparison_of_two_shadowed_views_adds_the_figure(tmp_path, media_data) -> None:
    """Two aerial views (B = A zoomed and turned by a known H), a shadow clicked on each where
    SPA puts it at one instant: the note's verdict says "same time"."""
    from tests.workbench.test_match_store import warped_pair
    from workbench.case import audit, create_case
    from workbench.case.intake import import_file
    from workbench.continuity_store import list_continuity_notes, save_continuity_note
    from workbench.continuity_sun import attach_same_time
    from workbench.match_store import ViewRef, compare_views
    from workbench.shadow_record import add_shadow

    pa, pb, h = warped_pair(media_data, tmp_path, zoom=1.3, rot_deg=8.0)
    with create_case(tmp_path / "t.gwcase", analyst="tester") as case:
        ia, ib = import_file(case, pa).id, import_file(case, pb).id
        a, b = ViewRef(ia), ViewRef(ib)
        result = compare_views(case, a, b)
        note_id = save_continuity_note(case, a, b, result, "two views").result()
        assert attach_same_time(case, note_id, a, b) is None  # no shadows yet: nothing said
        base_a, tip_a = _shadow_px(WHEN, (200.0, 150.0), 0.0, 60.0)
        mapped = h @ np.array([[*base_a, 1.0], [*tip_a, 1.0]]).T
        base_b, tip_b = ([float(v) for v in p] for p in (mapped[:2] / mapped[2]).T)
        for ev, (base, tip) in ((ia, (base_a, tip_a)), (ib, (base_b, tip_b))):
            inputs = dict(_observation(0, base, tip, 0.0).inputs.other) | {
                "position": list(PLACE), "shadow_azimuth_deg": 327.7, "azimuth_sigma_deg": 1.0,
                "ratio_sigma": 0.05, "date": "2016-10-26",
            }  # fmt: skip
            add_shadow(case, inputs, evidence_id=ev).result()
        figure = attach_same_time(case, note_id, a, b)
        assert figure["same_time"] and figure["method"].startswith("shadow directions")
        [note] = list_continuity_notes(case.read(), ia)
        assert note.verdict == f"{result.verdict}, same time"
        assert audit.entries(case.read())[-1].action == "continuity.same_time"
        assert audit.walk(case.read()) == []

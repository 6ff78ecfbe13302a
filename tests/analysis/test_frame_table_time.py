"""FrameTable's time API: the one place where a pts becomes seconds, checked against known pts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from analysis.video.table import FrameRecord, FrameTable, build_frame_table
from tests.synth.video import SynthSpec, write_video


def _table(pts: list[int | None], time_base=(1, 90000)) -> FrameTable:
    tb = time_base[0] / time_base[1]
    frames = tuple(
        FrameRecord(i, p, None if p is None else p * tb, i == 0, f"{i:032x}")
        for i, p in enumerate(pts)
    )
    return FrameTable(frames, time_base, "h264", "yuv420p", 16, 16, 0, (1, 1), True, (), ())


def test_times_start_at_the_first_presentation_time_not_at_pts_zero():
    table = _table([9000, 12600, 16200, 19800])  # starts at 0.1 s, 25 fps
    assert table.start_pts_s == pytest.approx(0.1)
    assert table.times_s() == pytest.approx([0.0, 0.04, 0.08, 0.12])
    assert table.time_s(2) == pytest.approx(0.08)
    assert table.mean_fps() == pytest.approx(25.0)


def test_index_at_time_is_the_frame_on_screen():
    table = _table([0, 3600, 7200, 10800])  # 25 fps
    assert table.index_at_time(0.0) == 0
    assert table.index_at_time(0.04) == 1  # a frame's own time finds that frame
    assert table.index_at_time(0.0799) == 1
    assert table.index_at_time(10.0) == 3  # past the end: the last frame stays on screen
    assert table.index_at_time(-0.01) is None


def test_reordered_pts_and_missing_pts():
    # decode order with B-frames: presentation times are not monotonic in index
    table = _table([0, 10800, 3600, 7200, None])
    assert table.index_at_time(0.05) == 2
    assert table.index_at_time(0.09) == 3
    assert table.time_s(4) is None
    assert table.times_s()[4] is None


def test_untimed_table_has_no_rate_and_no_index():
    table = _table([None, None])
    assert table.mean_fps() is None
    assert table.index_at_time(0.0) is None
    assert table.start_pts_s == 0.0


def test_a_real_encode_with_a_start_offset_and_variable_rate(tmp_path):
    # 1/1000 time base, starting at 500 ms, steps of 40 and 80 ms: truth known exactly
    steps = [40, 80] * 10
    spec = SynthSpec(frames=20, start_pts=500, time_base=Fraction(1, 1000), durations=steps)
    table = build_frame_table(write_video(tmp_path / "vfr.mp4", spec))
    expected = [sum(steps[:i]) / 1000 for i in range(20)]
    assert sorted(t for t in table.times_s() if t is not None) == pytest.approx(expected)
    assert table.start_pts_s == pytest.approx(0.5)
    assert table.mean_fps() == pytest.approx(19 / expected[-1])
    third = table.index_at_time(expected[3])
    assert table.time_s(third) == pytest.approx(expected[3])

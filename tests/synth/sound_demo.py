"""One small sample case with sound for the sound, sync and claims tests (issue 18), built once
per test session: two videos at 320 x 180 and 10 fps, the second long enough to hear its bang.
Tests that change it undo what they did; tests that need their own changes copy it."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

_BUILT: dict[str, Any] = {}


def sound_demo(tmp_path_factory) -> tuple[Any, dict[str, Any]]:
    """(DemoCase, truth) of the session's sound demo case."""
    from workbench.demo import build_demo_case
    from workbench.scenario.scene import ScenarioConfig

    key = str(tmp_path_factory.getbasetemp())
    if key not in _BUILT:
        config = ScenarioConfig(
            rooftop_size=(320, 180), second_size=(320, 180), rooftop_duration_s=4.4,
            cut_at_s=2.0, second_duration_s=4.0, rooftop_fps=Fraction(10),
            second_fps=Fraction(10), still_size=(160, 120), photo_size=(160, 120), gsd_m=4.0,
        )  # fmt: skip
        _BUILT[key] = build_demo_case(tmp_path_factory.mktemp("sound_demo"), seed=7,
                                      config=config)  # fmt: skip
    built = _BUILT[key]
    return built, json.loads(built.truth_path.read_text(encoding="utf-8"))

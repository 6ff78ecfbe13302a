"""The demo case at small size, as the demo's and the report's tests build it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from workbench.demo import build_demo_case


def small_demo_config():
    """The scenario at small size: two short 640x360 videos at 10 fps, small stills."""
    from workbench.scenario.scene import ScenarioConfig

    return ScenarioConfig(
        rooftop_size=(640, 360),
        second_size=(640, 360),
        rooftop_duration_s=4.4,
        cut_at_s=2.0,
        second_duration_s=2.0,
        rooftop_fps=Fraction(10),
        second_fps=Fraction(10),
        still_size=(320, 240),
        photo_size=(320, 240),
        gsd_m=4.0,
    )


def build_small_demo(directory: Path, config=None):
    """The demo case (seed 7) built into ``directory`` from ``config`` (default: small)."""
    return build_demo_case(directory, seed=7, config=config or small_demo_config())

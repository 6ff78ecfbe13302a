"""The scenario generator: a synthetic strike scene with exact ground truth (Qt-free).

Use ``generate_scenario(out_dir, seed=..., progress=..., cancel=...)``; it writes two videos
(one with an edit cut and a descending object), a drone still, a reference photo of the water
tower, a "satellite" orthophoto (JPEG, and a dated GeoTIFF), an elevation model (GeoTIFF), the
town as an OpenStreetMap file with decoy places, and ``truth.json``.
"""

from __future__ import annotations

from workbench.scenario.generate import ScenarioFile, ScenarioResult, generate_scenario
from workbench.scenario.scene import DEFAULT_SEED, ScenarioConfig

__all__ = ["DEFAULT_SEED", "ScenarioConfig", "ScenarioFile", "ScenarioResult", "generate_scenario"]

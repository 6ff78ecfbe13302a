"""The flash_bang observation kind: recompute from inputs, the range ring, bad inputs."""

from __future__ import annotations

import pytest

from analysis.errors import GeometryError
from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench import observations
from workbench.geodata_records import Observation
from workbench.observations import MapContext

INPUTS = {
    "schema": 1, "camera_id": None, "position": [35.6203, 36.5191], "evidence_id": None,
    "flash_frame": 15, "flash_pts_s": 0.6, "frame_duration_s": 0.04, "bang_s": 3.4734,
    "bang_sigma_s": 0.0005, "temperature_c": 20.0, "temperature_sigma_c": 1.0, "tool": "cli",
}  # fmt: skip


def _row(inputs):
    result = observations.result_json("flash_bang", inputs)
    return Observation(1, "flash_bang", None, 15, inputs, result, "2026-12-05T00:00:00Z")


def test_recompute_ring_and_report():
    row = _row(INPUTS)
    assert row.result["distance_m"] == pytest.approx((3.4734 - 0.58) * 343.2, rel=1e-3)
    lo, hi = row.result["distance_ci95_m"]
    assert lo < row.result["distance_m"] < hi
    assert observations.result_json("flash_bang", row.inputs) == row.result  # deterministic
    items = observations.map_items([row], MapContext({}))
    ring = next(i for i in items if i.ident == "observation:1:ring")
    centre = LatLon(35.6203, 36.5191)
    for p in ring.feature.points[::12]:
        assert geodesy.inverse(centre, p).distance_m == pytest.approx(row.result["distance_m"],
                                                                       abs=0.01)  # fmt: skip
    assert "distance" in " ".join(observations.report_section(row).lines)


@pytest.mark.parametrize(
    "change, message",
    [({"bang_s": 0.5}, "after the flash"), ({"temperature_c": 300.0}, "300 C"),
     ({"position": [95.0, 36.0]}, "position")],
)  # fmt: skip
def test_bad_inputs_are_refused(change, message):
    with pytest.raises(GeometryError, match=message):
        observations.result_json("flash_bang", INPUTS | change)

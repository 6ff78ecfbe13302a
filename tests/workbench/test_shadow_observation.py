"""The "shadow" observation kind through the registry: store, read, recompute, draw, report."""

from __future__ import annotations

import json

import pytest

from analysis.errors import GeometryError
from workbench import observations
from workbench.geodata_records import Observation
from workbench.observations.base import MapContext

INPUTS = {
    "object_id": None,
    "position": [35.62, 36.55],
    "shadow_azimuth_deg": 327.7,
    "azimuth_sigma_deg": 1.0,
    "length_ratio": 1.392,
    "ratio_sigma": 0.05,
    "date": "2016-10-26",
    "captured_at_utc": "2016-10-26T10:32:00+03:00",
    "tool": "shadow",  # kept as it was
}


def _row() -> Observation:
    result = observations.result_json("shadow", INPUTS)
    ins, res = observations.stored_json("shadow", INPUTS, result)
    # Through JSON text, as the case stores it.
    return Observation(
        7,
        "shadow",
        None,
        None,
        json.loads(json.dumps(ins)),
        json.loads(json.dumps(res)),
        "2026-12-05T00:00:00+00:00",
    )


def test_registered_and_stored_with_its_schema() -> None:
    assert "shadow" in observations.kinds()
    row = _row()
    assert row.inputs["schema"] == 1 and row.inputs["tool"] == "shadow"


def test_recompute_equals_what_is_stored() -> None:
    row = _row()
    typed = observations.read(row)
    assert observations.entry("shadow").result_to_json(observations.recompute(row)) == row.result
    assert typed.result.sun_azimuth_deg == pytest.approx(147.7)


def test_the_true_time_is_in_the_stored_interval_and_the_claim_checks() -> None:
    r = observations.read(_row()).result
    assert len(r.intervals) == 1
    iv = r.intervals[0]
    assert iv["start_utc"] <= "2016-10-26T07:32:00+00:00" <= iv["end_utc"]
    assert iv["branch"] == "morning"
    assert abs(r.at_capture["azimuth_residual_deg"]) < 0.5


def test_map_draws_the_measured_and_predicted_shadow_lines() -> None:
    items = observations.map_items([_row()], MapContext({}))
    assert [it.layer for it in items] == ["sightlines", "sightlines"]
    assert items[0].ident == "observation:7"


def test_report_section_names_the_interval() -> None:
    text = observations.report_section(_row()).as_text()
    assert "Shadow 7" in text and "carried by" in text and "nan" not in text.lower()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"position": [95.0, 0.0]}, "latitude 95.0"),
        ({"captured_at_utc": "2016-10-26T10:32:00"}, "no time zone"),
        ({"shadow_azimuth_deg": None, "length_ratio": None}, "direction, its length ratio"),
        ({"length_ratio": -1.0}, "positive"),
    ],
)
def test_bad_input_is_refused_in_words(change: dict, words: str) -> None:
    with pytest.raises(GeometryError, match=words):
        observations.result_json("shadow", INPUTS | change)


def test_polar_night_is_refused() -> None:
    bad = INPUTS | {"position": [80.0, 0.0], "date": "2016-12-21", "captured_at_utc": None}
    with pytest.raises(GeometryError, match="polar night"):
        observations.result_json("shadow", bad)

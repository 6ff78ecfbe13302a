"""Hypotheses in the case: stored, validated, audited, undoable, and drawn on the map."""

from __future__ import annotations

import pytest

from analysis.errors import GeometryError
from workbench.case import audit, create_case
from workbench.geolayers import build_layers
from workbench.hypotheses import (
    add_hypothesis,
    delete_hypothesis,
    get_hypothesis,
    list_hypotheses,
    restore_hypothesis,
    update_hypothesis,
)


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "claims.gwcase")
    yield c
    c.close()


def test_add_edit_delete_and_restore_are_logged(case) -> None:
    new_id = add_hypothesis(
        case, "  Strike site: the school  ", 35.62, 36.55, radius_m=150.0, confidence="medium",
        rationale="Flash bearings from two cameras cross here",
    ).result()  # fmt: skip
    h = get_hypothesis(case.read(), new_id)
    assert (h.title, h.lat_deg, h.lon_deg, h.radius_m) == (
        "Strike site: the school",
        35.62,
        36.55,
        150.0,
    )
    old = update_hypothesis(case, new_id, confidence="high", lat_deg=35.6201).result()
    assert old.confidence == "medium" and old.lat_deg == 35.62
    assert get_hypothesis(case.read(), new_id).confidence == "high"
    record = delete_hypothesis(case, new_id).result()
    assert list_hypotheses(case.read()) == []
    assert restore_hypothesis(case, record).result() == new_id
    assert get_hypothesis(case.read(), new_id) == record
    actions = [e.action for e in audit.entries(case.read()) if e.target == f"hypothesis:{new_id}"]
    assert actions == [
        "hypothesis.add",
        "hypothesis.update",
        "hypothesis.delete",
        "hypothesis.restore",
    ]
    assert audit.walk(case.read()) == []  # the chain holds


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": "   "}, "title"),
        ({"lat_deg": 95.0}, "out of range"),
        ({"lon_deg": None}, "both"),
        ({"radius_m": -1.0}, "radius"),
        ({"confidence": "certain"}, "confidence"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(case, kwargs, message) -> None:
    args = {"title": "Claim", "lat_deg": 35.6, "lon_deg": 36.5} | kwargs
    before = len(audit.entries(case.read()))
    with pytest.raises(GeometryError, match=message):
        add_hypothesis(case, **args).result()
    new_id = add_hypothesis(case, "Claim", 35.6, 36.5).result()
    with pytest.raises(GeometryError, match=message):
        update_hypothesis(case, new_id, **kwargs).result()
    assert get_hypothesis(case.read(), new_id).title == "Claim"
    assert len(audit.entries(case.read())) == before + 1  # only the valid add
    with pytest.raises(GeometryError, match="no field"):
        update_hypothesis(case, new_id, colour="red")


def test_placed_hypotheses_are_drawn_draggable_with_their_radius(case) -> None:
    placed = add_hypothesis(case, "<img src=x onerror=alert(1)>", 35.62, 36.55, radius_m=200.0)
    placed = placed.result()
    add_hypothesis(case, "Time of the strike: 08:30", None, None).result()  # no place: not drawn
    features = build_layers(case.read())["hypotheses"]["features"]
    assert [f["properties"]["id"] for f in features] == [
        f"hypothesis:{placed}",
        f"hypothesis:{placed}:radius",
    ]
    point, circle = features
    assert point["properties"]["editable"] and not circle["properties"]["editable"]
    assert point["properties"]["name"] == "<img src=x onerror=alert(1)>"  # data, not markup
    assert point["geometry"]["coordinates"] == [36.55, 35.62]

"""``geoworkbench hypothesis`` and ``hypotheses``: add through the CLI, list, refuse bad values."""

from __future__ import annotations

import json

import pytest

from workbench import cli
from workbench.case import audit, create_case, open_case


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "claims.gwcase"
    create_case(path).close()
    return path


def test_add_then_list_as_json_and_text(case_path, capsys) -> None:
    code = cli.main([
        "hypothesis", str(case_path), "--title", "Strike site: the school", "--at",
        "35.62,36.55", "--radius", "120", "--confidence", "medium", "--rationale",
        "bearings cross here", "--json",
    ])  # fmt: skip
    assert code == 0
    added = json.loads(capsys.readouterr().out)
    assert (added["lat_deg"], added["lon_deg"], added["radius_m"]) == (35.62, 36.55, 120.0)
    assert cli.main(["hypothesis", str(case_path), "--title", "Time: 08:30 local"]) == 0
    capsys.readouterr()
    assert cli.main(["hypotheses", str(case_path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [h["title"] for h in listed] == ["Strike site: the school", "Time: 08:30 local"]
    assert listed[1]["lat_deg"] is None
    assert cli.main(["hypotheses", str(case_path)]) == 0
    text = capsys.readouterr().out
    assert "35.620000, 36.550000 ± 120 m [medium]" in text and "no place" in text
    with open_case(case_path, read_only=True) as case:
        assert [e.action for e in audit.entries(case.read())][-2:] == ["hypothesis.add"] * 2


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["--title", "x", "--at", "95,36"], 1, "out of range"),
        (["--title", "  "], 1, "title"),
        (["--title", "x", "--at", "north"], 2, "LAT,LON"),
        (["--title", "x", "--confidence", "certain"], 2, "invalid choice"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_added(case_path, capsys, argv, code, message):
    assert cli.main(["hypothesis", str(case_path), *argv]) == code
    assert message in capsys.readouterr().err
    assert cli.main(["hypotheses", str(case_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_listing_an_old_case_read_only_says_it_must_be_upgraded(tmp_path, capsys):
    import shutil
    from pathlib import Path

    old = tmp_path / "old_v1.gwcase"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "old_v1.gwcase", old)
    assert cli.main(["hypotheses", str(old)]) == 1
    err = capsys.readouterr().err
    assert "schema version 1" in err and "open it once for writing" in err
    # a command that writes upgrades it, and then it lists
    assert cli.main(["hypothesis", str(old), "--title", "Claim", "--at=-33.9,18.4"]) == 0
    capsys.readouterr()
    assert cli.main(["hypotheses", str(old), "--json"]) == 0
    [h] = json.loads(capsys.readouterr().out)
    assert (h["lat_deg"], h["lon_deg"]) == (-33.9, 18.4)

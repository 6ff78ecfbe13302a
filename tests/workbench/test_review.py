"""Reviewer sign-off: a second analyst's review is stored with its audit row under the
reviewer's name, bound to the chain, refused when it cannot stand, and given to the report."""

from __future__ import annotations

import json

import pytest

from workbench.case import create_case, open_case
from workbench.case.audit import walk
from workbench.case.verify import verify_case
from workbench.cli import main
from workbench.hypotheses import add_hypothesis
from workbench.records import list_records
from workbench.review import (
    ReviewError,
    add_review,
    list_reviews,
    parse_target,
    reviews_for_report,
)


@pytest.fixture
def case_path(tmp_path):
    with create_case(tmp_path / "hass", title="Hass", analyst="Ana") as case:
        add_hypothesis(case, "Strike site", 35.62, 36.55, radius_m=120).result()
        add_hypothesis(case, "Launch point", 35.60, 36.50).result()
    return tmp_path / "hass.gwcase"


def test_a_review_is_audited_under_the_reviewers_name(case_path):
    with open_case(case_path, analyst="Bob") as case:
        review_id = add_review(case, "hypothesis", 1, "reviewed", "checked the shadows").result()
        sql = "SELECT actor, action, target, details_json FROM audit_log ORDER BY seq DESC"
        row = case.read().execute(sql).fetchone()
        assert row[:3] == ("Bob", "review.add", "hypothesis:1")
        details = json.loads(row[3])
        assert details["review_id"] == review_id and details["status"] == "reviewed"
        assert details["reviewer"] == "Bob" and details["note"] == "checked the shadows"
        assert list(walk(case.read())) == []  # the chain holds
        assert verify_case(case).ok  # and the review row is bound to it


def test_the_report_gets_each_targets_standing_and_history(case_path):
    with open_case(case_path, analyst="Bob") as case:
        add_review(case, "hypothesis", 2, "reviewed").result()
        add_review(case, "hypothesis", 1, "reviewed", "fine").result()
    with open_case(case_path, analyst="Chen") as case:
        add_review(case, "hypothesis", 1, "disputed", "the shadow is 20° off").result()
        targets = reviews_for_report(case.read())
    assert [(t.target_id, t.status, t.reviewer) for t in targets] == [
        (1, "disputed", "Chen"),
        (2, "reviewed", "Bob"),
    ]
    assert targets[0].label == "hypothesis 1: Strike site"
    assert [r.reviewer for r in targets[0].history] == ["Bob", "Chen"]
    assert targets[0].history[-1].note == "the shadow is 20° off"


@pytest.mark.parametrize(
    ("analyst", "kind", "target_id", "status", "note", "message"),
    [
        ("Bob", "hypothesis", 9, "reviewed", "", "hypothesis 9 does not exist"),
        ("Bob", "hypothesis", 1, "disputed", "  ", "a dispute needs a note"),
        ("Bob", "hypothesis", 1, "approved", "", "not one of reviewed, disputed"),
        ("Bob", "evidence", 1, "reviewed", "", "cannot be reviewed"),
        ("ana", "hypothesis", 1, "reviewed", "", "signed by a second analyst"),
    ],
)
def test_a_review_that_cannot_stand_writes_nothing(
    case_path, analyst, kind, target_id, status, note, message
):
    with open_case(case_path, analyst=analyst) as case:
        before = case.audit_head()
        with pytest.raises(ReviewError, match=message):
            add_review(case, kind, target_id, status, note).result()
        assert case.audit_head() == before and list_reviews(case.read()) == []


def test_targets_are_kind_colon_id():
    assert parse_target("figure:12") == ("figure", 12)
    for bad in ("hypothesis", "hypothesis:x", "claim:1", ":3"):
        with pytest.raises(ReviewError, match="KIND:ID"):
            parse_target(bad)


def test_a_case_before_reviews_has_none(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "x.sqlite")
    assert reviews_for_report(conn) == []


def test_the_review_commands(case_path, capsys):
    args = ["review", str(case_path), "--target", "hypothesis:1", "--by", "Bob"]
    assert main([*args, "--status", "disputed", "--note", "wrong ridge", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["reviewer"] == "Bob" and said["status"] == "disputed"
    assert said["audit_head"].startswith(f"{said['id'] + 3}:")  # create, 2 hypotheses, review
    assert main([*args, "--status", "disputed"]) == 1
    assert "a dispute needs a note" in capsys.readouterr().err
    assert main(["reviews", str(case_path)]) == 0
    out = capsys.readouterr().out
    assert out == "hypothesis:1\tdisputed\tBob\thypothesis 1: Strike site\n"


def test_the_log_says_it_in_plain_words(case_path):
    from workbench.case.audit import entries
    from workbench.records import summarize

    with open_case(case_path, analyst="Bob") as case:
        add_review(case, "hypothesis", 1, "disputed", "wrong ridge").result()
        last = [e for e in entries(case.read()) if e.action == "review.add"][-1]
    assert summarize(last) == "Bob marked hypothesis 1 disputed: wrong ridge"


def test_an_observation_is_reviewed_and_labelled_by_its_kind(case_path):
    from workbench import geodata

    with open_case(case_path, analyst="Ana") as case:
        cam = geodata.add_landmark(case, "roof", 35.6, 36.5, kind="camera").result()
        oid = geodata.add_bearing(case, cam, 90.0, 0.5).result()
    with open_case(case_path, analyst="Bob") as case:
        add_review(case, "observation", oid, "reviewed", "clicks checked").result()
        [target] = reviews_for_report(case.read())
        records = {r.target: r for r in list_records(case.read())}
    assert (target.target_kind, target.label) == ("observation", f"observation {oid} (bearing)")
    assert records[f"observation:{oid}"].review == "reviewed by Bob: clicks checked"
    assert records["hypothesis:1"].review == ""

"""Claims: Arabic and Russian round-trip, verdicts and links, undo, the audit, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

import pytest

from analysis.timekeeping.zones import TimeInputError
from workbench import cli
from workbench.case import audit, create_case, open_case
from workbench.case.verify import verify_case
from workbench.claims import (
    ClaimError,
    add_claim,
    delete_claim,
    get_claim,
    link_claim,
    list_claims,
    restore_claim,
    update_claim,
)
from workbench.hypotheses import add_hypothesis, get_hypothesis

ARABIC = "لم تُستخدم الطائرات الروسية منذ 18 تشرين الأول"
RUSSIAN = "Российская авиация не применялась с 18 октября"


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "claims.gwcase")
    yield c
    c.close()


def test_arabic_and_russian_round_trip_as_given(case):
    decomposed = unicodedata.normalize("NFD", "تُ") + ARABIC  # stored as given, not normalised
    a = add_claim(
        case,
        text=decomposed,
        claimed_by="وزارة الدفاع",
        language="ar",
        claimed_at="2016-10-27T12:00:00+03:00",
        translation="Russian aviation...",
    ).result()
    r = add_claim(
        case,
        text=RUSSIAN,
        claimed_by="Игорь Конашенков",
        language="ru",
        claimed_at="2016-10-28T09:00:00Z",
        verdict="refuted",
    ).result()
    got = {c.id: c for c in list_claims(case.read())}
    assert got[a].text == decomposed and got[a].claimed_by == "وزارة الدفاع"
    assert got[a].claimed_at_utc == "2016-10-27T09:00:00Z"
    assert got[a].claimed_at_given == "2016-10-27T12:00:00+03:00"
    assert got[r].text == RUSSIAN and got[r].verdict == "refuted"
    assert verify_case(case).ok


def test_links_undo_and_audit(case):
    cid = add_claim(
        case,
        text="The school was not hit by an air strike",
        claimed_by="MoD",
        claimed_at="2016-10-28T10:00:00+03:00",
    ).result()
    hid = add_hypothesis(
        case,
        "Strike on the school",
        35.62,
        36.55,
        time_from="2016-10-26T07:32:00Z",
        time_to="2016-10-26T07:40:00Z",
    ).result()
    assert get_hypothesis(case.read(), hid).time_to_utc == "2016-10-26T07:40:00Z"
    link_claim(case, cid, "hypothesis", hid, note="the bearings cross on the school").result()
    old = update_claim(case, cid, verdict="refuted", verdict_note="three videos").result()
    assert old.verdict == "unverified"
    now = get_claim(case.read(), cid)
    assert now.verdict == "refuted" and now.links[0].target_id == hid
    record = delete_claim(case, cid).result()
    assert list_claims(case.read()) == []
    restore_claim(case, record).result()
    assert get_claim(case.read(), cid) == now
    actions = [e.action for e in audit.entries(case.read())]
    for action in ("claim.add", "claim.link", "claim.update", "claim.delete", "claim.restore"):
        assert action in actions
    assert verify_case(case).ok


def test_bad_claims_write_nothing(case):
    with pytest.raises(TimeInputError, match="no time zone"):
        add_claim(case, text="x", claimed_by="y", claimed_at="2016-10-28T10:00:00")
    with pytest.raises(ClaimError, match="verdict"):
        add_claim(case, text="x", claimed_by="y", claimed_at="2016-10-28T10:00Z", verdict="true")
    with pytest.raises(ClaimError, match="who made it"):
        add_claim(case, text="x", claimed_by=" ", claimed_at="2016-10-28T10:00Z")
    cid = add_claim(case, text="x", claimed_by="y", claimed_at="2016-10-28T10:00Z").result()
    with pytest.raises(ClaimError, match="observation 99"):
        link_claim(case, cid, "observation", 99).result()
    assert get_claim(case.read(), cid).links == ()


def test_cli_claim_claims_and_timeline(tmp_path, capsys):
    path = tmp_path / "c.gwcase"
    create_case(path).close()
    assert cli.main(["claim", str(path), "--text", ARABIC, "--by", "SANA", "--at",
                     "2016-10-26T12:00:00+02:00", "--language", "ar", "--verdict", "refuted",
                     "--source", "https://example.org/s"]) == 0  # fmt: skip
    capsys.readouterr()
    assert cli.main(["claim", str(path), "--text", "x", "--by", "y", "--at", "2016-10-26"]) == 1
    assert "no time zone" in capsys.readouterr().err
    assert cli.main(["claims", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["text"] for c in listed] == [ARABIC]
    assert cli.main(["timeline", str(path), "--zone", "Asia/Damascus", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    claim = next(e for e in events if e["kind"] == "claim")
    assert claim["at_utc"] == "2016-10-26T10:00:00Z"
    assert claim["local_time"] == "2016-10-26T13:00:00+03:00"
    assert "+02:00 disagrees" in claim["offset_flag"]
    assert cli.main(["timeline", str(path), "--zone", "Mars/Olympus"]) == 1
    assert "not an IANA time zone" in capsys.readouterr().err
    with open_case(path, read_only=True) as case:
        assert sum(e.action == "claim.add" for e in audit.entries(case.read())) == 1


def test_registering_the_commands_imports_nothing_heavy():
    code = (
        "import sys; import workbench.commands.audio_commands, workbench.commands.claim_commands;"
        " print(sorted({'av', 'numpy', 'cv2', 'PySide6'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""Reproducible bytes, --at, tamper, escaping, Arabic and --blur-graphic."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime

from tests.workbench.report.conftest import EXPORTED_AT
from tests.workbench.report.report_html import parse_report
from workbench.case import audit, open_case
from workbench.case.evidence import save_note, set_flags
from workbench.claims import add_claim
from workbench.cli import main
from workbench.report import build_report

SCRIPT = "<script>alert(1)</script>"
ARABIC = "لحظة استهداف المدرسة في حاس"


def test_two_reports_of_one_head_differ_only_in_the_export_time_line(
    report_demo, demo_report, tmp_path
):
    later = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)
    again = build_report(report_demo.case_path, tmp_path, exported_at=later)
    a = demo_report.html_path.read_text(encoding="utf-8").splitlines()
    b = again.html_path.read_text(encoding="utf-8").splitlines()
    assert len(a) == len(b)
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert differing == [
        (
            f'<p class="exported-at">Exported at {EXPORTED_AT:%Y-%m-%dT%H:%M:%S}Z</p>',
            '<p class="exported-at">Exported at 2027-03-04T05:06:07Z</p>',
        )
    ]
    assert [p.name for p in again.figures] == [p.name for p in demo_report.figures]


def test_at_an_earlier_head_leaves_out_what_came_later(report_demo, demo_report, tmp_path):
    with open_case(report_demo.case_path, read_only=True) as case:
        entries = audit.entries(case.read())
    fix_seq = next(e.seq for e in entries if e.action == "observation.intersection")
    before = build_report(report_demo.case_path, tmp_path, at_seq=fix_seq - 1)
    assert before.audit_head_seq == fix_seq - 1
    assert before.verify_ok
    doc = parse_report(before.html_path.read_text(encoding="utf-8"))
    whats = [r[0] for r in doc.find("table", "ellipses").rows()]
    assert not any(w.startswith(("intersection", "resection")) for w in whats)
    assert any(w.startswith("landmark") for w in whats)  # what came before is there
    assert [int(r[0]) for r in doc.find("table", "audit").rows()][-1] == fix_seq - 1
    assert doc.find("table", "hypotheses").rows()[0][0] == "none"
    ids = {s.attrs["id"] for s in doc.find_all("section")}
    assert "obs-intersection" not in ids and "obs-bearing" in ids
    now = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    assert any(r[0].startswith("intersection") for r in now.find("table", "ellipses").rows())


def test_a_flipped_byte_is_named_on_the_first_page_and_the_cli_exits_1(case_copy, tmp_path):
    victim = sorted(p for p in (case_copy / "evidence").iterdir() if p.suffix == ".jpg")[0]
    os.chmod(victim, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    os.chmod(victim, stat.S_IRUSR)
    out = tmp_path / "out"
    assert main(["report", str(case_copy), "-o", str(out)]) == 1
    doc = parse_report((out / "report.html").read_text(encoding="utf-8"))
    first = doc.by_id("integrity")
    assert first.find("p", "verify-result").attrs["data-ok"] == "false"
    problems = [li.text() for li in first.find_all("li", "verify-problem")]
    assert any(victim.name in p and "content changed" in p for p in problems)
    assert "verify-failed" in first.classes


def test_user_strings_are_escaped_and_arabic_reads_right_to_left(case_copy, tmp_path):
    with open_case(case_copy) as case:
        save_note(case, None, SCRIPT).result()
        save_note(case, 2, f"evidence note {SCRIPT}").result()
        add_claim(
            case,
            text=ARABIC,
            claimed_by=SCRIPT,
            claimed_at="2016-10-26T10:40:00+03:00",
            language="ar",
            translation="The moment the school in Hass was struck",
            verdict="supported",
        ).result()
    result = build_report(case_copy, tmp_path)
    html = result.html_path.read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = parse_report(html)
    assert SCRIPT in doc.by_id("summary").text()  # shown as text
    assert (
        f"evidence note {SCRIPT}" in doc.by_id("evidence-2").text() + doc.by_id("evidence").text()
    )
    rtl = [b for b in doc.find_all("bdi") if b.attrs.get("dir") == "rtl"]
    assert ARABIC in [b.text() for b in rtl]
    [claim] = [r for r in doc.find("table", "claims").rows() if SCRIPT in r[2]]
    assert claim[5] == "supported" and ARABIC in claim[1]


def test_blur_graphic_blurs_that_evidences_figures_and_keeps_the_unblurred_hash(
    case_copy, demo_report, tmp_path
):
    with open_case(case_copy) as case:
        set_flags(case, 1, graphic=True).result()
        graphic_sha = case.read().execute("SELECT sha256 FROM evidence WHERE id = 1").fetchone()[0]
    blurred = build_report(case_copy, tmp_path, blur_graphic=True)
    doc = parse_report(blurred.html_path.read_text(encoding="utf-8"))
    plain = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    plain_by_frame = {
        f.attrs["data-frame-index"]: f.attrs["data-sha256"]
        for f in plain.find_all("figure")
        if f.attrs.get("data-source-sha256") == graphic_sha
    }
    mine = [f for f in doc.find_all("figure") if f.attrs.get("data-source-sha256") == graphic_sha]
    assert len(mine) == len(plain_by_frame) >= 2
    for fig in mine:
        unblurred = fig.find("span", "unblurred").text()
        assert unblurred == plain_by_frame[fig.attrs["data-frame-index"]]
        assert fig.attrs["data-sha256"] != unblurred
        assert (tmp_path / "figures" / f"{fig.attrs['data-sha256']}.png").is_file()
    others = [f for f in doc.find_all("figure") if f.attrs.get("data-source-sha256")
              and f.attrs["data-source-sha256"] != graphic_sha]  # fmt: skip
    assert others and not any(f.find_all("span", "unblurred") for f in others)
    assert hashlib.sha256(b"").hexdigest() not in blurred.html_path.read_text(encoding="utf-8")


def test_a_disputed_sign_off_shows_with_its_reviewer_and_note(case_copy, tmp_path):
    from workbench.review import add_review

    with open_case(case_copy, analyst="Bob Reviewer") as case:
        fix = (
            case.read()
            .execute("SELECT id FROM observation WHERE kind = 'intersection'")
            .fetchone()[0]
        )
        add_review(case, "observation", fix, "disputed", f"wrong ridge {SCRIPT}").result()
    doc = parse_report(build_report(case_copy, tmp_path).html_path.read_text(encoding="utf-8"))
    [row] = doc.find("table", "reviews").rows()
    assert row[0] == f"observation {fix} (intersection)"
    assert row[1] == "disputed" and row[2] == "Bob Reviewer"
    assert f"wrong ridge {SCRIPT}" in row[3]


def test_an_annotated_frame_is_shown_burned_in_with_the_clean_frames_hash(
    case_copy, demo_report, tmp_path
):
    from workbench.annotations import add_annotation

    with open_case(case_copy) as case:
        frame = (
            case.read()
            .execute(
                "SELECT frame_index FROM observation WHERE kind = 'bearing' AND evidence_id = 1"
            )
            .fetchone()[0]
        )
        add_annotation(case, 1, frame, "box", [(40, 30), (200, 150)], f"crater {SCRIPT}").result()
    doc = parse_report(build_report(case_copy, tmp_path).html_path.read_text(encoding="utf-8"))
    plain = parse_report(demo_report.html_path.read_text(encoding="utf-8"))

    def figure(d):
        return next(f for f in d.find_all("figure") if f.attrs.get("id") == f"frame-e1-f{frame}")

    burned, clean = figure(doc), figure(plain)
    assert burned.attrs["data-clean-sha256"] == clean.attrs["data-sha256"]
    assert burned.attrs["data-sha256"] != clean.attrs["data-sha256"]
    assert burned.attrs["data-frame-md5"] == clean.attrs["data-frame-md5"]  # the clean frame's
    assert "overlay" in burned.find("span", "provenance").text()
    [row] = doc.by_id("video").find_all("table")[-1].rows()
    assert row[3] == f"crater {SCRIPT}" and row[4] == "box"


def test_an_exported_frame_is_shown_by_its_recorded_hash_and_a_changed_one_is_named(
    case_copy, tmp_path
):
    from workbench.frame_export import export_frame

    with open_case(case_copy) as case:
        first = export_frame(case, 1, 3)
        second = export_frame(case, 1, 5)
    second.png_path.write_bytes(b"not the exported frame")
    doc = parse_report(build_report(case_copy, tmp_path).html_path.read_text(encoding="utf-8"))
    fig = doc.by_id("export-1")
    assert fig.attrs["data-sha256"] == first.png_sha256
    assert "frame index 3" in fig.find("span", "provenance").text()
    video = doc.by_id("video").text()
    assert "the exported file is missing or changed" in video and "frame index 5" in video
    assert doc.by_id("frame-e1-f3").attrs["data-frame-md5"] == first.frame_md5


def test_a_corrupted_video_still_gets_its_report_naming_it_and_its_frames(case_copy, tmp_path):
    with open_case(case_copy, read_only=True) as case:
        stored = case.read().execute("SELECT stored_name FROM evidence WHERE id = 1").fetchone()[0]
    victim = case_copy / "evidence" / stored
    os.chmod(victim, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(victim.read_bytes())
    for i in range(2000, len(data), 997):  # the picture data ruined, the container kept
        data[i] ^= 0xFF
    victim.write_bytes(bytes(data))
    out = tmp_path / "out"
    assert main(["report", str(case_copy), "-o", str(out)]) == 1
    doc = parse_report((out / "report.html").read_text(encoding="utf-8"))
    problems = [li.text() for li in doc.by_id("integrity").find_all("li", "verify-problem")]
    assert any(stored in p for p in problems)
    shown = {f.attrs.get("data-source-sha256") for f in doc.find_all("figure")}
    failed = doc.by_id("video").text()
    assert stored.split(".")[0] not in shown  # no picture from a file that fails its hash
    assert "Not shown" in failed and "rooftop_strike.mp4), frame" in failed


def test_a_correspondence_figure_is_embedded_by_its_recorded_hash(case_copy, tmp_path):
    from workbench.correspondence.model import Mark, Pair
    from workbench.correspondence.store import draw_correspondence, record_figure

    pairs = [Pair(Mark(100, 80), Mark(120, 90)), Pair(Mark(300, 200), Mark(310, 190))]
    with open_case(case_copy) as case:
        drawn = draw_correspondence(case, (1, 6), (2, 4), pairs, title=f"tower {SCRIPT}")
        ident = record_figure(case, drawn).result()
    doc = parse_report(build_report(case_copy, tmp_path).html_path.read_text(encoding="utf-8"))
    fig = doc.by_id(f"correspondence-{ident}")
    assert fig.attrs["data-sha256"] == drawn.png_sha256
    caption = fig.find("figcaption").text()
    assert f"tower {SCRIPT}" in caption and "2 marked pairs" in caption

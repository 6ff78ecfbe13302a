"""A continuity note's figure in the report: matched again from the cited frames, its counts
set against the note's, a difference said in words."""

from __future__ import annotations

from dataclasses import replace

from tests.workbench.report.report_html import parse_report
from workbench.report import build_report, sections_video


def test_counts_that_differ_from_the_note_are_said(case_copy, tmp_path, monkeypatch):
    original = sections_video.list_continuity_notes

    def saved_elsewhere(conn):  # as if the note had come from another version's matcher
        return [replace(n, figures={**n.figures, "matches": 999}) for n in original(conn)]

    monkeypatch.setattr(sections_video, "list_continuity_notes", saved_elsewhere)
    result = build_report(case_copy, tmp_path)
    doc = parse_report(result.html_path.read_text(encoding="utf-8"))
    caption = doc.by_id("continuity-1-figure").find("figcaption").text()
    assert "not the note's counts (999 matches" in caption
    assert "the same counts as the note" not in caption


def test_counts_that_agree_are_said_too(demo_report):
    doc = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    assert "the same counts as the note" in doc.by_id("continuity-1-figure").text()

"""The methods section's command lines, re-run: they give the report's hashes and numbers."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess

from tests.workbench.report.report_html import parse_report
from workbench.cli import main


def _lines(result) -> list[list[str]]:
    doc = parse_report(result.html_path.read_text(encoding="utf-8"))
    return [shlex.split(c.text()) for c in doc.by_id("methods").find_all("code", "cli")]


def _figures(result):
    return parse_report(result.html_path.read_text(encoding="utf-8")).find_all("figure")


def test_a_frame_line_writes_the_figures_png_again(report_demo, demo_report, tmp_path, monkeypatch):
    frames = [a for a in _lines(demo_report) if a[:2] == ["geoworkbench", "frame"]]
    assert len(frames) >= 4
    argv = frames[0]
    out = tmp_path / argv[argv.index("-o") + 1]
    argv[argv.index("-o") + 1] = str(out)  # beside the test, not in the case folder
    monkeypatch.chdir(report_demo.case_path)
    assert main(argv[1:]) == 0
    source = argv[2].removeprefix("evidence/").split(".")[0]
    index = argv[argv.index("--index") + 1]
    [fig] = [
        f for f in _figures(demo_report)
        if f.attrs.get("data-source-sha256") == source and f.attrs["data-frame-index"] == index
    ]  # fmt: skip
    want = fig.attrs.get("data-clean-sha256") or fig.attrs["data-sha256"]  # annotated: clean
    assert hashlib.sha256(out.read_bytes()).hexdigest() == want


def test_the_framemd5_line_gives_each_cited_frames_md5(report_demo, demo_report, capsys):
    checks = {tuple(a) for a in _lines(demo_report) if a[0] == "ffmpeg"}
    assert checks
    cited = [f for f in _figures(demo_report) if f.attrs.get("data-frame-md5")]
    for argv in checks:
        video = argv[argv.index("-i") + 1]
        if shutil.which("ffmpeg"):
            done = subprocess.run(argv, cwd=report_demo.case_path, capture_output=True,
                                  text=True, check=True)  # fmt: skip
            lines = done.stdout.splitlines()
        else:  # the same lines, as the workbench prints them
            assert main(["framemd5", str(report_demo.case_path / video)]) == 0
            lines = capsys.readouterr().out.splitlines()
        md5s = [line.split(",")[-1].strip() for line in lines if not line.startswith("#")]
        sha = video.removeprefix("evidence/").split(".")[0]
        for fig in (f for f in cited if f.attrs["data-source-sha256"] == sha):
            assert md5s[int(fig.attrs["data-frame-index"])] == fig.attrs["data-frame-md5"]


def test_the_triangulate_line_gives_the_intersection_and_its_ellipse(demo_report, capsys):
    [argv] = [a for a in _lines(demo_report) if a[:2] == ["geoworkbench", "triangulate"]]
    assert main(argv[1:]) == 0
    got = json.loads(capsys.readouterr().out)
    doc = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    [row] = [r for r in doc.find("table", "ellipses").rows() if r[0].startswith("intersection")]
    assert f"{got['lat']:.7f}" == row[2] and f"{got['lon']:.7f}" == row[3]
    assert f"{got['ellipse']['semi_major_m']:,.1f} m" == row[4]
    assert f"{got['ellipse']['semi_minor_m']:,.1f} m" == row[5]
    assert f"{got['ellipse']['azimuth_deg']:,.1f}°" == row[6]


def test_the_report_line_draws_the_static_maps_again(report_demo, demo_report, monkeypatch):
    lines = [a for a in _lines(demo_report) if a[:2] == ["geoworkbench", "report"]]
    assert lines
    monkeypatch.chdir(report_demo.case_path)
    assert main(lines[0][1:]) == 0
    out = report_demo.case_path.parent / "report_check"
    try:
        again = {f.attrs["id"]: f.attrs["data-sha256"] for f in parse_report(
            (out / "report.html").read_text(encoding="utf-8")).find_all("figure")}  # fmt: skip
    finally:
        shutil.rmtree(out)
    maps = {f.attrs["id"]: f.attrs["data-sha256"] for f in _figures(demo_report)
            if f.attrs["id"].startswith("map-")}  # fmt: skip
    assert maps and all(again[k] == v for k, v in maps.items())


def test_each_bearing_line_gives_the_bearings_azimuth(demo_report, capsys):
    doc = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    methods = {m.find("h3").text(): m for m in doc.by_id("methods").find_all("div", "method")}
    lines = {
        title.split("bearing observation ", 1)[1]: [shlex.split(c.text())
                                                    for c in m.find_all("code", "cli")]
        for title, m in methods.items() if "bearing observation" in title
    }  # fmt: skip
    assert len(lines) >= 2
    for ident, [argv] in lines.items():
        assert main(argv[1:]) == 0
        got = json.loads(capsys.readouterr().out)
        obs = doc.by_id(f"observation-{ident}")
        numbers = dict(zip((n.text() for n in obs.find_all("dt")),
                           (n.text() for n in obs.find_all("dd")), strict=True))  # fmt: skip
        assert f"{got['azimuth_deg']:.6f}" == numbers["azimuth_deg"]


def test_the_match_line_on_the_frame_lines_pngs_gives_the_continuity_numbers(
    report_demo, demo_report, tmp_path, monkeypatch, capsys
):
    lines = _lines(demo_report)
    [match] = [a for a in lines if a[:2] == ["geoworkbench", "match"]]
    wanted = set(match[2:4])
    monkeypatch.chdir(report_demo.case_path)
    for argv in (a for a in lines if a[:2] == ["geoworkbench", "frame"]):
        name = argv[argv.index("-o") + 1]
        if name in wanted:
            argv[argv.index("-o") + 1] = str(tmp_path / name)
            assert main(argv[1:]) == 0
            wanted.discard(name)
    assert not wanted  # both frames have their line
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(match[1:]) == 0
    got = json.loads(capsys.readouterr().out)
    note = parse_report(demo_report.html_path.read_text(encoding="utf-8")).by_id("continuity-1")
    numbers = dict(zip((n.text() for n in note.find_all("dt")),
                       (n.text() for n in note.find_all("dd")), strict=True))  # fmt: skip
    assert int(numbers["matches"]) == got["matches"]
    assert int(numbers["inliers"]) == got["inliers"]
    assert float(numbers["zoom ratio (B / A)"]) == round(got["zoom_ratio"], 6)
    # --figure draws the note's side-by-side figure again: the bytes the report embeds.
    figure = note.find("figure")
    drawn = tmp_path / match[match.index("--figure") + 1]
    assert hashlib.sha256(drawn.read_bytes()).hexdigest() == figure.attrs["data-sha256"]
    assert f"{got['matches']} matches, {got['inliers']} inliers" in figure.text()

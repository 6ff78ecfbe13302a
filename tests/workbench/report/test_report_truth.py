"""The sample case's report, parsed and checked against truth.json and the case's files."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from tests.workbench.report.report_html import parse_report


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _doc(result):
    return parse_report(result.html_path.read_text(encoding="utf-8"))


def test_every_evidence_hash_is_in_the_table_under_its_name(report_demo, demo_report):
    truth = json.loads(report_demo.truth_path.read_text(encoding="utf-8"))
    evidence_dir = report_demo.case_path / "evidence"
    by_hash = {_sha(p.read_bytes()): p for p in evidence_dir.iterdir() if p.is_file()}
    rows = {r[1]: r[2] for r in _doc(demo_report).find("table", "evidence").rows()}
    names = {truth["files"][role] for role in report_demo.evidence_ids}  # what the demo imports
    conn = sqlite3.connect(f"file:{report_demo.case_path / 'case.sqlite'}?mode=ro", uri=True)
    layers = {
        n
        for (n,) in conn.execute(
            "SELECT e.original_name FROM imagery_layer l JOIN evidence e ON e.id = l.evidence_id"
        )
    }
    conn.close()
    assert layers <= set(truth["files"].values())  # and the imagery layers it adds (the DEM)
    names |= layers
    assert set(rows) == names
    assert set(rows.values()) == set(by_hash)  # the bytes on disk, hashed here
    assert demo_report.verify_ok and demo_report.verify_problems == ()


def test_verify_passes_on_the_first_page(demo_report, report_demo):
    doc = _doc(demo_report)
    first = doc.by_id("integrity")
    assert first.find("p", "verify-result").attrs["data-ok"] == "true"
    assert f"{demo_report.audit_head_seq}:{demo_report.audit_head_hash}" in first.text()
    # The integrity box comes before every section.
    html = demo_report.html_path.read_text(encoding="utf-8")
    assert html.index('id="integrity"') < html.index("<section ")


def test_every_figure_is_embedded_written_beside_and_carries_provenance(demo_report, report_demo):
    doc = _doc(demo_report)
    figures = doc.find_all("figure")
    assert len(figures) >= 5  # 3 frames of the rooftop video, 2 of the second, 2 maps
    written = {p.name: p for p in demo_report.figures}
    evidence_hashes = {
        _sha(p.read_bytes()) for p in (report_demo.case_path / "evidence").iterdir() if p.is_file()
    }
    for fig in figures:
        data = base64.b64decode(fig.find("img").attrs["src"].split(",", 1)[1])
        assert _sha(data) == fig.attrs["data-sha256"]
        assert written[f"{fig.attrs['data-sha256']}.png"].read_bytes() == data
        prov = fig.find("span", "provenance").text()
        assert "software" in prov or "drawn by" in prov
        if "data-source-sha256" in fig.attrs:
            assert fig.attrs["data-source-sha256"] in evidence_hashes
            assert f"evidence sha256 {fig.attrs['data-source-sha256']}" in prov
            if fig.attrs["data-frame-index"]:
                assert f"frame index {fig.attrs['data-frame-index']}" in prov
                assert f"frame md5 {fig.attrs['data-frame-md5']}" in prov
                assert re.search(r"pts \d+", prov) and "operations: decode" in prov


def test_cited_frames_have_the_case_frame_tables_md5(demo_report, report_demo):
    import sqlite3

    conn = sqlite3.connect(f"file:{report_demo.case_path / 'case.sqlite'}?mode=ro", uri=True)
    md5 = {
        (sha, idx): m
        for sha, idx, m in conn.execute(
            "SELECT e.sha256, f.frame_index, f.md5 FROM frame f JOIN evidence e"
            " ON e.id = f.evidence_id"
        )
    }
    conn.close()
    cited = [f for f in _doc(demo_report).find_all("figure") if f.attrs.get("data-frame-md5")]
    assert cited
    for fig in cited:
        key = (fig.attrs["data-source-sha256"], int(fig.attrs["data-frame-index"]))
        assert md5[key] == fig.attrs["data-frame-md5"]


def test_the_cut_and_the_continuity_verdict_with_its_numbers(demo_report, report_demo):
    truth = json.loads(report_demo.truth_path.read_text(encoding="utf-8"))
    cut_frame = truth["videos"]["video_rooftop"]["cut"]["frame"]
    doc = _doc(demo_report)
    cuts = {p.attrs["data-evidence"]: p.text() for p in doc.find_all("p", "cuts")}
    rooftop = str(report_demo.evidence_ids["video_rooftop"])
    assert cuts[rooftop] == f"Cuts at frames: {cut_frame}"
    note = doc.by_id("continuity-1")
    numbers = dict(zip((n.text() for n in note.find_all("dt")),
                       (n.text() for n in note.find_all("dd")), strict=True))  # fmt: skip
    stored = _stored_continuity(report_demo.case_path)
    assert numbers["Verdict"] == note.attrs["data-verdict"] == stored["note_verdict"]
    assert numbers["verdict"] == stored["verdict"]  # the matcher's, among the numbers
    assert int(numbers["matches"]) == stored["matches"]
    assert int(numbers["inliers"]) == stored["inliers"]
    assert float(numbers["zoom ratio (B / A)"]) == round(stored["zoom_ratio"], 6)
    # Frames either side of the cut, and the zoom ratio measured near the truth's.
    refs = numbers["Frames"]
    frames = [int(n) for n in re.findall(r"frame (\d+)", refs)]
    assert min(frames) < cut_frame <= max(frames)
    zoom = float(numbers["zoom ratio (B / A)"])
    assert abs(zoom - truth["videos"]["video_rooftop"]["cut"]["zoom_ratio"]) < 0.5
    for key in ("matches", "inliers", "rotation (deg)", "reason"):
        assert numbers[key] not in ("", "—")


def _stored_continuity(case_path) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{case_path / 'case.sqlite'}?mode=ro", uri=True)
    [(verdict, figures)] = conn.execute(
        "SELECT verdict, figures_json FROM continuity_note"
    ).fetchall()
    conn.close()
    return {**json.loads(figures), "note_verdict": verdict}


def test_the_intersection_with_its_95_ellipse_holds_the_strike_point(demo_report, report_demo):
    truth = json.loads(report_demo.truth_path.read_text(encoding="utf-8"))
    strike = truth["landmarks"]["strike_point"]
    rows = _doc(demo_report).find("table", "ellipses").rows()
    [row] = [r for r in rows if r[0].startswith("intersection")]
    lat, lon = float(row[2]), float(row[3])
    major, minor = (float(row[i].removesuffix(" m").replace(",", "")) for i in (4, 5))
    assert row[7] == "95%" and row[8] == "ok" and major >= minor > 0
    miss = geodesy.distance_m(LatLon(lat, lon), LatLon(strike["lat_deg"], strike["lon_deg"]))
    assert miss < major  # the truth lies within the ellipse's reach
    assert not re.search(r"\bnan\b", _doc(demo_report).text(), re.IGNORECASE)  # NaN never shown


def test_sections_are_all_there_and_each_observation_kind_has_its_own(demo_report):
    doc = _doc(demo_report)
    ids = {s.attrs["id"] for s in doc.find_all("section")}
    assert {"summary", "evidence", "video", "matches", "geometry", "audit", "methods"} <= ids
    assert {"obs-bearing", "obs-intersection", "obs-resection"} <= ids
    assert doc.find("iframe", "map").attrs["srcdoc"].startswith("<!DOCTYPE html>")
    assert "L.map" in doc.find("iframe", "map").attrs["srcdoc"]  # Leaflet inline


def test_the_drone_stills_clocks_are_labelled_in_the_evidence_and_the_timeline(
    report_demo, demo_report
):
    truth = json.loads(report_demo.truth_path.read_text(encoding="utf-8"))
    exif = truth["photos"]["drone_still"]["exif"]
    local = exif["datetime_original_local"].replace(":", "-", 2).replace(" ", "T")
    doc = _doc(demo_report)
    drone = report_demo.evidence_ids["drone_still"]
    section = doc.by_id("evidence").by_id(f"evidence-{drone}")
    assert section.text().startswith(f"Evidence {drone}: {truth['files']['drone_still']}")
    clocks = doc.by_id("evidence").find_all("table")[drone].rows()  # 0 is the evidence table
    camera = clocks[[r[0] for r in clocks].index("camera")]
    assert camera[:4] == ["camera", local, exif["offset_time_original"],
                          truth["photos"]["drone_still"]["utc"]]  # fmt: skip
    timeline = doc.find("table", "timeline").rows()
    assert any(r[4] == "capture" and truth["files"]["drone_still"] in r[5] and r[6] == "gps"
               for r in timeline)  # fmt: skip

"""The descent section of the sample case's report: written by the descent entry of the
observation registry, with its height-time plot embedded by hash."""

from __future__ import annotations

import base64
import hashlib
import sqlite3

from tests.workbench.report.report_html import parse_report
from workbench import observations
from workbench.descent_figure import descent_figure_png
from workbench.geodata_records import list_observations
from workbench.observations.descent import descent_of


def test_the_descent_section_shows_the_stored_descent_and_its_plot(report_demo, demo_report):
    conn = sqlite3.connect(f"file:{report_demo.case_path / 'case.sqlite'}?mode=ro", uri=True)
    rows = [r for r in list_observations(conn) if r.kind == "descent"]
    conn.close()
    assert rows, "the demo stores the rooftop video's descent"
    doc = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    section = doc.by_id("obs-descent")
    for row in rows:
        obs = observations.entry("descent").read(row)
        div = doc.by_id(f"observation-{row.id}")
        assert f"verdict: {obs.result.verdict}" in div.text()
        fig = div.find("figure")
        data = base64.b64decode(fig.find("img").attrs["src"].split(",", 1)[1])
        # The plot is the one the stored inputs give, drawn again here: the same bytes.
        expected = descent_figure_png(descent_of(obs.inputs), title=f"Descent {row.id}")
        assert data == expected
        assert fig.attrs["data-sha256"] == hashlib.sha256(data).hexdigest()
        assert f"descent observation {row.id}" in fig.find("span", "provenance").text()
    assert len(section.find_all("figure")) == len(rows)

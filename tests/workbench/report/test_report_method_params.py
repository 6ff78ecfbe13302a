"""Long parameters in the methods section (an elevation grid, a track's samples) are given by
size and hash, and the hash is that of the value stored in the case."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3

from tests.workbench.report.report_html import parse_report
from workbench.report.sections_methods import LONG_PARAM_CHARS


def test_a_long_parameter_is_its_hash_and_the_hash_is_the_stored_values(report_demo, demo_report):
    conn = sqlite3.connect(f"file:{report_demo.case_path / 'case.sqlite'}?mode=ro", uri=True)
    stored = {}
    for ident, kind, inputs in conn.execute("SELECT id, kind, inputs_json FROM observation"):
        for key, value in json.loads(inputs).items():
            compact = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            if len(compact) > LONG_PARAM_CHARS:
                stored[(f"{kind} observation {ident}", key)] = compact
    conn.close()
    assert stored, "the demo stores a descent's samples and a pose's terrain grid"
    doc = parse_report(demo_report.html_path.read_text(encoding="utf-8"))
    for (what, key), compact in stored.items():
        [method] = [m for m in doc.by_id("methods").find_all("div", "method")
                    if m.find("h3").text().endswith(what)]  # fmt: skip
        text = method.text()
        digest = hashlib.sha256(compact.encode("utf-8")).hexdigest()
        assert re.search(rf'"{key}": "\(.*characters of JSON, sha256 {digest}\)"', text)
        assert len(text) < 3 * LONG_PARAM_CHARS + 2000  # not pages of numbers

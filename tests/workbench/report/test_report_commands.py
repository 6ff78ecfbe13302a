"""The report command and the job protocol: JSON output, progress, cancel, refusals."""

from __future__ import annotations

import json

import pytest

from analysis.jobs import CancelToken, JobCancelled
from workbench.cli import main
from workbench.report import build_report


def test_json_output_names_the_files_and_the_head(report_demo, demo_report, tmp_path, capsys):
    assert main(["report", str(report_demo.case_path), "-o", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verify_ok"] is True and out["verify_problems"] == []
    assert out["audit_head_seq"] == demo_report.audit_head_seq
    assert out["audit_head_hash"] == demo_report.audit_head_hash
    assert out["html"] == str(tmp_path / "report.html") and out["pdf"] is None
    assert sorted(out["figures"]) == sorted(str(tmp_path / "figures" / p.name)
                                            for p in demo_report.figures)  # fmt: skip


def test_progress_rises_to_one_and_cancel_writes_nothing(report_demo, tmp_path):
    seen: list[float] = []
    build_report(report_demo.case_path, tmp_path / "a", progress=lambda f, _m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 5
    token = CancelToken()
    calls = 0

    def cancel_midway(fraction: float, _message: str) -> None:
        nonlocal calls
        calls += 1
        if fraction > 0.5:
            token.cancel()

    with pytest.raises(JobCancelled):
        build_report(report_demo.case_path, tmp_path / "b", progress=cancel_midway, cancel=token)
    assert calls and not (tmp_path / "b").exists()


def test_refusals_name_the_file(report_demo, tmp_path, capsys):
    evidence = report_demo.case_path / "evidence"
    assert main(["report", str(report_demo.case_path), "-o", str(evidence / "r")]) == 1
    assert str(evidence) in capsys.readouterr().err
    assert main(["report", str(report_demo.case_path), "-o", str(tmp_path), "--at", "9999"]) == 1
    err = capsys.readouterr().err
    assert "9999" in err and report_demo.case_path.name in err
    assert not (tmp_path / "report.html").exists()
    missing = tmp_path / "nowhere.gwcase"
    assert main(["report", str(missing), "-o", str(tmp_path)]) == 1
    assert "nowhere.gwcase" in capsys.readouterr().err


def test_a_case_older_than_the_workbench_is_refused_with_what_to_do(tmp_path, capsys):
    import shutil
    from pathlib import Path

    old = tmp_path / "old_v1.gwcase"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "old_v1.gwcase", old)
    assert main(["report", str(old), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert str(old) in err and "open it once for writing" in err
    assert not (tmp_path / "out").exists()

"""The case subcommands: new, import, verify, log; exit codes; no Qt in headless commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synth.media_factory import make_jpeg
from workbench.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_import_verify_log_round_trip(tmp_path, capsys):
    case = tmp_path / "hass.gwcase"
    assert run(capsys, "new", str(tmp_path / "hass"), "--title", "Hass")[0] == 0
    photo = make_jpeg(tmp_path / "p.jpg")
    code, out, _ = run(capsys, "import", str(case), str(photo), "--note", "<script>x</script>")
    assert code == 0
    evidence_id, sha256, kind, name = out.strip().split("\t")
    assert (evidence_id, kind, name) == ("1", "image", "p.jpg") and len(sha256) == 64
    code, out, _ = run(capsys, "verify", str(case), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["evidence_checked"] == 1
    assert report["audit_rows"] == 3 and len(report["audit_head"]) == 64
    code, out, _ = run(capsys, "log", str(case), "--json")
    rows = json.loads(out)
    assert [r["action"] for r in rows] == ["case.create", "evidence.import", "note.add"]
    assert rows[-1]["row_hash"] == report["audit_head"]
    assert rows[-1]["details"]["body"] == "<script>x</script>"  # stored as given, as text


def test_verify_exits_1_naming_the_altered_file(tmp_path, capsys):
    run(capsys, "new", str(tmp_path / "c"))
    case = tmp_path / "c.gwcase"
    run(capsys, "import", str(case), str(make_jpeg(tmp_path / "p.jpg")))
    [stored] = [p for p in (case / "evidence").iterdir() if p.is_file()]
    stored.chmod(0o644)
    with stored.open("ab") as f:
        f.write(b"tampered")
    code, out, _ = run(capsys, "verify", str(case))
    assert code == 1
    assert str(stored) in out and "content changed" in out and "writable" in out
    stored.unlink()
    code, out, _ = run(capsys, "verify", str(case))
    assert code == 1 and "missing" in out


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "verify")[0] == 2
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys)[0] == 2


def test_import_of_bad_file_exits_1_with_clear_error(tmp_path, capsys):
    run(capsys, "new", str(tmp_path / "c"))
    bad = tmp_path / "readme.jpg"
    bad.write_text("hello")
    code, out, err = run(capsys, "import", str(tmp_path / "c.gwcase"), str(bad))
    assert code == 1 and out == ""
    assert "readme.jpg" in err


def test_locked_case_gives_clear_error(tmp_path, capsys):
    from workbench.case import open_case

    run(capsys, "new", str(tmp_path / "c"))
    with open_case(tmp_path / "c.gwcase"):
        code, _, err = run(
            capsys, "import", str(tmp_path / "c.gwcase"), str(make_jpeg(tmp_path / "p.jpg"))
        )
    assert code == 1 and "already open" in err


@pytest.mark.parametrize("args", [["--help"], ["verify", "{case}"], ["log", "{case}"]])
def test_headless_commands_never_import_qt(tmp_path, capsys, args):
    run(capsys, "new", str(tmp_path / "c"))
    argv = [a.format(case=tmp_path / "c.gwcase") for a in args]
    code = (
        "import sys\n"
        "from ui.entry import main\n"
        f"try:\n    code = main({argv!r})\nexcept SystemExit as e:\n    code = e.code\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr

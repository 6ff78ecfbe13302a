"""The `scenario` command and determinism: same seed, same truth bytes and decoded frames."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from workbench import cli
from workbench.commands import scenario_commands
from workbench.scenario import ScenarioConfig, generate_scenario

TINY = ScenarioConfig(
    rooftop_size=(160, 90),
    rooftop_fps=Fraction(5),
    second_size=(160, 90),
    second_fps=Fraction(5),
    still_size=(160, 120),
    photo_size=(160, 120),
    gsd_m=4.0,
    write_orthophoto=False,
)


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_help_does_not_import_the_generator() -> None:
    code = (
        "import sys, workbench.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('cv2', 'av', 'workbench.scenario') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "[]"


def test_out_dir_that_is_a_file_is_a_usage_error(tmp_path, capsys) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert cli.main(["scenario", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_cli_writes_scenario_and_is_deterministic(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(scenario_commands, "_quick_config", lambda: TINY)
    assert cli.main(["scenario", str(tmp_path / "cli"), "--quick", "--seed", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    roles = {f["role"]: Path(f["path"]) for f in report["files"]}
    assert {
        "video_rooftop",
        "video_second",
        "drone_still",
        "reference_tower_photo",
        "truth",
    } <= set(roles)
    assert report["seed"] == 5 and Path(report["truth"]) == roles["truth"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in roles.values())

    again = generate_scenario(tmp_path / "api", seed=5, config=TINY)
    assert again.truth_path.read_bytes() == roles["truth"].read_bytes()
    for role in ("video_rooftop", "video_second"):
        a, b = frames_of(roles[role]), frames_of(again.path(role))
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    other = generate_scenario(tmp_path / "other", seed=6, config=TINY)
    a, b = frames_of(roles["video_rooftop"]), frames_of(other.path("video_rooftop"))
    assert not all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    truth = json.loads(roles["truth"].read_text(encoding="utf-8"))
    assert truth["seed"] == 5 and truth["files"]["video_rooftop"] == roles["video_rooftop"].name


@pytest.mark.parametrize("bad", [["scenario"], ["scenario", "x", "--seed", "abc"]])
def test_bad_arguments_exit_2(bad: list[str]) -> None:
    assert cli.main(bad) == 2


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"rooftop_size": (161, 90)}, "even"),
        ({"cut_at_s": 9.0}, "cut_at_s"),
        ({"flash_at_s": -1.0}, "flash_at_s"),
    ],
)
def test_config_refuses_impossible_values(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScenarioConfig(**changes)


def test_scenario_renders_the_sample_cases_seed_by_default(tmp_path, capsys):
    import inspect

    from workbench.demo import build_demo_case
    from workbench.scenario import DEFAULT_SEED

    assert cli.main(["scenario", str(tmp_path / "s"), "--quick", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seed"] == DEFAULT_SEED == 2016
    assert inspect.signature(build_demo_case).parameters["seed"].default == DEFAULT_SEED

"""The sample case: a scenario from the generator, imported into a real case.

``build_demo_case`` renders the scenario (exact ground truth), imports its media through the
normal intake (hashing, checks, audit), fills the source records, flags the references, and
writes the truth JSON beside the case. Later capabilities add their steps here (cuts, continuity,
landmarks, bearings, descent), so that one command shows the whole workbench at work.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case import Case, create_case, delete_case
from workbench.case.evidence import SourceRecord, save_note, set_flags, update_source
from workbench.case.intake import import_file
from workbench.demo_analysis import run_demo_analyses
from workbench.scenario.scene import DEFAULT_SEED

CASE_NAME = "hass-demo.gwcase"
TRUTH_NAME = "truth.json"


def _demo_source(caption: str, account: str = "") -> SourceRecord:
    return SourceRecord(
        platform="synthetic (scenario generator)",
        account=account,
        caption=caption,
        upload_time_basis="generated" if account else "",
        obtained_by="geoworkbench demo",
        downloader="none: rendered locally",
    )


DEMO_SOURCES: dict[str, SourceRecord] = {
    "video_rooftop": _demo_source(
        "لحظة استهداف المدرسة في حاس (synthetic demo)", "demo rooftop camera"
    ),
    "video_second": _demo_source(
        "Second angle of the strike (synthetic demo)", "demo second camera"
    ),
    "drone_still": _demo_source("Drone still over the school"),
    "reference_tower_photo": _demo_source("Geotagged photo of the water tower"),
    "orthophoto": _demo_source("Orthophoto of the town (north up)"),
}
REFERENCE_ROLES = {"reference_tower_photo", "orthophoto"}


@dataclass(frozen=True)
class DemoCase:
    case_path: Path
    truth_path: Path
    evidence_ids: dict[str, int]
    rebuilt: bool


def demo_paths(directory: Path) -> tuple[Path, Path]:
    return directory / CASE_NAME, directory / TRUTH_NAME


def build_demo_case(
    directory: Path,
    *,
    seed: int = DEFAULT_SEED,
    rebuild: bool = False,
    config: Any = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> DemoCase:
    """Build (or reuse) the sample case in ``directory``.

    ``config`` is a ``workbench.scenario.scene.ScenarioConfig`` (the demo's defaults if None).

    An existing demo case is reused unless ``rebuild``. The truth file is written last, so a
    case without one is an interrupted build and is made anew.
    """
    from workbench.scenario.generate import generate_scenario

    directory.mkdir(parents=True, exist_ok=True)
    case_path, truth_path = demo_paths(directory)
    if case_path.exists() and truth_path.exists() and not rebuild:
        return DemoCase(case_path, truth_path, {}, rebuilt=False)
    truth_path.unlink(missing_ok=True)
    if case_path.exists():
        delete_case(case_path)
    with tempfile.TemporaryDirectory(prefix="gw-demo-") as tmp:
        scenario = generate_scenario(
            Path(tmp),
            seed=seed,
            config=config,
            cancel=cancel,
            progress=lambda f, m: report(progress, 0.7 * f, m),
        )
        with create_case(
            case_path, title="Hass school strike (synthetic demo)", analyst="geoworkbench demo"
        ) as case:
            ids = _import_scenario(case, scenario, progress, cancel)
        tmp_truth = truth_path.with_suffix(".json.tmp")
        shutil.copyfile(scenario.truth_path, tmp_truth)
    os.replace(tmp_truth, truth_path)
    report(progress, 1.0, "demo case ready")
    return DemoCase(case_path, truth_path, ids, rebuilt=True)


def _import_scenario(
    case: Case, scenario, progress: ProgressFn | None, cancel: CancelToken | None
) -> dict[str, int]:
    present = {f.role for f in scenario.files}
    roles = [role for role in DEMO_SOURCES if role in present]  # the rooftop video first
    ids: dict[str, int] = {}
    for i, role in enumerate(roles):
        check(cancel)
        report(progress, 0.6 + 0.2 * i / len(roles), f"importing {role}")
        evidence = import_file(case, scenario.path(role))
        ids[role] = evidence.id
        update_source(case, evidence.id, DEMO_SOURCES[role]).result()
        if role in REFERENCE_ROLES:
            set_flags(case, evidence.id, reference=True).result()
    truth = json.loads(scenario.truth_path.read_text(encoding="utf-8"))
    note = (
        "Synthetic demo case made by the scenario generator (seed "
        f"{scenario.seed}). Every fact is known exactly: see truth.json beside the case. "
        f"Scene: {truth.get('title', 'a strike on a school compound')}."
    )
    save_note(case, None, note).result()
    run_demo_analyses(
        case, ids, truth, cancel=cancel, progress=lambda f, m: report(progress, 0.8 + 0.2 * f, m)
    )
    return ids

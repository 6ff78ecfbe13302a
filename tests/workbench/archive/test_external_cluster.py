"""The same triage on an existing Dask cluster: a scheduler and a worker started as their
own processes with Dask's command (``dask scheduler``, ``dask worker``), reached by its
address with ``--scheduler``, give the catalog a local run gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.workbench.archive.conftest import content
from workbench.cli import main

DASK = Path(sys.executable).with_name("dask")
START_S = 60


def _wait_for(path: Path, what: str, procs: list) -> None:
    deadline = time.monotonic() + START_S
    while not path.exists():
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise AssertionError(f"the {what} did not start")
        time.sleep(0.2)


@pytest.mark.skipif(not DASK.exists(), reason="Dask's command is installed with the package")
def test_a_run_on_an_existing_cluster_equals_a_local_run(archive_folder, uninterrupted,
                                                         tmp_path, capsys):  # fmt: skip
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = ["--no-dashboard"]
    scheduler = [str(DASK), "scheduler", "--port", "0", "--scheduler-file", str(info), *common]
    procs = [subprocess.Popen(scheduler, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        _wait_for(info, "scheduler", procs)
        address = json.loads(info.read_text())["address"]
        worker = [str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1", *common]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        procs.append(subprocess.Popen(worker, env=env, **quiet))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=START_S)
        catalog = tmp_path / "catalog"
        code = main(["triage", str(archive_folder), "--catalog", str(catalog),
                     "--scheduler", address, "--json"])  # fmt: skip
        out = json.loads(capsys.readouterr().out)
        assert code == 1  # the broken files of the folder, as in the local run
        assert (out["triaged"], out["seen"], out["errors"], out["workers"]) == (5, 1, 3, 1)
        assert content(catalog) == content(uninterrupted)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()

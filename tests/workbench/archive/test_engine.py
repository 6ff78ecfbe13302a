"""Triage on a real local Dask cluster: complete with a worker killed mid-run, and a run
killed as a whole then resumed gives the catalog an uninterrupted run gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.synth.video import SynthSpec, textured, write_video
from tests.workbench.archive.conftest import content
from workbench.archive import shards
from workbench.archive.catalog import Catalog
from workbench.archive.engine import (
    LOCAL_CLUSTER_CONFIG,
    collect_sources,
    run_triage,
    start_local_client,
)


def test_a_worker_killed_mid_run_leaves_a_complete_catalog(archive_folder, uninterrupted,
                                                          tmp_path):  # fmt: skip
    from distributed import Client, LocalCluster

    killed = []

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:  # fmt: skip

        def kill_a_busy_worker(fraction: float, message: str) -> None:
            busy = [w for w, keys in client.processing().items() if keys]
            if not killed and busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)  # mid-task: the scheduler must retry it
                killed.append(pid)

        summary = run_triage([archive_folder], tmp_path / "catalog", client=client,
                             progress=kill_a_busy_worker)  # fmt: skip
    assert killed, "no worker was busy when the first result came: nothing was tested"
    assert summary.done == 9
    assert content(tmp_path / "catalog") == content(uninterrupted)


def _shards(catalog: Path) -> int:
    return len(list((catalog / "paths").glob("*/*.parquet"))) if catalog.exists() else 0


def test_a_run_killed_and_resumed_equals_an_uninterrupted_run(archive_folder, uninterrupted,
                                                             tmp_path):  # fmt: skip
    catalog = tmp_path / "catalog"
    cmd = [sys.executable, "-m", "workbench.cli", "triage", str(archive_folder), "--catalog",
           str(catalog), "--workers", "1", "--json"]  # fmt: skip
    run = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while _shards(catalog) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the run and its worker processes, mid-way
    run.wait()
    partial = _shards(catalog)
    assert 2 <= partial < 9, f"the kill came at {partial} of 9 files: nothing was tested"
    summary = run_triage([archive_folder], catalog, workers=1, resume=True)
    assert summary.skipped == partial and summary.done == 9 - partial
    assert content(catalog) == content(uninterrupted)
    assert len(collect_sources([archive_folder])) == Catalog(catalog).counts()["paths"]


def test_resume_with_nothing_left_starts_no_cluster(archive_folder, uninterrupted):
    started = time.perf_counter()
    summary = run_triage([archive_folder], uninterrupted, resume=True)
    assert (summary.skipped, summary.done) == (9, 0)
    assert time.perf_counter() - started < 2.0


def test_a_missing_source_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        run_triage([tmp_path / "nowhere"], tmp_path / "catalog", workers=1)
    assert not (tmp_path / "catalog" / "paths").exists()


def test_cancel_stops_the_run_while_tasks_are_running(archive_folder, tmp_path):
    from analysis.jobs import CancelToken, JobCancelled

    token = CancelToken()
    seen = []

    def cancel_at_first(fraction: float, message: str) -> None:
        seen.append(message)
        token.cancel()

    started = time.perf_counter()
    with pytest.raises(JobCancelled, match="in the catalog"):
        run_triage([archive_folder], tmp_path / "catalog", workers=1, progress=cancel_at_first,
                   cancel=token)  # fmt: skip
    assert len(seen) == 1 and "files/s" in seen[0] and "left" in seen[0]
    assert _shards(tmp_path / "catalog") < 9
    assert time.perf_counter() - started < 60


def test_larger_files_go_first_on_a_quietly_watched_local_cluster(tmp_path):
    """Longest first: with one worker the tasks finish in falling order of size, so that a
    run with several workers ends on short tasks. The local cluster's workers carry the
    engine's settings (no stack sampling, slower watching), which keep a worker to its core."""
    import dask

    folder = tmp_path / "sizes"
    folder.mkdir()
    for seed, frames in ((1, 10), (2, 60), (3, 25), (4, 40)):
        write_video(folder / f"clip_{seed}.mp4",
                    SynthSpec(frames=frames, fps=10, width_px=160, height_px=120),
                    lambda i, s=seed: textured(i, 160, 120, seed=s), barcode=False)  # fmt: skip
    client = start_local_client(1, dashboard_address=None)
    try:
        settings = client.run(lambda: {k: dask.config.get(k) for k in LOCAL_CLUSTER_CONFIG})
        run_triage([folder], tmp_path / "catalog", client=client)
    finally:
        client.close()
        client.cluster.close()
    assert list(settings.values()) == [LOCAL_CLUSTER_CONFIG]
    written = {p: shards.paths_shard(tmp_path / "catalog", p).stat().st_mtime_ns
               for p in collect_sources([folder])}  # fmt: skip
    sizes = [os.stat(p).st_size for p in sorted(written, key=written.get)]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 4

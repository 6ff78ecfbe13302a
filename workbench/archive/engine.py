"""Running the triage on Dask distributed: a local cluster by default, a scheduler's address
when there is a real cluster. The same task function runs either way.

Each file is one task (``workbench.archive.task.triage_file``). Tasks are independent and
idempotent (content-addressed shards), which is what makes the run safe to interrupt:

* a worker that dies mid-task: the scheduler gives the task to another worker (Dask retries a
  task whose worker was lost, up to ``distributed.scheduler.allowed-failures`` times);
* a run killed as a whole: ``resume`` skips every path whose row is in the catalog with the
  same size and modification time, and a task half done left no shard to skip (shards are
  renamed into place whole, the path's row last).

Each worker is one core: one task thread, FFmpeg decoding and scaling on that thread (its own
thread pools would compete with the other workers for the cores), no OpenCV thread pool, and
Dask's own watching slowed to what seconds-long tasks need. Larger files go first. Measured on
this 2-core machine (ADR 0021): 1.90-1.93x the throughput with 2 workers as with 1.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import WorkbenchError
from analysis.jobs import CancelToken, JobCancelled, ProgressFn, report
from workbench.archive import shards
from workbench.archive.submit import TriageTasks
from workbench.archive.task import record_unfinished

SKIP_SUFFIXES = (".info.json", ".tmp", ".part")

# A triage task lasts seconds, and Dask's defaults watch a cluster far more closely than that
# needs: on a machine of few cores the watching is taken from the workers. Measured on 2 cores
# (ADR 0021): the defaults cost the two worker processes and the scheduler's process about a
# tenth of a core between them. Used for the local cluster; a real cluster keeps its own.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,  # a stack sample every 10 ms in each worker
    "distributed.admin.tick.interval": "500ms",  # the event loop's watchdog: 20 ms
    "distributed.admin.system-monitor.interval": "2s",  # CPU, memory, I/O counters: 500 ms
    "distributed.worker.memory.monitor-interval": "1s",  # the memory limit's check: 100 ms
}


class SourceMissingError(WorkbenchError, FileNotFoundError):
    """A source given to the triage does not exist."""


class SchedulerUnreachableError(WorkbenchError, OSError):
    """The Dask scheduler given by its address does not answer."""


@dataclass
class TriageSummary:
    """What a run did; ``cost_s`` sums each step's time over the tasks (the cost split)."""

    sources: int = 0
    skipped: int = 0  # already in the catalog (``resume``)
    triaged: int = 0
    seen: int = 0  # same content as a file already triaged: a second path, no second row
    errors: int = 0
    frames: int = 0
    wall_s: float = 0.0
    workers: int = 0
    cost_s: dict[str, float] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.triaged + self.seen + self.errors


def collect_sources(sources: Iterable[Path], catalog: Path | None = None) -> list[str]:
    """Every file under the sources (folders walked), absolute, sorted; sidecars, hidden
    files and the ``catalog`` folder itself (when it lies inside a source) left out."""
    found: set[str] = set()
    skip = os.path.realpath(catalog) if catalog is not None else None
    for source in sources:
        source = Path(source).absolute()
        if source.is_dir():
            for root, dirs, files in os.walk(source):
                dirs[:] = sorted(
                    d for d in dirs
                    if not d.startswith(".") and os.path.realpath(os.path.join(root, d)) != skip
                )  # fmt: skip
                found.update(os.path.join(root, f) for f in files if _wanted(f))
        elif source.exists():
            found.add(str(source))
        else:
            raise SourceMissingError(f"{source}: no such file or folder")
    return sorted(found)


def _wanted(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(SKIP_SUFFIXES)


def still_to_do(paths: Sequence[str], catalog: Path) -> list[str]:
    """The paths without a row for their current size and modification time."""
    todo = []
    for path in paths:
        shard = shards.paths_shard(catalog, path)
        if shard.exists():
            row = shards.read_rows(shard)[0]
            try:
                stat = os.stat(path)
            except OSError:  # gone since it was listed: its task records that
                todo.append(path)
                continue
            if (row["size_bytes"], row["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                continue
        todo.append(path)
    return todo


def start_client(workers: int | None, scheduler: str | None):
    """A Dask client: on the given scheduler, or on a new local cluster of ``workers``
    single-threaded processes (default: one per core)."""
    from distributed import Client

    if scheduler:
        try:
            return Client(scheduler, timeout="20s")
        except (OSError, ValueError) as exc:  # refused, timed out, or not an address
            raise SchedulerUnreachableError(
                f"the Dask scheduler at {scheduler} cannot be reached: {exc}"
            ) from exc
    return start_local_client(workers or os.cpu_count() or 1)


def start_local_client(workers: int, dashboard_address: str | None = ":0"):
    """A client on a new local cluster of ``workers`` single-threaded worker processes,
    watched no more often than seconds-long tasks need (``LOCAL_CLUSTER_CONFIG``)."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # the worker processes are given it at start
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=dashboard_address, silence_logs=logging.ERROR,
        )  # fmt: skip
        return Client(cluster)


def _eta(summary: TriageSummary, total: int, started: float) -> str:
    elapsed = time.perf_counter() - started
    rate = summary.done / elapsed if elapsed > 0 else 0.0
    left = (total - summary.done) / rate if rate > 0 else float("inf")
    eta = f"{left:.0f} s left" if left != float("inf") else "estimating"
    return (
        f"{summary.done}/{total} files, {rate:.2f} files/s, "
        f"{summary.frames / elapsed if elapsed > 0 else 0:.0f} frames/s, {eta}"
    )


def run_triage(
    sources: Iterable[Path],
    catalog: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    client=None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> TriageSummary:
    """Triage every file under ``sources`` into ``catalog`` (module doc).

    ``client`` runs on an existing Dask client (tests, the GUI's own cluster); otherwise one is
    started for the run and closed after it.

    Raises:
        SourceMissingError: a source that does not exist. CatalogError: a catalog folder that
        cannot be used. SchedulerUnreachableError: ``scheduler`` does not answer.
        JobCancelled: ``cancel`` fired (tasks already done stay in the catalog).
    """
    catalog = shards.open_catalog(Path(catalog))
    paths = collect_sources(sources, catalog)
    todo = still_to_do(paths, catalog) if resume else paths
    summary = TriageSummary(sources=len(paths), skipped=len(paths) - len(todo))
    started = time.perf_counter()
    if not todo:
        report(progress, 1.0, f"nothing to do: all {len(paths)} files are in the catalog")
        return summary
    own = client is None
    client = client or start_client(workers, scheduler)
    try:
        summary.workers = len(client.scheduler_info().get("workers", {}))
        client.run(_one_thread_each)
        # one decoding thread per worker: the workers are the parallelism (one per core by
        # default), and FFmpeg's own threads would make them compete for the cores
        tasks = TriageTasks(client, catalog, decode_threads=1)
        tasks.submit_all(todo)
        _gather(tasks, catalog, summary, cancel, progress, len(todo), started)
    finally:
        if own:
            client.close()
            if client.cluster is not None:
                client.cluster.close()
    summary.wall_s = time.perf_counter() - started
    return summary


def _one_thread_each() -> None:
    """Run on every worker: OpenCV's own thread pool off, so that a worker uses one core
    (the workers are the parallelism, one per core by default)."""
    import cv2

    cv2.setNumThreads(1)


def _gather(
    tasks: TriageTasks,
    catalog: Path,
    summary: TriageSummary,
    cancel: CancelToken | None,
    progress: ProgressFn | None,
    total: int,
    started: float,
) -> None:
    """Count the outcomes as the tasks finish, looking at Cancel every half second while long
    tasks run. A task that failed has the rest of its chain submitted again (``submit``)."""
    from distributed import wait

    pending = set(tasks.path_of)
    while pending:
        try:
            done, pending = wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        if cancel is not None and cancel.cancelled:
            tasks.cancel_all()
            raise JobCancelled("triage cancelled; what was done is in the catalog")
        for future in sorted(done, key=tasks.order):  # a chain's failure before its rest
            path = tasks.path_of.pop(future, None)
            if path is None:
                continue  # failed with the task it waited for: submitted again
            outcome, failed = _outcome(future, path, catalog)
            if failed:
                new, replaced = tasks.unchain_after(future)
                pending = (set(pending) - set(replaced)) | set(new)
            _count(summary, outcome)
            report(progress, summary.done / max(1, total), _eta(summary, total, started))


def _outcome(future, path: str, catalog: Path) -> tuple[dict, bool]:
    """The task's outcome, and whether the task failed: one that raised instead of returning
    (its worker died on the file at every try, Dask's KilledWorker, or the catalog could not
    be written) becomes an error row."""
    try:
        return future.result(), False
    except Exception as exc:  # noqa: BLE001 - one file's failure must not end the run
        error = shards.path_text(f"the task did not finish: {type(exc).__name__}: {exc}")
        record_unfinished(str(catalog), path, error)
        outcome = {"path": path, "status": "error", "error": error, "frames": 0, "seconds": {}}
        return outcome, True


def _count(summary: TriageSummary, outcome: dict) -> None:
    status = outcome["status"]
    if status == "error":
        summary.errors += 1
        summary.failed.append((outcome["path"], outcome["error"]))
    elif status == "seen":
        summary.seen += 1
    else:
        summary.triaged += 1
    summary.frames += outcome["frames"]
    for step, seconds in outcome["seconds"].items():
        summary.cost_s[step] = summary.cost_s.get(step, 0.0) + seconds

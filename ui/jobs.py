"""The one JobRunner: every long task runs on a QThreadPool, never on the GUI thread.

A job is a plain function taking ``progress`` and ``cancel`` keyword arguments (ARCHITECTURE.md,
Jobs). The runner shows a progress bar with a Cancel button in the status bar while jobs run,
and delivers the result or the error on the GUI thread. Futures from the case's writer thread
are delivered the same way with ``watch``. A job that can show what it has so far (a growing
track) also takes ``partial`` (analysis.jobs.PartialFn) when ``run`` is given ``on_partial``;
each partial result reaches ``on_partial`` on the GUI thread, before the final result.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from analysis.jobs import CancelToken, JobCancelled
from ui.gui_gc import collect_on_gui_thread

log = logging.getLogger(__name__)

ResultFn = Callable[[Any], None]
ErrorFn = Callable[[BaseException], None]


class _Relay(QObject):
    """Carries results from worker threads to the GUI thread (queued connections)."""

    progressed = Signal(int, float, str)
    partial_delivered = Signal(int, object)
    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Runnable(QRunnable):
    def __init__(
        self,
        job_id: int,
        fn: Callable[..., Any],
        relay: _Relay,
        cancel: CancelToken,
        with_partial: bool = False,
    ) -> None:
        super().__init__()
        self._job_id = job_id
        self._fn = fn
        self._relay = relay
        self._cancel = cancel
        self._with_partial = with_partial
        self.setAutoDelete(True)

    def run(self) -> None:
        def progress(fraction: float, message: str) -> None:
            self._relay.progressed.emit(self._job_id, float(fraction), message)

        def partial(result_so_far: object) -> None:
            self._relay.partial_delivered.emit(self._job_id, result_so_far)

        kwargs: dict[str, Any] = {"progress": progress, "cancel": self._cancel}
        if self._with_partial:
            kwargs["partial"] = partial
        try:
            result = self._fn(**kwargs)
        except Exception as exc:  # delivered to the GUI thread, never swallowed
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._relay.failed.emit(self._job_id, exc)
            return
        self._relay.succeeded.emit(self._job_id, result)


class JobRunner(QObject):
    """Runs jobs in a thread pool and reports them in a status widget."""

    job_started = Signal(int, str)
    job_ended = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int | None = None) -> None:
        super().__init__(parent)
        collect_on_gui_thread()  # no worker may finalise a Qt object (ui.gui_gc)
        self._pool = QThreadPool(self)
        if max_threads:
            self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_relay_progressed)
        self._relay.partial_delivered.connect(self._on_relay_partial_delivered)
        self._relay.succeeded.connect(self._on_relay_succeeded)
        self._relay.failed.connect(self._on_relay_failed)
        self._ids = itertools.count(1)
        self._jobs: dict[int, tuple[str, CancelToken, ResultFn | None, ErrorFn | None]] = {}
        self._partials: dict[int, ResultFn] = {}
        self.widget = JobStatusWidget(self)

    def run(
        self,
        title: str,
        fn: Callable[..., Any],
        *,
        on_result: ResultFn | None = None,
        on_error: ErrorFn | None = None,
        quiet: bool = False,
        on_partial: ResultFn | None = None,
    ) -> CancelToken:
        """Start ``fn(progress=..., cancel=...)``; returns its cancel token.

        ``quiet`` jobs (thumbnail loading) do not show in the status bar. With
        ``on_partial``, ``fn`` also gets ``partial=``, and what it passes arrives there on
        the GUI thread (never after the job's result or error).
        """
        job_id = next(self._ids)
        token = CancelToken()
        self._jobs[job_id] = (title, token, on_result, on_error)
        if on_partial is not None:
            self._partials[job_id] = on_partial
        if not quiet:
            self.job_started.emit(job_id, title)
        self._pool.start(_Runnable(job_id, fn, self._relay, token, on_partial is not None))
        return token

    def watch(
        self, future: Future, *, on_result: ResultFn | None = None, on_error: ErrorFn | None = None
    ) -> None:
        """Deliver a writer-thread future's outcome on the GUI thread."""
        job_id = next(self._ids)
        self._jobs[job_id] = ("write", CancelToken(), on_result, on_error)

        def done(f: Future) -> None:
            exc = f.exception()
            if exc is None:
                self._relay.succeeded.emit(job_id, f.result())
            else:
                self._relay.failed.emit(job_id, exc)

        future.add_done_callback(done)

    def cancel_all(self) -> None:
        for _title, token, _r, _e in self._jobs.values():
            token.cancel()

    def wait_for_done(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    @property
    def active_count(self) -> int:
        return len(self._jobs)

    def title_of(self, job_id: int) -> str:
        return self._jobs.get(job_id, ("", None, None, None))[0]

    def cancel(self, job_id: int) -> None:
        if job_id in self._jobs:
            self._jobs[job_id][1].cancel()

    @Slot(int, float, str)
    def _on_relay_progressed(self, job_id: int, fraction: float, message: str) -> None:
        self.widget.show_progress(job_id, fraction, message)

    @Slot(int, object)
    def _on_relay_partial_delivered(self, job_id: int, result_so_far: object) -> None:
        on_partial = self._partials.get(job_id)
        if on_partial is not None and not self._jobs[job_id][1].cancelled:
            on_partial(result_so_far)

    @Slot(int, object)
    def _on_relay_succeeded(self, job_id: int, result: object) -> None:
        self._partials.pop(job_id, None)
        _title, _token, on_result, _on_error = self._jobs.pop(job_id, (None, None, None, None))
        self.job_ended.emit(job_id)
        if on_result is not None:
            on_result(result)

    @Slot(int, object)
    def _on_relay_failed(self, job_id: int, exc: BaseException) -> None:
        self._partials.pop(job_id, None)
        title, _token, _on_result, on_error = self._jobs.pop(job_id, ("", None, None, None))
        self.job_ended.emit(job_id)
        if on_error is not None:
            on_error(exc)
        elif not isinstance(exc, JobCancelled):
            log.error("job %r failed: %s\n%s", title, exc, getattr(exc, "__traceback_text__", ""))


class JobStatusWidget(QWidget):
    """A progress bar, a message and a Cancel button for the most recent running job."""

    def __init__(self, runner: JobRunner) -> None:
        super().__init__()
        self._runner = runner
        self._current: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(180)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running job (Esc)")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        for w in (self.label, self.bar, self.cancel_button):
            layout.addWidget(w)
        runner.job_started.connect(self._on_runner_job_started)
        runner.job_ended.connect(self._on_runner_job_ended)
        self.setVisible(False)

    def show_progress(self, job_id: int, fraction: float, message: str) -> None:
        if job_id != self._current:
            return
        self.bar.setValue(int(fraction * 1000))
        self.label.setText(f"{self._runner.title_of(job_id)}: {message}"[:80])

    def _on_runner_job_started(self, job_id: int, title: str) -> None:
        self._current = job_id
        self.bar.setValue(0)
        self.label.setText(title)
        self.setVisible(True)

    def _on_runner_job_ended(self, job_id: int) -> None:
        if job_id == self._current:
            self._current = None
            self.setVisible(False)

    def _on_cancel_clicked(self) -> None:
        if self._current is not None:
            self._runner.cancel(self._current)
            self.label.setText("cancelling…")


def show_job_error(
    status: QLabel, message: SignalInstance, title: str, exc: BaseException | str
) -> None:
    """A failed job on a panel's status line (and its ``message`` signal); a cancelled job
    only says so on the status line."""
    if isinstance(exc, JobCancelled):
        status.setText(f"{title}: cancelled")
        return
    status.setText(f"⚠ {title}: {exc}")
    message.emit(status.text())

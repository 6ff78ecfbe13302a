"""Jobs as seen by the core: re-exports the progress/cancel primitives and a terminal bar."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from analysis.jobs import CancelToken, JobCancelled, ProgressFn, check, report

__all__ = ["CancelToken", "JobCancelled", "ProgressFn", "TerminalProgress", "check", "report"]


class TerminalProgress:
    """A progress callable for the CLI: a one-line bar on a TTY, nothing otherwise."""

    def __init__(self, stream: TextIO | None = None, min_interval_s: float = 0.1) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = bool(getattr(self._stream, "isatty", lambda: False)())
        self._min_interval_s = min_interval_s
        self._last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._last < self._min_interval_s and fraction < 1.0:
            return
        self._last = now
        width = 30
        filled = int(round(fraction * width))
        bar = "#" * filled + "-" * (width - filled)
        self._stream.write(f"\r[{bar}] {fraction * 100:5.1f}% {message[:60]:<60}")
        if fraction >= 1.0:
            self._stream.write("\n")
        self._stream.flush()

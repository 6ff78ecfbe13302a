"""Progress and cancellation primitives shared by every long computation.

They live in the lowest layer so that pure algorithms in ``analysis`` can report progress
and honour cancellation without knowing who runs them (the CLI or the GUI's JobRunner).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressFn = Callable[[float, str], None]
"""``progress(fraction, message)`` with ``fraction`` in [0, 1]."""

PartialFn = Callable[[object], None]
"""``partial(result_so_far)``: an optional third channel of a job, called at frame boundaries
with what has been computed so far (a growing track), so that a viewer can show it before the
job ends. The object is the job's own (immutable) partial-result type; the callback must not
block. The UI's JobRunner forwards it to the GUI thread, the CLI may print or ignore it."""


class JobCancelled(Exception):
    """Raised inside a job when its CancelToken was cancelled."""


class CancelToken:
    """A thread-safe flag a job checks at frame or tile boundaries."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise JobCancelled if cancellation was requested."""
        if self._event.is_set():
            raise JobCancelled("cancelled by the user")


def report(progress: ProgressFn | None, fraction: float, message: str = "") -> None:
    """Call ``progress`` if given, clamping the fraction to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), message)


def check(cancel: CancelToken | None) -> None:
    """Raise JobCancelled if ``cancel`` is given and was cancelled."""
    if cancel is not None:
        cancel.check()


def deliver(partial: PartialFn | None, result_so_far: object) -> None:
    """Call ``partial`` with the result so far, if given."""
    if partial is not None:
        partial(result_so_far)

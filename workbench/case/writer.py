"""The single writer: one thread owns the write connection; everyone else submits work.

Each submitted function runs inside one ``BEGIN IMMEDIATE`` transaction on the writer thread
and its result (or exception) is delivered through a ``concurrent.futures.Future``. Callers on
the GUI thread attach callbacks instead of waiting, so a large write never blocks the GUI.
Just before each COMMIT a ``before_commit`` step runs in the same transaction (the case seals
the state of changed rows into the audit chain there, ``workbench.case.binding``). After each
commit the writer announces what the transaction changed to the subscribers of its
``ChangeFeed`` (``workbench.case.changes``), before the future is resolved.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from workbench.case.changes import Change, ChangeFeed
from workbench.case.errors import CaseError

T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], T]

log = logging.getLogger(__name__)

_STOP = object()


class DbWriter:
    """Owns a write connection on its own thread and runs submitted transactions in order."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        name: str = "case-writer",
        feed: ChangeFeed | None = None,
        before_commit: WriteFn[None] | None = None,
    ):
        self._queue: queue.Queue[Any] = queue.Queue()
        self._connect = connect
        self.feed = feed  # told what each committed transaction changed (None: nobody)
        self._before_commit = before_commit  # last step of every transaction (binds state)
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._lock = threading.Lock()
        self._thread.start()
        self._ready.result()  # re-raises a failure to connect

    def submit(self, fn: WriteFn[T]) -> Future[T]:
        """Queue ``fn(conn)`` to run in one transaction; returns its future."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise CaseError("the case is closed; nothing more can be written")
            self._queue.put((fn, future))
        return future

    def close(self) -> None:
        """Finish every queued write, then close the connection and stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:  # delivered to the constructor's caller
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                fn, future = item
                if future.set_running_or_notify_cancel():
                    self._run_one(conn, fn, future)
        finally:
            conn.close()

    def _run_one(self, conn: sqlite3.Connection, fn: WriteFn[Any], future: Future[Any]) -> None:
        feed = self.feed if self.feed is not None and self.feed.active else None
        change: Change | None = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            since = feed.begin(conn) if feed is not None else 0
            result = fn(conn)
            if self._before_commit is not None:
                self._before_commit(conn)
            if feed is not None:
                change = feed.collect(conn, since)
            conn.execute("COMMIT")
        except BaseException as exc:  # the transaction is undone and the error delivered
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            future.set_exception(exc)
            return
        if change is not None:  # announced first: a waiter on the future finds it told
            feed.publish(change)
        future.set_result(result)

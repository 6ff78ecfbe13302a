"""Opening, creating and closing a case folder; the write lock; connections.

Layout (ARCHITECTURE.md): ``case.sqlite`` (WAL, foreign keys, ``user_version``), ``evidence/``
(read-only originals named by SHA-256), ``derived/`` (regenerable), ``exports/``. One process
at a time may write a case: the lock is an OS file lock (``filelock``), released when the
process dies, with a small JSON file naming the holder for the error message.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import filelock

from workbench.case import audit, binding, migrations, recovery
from workbench.case.changes import ChangeFeed
from workbench.case.errors import CaseError, CaseLockedError, CaseNotFoundError, CaseSchemaError
from workbench.case.filesystem import wal_unsafe_reason
from workbench.case.writer import DbWriter
from workbench.paths import CASE_SUFFIX
from workbench.settings import load_settings

T = TypeVar("T")

DB_NAME = "case.sqlite"
LOCK_NAME = ".lock"
HOLDER_NAME = ".lock-holder.json"
INCOMING_DIR = recovery.INCOMING_DIR
SUBDIRS = ("evidence", "derived", "exports")

_open_in_process: set[Path] = set()
_open_guard = threading.Lock()


def _connect(db_path: Path, *, journal_mode: str, read_only: bool = False) -> sqlite3.Connection:
    # Each connection is used by one thread only (the writer's, or a reader's thread-local);
    # check_same_thread is off so that close() may run on the thread that closes the case.
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        mode = conn.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0]
        if mode.lower() != journal_mode.lower():
            raise CaseError(f"{db_path}: SQLite refused journal mode {journal_mode} ({mode})")
        conn.execute(
            "PRAGMA synchronous = FULL"
            if journal_mode == "delete"
            else "PRAGMA synchronous = NORMAL"
        )
    return conn


class Case:
    """An open case. Use ``open_case`` or ``create_case``; close it (or use ``with``)."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        analyst: str | None = None,
        _target_version: int = migrations.SCHEMA_VERSION,
    ) -> None:
        self.path = Path(path).resolve()
        self.read_only = read_only
        self.analyst = analyst or load_settings().analyst()
        self.journal_note = wal_unsafe_reason(self.path)
        self.journal_mode = "delete" if self.journal_note else "wal"
        self._lock: filelock.BaseFileLock | None = None
        self._writer: DbWriter | None = None
        # What each committed write changed, for whoever shows the case (ADR 0007).
        self.changes = ChangeFeed()
        self._readers = threading.local()
        self._reader_conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._reader_guard = threading.Lock()
        self._closed = False
        if not (self.path / DB_NAME).is_file():
            raise CaseNotFoundError(f"{self.path}: not a case (no {DB_NAME} inside)")
        if not read_only:
            self._acquire_lock()
            try:
                self._start_writer(_target_version)
            except BaseException:
                self._release_lock()
                raise

    # -- paths ----------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def evidence_dir(self) -> Path:
        return self.path / "evidence"

    @property
    def derived_dir(self) -> Path:
        return self.path / "derived"

    @property
    def exports_dir(self) -> Path:
        return self.path / "exports"

    @property
    def incoming_dir(self) -> Path:
        return self.path / "evidence" / INCOMING_DIR

    @property
    def title(self) -> str:
        row = self.read().execute("SELECT value FROM meta WHERE key = 'title'").fetchone()
        return row[0] if row else self.path.stem

    # -- lock -----------------------------------------------------------------------------
    def _acquire_lock(self) -> None:
        with _open_guard:
            if self.path in _open_in_process:
                raise CaseLockedError(f"{self.path}: the case is already open in this program")
            lock = filelock.FileLock(str(self.path / LOCK_NAME), timeout=0, is_singleton=False)
            try:
                lock.acquire()
            except filelock.Timeout:
                raise CaseLockedError(
                    f"{self.path}: the case is open for writing by {self._holder_text()}; "
                    "close it there first (or open it read-only)"
                ) from None
            _open_in_process.add(self.path)
            self._lock = lock
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": getpass.getuser(),
            "since_utc": audit.utc_now_iso(),
        }
        tmp = self.path / (HOLDER_NAME + ".tmp")
        tmp.write_text(json.dumps(holder), encoding="utf-8")
        os.replace(tmp, self.path / HOLDER_NAME)

    def _holder_text(self) -> str:
        try:
            h = json.loads((self.path / HOLDER_NAME).read_text(encoding="utf-8"))
            return f"process {h['pid']} of {h['user']} on {h['host']} since {h['since_utc']}"
        except (OSError, ValueError, KeyError):
            return "another process"

    def _release_lock(self) -> None:
        with _open_guard:
            if self._lock is not None:
                (self.path / HOLDER_NAME).unlink(missing_ok=True)
                self._lock.release()
                self._lock = None
                _open_in_process.discard(self.path)

    # -- connections ----------------------------------------------------------------------
    def _start_writer(self, target_version: int) -> None:
        def connect() -> sqlite3.Connection:
            conn = _connect(self.db_path, journal_mode=self.journal_mode)
            migrations.migrate(conn, target=target_version)
            if binding.install(conn):
                self._bind_baseline(conn)
            return conn

        def seal(conn: sqlite3.Connection) -> None:
            audit.seal(conn, self.analyst)

        self._writer = DbWriter(
            connect, name=f"case-writer:{self.path.name}", feed=self.changes, before_commit=seal
        )
        for sub in (*SUBDIRS, f"evidence/{INCOMING_DIR}"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        self._recover()

    def _bind_baseline(self, conn: sqlite3.Connection) -> None:
        """Bind a case from before binding as found, once, in one audit row that says so."""
        if binding.has_state(conn):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            if binding.note_all(conn):
                audit.append(
                    conn,
                    actor=self.analyst,
                    action=binding.BASELINE_ACTION,
                    target="case tables",
                    details={
                        "note": "the tables as found when this workbench first opened the case "
                        "for writing; changes before this row are vouched for only by the rows "
                        "that recorded them"
                    },
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _recover(self) -> None:
        """Set right what a crash left (``workbench.case.recovery``): half-copied imports and
        temporaries removed, unrecorded files in evidence/ set aside into .quarantine/."""
        conn = _connect(self.db_path, journal_mode=self.journal_mode, read_only=True)
        try:
            recorded = {r[0] for r in conn.execute("SELECT stored_name FROM evidence")}
        finally:
            conn.close()
        recovery.recover(self.path, recorded)

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> Future[T]:
        """Run ``fn(conn)`` in one transaction on the writer thread; returns a future."""
        if self._writer is None:
            raise CaseError(f"{self.path}: the case is open read-only")
        return self._writer.submit(fn)

    def write_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``write`` and wait: for the CLI and workers, never for the GUI thread."""
        return self.write(fn).result()

    def read(self) -> sqlite3.Connection:
        """This thread's read-only connection (created on first use).

        Raises:
            CaseError: the case was closed.
        """
        if self._closed:
            raise CaseError(f"{self.path}: the case is closed")
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = _connect(self.db_path, journal_mode=self.journal_mode, read_only=True)
            self._readers.conn = conn
            with self._reader_guard:
                self._reader_conns.append((threading.current_thread(), conn))
        return conn

    def require_current_schema(self, what: str) -> None:
        """Refuse to read ``what`` from a case older than this workbench (a read-only open
        does not migrate it).

        Raises:
            CaseSchemaError: naming the versions and how to upgrade the case.
        """
        version = migrations.current_version(self.read())
        if version < migrations.SCHEMA_VERSION:
            raise CaseSchemaError(
                f"{self.path}: the case has schema version {version}, older than this "
                f"workbench's {migrations.SCHEMA_VERSION}, and has no {what} yet: open it once "
                "for writing (in the GUI, or with any command that writes to it) to upgrade it"
            )

    def log(
        self,
        conn: sqlite3.Connection,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> str:
        """Append an audit row as this case's analyst, inside a write transaction."""
        return audit.append(conn, actor=self.analyst, action=action, target=target, details=details)

    def audit_head(self) -> tuple[int, str]:
        return audit.head(self.read())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._closed = True
        with self._reader_guard:
            # Close this thread's connection and those of threads that have ended. Another
            # live thread may be in the middle of a query on its own connection: closing it
            # under that thread would free memory it still uses, so only the references are
            # dropped and the connection closes when that thread lets go of it.
            here = threading.current_thread()
            for thread, conn in self._reader_conns:
                if thread is here or not thread.is_alive():
                    conn.close()
            self._reader_conns.clear()
        self._readers = threading.local()
        self._release_lock()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def case_path_for(path: Path | str) -> Path:
    """``path`` with the ``.gwcase`` suffix added when missing."""
    p = Path(path)
    return p if p.name.endswith(CASE_SUFFIX) else p.with_name(p.name + CASE_SUFFIX)


def create_case(
    path: Path | str,
    *,
    title: str | None = None,
    analyst: str | None = None,
    _target_version: int = migrations.SCHEMA_VERSION,
) -> Case:
    """Create a new case folder and open it for writing."""
    target = case_path_for(path)
    if target.exists() and any(target.iterdir()):
        raise CaseError(f"{target}: already exists and is not empty")
    target.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(target / DB_NAME).close()
    case = Case(target, analyst=analyst, _target_version=_target_version)
    case_title = title or target.name[: -len(CASE_SUFFIX)]

    def init(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('title', ?)", (case_title,))
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('created_at_utc', ?)", (audit.utc_now_iso(),)
        )
        case.log(conn, "case.create", target.name, {"title": case_title})

    case.write_sync(init)
    return case


def open_case(path: Path | str, *, read_only: bool = False, analyst: str | None = None) -> Case:
    """Open an existing case (migrating an older schema when opened for writing)."""
    p = Path(path)
    if not p.is_dir():
        raise CaseNotFoundError(f"{p}: no such case folder")
    return Case(p, read_only=read_only, analyst=analyst)


def delete_case(path: Path | str) -> None:
    """Delete a case folder, clearing the read-only flags that Windows would otherwise honour."""
    root = Path(path)
    if not (root / DB_NAME).is_file():
        raise CaseNotFoundError(f"{root}: not a case; refusing to delete it")

    def make_writable_and_retry(func: Callable[..., Any], failed: str, _exc: object) -> None:
        os.chmod(failed, stat.S_IWRITE | stat.S_IREAD)
        func(failed)

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(root, onerror=lambda f, p, e: make_writable_and_retry(f, p, e[1]))

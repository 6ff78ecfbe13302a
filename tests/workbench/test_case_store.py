"""The case folder, its database, the lock, the writer thread, migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from workbench.case import (
    CaseLockedError,
    CaseNotFoundError,
    CaseSchemaError,
    create_case,
    delete_case,
    migrations,
    open_case,
)
from workbench.case.filesystem import wal_unsafe_reason

REPO = Path(__file__).resolve().parents[2]


def test_new_case_has_layout_wal_foreign_keys_and_version(tmp_path):
    with create_case(tmp_path / "hass", title="Hass school") as case:
        assert case.path.name == "hass.gwcase"
        for sub in ("evidence", "derived", "exports"):
            assert (case.path / sub).is_dir()
        assert case.title == "Hass school"
        conn = case.read()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log")]
        assert actions == ["case.create"]


def test_create_refuses_non_empty_folder(tmp_path):
    target = tmp_path / "x.gwcase"
    target.mkdir()
    (target / "something").write_text("keep me")
    with pytest.raises(Exception, match="not empty"):
        create_case(target)
    assert (target / "something").read_text() == "keep me"


def test_open_missing_case_is_clear(tmp_path):
    with pytest.raises(CaseNotFoundError, match="no such case"):
        open_case(tmp_path / "nope.gwcase")
    (tmp_path / "empty.gwcase").mkdir()
    with pytest.raises(CaseNotFoundError, match="not a case"):
        open_case(tmp_path / "empty.gwcase")


def test_writes_happen_on_one_thread_in_order(tmp_path):
    with create_case(tmp_path / "c") as case:
        threads: list[str] = []

        def write(i: int):
            def fn(conn: sqlite3.Connection) -> int:
                threads.append(threading.current_thread().name)
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{i}", str(i)))
                return i

            return fn

        futures = [case.write(write(i)) for i in range(50)]
        assert [f.result() for f in futures] == list(range(50))
        assert len(set(threads)) == 1 and threads[0] != threading.current_thread().name
        n = case.read().execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0]
        assert n == 50


def test_failed_write_rolls_back_whole_transaction(tmp_path):
    with create_case(tmp_path / "c") as case:

        def bad(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'done')")
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            case.write_sync(bad)
        assert case.read().execute("SELECT * FROM meta WHERE key='half'").fetchone() is None
        case.write_sync(lambda c: c.execute("INSERT INTO meta VALUES ('after', '1')"))
        assert case.read().execute("SELECT value FROM meta WHERE key='after'").fetchone() == ("1",)


def test_second_open_in_same_process_is_refused(tmp_path):
    with create_case(tmp_path / "c") as case:
        with pytest.raises(CaseLockedError, match="already open"):
            open_case(case.path)
        with open_case(case.path, read_only=True) as reader:
            assert reader.title == "c"
    with open_case(tmp_path / "c.gwcase") as again:
        assert again.title == "c"


def test_second_process_is_refused_naming_the_holder(tmp_path):
    with create_case(tmp_path / "c") as case:
        code = textwrap.dedent(f"""
            import sys
            from workbench.case import open_case, CaseLockedError
            try:
                open_case({str(case.path)!r})
            except CaseLockedError as exc:
                print(exc)
                sys.exit(3)
        """)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
        )
        assert out.returncode == 3, out.stderr
        assert "open for writing by process" in out.stdout
        assert str(__import__("os").getpid()) in out.stdout


def test_lock_is_released_when_the_holder_dies(tmp_path):
    case_dir = tmp_path / "c.gwcase"
    create_case(case_dir).close()
    code = textwrap.dedent(f"""
        import os
        from workbench.case import open_case
        case = open_case({str(case_dir)!r})
        print("locked", flush=True)
        os._exit(9)  # no clean-up at all, like kill -9
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert "locked" in out.stdout
    with open_case(case_dir) as case:
        assert case.title == "c"


def test_newer_schema_is_refused(tmp_path):
    create_case(tmp_path / "c").close()
    db = tmp_path / "c.gwcase" / "case.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 5}")
    with pytest.raises(CaseSchemaError, match="newer than this workbench"):
        open_case(tmp_path / "c.gwcase")


def test_wal_unsafe_detection_from_mount_table(tmp_path):
    mounts = textwrap.dedent("""
        /dev/vda / ext4 rw 0 0
        server:/export /mnt/share nfs4 rw 0 0
        //nas/cases /mnt/smb cifs rw 0 0
    """)
    assert wal_unsafe_reason(Path("/home/a/x.gwcase"), mounts_text=mounts) is None
    assert "nfs4" in wal_unsafe_reason(Path("/mnt/share/x.gwcase"), mounts_text=mounts)
    assert "cifs" in wal_unsafe_reason(Path("/mnt/smb/a/b.gwcase"), mounts_text=mounts)
    assert wal_unsafe_reason(Path("/mnt/sharedisk/x"), mounts_text=mounts) is None
    assert "sync folder" in wal_unsafe_reason(Path("/home/a/Dropbox/x.gwcase"), mounts_text=mounts)


def test_case_in_sync_folder_opens_with_rollback_journal(tmp_path):
    with create_case(tmp_path / "OneDrive" / "c") as case:
        assert case.journal_note and "sync folder" in case.journal_note
        assert case.read().execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_delete_case_removes_read_only_evidence(tmp_path):
    with create_case(tmp_path / "c") as case:
        f = case.evidence_dir / ("a" * 64 + ".jpg")
        f.write_bytes(b"x")
        f.chmod(0o444)
        path = case.path
    delete_case(path)
    assert not path.exists()
    with pytest.raises(CaseNotFoundError):
        delete_case(tmp_path)  # not a case: refused


def test_closing_while_another_thread_reads_is_safe(tmp_path):
    """A worker still reading when the case closes finishes its query; new reads are refused.

    The worker's query calls back into Python for each row; the first call holds the query
    until the case is closed, so the close always lands in the middle of a query (no sleeps)."""
    from workbench.case import CaseError

    with create_case(tmp_path / "c") as case:
        case.write_sync(
            lambda c: c.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [(f"k{i}", "v" * 100) for i in range(20000)],
            )
        )
    case = open_case(tmp_path / "c.gwcase")
    in_query, closed = threading.Event(), threading.Event()
    results, errors = [], []

    def hold_until_closed() -> int:
        if not in_query.is_set():
            in_query.set()
            closed.wait(30)
        return 1

    def reader() -> None:
        conn = case.read()
        conn.create_function("hold_until_closed", 0, hold_until_closed)
        for _ in range(3):  # the first query spans the close, the others come after it
            results.append(
                conn.execute(
                    "SELECT COUNT(*), MAX(length(value)) FROM meta"
                    " WHERE value LIKE '%v%' AND hold_until_closed()"
                ).fetchone()
            )
        try:
            case.read()
        except CaseError as exc:
            errors.append(str(exc))

    worker = threading.Thread(target=reader)
    worker.start()
    assert in_query.wait(30), "the worker never started its query"
    case.close()
    closed.set()
    worker.join(30)
    assert not worker.is_alive()
    assert len(results) == 3 and results[-1] == (20000, 100)  # title and date hold no "v"
    assert errors and "closed" in errors[0]

"""common.sqlite: the one way casebot opens its SQLite files."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from common import sqlite


def test_connect_makes_the_folder_and_leaves_the_file_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "var" / "nested" / "store.sqlite3"

    db = sqlite.connect(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    db.close()

    assert path.is_file()
    # WAL is a property of the file: a plain connection opened later sees it too
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_busy_timeout_is_the_timeout_given_in_milliseconds(tmp_path: Path) -> None:
    default = sqlite.connect(tmp_path / "a.sqlite3")
    patient = sqlite.connect(tmp_path / "b.sqlite3", timeout=30)

    assert default.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    assert patient.execute("PRAGMA busy_timeout").fetchone() == (30000,)


def test_a_second_writer_waits_the_timeout_then_reports_the_file_locked(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    holder = sqlite.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite.connect(path, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        waiter.execute("BEGIN IMMEDIATE")

    assert time.monotonic() - started >= 0.25
    holder.execute("ROLLBACK")


def test_writes_commit_on_their_own_without_a_transaction(tmp_path: Path) -> None:
    path = tmp_path / "auto.sqlite3"
    writer = sqlite.connect(path)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("INSERT INTO t VALUES (1)")

    reader = sqlite.connect(path)

    assert writer.isolation_level is None
    assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]


def _use_in_another_thread(db: sqlite3.Connection) -> BaseException | int:
    outcome: list[BaseException | int] = []

    def use() -> None:
        try:
            outcome.append(db.execute("SELECT 41 + 1").fetchone()[0])
        except sqlite3.Error as exc:
            outcome.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    return outcome[0]


def test_a_shared_connection_serves_other_threads(tmp_path: Path) -> None:
    assert _use_in_another_thread(sqlite.connect(tmp_path / "s.sqlite3", shared=True)) == 42


def test_an_unshared_connection_refuses_other_threads(tmp_path: Path) -> None:
    outcome = _use_in_another_thread(sqlite.connect(tmp_path / "u.sqlite3"))

    assert isinstance(outcome, sqlite3.ProgrammingError)


def test_synchronous_and_foreign_keys_are_set_only_when_asked(tmp_path: Path) -> None:
    plain = sqlite.connect(tmp_path / "plain.sqlite3")
    tuned = sqlite.connect(tmp_path / "tuned.sqlite3", synchronous="NORMAL", foreign_keys=True)

    # synchronous: 1 is NORMAL, 2 is FULL (SQLite's default)
    assert plain.execute("PRAGMA synchronous").fetchone() == (2,)
    assert plain.execute("PRAGMA foreign_keys").fetchone() == (0,)
    assert tuned.execute("PRAGMA synchronous").fetchone() == (1,)
    assert tuned.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_memory_opens_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    db = sqlite.connect(":memory:", shared=True)
    db.execute("CREATE TABLE t (x INTEGER)")

    assert list(tmp_path.iterdir()) == []


def test_transaction_commits_when_the_block_ends(tmp_path: Path) -> None:
    path = tmp_path / "tx.sqlite3"
    db = sqlite.connect(path)
    db.execute("CREATE TABLE t (x INTEGER)")

    with sqlite.transaction(db) as same:
        same.execute("INSERT INTO t VALUES (1)")

    assert same is db
    assert sqlite.connect(path).execute("SELECT x FROM t").fetchall() == [(1,)]


def test_transaction_rolls_back_when_the_block_raises(tmp_path: Path) -> None:
    db = sqlite.connect(tmp_path / "tx.sqlite3")
    db.execute("CREATE TABLE t (x INTEGER)")

    with pytest.raises(KeyError), sqlite.transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
        raise KeyError("x")

    assert db.execute("SELECT x FROM t").fetchall() == []
    assert not db.in_transaction


def test_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "tx.sqlite3"
    db = sqlite.connect(path)
    other = sqlite.connect(path, timeout=0)

    with sqlite.transaction(db):
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")


class Notes(sqlite.FileStore):
    SCHEMA = "CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);"
    TIMEOUT = 0.2

    def add(self, *texts: str) -> None:
        with self._write() as db:
            for text in texts:
                if text == "fail":
                    raise RuntimeError("stopped half-way")
                db.execute("INSERT INTO notes (text) VALUES (?)", (text,))

    def texts(self) -> list[str]:
        with self._connect() as db:
            return [row[0] for row in db.execute("SELECT text FROM notes")]


def test_a_file_store_makes_its_folder_and_schema_once_for_every_instance(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "notes.sqlite3"

    Notes(path).add("kept")

    assert Notes(path).texts() == ["kept"]
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_file_store_write_that_fails_half_way_leaves_nothing(tmp_path: Path) -> None:
    notes = Notes(tmp_path / "notes.sqlite3")

    with pytest.raises(RuntimeError):
        notes.add("a", "fail")

    assert notes.texts() == []


def test_a_file_store_call_closes_its_connection_and_waits_its_timeout(tmp_path: Path) -> None:
    notes = Notes(tmp_path / "notes.sqlite3")
    with notes._connect() as db:
        assert db.execute("PRAGMA busy_timeout").fetchone() == (200,)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")

    holder = sqlite.connect(tmp_path / "notes.sqlite3")
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        notes.add("blocked")
    holder.execute("ROLLBACK")
    # from any thread: the connection is the call's own
    done = threading.Thread(target=notes.add, args=("from a thread",))
    done.start()
    done.join()
    assert notes.texts() == ["from a thread"]

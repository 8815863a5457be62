"""The base of the gateway's SQLite stores: work off the event loop, writes all or nothing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from api.jobs.store import SqliteStore


class Notes(SqliteStore):
    SCHEMA = "CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);"

    async def texts(self) -> list[str]:
        rows = await self._run(lambda db: db.execute("SELECT text FROM notes").fetchall())
        return [str(row[0]) for row in rows]

    async def add_all(self, texts: list[str], fail_after: int | None = None) -> None:
        def work(db: sqlite3.Connection) -> None:
            for index, text in enumerate(texts):
                if index == fail_after:
                    raise RuntimeError("stopped half-way")
                db.execute("INSERT INTO notes (text) VALUES (?)", (text,))

        await self._write(work)


async def test_open_creates_the_folder_and_tables_and_work_runs_off_the_loop(
    tmp_path: Path,
) -> None:
    store = Notes.open(tmp_path / "deep" / "notes.sqlite3")
    threads: list[int] = []
    await store._run(lambda db: threads.append(threading.get_ident()))
    assert threads != [threading.get_ident()]
    await store.add_all(["a", "b"])
    assert await store.texts() == ["a", "b"]
    await store.close()


async def test_a_write_that_fails_half_way_leaves_nothing(tmp_path: Path) -> None:
    store = Notes.open(tmp_path / "notes.sqlite3")
    with pytest.raises(RuntimeError):
        await store.add_all(["a", "b", "c"], fail_after=2)
    assert await store.texts() == []
    await store.close()


async def test_the_file_outlives_the_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    first = Notes.open(path)
    await first.add_all(["kept"])
    await first.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await first.texts()
    again = Notes.open(path)
    assert await again.texts() == ["kept"]
    await again.close()

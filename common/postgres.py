"""PostgreSQL opened the one way casebot uses it: a pool of autocommit connections, one schema.

The stores that keep shared state in PostgreSQL when it is configured (the action server's
outbox, AICC's idempotency keys) take a ``psycopg_pool.ConnectionPool`` from ``shared_pool``
(one per URL and process) or ``open_pool`` (a pool of its own, closed by its owner). Each
connection is in autocommit; a block that must be one transaction opens ``conn.transaction()``.
Every table lives in the ``casebot`` schema (``SCHEMA``), so a database that also holds Rasa's
conversations keeps ours apart. ``create_tables`` runs a store's ``CREATE ... IF NOT EXISTS``
under an advisory lock: two processes starting at once would otherwise both find a table
missing, and the second ``CREATE`` fail on the catalogue's unique index.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg import Connection, sql
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool
from pydantic import SecretStr

#: the schema of every casebot table in PostgreSQL
SCHEMA = "casebot"
#: the advisory lock held while tables are created (any number, the same in every process)
_DDL_LOCK = 0x63617365626F74
#: the URL forms libpq reads
URL_SCHEMES = ("postgresql://", "postgres://")
#: seconds a statement waits for a free connection (or for the server to answer a connect)
TIMEOUT_SECONDS = 5.0

Pool = ConnectionPool[Connection[TupleRow]]


def open_pool(url: str, *, max_size: int = 4, timeout: float = TIMEOUT_SECONDS) -> Pool:
    """A pool of connections to ``url`` (``postgresql://user:password@host:5432/db``).

    Connections are made in the background, so a server that is down does not stop the
    process from starting: a statement waits ``timeout`` seconds for one, then raises
    ``psycopg_pool.PoolTimeout`` (a ``psycopg.OperationalError``). A connection the server
    dropped (a restart) is noticed when it is taken, and replaced.
    """
    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        timeout=timeout,
        kwargs={"autocommit": True, "connect_timeout": max(1, round(timeout))},
        check=ConnectionPool.check_connection,
        open=True,
        name="casebot",
    )


@lru_cache(maxsize=4)
def shared_pool(url: str) -> Pool:
    """The process's pool for ``url``, shared by every store kept there."""
    return open_pool(url)


def table(name: str) -> sql.Composed:
    """``casebot.<name>``, quoted for a statement."""
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name))


def create_tables(pool: Pool, ddl: sql.Composed) -> None:
    """Create the schema and run ``ddl`` (``CREATE TABLE IF NOT EXISTS ...``), one at a time."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
        conn.execute(ddl)


def check_url(value: SecretStr | None) -> SecretStr | None:
    """``value`` if it is a PostgreSQL URL, ``None`` for an empty one; else ``ValueError``.

    The message never repeats the value, which holds a password.
    """
    if value is None or not value.get_secret_value().strip():
        return None
    if not value.get_secret_value().startswith(URL_SCHEMES):
        raise ValueError("must be a URL starting with postgresql:// or postgres://")
    return value

"""One PostgreSQL server for a whole test session, and a fresh database on it for each test.

A database of its own keeps a test's tables apart from every other's without cleaning up;
the server, and every database on it, goes when the session ends.
"""

from __future__ import annotations

import uuid

from tests.support.services import PostgresServer


def fresh_database(server: PostgresServer) -> str:
    """The URL (``postgresql://``, over TCP with the password) of a new, empty database."""
    name = f"test_{uuid.uuid4().hex}"
    server.psql("postgres", f'CREATE DATABASE "{name}"')
    return f"postgresql://{server.user}:{server.password}@127.0.0.1:{server.port}/{name}"

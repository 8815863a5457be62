"""Throwaway Redis and PostgreSQL servers for tests, from the Debian packages' binaries.

``redis_server(tmp)`` and ``postgres_server()`` start a server on a free loopback port, wait
until it answers, yield how to reach it and stop it (deleting its files) on the way out.
``make services`` (scripts/ensure-services.sh) installs the packages. PostgreSQL refuses to
run as root, so under root its files belong to the ``postgres`` user and it runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "run `make services` (scripts/ensure-services.sh) to install it"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server stopped:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.05)


@dataclass(frozen=True)
class RedisServer:
    port: int
    password: str | None

    def url(self, db: int = 0) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def cli(self, *args: str, db: int = 0) -> str:
        """Run one redis-cli command and return its raw answer."""
        command = ["redis-cli", "-p", str(self.port), "-n", str(db), "--no-auth-warning"]
        if self.password:
            command += ["-a", self.password]
        return subprocess.run(
            [*command, *args], check=True, capture_output=True, text=True, timeout=30
        ).stdout


@contextmanager
def redis_server(tmp: Path, password: str | None = None) -> Iterator[RedisServer]:
    """A redis-server on a free port keeping nothing on disk; stopped on the way out."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(f"redis-server is not installed: {INSTALL_HINT}")
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / f"redis-{port}.log"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(tmp)]
    if password:
        command += ["--requirepass", password]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc, log, timeout=20)
        yield RedisServer(port, password)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class PostgresServer:
    port: int
    #: folder of the unix socket, where the superuser connects without a password
    socket_dir: Path
    user: str
    password: str
    bindir: Path

    def psql(self, database: str, sql: str) -> str:
        """Run ``sql`` through the unix socket; unaligned rows, one a line."""
        return subprocess.run(
            [
                str(self.bindir / "psql"),
                *("-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user),
                *("-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parents[1].name),
    )
    if not found:
        raise RuntimeError(f"PostgreSQL is not installed: {INSTALL_HINT}")
    return Path(found[-1]).parent


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: ``None`` for the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no `postgres` (or `nobody`) user")


@contextmanager
def postgres_server(databases: tuple[str, ...] = ()) -> Iterator[PostgresServer]:
    """A PostgreSQL cluster on a free port, with ``databases`` created; removed on the way out.

    Connections over TCP need the password (scram-sha-256); over the unix socket they do not.
    """
    bindir = postgres_bindir()
    account = _server_user()
    # not under pytest's tmp folder: that is private to root, and the server may not be root
    home = Path(tempfile.mkdtemp(prefix="casebot-pg-"))
    run_as: list[str] = []
    if account is not None:
        os.chown(home, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", account.pw_name, "--"]
    user, password, port = "casebot", secrets.token_urlsafe(16), free_port()
    data, log, pwfile = home / "data", home / "server.log", home / "pwfile"
    pwfile.write_text(password + "\n")
    if account is not None:
        os.chown(pwfile, account.pw_uid, account.pw_gid)

    def run(*command: str) -> None:
        subprocess.run([*run_as, *command], check=True, capture_output=True, timeout=120)

    server = PostgresServer(port, home, user, password, bindir)
    try:
        try:
            run(
                str(bindir / "initdb"),
                *("-D", str(data), "-U", user, f"--pwfile={pwfile}", "-E", "UTF8"),
                *("--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256"),
            )
            options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
            run(
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "start",
            )
            for database in databases:
                server.psql("postgres", f'CREATE DATABASE "{database}"')
        except subprocess.CalledProcessError as exc:
            detail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL failed: {exc.stderr!r}\n{detail}") from exc
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(home, ignore_errors=True)


def deploy_setting(name: str) -> str:
    """The value ``deploy/.env.example`` gives ``name``: what a deployment runs with."""
    for line in (ROOT / "deploy" / ".env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.partition("=")[2]
    raise KeyError(f"deploy/.env.example does not set {name}")


def rasa_store_env(redis: RedisServer, postgres: PostgresServer) -> dict[str, str]:
    """Settings putting Rasa's tracker store in ``postgres`` and its lock store in ``redis``,
    with the lock lifetime a deployment of several Rasa processes runs with."""
    return {
        "TICKET_LOCK_LIFETIME": deploy_setting("TICKET_LOCK_LIFETIME"),
        "RASA_ENDPOINTS": "deploy/endpoints.yml",
        "RASA_TRACKER_DB_HOST": "127.0.0.1",
        "RASA_TRACKER_DB_PORT": str(postgres.port),
        "RASA_TRACKER_DB_NAME": "rasa",
        "RASA_TRACKER_DB_USER": postgres.user,
        "RASA_TRACKER_DB_PASSWORD": postgres.password,
        "RASA_LOCK_REDIS_HOST": "127.0.0.1",
        "RASA_LOCK_REDIS_PORT": str(redis.port),
        "RASA_LOCK_REDIS_DB": "1",
        "RASA_LOCK_REDIS_PASSWORD": redis.password or "",
    }

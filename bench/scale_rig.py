"""The scale benchmark's rig: Redis, PostgreSQL, two Rasa processes behind a round-robin proxy.

Everything ``bench.scale`` loads runs here: the sandbox, one action server, two Rasa processes
on the same model with ``deploy/endpoints.yml`` (Redis lock store, PostgreSQL tracker store),
and one gateway whose ``RASA_URL`` is the proxy. The proxy runs in a process of its own
(``python -m bench.scale_rig URL...``) so its CPU is read apart from the load generator's, and
its targets change between runs over its stdin.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.common import machine_cpu, proc_stats
from tests.support.fleet import RASA, shared_servers, start_rasa
from tests.support.processes import Process, procfile_commands
from tests.support.round_robin import round_robin
from tests.support.services import PostgresServer, RedisServer, rasa_store_env
from tests.support.stack import MODEL, ROOT, free_port, stack_env

#: columns of CPU figures, in this order
CPU_NAMES = (*RASA, "actions", "gateway", "proxy", "sandbox", "postgres", "redis", "load")


def serve_proxy(targets: list[str]) -> None:
    """Proxy to ``targets``; print its URL, then take each stdin line as the new target list."""
    with round_robin(targets) as proxy:
        sys.stdout.write(proxy.url + "\n")
        sys.stdout.flush()
        for line in sys.stdin:
            # between runs only, when nothing is in flight; a list swap is atomic
            proxy.targets = line.split()
            sys.stdout.write("ok\n")
            sys.stdout.flush()


class Proxy:
    """The round-robin proxy in its own process, whose targets can be changed while it runs."""

    def __init__(self, targets: list[str], log: Path) -> None:
        with log.open("ab") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bench.scale_rig", *targets],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                start_new_session=True,
            )
        self.url = self._stdout.readline().strip()
        if not self.url:
            raise RuntimeError(f"the proxy did not start:\n{log.read_text()[-3000:]}")

    @property
    def _stdout(self) -> IO[str]:
        assert self.popen.stdout is not None
        return self.popen.stdout

    def route(self, targets: list[str]) -> None:
        """Send requests to ``targets`` from now on."""
        assert self.popen.stdin is not None
        self.popen.stdin.write(" ".join(targets) + "\n")
        self.popen.stdin.flush()
        if self._stdout.readline().strip() != "ok":
            raise RuntimeError("the proxy did not take its new targets")

    def stop(self) -> None:
        """Stop it (closing its stdin ends its loop)."""
        if self.popen.stdin is not None:
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


@dataclass
class Rig:
    """The running processes, and how to read each one's CPU time."""

    env: dict[str, str]
    processes: dict[str, Process]
    proxy: Proxy
    rasa_urls: dict[str, str]
    postgres: PostgresServer
    redis: RedisServer
    #: pids found once everything is up
    postmaster: int = 0
    redis_pid: int = 0

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    def find_servers(self) -> None:
        """Find the PostgreSQL postmaster and redis-server among the machine's processes."""
        data = str(self.postgres.socket_dir / "data").encode()
        listen = f"127.0.0.1:{self.redis.port}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if data in command and b"-D" in command and b"pg_ctl" not in command:
                self.postmaster = int(entry.name)
            if command.startswith(b"redis-server") or b"/redis-server" in command:
                if listen in command or f"--port {self.redis.port}".encode() in command:
                    self.redis_pid = int(entry.name)

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each process (whole process groups), and the machine."""
        stats = proc_stats()
        sessions = {name: p.popen.pid for name, p in self.processes.items() if p.popen}
        sessions["proxy"] = self.proxy.popen.pid
        used = dict.fromkeys(CPU_NAMES, 0.0)
        for stat in stats.values():
            for name, session in sessions.items():
                if stat.session == session:
                    used[name] += stat.cpu
            if self.postmaster in (stat.pid, stat.ppid):
                used["postgres"] += stat.cpu
            if stat.pid == self.redis_pid:
                used["redis"] += stat.cpu
        used["load"] = stats[os.getpid()].cpu
        used["machine"] = machine_cpu()[0]
        return used


def _env(tmp: Path, redis: RedisServer, postgres: PostgresServer, proxy: Proxy) -> dict[str, str]:
    env = stack_env(tmp)
    env.update(
        {
            **rasa_store_env(redis, postgres),
            "RASA_URL": proxy.url,
        }
    )
    return env


@contextmanager
def rig(tmp: Path) -> Iterator[Rig]:
    """Start everything, the proxy routing to the first Rasa; stop it all on the way out."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make model`")
    with ExitStack() as stack:
        redis, postgres = shared_servers(stack, tmp)
        rasa_urls = {name: f"http://127.0.0.1:{free_port()}" for name in RASA}
        proxy = Proxy([rasa_urls[RASA[0]]], tmp / "proxy.log")
        stack.callback(proxy.stop)
        env = _env(tmp, redis, postgres, proxy)
        commands = procfile_commands()
        processes = {
            name: Process(name, commands[name], env, tmp / f"{name}.log")
            for name in ("sandbox", "actions", "gateway")
        }
        for name, url in rasa_urls.items():
            own = {**env, "RASA_PORT": url.rsplit(":", 1)[1]}
            processes[name] = Process(name, commands["rasa"], own, tmp / f"{name}.log")
        for process in processes.values():
            stack.callback(process.stop)
        start_rasa(processes, postgres, ("sandbox", "actions"))
        token = env["RASA_API_TOKEN"]
        processes["sandbox"].wait_ready(f"http://127.0.0.1:{env['SANDBOX_PORT']}/healthz")
        processes["actions"].wait_ready(f"{env['ACTIONS_URL']}/health")
        for name, url in rasa_urls.items():
            processes[name].wait_ready(f"{url}/status?token={token}")
        processes["gateway"].start()
        running = Rig(env, processes, proxy, rasa_urls, postgres, redis)
        processes["gateway"].wait_ready(f"{running.gateway}/readyz")
        running.find_servers()
        yield running


if __name__ == "__main__":
    serve_proxy(sys.argv[1:])

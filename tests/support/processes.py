"""The Procfile's processes started one by one, so a test can stop and restart any of them.

``honcho`` stops everything when one process ends; fault tests need a sandbox that goes away
and comes back, or an action server killed mid-conversation, while the rest runs on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.stack import ROOT

PROCFILE = ROOT / "Procfile"


def procfile_commands(path: Path = PROCFILE) -> dict[str, str]:
    """Process name -> shell command, from the Procfile."""
    commands: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            commands[name.strip()] = command.strip()
    return commands


class Process:
    """One Procfile process, run with ``sh -c`` in its own process group."""

    def __init__(self, name: str, command: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (appending to its log)."""
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                ["/bin/sh", "-c", self.command],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, kill: bool = False, timeout: float = 30) -> None:
        """Stop it: SIGTERM (or SIGKILL, as a crash would) to its process group."""
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def wait_ready(self, url: str, timeout: float = 240) -> None:
        """Wait until ``url`` answers 200; fail with the log's tail if it dies or takes too long."""
        deadline = time.monotonic() + timeout
        while True:
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} stopped:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.3)

"""Start the four casebot processes from the Procfile and say where to chat once all answer.

honcho runs the Procfile with .env loaded (variables already set in the environment win);
this wrapper waits until the sandbox, the action server and the gateway (which checks Rasa has
its model loaded) answer, prints one line with the webchat address, and on Ctrl-C lets honcho
stop all four.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BOOT_TIMEOUT_S = 300


def read_env(path: Path) -> dict[str, str]:
    """The KEY=value pairs of an env file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> int:
    """Run honcho, announce readiness, and wait for it to stop."""
    env = {**read_env(Path(".env")), **os.environ}
    checks = {
        "sandbox": f"http://127.0.0.1:{env['SANDBOX_PORT']}/healthz",
        "actions": f"http://127.0.0.1:{env['ACTIONS_PORT']}/health",
        "rasa and gateway": f"http://127.0.0.1:{env['GATEWAY_PORT']}/readyz",
    }
    host = env.get("GATEWAY_HOST", "127.0.0.1")
    public = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::", "localhost"} else host
    print("==> starting rasa, actions, gateway and sandbox (Rasa takes ~30 s to load its model)")
    honcho = subprocess.Popen(
        # the environment built above already holds .env, with the caller's variables winning
        # (`make run CASE_BACKEND=aicc`); honcho would let .env win, so it gets no env file
        [sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-e", os.devnull],
        env=env,
    )
    # a service manager or `kill` stops this process with SIGTERM, which honcho never sees:
    # pass it on, so the four processes stop with it instead of holding their ports
    stopping: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)
        honcho.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        pending = dict(checks)
        while pending and honcho.poll() is None and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if answers(url):
                    del pending[name]
            time.sleep(0.5)
        if honcho.poll() is not None:
            print("==> a process stopped during start-up; see its output above")
            return honcho.returncode or 1
        if pending:
            print(f"==> still waiting for {', '.join(pending)} after {BOOT_TIMEOUT_S} s")
        else:
            print(
                f"==> casebot is ready: chat at http://{public}:{env['GATEWAY_PORT']}/ "
                "(Ctrl-C stops everything)",
                flush=True,
            )
        code = honcho.wait()
        if stopping:
            print("==> stopped")
            return 0
        return code
    except KeyboardInterrupt:
        # the terminal sent SIGINT to honcho too; give it time to stop the four processes
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            honcho.send_signal(signal.SIGTERM)
            honcho.wait()
        print("==> stopped")
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Two of every process on shared Redis and PostgreSQL, as casebot runs on several machines.

``fleet(tmp)`` starts real Redis (everything the gateways share on db 0, Rasa's locks on db 1)
and PostgreSQL (Rasa's conversations, and in the same database's ``casebot`` schema the action
servers' outbox and AICC keys, as ``deploy/compose.yaml`` has it), the sandbox (Graph API,
Twilio and Connect Cases stand-ins), two Rasa processes behind a round-robin proxy (the
gateways' ``RASA_URL``), two action servers behind another (Rasa's action endpoint), and two
gateways sharing every queue, record and the webchat inbox in Redis (``GATEWAY_QUEUE_URL``),
with WhatsApp over Meta's Cloud API and over Twilio. Each process keeps its own files, as on
its own machine, so only the shared stores can keep the replicas from losing or doubling work.
The proxies stand in for the load balancers a deployment puts in front of the replicas: a
target that refuses the connection is skipped, as a health-checked balancer does; one that
drops a request mid-way has it sent on to the other action server, but answered 502 for Rasa
(see ``fleet``).

The settings of every process are made in one place, ``process_envs``: a store that moves to
Redis or PostgreSQL is one more line there.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.support.processes import Process, procfile_commands
from tests.support.round_robin import RoundRobin, round_robin
from tests.support.services import (
    PostgresServer,
    RedisServer,
    free_port,
    postgres_server,
    rasa_store_env,
    redis_server,
)
from tests.support.stack import MODEL, stack_env

APP_SECRET = "scale-out-app-secret"
GRAPH_TOKEN = "scale-out-graph-token"
PHONE_NUMBER_ID = "100000000000001"
GATEWAYS = ("gateway_a", "gateway_b")
ACTION_SERVERS = ("actions_a", "actions_b")
RASA = ("rasa_a", "rasa_b")
TWILIO_SID = "AC" + "5" * 32
TWILIO_TOKEN = "scale-out-twilio-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
#: the one public URL Twilio posts to, which the balancer hands to either gateway
TWILIO_WEBHOOK_URL = "https://casebot.example.com/webhooks/twilio"


@dataclass
class Fleet:
    """The running processes, the proxies in front of them and the stores behind them."""

    env: dict[str, str]
    processes: dict[str, Process]
    redis: RedisServer
    postgres: PostgresServer
    rasa_proxy: RoundRobin
    actions_proxy: RoundRobin

    def url(self, name: str) -> str:
        """The base URL of the process ``name`` (a gateway, an action server or a Rasa)."""
        env = self.processes[name].env
        port = env.get(
            {"gateway": "GATEWAY_PORT", "actions": "ACTIONS_PORT", "rasa": "RASA_PORT"}[
                name.split("_")[0]
            ]
        )
        return f"http://127.0.0.1:{port}"

    @property
    def sandbox(self) -> str:
        return f"http://127.0.0.1:{self.env['SANDBOX_PORT']}"

    def alive(self, name: str) -> bool:
        popen = self.processes[name].popen
        return popen is not None and popen.poll() is None

    def kill(self, name: str) -> float:
        """SIGKILL ``name`` (its whole process group), as a crash or the OOM killer would;
        returns when it happened (``time.time()``)."""
        at = time.time()
        self.processes[name].stop(kill=True)
        return at

    def wait_ready(self, names: tuple[str, ...] = (*RASA, *ACTION_SERVERS, *GATEWAYS)) -> None:
        token = self.env["RASA_API_TOKEN"]
        probes = {
            "rasa": lambda name: f"{self.url(name)}/status?token={token}",
            "actions": lambda name: f"{self.url(name)}/health",
            # 200 once Rasa has its model and the action server answers
            "gateway": lambda name: f"{self.url(name)}/readyz",
        }
        for name in names:
            self.processes[name].wait_ready(probes[name.split("_")[0]](name))


def actions_database_url(postgres: PostgresServer) -> str:
    """The action servers' PostgreSQL: Rasa's database, their tables in its ``casebot`` schema."""
    password = quote(postgres.password, safe="")
    return f"postgresql://{postgres.user}:{password}@127.0.0.1:{postgres.port}/rasa"


def shared_env(
    tmp: Path, redis: RedisServer, postgres: PostgresServer, rasa: RoundRobin, actions: RoundRobin
) -> dict[str, str]:
    """What every process is told alike: the shared stores, the proxies, the stand-ins."""
    env = stack_env(tmp)
    sandbox = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    env.update(
        {
            **rasa_store_env(redis, postgres),
            "RASA_URL": rasa.url,
            "ACTION_ENDPOINT_URL": f"{actions.url}/webhook",
            "GATEWAY_QUEUE_URL": redis.url(0),
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "scale-out-verify-token",
            "WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE_URL": f"{sandbox}/whatsapp",
            "WHATSAPP_RETRY_BASE_SECONDS": "0.2",
            "SANDBOX_WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
            "TWILIO_WEBHOOK_URL": TWILIO_WEBHOOK_URL,
            "TWILIO_API_BASE_URL": f"{sandbox}/twilio",
            "SANDBOX_TWILIO_ACCOUNT_SID": TWILIO_SID,
            "SANDBOX_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "ACTIONS_DATABASE_URL": actions_database_url(postgres),
            "LOG_LEVEL": "WARNING",
            "RASA_LOG_LEVEL": "WARNING",
        }
    )
    return env


def process_envs(tmp: Path, ports: dict[str, int]) -> dict[str, tuple[str, dict[str, str]]]:
    """Each process's Procfile entry and its own settings, over the shared ones.

    Nothing on disk is shared between two replicas: each has its own files, as on its own
    machine (the action servers' outbox and AICC files too, though ``ACTIONS_DATABASE_URL``
    puts both in PostgreSQL: should it not, nothing would share them). The gateway
    ``gateway_x`` checks the action server ``actions_x`` in ``/readyz`` and that action
    server tells it of cases filed later.
    """
    own: dict[str, tuple[str, dict[str, str]]] = {"sandbox": ("sandbox", {})}
    for name in RASA:
        own[name] = ("rasa", {"RASA_PORT": str(ports[name])})
    for actions, gateway in zip(ACTION_SERVERS, GATEWAYS, strict=True):
        files = tmp / actions
        own[actions] = (
            "actions",
            {
                "ACTIONS_PORT": str(ports[actions]),
                "OUTBOX_DB": str(files / "outbox.sqlite3"),
                "AICC_IDEMPOTENCY_DB": str(files / "aicc-idempotency.sqlite3"),
                "GATEWAY_INTERNAL_URL": f"http://127.0.0.1:{ports[gateway]}",
            },
        )
        files = tmp / gateway
        own[gateway] = (
            "gateway",
            {
                "GATEWAY_PORT": str(ports[gateway]),
                "ACTIONS_URL": f"http://127.0.0.1:{ports[actions]}",
                "WHATSAPP_QUEUE_DB": str(files / "whatsapp.sqlite3"),
                "WHATSAPP_MEDIA_DIR": str(files / "media"),
                "PROACTIVE_QUEUE_DB": str(files / "proactive.sqlite3"),
                "TWILIO_QUEUE_DB": str(files / "twilio.sqlite3"),
                "NOTICE_QUEUE_DB": str(files / "notice.sqlite3"),
            },
        )
    return own


def wait_for_tables(postgres: PostgresServer, rasa: Process, timeout: float = 180) -> None:
    """Until the first Rasa has made its tables: two creating them at once could collide."""
    deadline = time.monotonic() + timeout
    while postgres.psql("rasa", "SELECT to_regclass('events') IS NOT NULL").strip() != "t":
        if rasa.popen is not None and rasa.popen.poll() is not None:
            raise RuntimeError(f"{rasa.name} stopped:\n{rasa.log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{rasa.name} made no tables:\n{rasa.log.read_text()[-4000:]}")
        time.sleep(0.3)


def shared_servers(stack: ExitStack, tmp: Path) -> tuple[RedisServer, PostgresServer]:
    """Redis (with a password) and PostgreSQL (with Rasa's database) for two Rasa processes,
    stopped as ``stack`` closes."""
    redis = stack.enter_context(redis_server(tmp / "redis", secrets.token_urlsafe(12)))
    postgres = stack.enter_context(postgres_server(("rasa",)))
    return redis, postgres


def start_rasa(
    processes: dict[str, Process], postgres: PostgresServer, first: Iterable[str]
) -> None:
    """Start the processes ``first`` and the first Rasa, then the second Rasa once the first has
    made its tables."""
    for name in (*first, RASA[0]):
        processes[name].start()
    wait_for_tables(postgres, processes[RASA[0]])
    processes[RASA[1]].start()


@contextmanager
def fleet(tmp: Path) -> Iterator[Fleet]:
    """Start everything and wait until it answers; stop what is still running on the way out."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make model` (make test does)")
    with ExitStack() as stack:
        redis, postgres = shared_servers(stack, tmp)
        ports = {name: free_port() for name in (*RASA, *ACTION_SERVERS, *GATEWAYS)}
        # a message a Rasa died with is not sent on blindly: the gateway's retry of its job
        # does that, after asking the conversation whether the message was answered
        rasa = stack.enter_context(
            round_robin([f"http://127.0.0.1:{ports[n]}" for n in RASA], resend_dropped=False)
        )
        # Rasa never calls an action twice, and a failed call loses the turn's answer, so the
        # balancer sends an action call the dead server dropped on to the other; actions are
        # safe to run again (a case is created under the same client token)
        actions = stack.enter_context(
            round_robin([f"http://127.0.0.1:{ports[n]}" for n in ACTION_SERVERS])
        )
        env = shared_env(tmp, redis, postgres, rasa, actions)
        commands = procfile_commands()
        processes: dict[str, Process] = {}
        for name, (kind, extra) in process_envs(tmp, ports).items():
            (tmp / name).mkdir(parents=True, exist_ok=True)
            processes[name] = Process(name, commands[kind], {**env, **extra}, tmp / f"{name}.log")
            stack.callback(processes[name].stop)
        running = Fleet(env, processes, redis, postgres, rasa, actions)
        start_rasa(processes, postgres, ("sandbox", *ACTION_SERVERS))
        processes["sandbox"].wait_ready(f"{running.sandbox}/healthz")
        running.wait_ready((*RASA, *ACTION_SERVERS))
        for name in GATEWAYS:
            processes[name].start()
        running.wait_ready(GATEWAYS)
        yield running

"""What the action server gains beside the actions: a caller check, ``/metrics``, ``/ready``, the
outbox worker.

rasa-sdk offers the Sanic app to plugins (the ``rasa_sdk_plugins`` package in this project);
``attach`` refuses to start without ``ACTION_SERVER_TOKEN`` or with a secret the sandbox
publishes held for a real service, answers 401 to every request but the probes (``/health``,
``/ready``, ``/metrics``) that lacks ``Authorization: Bearer <ACTION_SERVER_TOKEN>`` (which
Rasa sends, bot/endpoints.yml), adds ``GET /metrics``, ``GET /ready`` (200 when the case back
end answers, else 503), the gateway's ``POST /internal/chat-transcripts`` (its own token,
``actions.kit.transcripts``) and runs ``OutboxWorker`` for as long as the server runs, so queued
cases are filed even when nobody talks to the assistant. Beside it, ``purge_now`` runs every
``RETENTION_PURGE_EVERY_SECONDS``: settled outbox submissions, media files, expired one-time
codes with the requests their limits no longer count, and (with AICC) idempotency keys past
their retention go. An outbox that cannot be opened at start (its
PostgreSQL down) is tried again until it can; the server answers meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json, raw

from actions.kit.metrics import OUTBOX_DEPTH
from actions.kit.otp import code_store
from actions.kit.services import outbox_for
from actions.kit.settings import ActionSettings, get_settings
from actions.kit.transcripts import TRANSCRIPTS_PATH, TranscriptFiler
from actions.otp.store import CodeStore
from actions.outbox.notifier import GatewayNotifier
from actions.outbox.store import STORE_ERRORS, Outbox
from actions.outbox.worker import Notifier, OutboxWorker
from cases.aicc.factory import get_idempotency_store
from cases.aicc.idempotency import IdempotencyStore
from cases.aicc.settings import AiccSettings, get_aicc_settings
from cases.backend import BackendError, QueueChecker
from cases.factory import get_backend
from cases.settings import get_case_settings
from common.logsafe import protect_root_logging
from common.retention import DAY_SECONDS, older_than, purge_folder
from common.sandbox_secrets import Held, published_secrets_refused

logger = logging.getLogger(__name__)

#: what answers without the token: probes that run no action and read no conversation
OPEN_PATHS = frozenset({"/health", "/ready", "/metrics"})
#: what the gateway calls, with its own token (INTERNAL_API_TOKEN) checked by the route
GATEWAY_PATHS = frozenset({TRANSCRIPTS_PATH})
#: shortest ACTION_SERVER_TOKEN, in characters (make run writes 43)
MIN_TOKEN_CHARS = 32
#: seconds between two tries to open an outbox that could not be opened
REOPEN_SECONDS = 10.0

#: AICC's idempotency keys and the days they are kept, for the housekeeping
KeyRetention = tuple[IdempotencyStore, float]


def start_refusals(
    settings: ActionSettings, aicc: AiccSettings, *, shared_database: bool = False
) -> list[str]:
    """Why the action server must not start with these settings (nothing when it may);
    ``shared_database`` says whether ``ACTIONS_DATABASE_URL`` is set."""
    token = settings.action_server_token
    secret = aicc.aicc_app_secret
    # without AICC_BASE_URL no call goes to AICC, whatever its credentials say
    held = [
        Held("AICC_APP_KEY", aicc.aicc_app_key, "AICC_BASE_URL", aicc.aicc_base_url),
        Held(
            "AICC_APP_SECRET",
            secret.get_secret_value() if secret else None,
            "AICC_BASE_URL",
            aicc.aicc_base_url,
        ),
    ]
    refusals = published_secrets_refused(held if aicc.aicc_base_url else [])
    if token is None or len(token.get_secret_value()) < MIN_TOKEN_CHARS:
        refusals.append(
            f"ACTION_SERVER_TOKEN must be set to a secret of at least {MIN_TOKEN_CHARS} "
            "characters, the one Rasa sends (make run writes one into .env)"
        )
    codes_on = bool(settings.otp_email_sender) or settings.otp_phone_channel != "none"
    if shared_database and codes_on and settings.otp_hash_key is None:
        # each server would hash codes under a key of its own: a code asked for through one
        # would be "not right" at every other
        refusals.append(
            "OTP_HASH_KEY must be set, the same on every action server, when one-time codes "
            "are kept in ACTIONS_DATABASE_URL"
        )
    return refusals


Middleware = Callable[[Request], Coroutine[Any, Any, HTTPResponse | None]]


def caller_check(token: str) -> Middleware:
    """A request middleware answering 401 unless the caller holds ``token`` (probes aside)."""
    expected = f"Bearer {token}".encode()

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or request.path in GATEWAY_PATHS:
            return None
        given = (request.headers.get("authorization") or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("action server call refused: no valid token")
        return json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})

    return check


def attach(app: Sanic) -> None:  # type: ignore[type-arg]
    """Check callers, add ``/metrics`` and ``/ready``, mask logs, run the outbox worker."""
    settings = get_settings()
    protect_root_logging(pii=settings.log_redact_pii)
    shared = get_case_settings().actions_database_url is not None
    refusals = start_refusals(settings, get_aicc_settings(), shared_database=shared)
    if refusals or settings.action_server_token is None:
        raise SystemExit("action server not started: " + "; ".join(refusals))
    app.register_middleware(caller_check(settings.action_server_token.get_secret_value()))

    async def metrics(request: Request) -> HTTPResponse:
        # the outbox depth is read from its store, which may be a database server away
        body = await asyncio.to_thread(generate_latest, REGISTRY)
        return raw(body, content_type=CONTENT_TYPE_LATEST)

    app.add_route(metrics, "/metrics", methods=["GET"], name="casebot_metrics")

    async def ready(request: Request) -> HTTPResponse:
        # the template is cached, so this costs the back end a call only when it is stale
        try:
            await get_backend().get_template()
        except BackendError as exc:
            return json({"backend": "unavailable", "reason": type(exc).__name__}, status=503)
        return json({"backend": "ok"})

    app.add_route(ready, "/ready", methods=["GET"], name="casebot_ready")

    filer = TranscriptFiler(get_backend, settings.internal_api_token, get_idempotency_store)

    async def chat_transcript(request: Request) -> HTTPResponse:
        try:
            body = request.json
        except Exception:  # Sanic raises its own error for a body that is not JSON
            body = None
        status, answer = await filer.handle(request.headers.get("authorization"), body)
        return json(answer, status=status) if status != 204 else HTTPResponse(status=204)

    app.add_route(
        chat_transcript, TRANSCRIPTS_PATH, methods=["POST"], name="casebot_chat_transcript"
    )

    async def start_outbox(app: Sanic) -> None:  # type: ignore[type-arg]
        settings = get_settings()
        http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0))
        notifier = GatewayNotifier(http, settings.gateway_internal_url, settings.internal_api_token)
        app.ctx.casebot_http = http
        app.ctx.casebot_outbox = asyncio.get_running_loop().create_task(
            run_outbox(settings, notifier)
        )

    async def stop_outbox(app: Sanic) -> None:  # type: ignore[type-arg]
        task = getattr(app.ctx, "casebot_outbox", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        http = getattr(app.ctx, "casebot_http", None)
        if http is not None:
            await http.aclose()

    async def check_handoff_queue(app: Sanic) -> None:  # type: ignore[type-arg]
        await check_queue_at_start(get_settings().handoff_queue)

    app.register_listener(check_handoff_queue, "after_server_start")
    app.register_listener(start_outbox, "after_server_start")
    app.register_listener(stop_outbox, "before_server_stop")


async def run_outbox(settings: ActionSettings, notifier: Notifier) -> None:
    """Open the outbox (again and again until it opens), then run its worker and the purges."""
    while True:
        try:
            outbox = await asyncio.to_thread(outbox_for, settings, get_case_settings())
            keys = await asyncio.to_thread(idempotency_keys)
            codes = await asyncio.to_thread(code_store, settings)
        except STORE_ERRORS as exc:
            logger.error("outbox not opened (%s); trying again soon", type(exc).__name__)
            await asyncio.sleep(REOPEN_SECONDS)
            continue
        break
    OUTBOX_DEPTH.set_function(lambda: depth_of(outbox))
    worker = OutboxWorker(
        outbox, get_backend, notifier, max_delay=settings.outbox_max_delay_seconds
    )
    where = "PostgreSQL" if get_case_settings().actions_database_url else settings.outbox_db
    logger.info("outbox worker started on %s", where)
    await asyncio.gather(worker.run_forever(), keep_purging(settings, outbox, keys, codes))


def depth_of(outbox: Outbox) -> float:
    """How many submissions wait; NaN when the store cannot say, so ``/metrics`` still answers."""
    try:
        return float(outbox.depth())
    except STORE_ERRORS as exc:
        logger.warning("outbox depth unknown: %s", type(exc).__name__)
        return math.nan


def idempotency_keys() -> KeyRetention:
    """The idempotency keys and their retention: AICC's creates, and on every back end the
    chat transcripts already filed (actions.kit.transcripts)."""
    return get_idempotency_store(), get_aicc_settings().aicc_idempotency_retention_days


def purge_now(
    settings: ActionSettings,
    outbox: Outbox,
    now: float,
    keys: KeyRetention | None = None,
    codes: CodeStore | None = None,
) -> dict[str, int]:
    """Remove settled submissions, unattached media and (given) AICC's idempotency keys past
    their retention, and (given) expired one-time codes and requests the limits no longer
    count; how many went."""
    removed = {
        "outbox": outbox.purge(settings.outbox_retention_days * DAY_SECONDS),
        "media": purge_folder(
            settings.actions_media_dir, older_than(settings.media_retention_days, now)
        ),
    }
    if keys is not None:
        store, days = keys
        removed["aicc idempotency keys"] = store.purge(days * DAY_SECONDS)
    if codes is not None:
        # without this, codes nobody typed and requests of conversations that never ask again
        # would stay until another code is asked for
        removed["one-time codes"] = codes.purge()
    return removed


async def keep_purging(
    settings: ActionSettings,
    outbox: Outbox,
    keys: KeyRetention | None = None,
    codes: CodeStore | None = None,
) -> None:
    """``purge_now`` at start and every ``retention_purge_every_seconds`` after."""
    while True:
        try:
            removed = await asyncio.to_thread(purge_now, settings, outbox, time.time(), keys, codes)
        except Exception:
            logger.exception("retention purge failed; tried again later")
        else:
            if any(removed.values()):
                logger.info("retention purge removed %s", removed)
        await asyncio.sleep(settings.retention_purge_every_seconds)


async def check_queue_at_start(queue: str) -> bool:
    """Say at start, in the log, when the handoff queue cannot be resolved; whether it can.

    A handoff would otherwise fail only when the first customer asks for a person.
    """
    try:
        backend = get_backend()
        if isinstance(backend, QueueChecker) and queue:
            await backend.check_queue(queue)
    except BackendError as exc:
        logger.error(
            "HANDOFF_QUEUE %r cannot be used (%s: %s); handoffs will reach no queue until it can",
            queue,
            type(exc).__name__,
            exc,
        )
        return False
    return True

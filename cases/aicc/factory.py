"""The AICC back end, its httpx client and its idempotency keys, built from the settings.

The client and the key store are made once per process; the store is PostgreSQL's when
``ACTIONS_DATABASE_URL`` is set (the pool the outbox uses too), else the SQLite file.
"""

from __future__ import annotations

from functools import lru_cache

import httpx

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import IdempotencyStore, SqliteIdempotencyStore
from cases.aicc.idempotency_postgres import PostgresIdempotencyStore
from cases.aicc.settings import AiccSettings, get_aicc_settings
from cases.aicc.token import AiccTokenSource
from cases.backend import BackendNotConfigured
from cases.settings import CaseSettings, get_case_settings
from cases.template import load_template_spec
from common.postgres import shared_pool


def aicc_backend(cases: CaseSettings) -> AiccBackend:
    """The process's AICC back end."""
    return build_aicc_backend(cases, get_aicc_settings(), get_aicc_http(), get_idempotency_store())


@lru_cache(maxsize=1)
def get_idempotency_store() -> IdempotencyStore:
    """The process's idempotency keys, which its back end and its housekeeping share."""
    return idempotency_store(get_case_settings(), get_aicc_settings())


def idempotency_store(cases: CaseSettings, settings: AiccSettings) -> IdempotencyStore:
    """The keys where the settings keep them: PostgreSQL when configured, else the file."""
    if cases.actions_database_url is not None:
        return PostgresIdempotencyStore(shared_pool(cases.actions_database_url.get_secret_value()))
    return SqliteIdempotencyStore(settings.aicc_idempotency_db)


@lru_cache(maxsize=1)
def get_aicc_http() -> httpx.AsyncClient:
    """The httpx client AICC calls go through, with ``AICC_TIMEOUT_SECONDS``."""
    return httpx.AsyncClient(timeout=get_aicc_settings().aicc_timeout_seconds)


def build_aicc_backend(
    cases: CaseSettings,
    settings: AiccSettings,
    http: httpx.AsyncClient,
    store: IdempotencyStore | None = None,
) -> AiccBackend:
    """An AICC back end over ``http`` for the tenant, credentials and case type in ``settings``
    (its keys in ``store``, or where ``settings`` say)."""
    base_url, app_key, secret = (
        settings.aicc_base_url,
        settings.aicc_app_key,
        settings.aicc_app_secret,
    )
    if not base_url or not app_key or secret is None:
        raise BackendNotConfigured.missing(
            "aicc", {"AICC_BASE_URL": base_url, "AICC_APP_KEY": app_key, "AICC_APP_SECRET": secret}
        )
    case_types = load_case_types(settings.aicc_case_types_file)
    if settings.aicc_case_type not in case_types:
        raise BackendNotConfigured(
            f"AICC_CASE_TYPE={settings.aicc_case_type} is not in {settings.aicc_case_types_file}"
        )
    return AiccBackend(
        http,
        base_url=base_url,
        tokens=AiccTokenSource(
            http,
            base_url.rstrip("/") + settings.aicc_token_path,
            app_key,
            secret.get_secret_value(),
            refresh_margin=settings.aicc_token_refresh_margin_seconds,
        ),
        spec=load_template_spec(cases.case_template_file),
        case_type_id=settings.aicc_case_type,
        case_type=case_types[settings.aicc_case_type],
        creator_id=settings.aicc_creator_id,
        store=store if store is not None else idempotency_store(cases, settings),
        auto_assigned_key=settings.aicc_auto_assigned_key,
        time_zone=settings.aicc_time_zone,
        flow_cache_seconds=cases.template_cache_seconds,
    )

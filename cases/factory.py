"""The case back end the actions use, built once per process from the settings.

``CASE_BACKEND`` (``cases.settings``) picks the back end; each is built from what every back end
reads and its own settings (``cases.connect.settings``, ``cases.aicc.settings``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
import httpx

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import IdempotencyStore
from cases.aicc.settings import AiccSettings, get_aicc_settings
from cases.aicc.token import AiccTokenSource
from cases.backend import BackendUnavailable, CaseBackend
from cases.connect.backend import ConnectCasesBackend, CustomerResolver
from cases.connect.files import ConnectFiles
from cases.connect.profiles import build_profile_resolver, get_profiles_client
from cases.connect.settings import ConnectSettings, get_connect_settings
from cases.settings import CaseSettings, get_case_settings
from cases.template import load_template_spec

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connectcases.client import ConnectCasesClient


class BackendNotConfigured(BackendUnavailable):
    """The settings name a back end that is missing or incompletely configured."""

    retryable = False


@lru_cache(maxsize=1)
def get_backend() -> CaseBackend:
    """The back end named by ``CASE_BACKEND``."""
    cases = get_case_settings()
    if cases.case_backend == "connect":
        connect = get_connect_settings()
        customers = (
            build_profile_resolver(connect, get_profiles_client())
            if connect.customer_profiles_domain
            else None
        )
        files = (
            ConnectFiles(get_instance_client(), connect.connect_instance_id, get_upload_http())
            if connect.connect_instance_id
            else None
        )
        return build_connect_backend(cases, connect, get_connect_client(), customers, files)
    if cases.case_backend == "aicc":
        return build_aicc_backend(cases, get_aicc_settings(), get_aicc_http())
    raise BackendNotConfigured(
        f"CASE_BACKEND={cases.case_backend} is not available in this version; "
        "set CASE_BACKEND=connect"
    )


@lru_cache(maxsize=1)
def get_connect_client() -> ConnectCasesClient:
    """A boto3 ``connectcases`` client (``CONNECT_CASES_ENDPOINT_URL`` points it elsewhere)."""
    settings = get_connect_settings()
    return boto3.client(
        "connectcases",
        endpoint_url=settings.connect_cases_endpoint_url,
        region_name=settings.aws_default_region,
        config=settings.client_config(),
    )


@lru_cache(maxsize=1)
def get_instance_client() -> ConnectClient:
    """A boto3 ``connect`` client for attached files (``CONNECT_ENDPOINT_URL`` elsewhere)."""
    settings = get_connect_settings()
    return boto3.client(
        "connect",
        endpoint_url=settings.connect_endpoint_url,
        region_name=settings.aws_default_region,
        config=settings.client_config(),
    )


@lru_cache(maxsize=1)
def get_upload_http() -> httpx.AsyncClient:
    """The httpx client that PUTs files to the upload URLs Amazon Connect hands out."""
    return httpx.AsyncClient(timeout=get_connect_settings().connect_cases_read_timeout * 3)


def build_connect_backend(
    cases: CaseSettings,
    connect: ConnectSettings,
    client: ConnectCasesClient,
    customers: CustomerResolver | None = None,
    files: ConnectFiles | None = None,
) -> ConnectCasesBackend:
    """A Connect Cases back end over ``client`` for the domain and template in ``connect``."""
    domain_id = connect.connect_cases_domain_id
    template_id = connect.connect_cases_template_id
    if not domain_id or not template_id:
        missing = [
            name
            for name, value in (
                ("CONNECT_CASES_DOMAIN_ID", domain_id),
                ("CONNECT_CASES_TEMPLATE_ID", template_id),
            )
            if not value
        ]
        raise BackendNotConfigured(f"CASE_BACKEND=connect needs {' and '.join(missing)}")
    return ConnectCasesBackend(
        client,
        domain_id,
        template_id,
        spec=load_template_spec(cases.case_template_file),
        assistant_name=cases.assistant_name,
        cache_seconds=cases.template_cache_seconds,
        customers=customers,
        files=files,
    )


@lru_cache(maxsize=1)
def get_aicc_http() -> httpx.AsyncClient:
    """The httpx client AICC calls go through, with ``AICC_TIMEOUT_SECONDS``."""
    return httpx.AsyncClient(timeout=get_aicc_settings().aicc_timeout_seconds)


def build_aicc_backend(
    cases: CaseSettings, settings: AiccSettings, http: httpx.AsyncClient
) -> AiccBackend:
    """An AICC back end over ``http`` for the tenant, credentials and case type in ``settings``."""
    base_url, app_key, secret = (
        settings.aicc_base_url,
        settings.aicc_app_key,
        settings.aicc_app_secret,
    )
    if not base_url or not app_key or secret is None:
        missing = [
            name
            for name, value in (
                ("AICC_BASE_URL", base_url),
                ("AICC_APP_KEY", app_key),
                ("AICC_APP_SECRET", secret),
            )
            if not value
        ]
        raise BackendNotConfigured(f"CASE_BACKEND=aicc needs {' and '.join(missing)}")
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
        store=IdempotencyStore(settings.aicc_idempotency_db),
        auto_assigned_key=settings.aicc_auto_assigned_key,
        time_zone=settings.aicc_time_zone,
    )

"""The Connect Cases back end and its AWS clients, built from the settings (each client once)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
import httpx

from cases.backend import BackendNotConfigured
from cases.connect.backend import ConnectCasesBackend, CustomerResolver
from cases.connect.domain import CasesDomain
from cases.connect.files import ConnectFiles
from cases.connect.profiles import build_profile_resolver, get_profiles_client
from cases.connect.queues import QueueDirectory
from cases.connect.settings import ConnectSettings, get_connect_settings
from cases.settings import CaseSettings
from cases.template import load_template_spec

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connectcases.client import ConnectCasesClient

logger = logging.getLogger(__name__)


def connect_backend(cases: CaseSettings) -> ConnectCasesBackend:
    """The process's Connect Cases back end, with Customer Profiles and files when configured."""
    connect = get_connect_settings()
    client = get_connect_client()
    # one GetDomain serves both the case ARNs of attached files and the profiles' account
    domain = CasesDomain(client, connect.connect_cases_domain_id or "")
    customers = (
        build_profile_resolver(connect, get_profiles_client(), domain)
        if connect.customer_profiles_domain
        else None
    )
    files = queues = None
    if connect.connect_instance_id:
        instance = get_instance_client()
        files = ConnectFiles(instance, connect.connect_instance_id, get_upload_http())
        queues = QueueDirectory(
            instance, connect.connect_instance_id, cache_seconds=cases.template_cache_seconds
        )
    else:
        logger.warning(
            "CONNECT_INSTANCE_ID is unset: cases cannot be put on a queue by name (handoff) "
            "and files cannot be attached"
        )
    return build_connect_backend(cases, connect, client, customers, files, queues, domain)


@lru_cache(maxsize=1)
def get_connect_client() -> ConnectCasesClient:
    """A boto3 ``connectcases`` client (``CONNECT_CASES_ENDPOINT_URL`` points it elsewhere)."""
    settings = get_connect_settings()
    return boto3.client(
        "connectcases", **settings.client_options(settings.connect_cases_endpoint_url)
    )


@lru_cache(maxsize=1)
def get_instance_client() -> ConnectClient:
    """A boto3 ``connect`` client for attached files (``CONNECT_ENDPOINT_URL`` elsewhere)."""
    settings = get_connect_settings()
    return boto3.client("connect", **settings.client_options(settings.connect_endpoint_url))


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
    queues: QueueDirectory | None = None,
    domain: CasesDomain | None = None,
) -> ConnectCasesBackend:
    """A Connect Cases back end over ``client`` for the domain and template in ``connect``."""
    domain_id = connect.connect_cases_domain_id
    template_id = connect.connect_cases_template_id
    if not domain_id or not template_id:
        raise BackendNotConfigured.missing(
            "connect",
            {"CONNECT_CASES_DOMAIN_ID": domain_id, "CONNECT_CASES_TEMPLATE_ID": template_id},
        )
    return ConnectCasesBackend(
        client,
        domain_id,
        template_id,
        spec=load_template_spec(cases.case_template_file),
        assistant_name=cases.assistant_name,
        cache_seconds=cases.template_cache_seconds,
        customers=customers,
        files=files,
        queues=queues,
        domain=domain,
    )

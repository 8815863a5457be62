"""A contact's Customer Profiles profile, as the full ARN a case's ``customer_id`` holds.

A contact is an E.164 phone number or an email address. The resolver searches the domain by
``_phone`` or ``_email``, creates a profile when none matches (unless told not to) and remembers
the answer, so a customer not seen before costs one SearchProfiles (plus one CreateProfile when
new to the domain) and a customer seen within ``cache_seconds`` costs no call at all. Concurrent
look-ups of one contact share a single search. Errors are the back-end errors of ``base``.

A profile's ARN names the partition, region and account of the Connect Cases domain, which
Connect Cases requires of ``customer_id``: the back end builds the resolver with its domain
(``CasesDomain``), whose GetDomain answer is asked for once. ``AWS_ACCOUNT_ID`` is read only by
a resolver built without a domain, which the back end never does.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cases.backend import BackendUnavailable, InvalidCase
from cases.connect.calls import translate
from cases.connect.domain import ArnPlace, CasesDomain
from cases.connect.settings import ConnectSettings, get_connect_settings

if TYPE_CHECKING:
    from mypy_boto3_customer_profiles.client import CustomerProfilesClient

__all__ = ["ProfileResolver", "build_profile_resolver", "get_profiles_client", "profile_arn"]

SERVICE = "Customer Profiles"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def profile_arn(
    region: str, account_id: str, domain_name: str, profile_id: str, partition: str = "aws"
) -> str:
    """The full ARN of a profile, the form Connect Cases wants in ``customer_id``."""
    return (
        f"arn:{partition}:profile:{region}:{account_id}:domains/{domain_name}/profiles/{profile_id}"
    )


@dataclass(frozen=True)
class _Answer:
    arn: str | None
    expires_at: float


class ProfileResolver:
    """Finds (or creates) the profile of a contact in one Customer Profiles domain."""

    def __init__(
        self,
        client: CustomerProfilesClient,
        domain_name: str,
        *,
        place: ArnPlace | CasesDomain,
        create_missing: bool = True,
        cache_seconds: float = 3600,
        miss_cache_seconds: float = 60,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._domain_name = domain_name
        self._place = place
        self._create_missing = create_missing
        self._cache_seconds = cache_seconds
        # "no profile" is remembered only briefly: one may be created elsewhere at any time
        self._miss_cache_seconds = min(miss_cache_seconds, cache_seconds)
        self._max_entries = max_entries
        self._clock = clock
        self._answers: dict[str, _Answer] = {}
        self._pending: dict[str, asyncio.Future[str | None]] = {}

    async def resolve(self, contact: str) -> str | None:
        """The profile ARN of an E.164 phone number or an email address.

        ``None`` when no profile matches and ``create_missing`` is off. Raises ``InvalidCase``
        for a contact that is neither, and the other back-end errors when the service fails.
        """
        key_name, value = contact_key(contact)
        cache_key = f"{key_name}:{value}"
        answer = self._answers.get(cache_key)
        if answer is not None and self._clock() < answer.expires_at:
            return answer.arn
        pending = self._pending.get(cache_key)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(cache_key, key_name, value))
            self._pending[cache_key] = pending
            pending.add_done_callback(partial(self._settled, cache_key))
        # shielded: one caller giving up must not cancel the search the others wait on
        return await asyncio.shield(pending)

    async def _look_up(self, cache_key: str, key_name: str, value: str) -> str | None:
        found = await _call(
            "SearchProfiles",
            self._client.search_profiles,
            DomainName=self._domain_name,
            KeyName=key_name,
            Values=[value],
            MaxResults=1,
        )
        items = found.get("Items") or []
        profile_id = items[0].get("ProfileId") if items else None
        if profile_id is None and self._create_missing:
            attribute = "PhoneNumber" if key_name == "_phone" else "EmailAddress"
            created = await _call(
                "CreateProfile",
                self._client.create_profile,
                DomainName=self._domain_name,
                **{attribute: value},
            )
            profile_id = created["ProfileId"]
        arn = None
        if profile_id is not None:
            place = await self._where()
            arn = profile_arn(
                place.region, place.account, self._domain_name, profile_id, place.partition
            )
        ttl = self._cache_seconds if arn is not None else self._miss_cache_seconds
        self._remember(cache_key, _Answer(arn, self._clock() + ttl))
        return arn

    async def _where(self) -> ArnPlace:
        if isinstance(self._place, ArnPlace):
            return self._place
        return await self._place.place()

    def _settled(self, cache_key: str, future: asyncio.Future[str | None]) -> None:
        self._pending.pop(cache_key, None)
        if not future.cancelled():
            # retrieved here so a failure nobody waits for any more is not reported as lost
            future.exception()

    def _remember(self, cache_key: str, answer: _Answer) -> None:
        if len(self._answers) >= self._max_entries:
            now = self._clock()
            self._answers = {k: a for k, a in self._answers.items() if a.expires_at > now}
            while len(self._answers) >= self._max_entries:
                # dicts keep insertion order: the first entry is the oldest answer
                del self._answers[next(iter(self._answers))]
        self._answers.pop(cache_key, None)
        self._answers[cache_key] = answer


def contact_key(contact: str) -> tuple[str, str]:
    """The search key and value of a contact: ``_phone`` for E.164, ``_email`` lower-cased."""
    text = contact.strip()
    if _E164.fullmatch(text):
        return "_phone", text
    if _EMAIL.fullmatch(text):
        return "_email", text.lower()
    raise InvalidCase("a contact is an E.164 phone number or an email address")


async def _call(operation: str, method: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return await asyncio.to_thread(method, **kwargs)
    except (ClientError, BotoCoreError) as exc:
        # a missing domain is a set-up fault, not a missing case
        raise translate(operation, exc, BackendUnavailable, service=SERVICE) from exc


@lru_cache(maxsize=1)
def get_profiles_client() -> CustomerProfilesClient:
    """A boto3 ``customer-profiles`` client (``CUSTOMER_PROFILES_ENDPOINT_URL`` redirects it)."""
    settings = get_connect_settings()
    return boto3.client(
        "customer-profiles", **settings.client_options(settings.customer_profiles_endpoint_url)
    )


def build_profile_resolver(
    settings: ConnectSettings, client: CustomerProfilesClient, cases: CasesDomain | None = None
) -> ProfileResolver | None:
    """A resolver for ``CUSTOMER_PROFILES_DOMAIN``, or ``None`` when no domain is set.

    Profile ARNs name the account and region of the Connect Cases domain ``cases``; without
    one, ``AWS_ACCOUNT_ID`` and the client's region.
    """
    if not settings.customer_profiles_domain:
        return None
    place: ArnPlace | CasesDomain = cases or ArnPlace(
        client.meta.partition, client.meta.region_name, settings.aws_account_id
    )
    return ProfileResolver(
        client,
        settings.customer_profiles_domain,
        place=place,
        create_missing=settings.customer_profiles_create_missing,
        cache_seconds=settings.customer_profiles_cache_seconds,
    )

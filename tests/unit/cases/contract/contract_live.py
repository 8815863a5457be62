"""The contract suite against a real Connect Cases domain or AICC tenant ("live"), when asked.

Live mode is off unless ``CASEBOT_LIVE_CONNECT=1`` or ``CASEBOT_LIVE_AICC=1`` is set; then every
contract test not marked ``standin_only`` for that back end runs once more, marked ``live``, on
the back end the project's own factory (``cases.factory.get_backend``) builds from the
environment, as the actions would. Cases it files are recognisable: their contact is
``casebot-contract-test-...@example.com`` and their title starts with ``TITLE_PREFIX`` where the
title leaves room (tests of the title's length limit file titles of that length as given), and
each is closed when its test ends.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import boto3
import pytest

from cases.aicc.factory import get_aicc_http
from cases.aicc.settings import get_aicc_settings
from cases.backend import (
    Actor,
    Attachment,
    BackendError,
    Case,
    CaseBackend,
    CaseDraft,
    CaseEvent,
    CaseFilter,
    CaseTemplate,
    Page,
)
from cases.connect.factory import get_connect_client, get_instance_client, get_upload_http
from cases.connect.profiles import get_profiles_client
from cases.connect.settings import get_connect_settings
from cases.factory import get_backend
from cases.settings import get_case_settings

#: the switch of each back end's live run
SWITCH = {"connect": "CASEBOT_LIVE_CONNECT", "aicc": "CASEBOT_LIVE_AICC"}
#: what each live run needs besides its switch (AWS credentials are found the usual way)
NEEDS = {
    "connect": ("CONNECT_CASES_DOMAIN_ID", "CONNECT_CASES_TEMPLATE_ID"),
    "aicc": ("AICC_BASE_URL", "AICC_APP_KEY", "AICC_APP_SECRET", "AICC_CASE_TYPE"),
}
NAME = {"connect": "Amazon Connect Cases", "aicc": "Huawei AICC"}
TITLE_PREFIX = "casebot contract test: "
CONTACT_PREFIX = "casebot-contract-test-"


def switched_on(kind: str, env: Mapping[str, str] = os.environ) -> bool:
    """Whether the live run of ``kind`` was asked for."""
    return env.get(SWITCH[kind]) == "1"


def off_reason(kind: str) -> str:
    """The one skip reason of a back end whose live run was not asked for."""
    return (
        f"live {NAME[kind]} contract tests are off: set {SWITCH[kind]}=1 with "
        f"{', '.join(NEEDS[kind])} (README, Before going live)"
    )


def problems(kind: str, env: Mapping[str, str] = os.environ) -> list[str]:
    """What stops a live run of ``kind`` from reaching the real service; empty when nothing."""
    found = [f"{name} is unset" for name in NEEDS[kind] if not env.get(name)]
    if kind == "connect":
        if env.get("CONNECT_CASES_ENDPOINT_URL"):
            found.append("CONNECT_CASES_ENDPOINT_URL is set: unset it to reach AWS itself")
        if boto3.Session().get_credentials() is None:
            found.append("no AWS credentials were found")
    elif env.get("AICC_BASE_URL"):
        host = urlsplit(env["AICC_BASE_URL"]).hostname or ""
        if host == "localhost" or _is_loopback(host):
            found.append(f"AICC_BASE_URL names this machine ({host}), not a tenant")
    return found


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def stand_in_only(marks: Iterable[pytest.Mark], kind: str) -> bool:
    """Whether ``marks`` (a test's ``standin_only`` marks) keep ``kind`` off live; a mark that
    names no back end keeps all of them off.
    """
    return any(not mark.args or kind in mark.args for mark in marks)


def live_contact(hex_id: str) -> str:
    return f"{CONTACT_PREFIX}{hex_id}@example.com"


class LiveService:
    """What a test may read of a real back end beside the adapter: Connect's case items.

    The stand-in's controls (faults, call counts, AICC's comments) exist only in the sandbox;
    a test that reaches for them live is missing its ``standin_only`` mark.
    """

    def __init__(self, kind: str, cases_client: Any = None, domain_id: str = "") -> None:
        self.kind = kind
        self.cases_client = cases_client
        self.domain_id = domain_id

    async def comments(self, case_id: str) -> list[str]:
        if self.kind == "aicc":
            _unmarked("AICC publishes no call that reads a case's comments")
        found = self.cases_client.search_related_items(
            domainId=self.domain_id, caseId=case_id, filters=[{"comment": {}}]
        )
        items = sorted(found["relatedItems"], key=lambda item: item["associationTime"])
        return [item["content"]["comment"]["body"] for item in items]

    async def inject(self, **_: Any) -> None:
        _unmarked("faults are injected at the stand-in")

    async def clear_faults(self) -> None:
        _unmarked("faults are injected at the stand-in")

    async def reset_calls(self) -> None:
        _unmarked("calls are counted at the stand-in")

    async def calls(self) -> dict[str, int]:
        _unmarked("calls are counted at the stand-in")


def _unmarked(why: str) -> NoReturn:
    pytest.fail(f"{why}: mark this test standin_only", pytrace=False)


class Labelled:
    """A back end whose new titles start with ``TITLE_PREFIX``, read back without it.

    A title that is empty, or would not fit its limit with the prefix, goes as given, so the
    tests of missing and too long titles see the back end's own answer. Every case filed is
    closed by ``close_filed``.
    """

    def __init__(self, inner: CaseBackend) -> None:
        self._inner = inner
        self._limit: int | None = None
        self.filed: list[str] = []

    async def _label(self, title: str) -> str:
        if self._limit is None:
            self._limit = (await self._inner.get_template()).fields["title"].max_length or 0
        fits = not self._limit or len(TITLE_PREFIX + title) <= self._limit
        return TITLE_PREFIX + title if title and fits else title

    @staticmethod
    def _unlabel(case: Case) -> Case:
        if not case.title.startswith(TITLE_PREFIX):
            return case
        return case.model_copy(update={"title": case.title.removeprefix(TITLE_PREFIX)})

    async def create_case(self, draft: CaseDraft, idempotency_key: str) -> Case:
        labelled = draft.model_copy(update={"title": await self._label(draft.title)})
        case = await self._inner.create_case(labelled, idempotency_key)
        self.filed.append(case.ref)
        return self._unlabel(case)

    async def get_case(self, ref: str) -> Case:
        return self._unlabel(await self._inner.get_case(ref))

    async def search_cases(self, filter: CaseFilter, page: str | None = None) -> Page:
        found = await self._inner.search_cases(filter, page)
        return found.model_copy(update={"cases": [self._unlabel(c) for c in found.cases]})

    async def update_case(
        self, ref: str, fields: dict[str, str | None], actor: Actor | None = None
    ) -> Case:
        title = fields.get("title")
        if title is not None:
            fields = fields | {"title": await self._label(title)}
        return self._unlabel(await self._inner.update_case(ref, fields, actor))

    async def add_comment(self, ref: str, text: str, actor: Actor | None = None) -> None:
        await self._inner.add_comment(ref, text, actor)

    async def attach_file(self, ref: str, file: Attachment, actor: Actor | None = None) -> None:
        await self._inner.attach_file(ref, file, actor)

    async def get_history(self, ref: str, since: datetime | None = None) -> list[CaseEvent]:
        return await self._inner.get_history(ref, since)

    async def link_contact(self, ref: str, contact_id: str) -> None:
        await self._inner.link_contact(ref, contact_id)

    async def cases_for_contact(self, contact_id: str) -> list[Case]:
        return [self._unlabel(case) for case in await self._inner.cases_for_contact(contact_id)]

    async def get_template(self) -> CaseTemplate:
        return await self._inner.get_template()

    async def close_filed(self) -> None:
        """Close what the test filed; one already closed, or refused, is left as it is."""
        for ref in dict.fromkeys(self.filed):
            try:
                await self._inner.update_case(ref, {"status": "closed"})
            except BackendError:
                pass


def _forget_built() -> None:
    """Drop every setting and client the factories keep, so each test builds its own."""
    for cached in (
        get_case_settings,
        get_connect_settings,
        get_aicc_settings,
        get_backend,
        get_connect_client,
        get_instance_client,
        get_profiles_client,
    ):
        cached.cache_clear()


async def _close_http() -> None:
    # the httpx clients belong to this test's event loop, which ends with it
    for cached in (get_upload_http, get_aicc_http):
        if cached.cache_info().currsize:
            await cached().aclose()
        cached.cache_clear()


@asynccontextmanager
async def live_backend(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[tuple[Labelled, LiveService]]:
    """The real back end of ``kind``, as ``cases.factory`` builds it from the environment."""
    found = problems(kind)
    if found:
        pytest.fail(f"live {NAME[kind]}: " + "; ".join(found), pytrace=False)
    monkeypatch.setenv("CASE_BACKEND", kind)
    # the keys of test cases stay out of the store the assistant itself uses
    monkeypatch.setenv("AICC_IDEMPOTENCY_DB", str(tmp_path / "keys.sqlite3"))
    await _close_http()
    _forget_built()
    backend = Labelled(get_backend())
    domain_id = get_connect_settings().connect_cases_domain_id or ""
    service = (
        LiveService(kind, get_connect_client(), domain_id)
        if kind == "connect"
        else LiveService(kind)
    )
    try:
        yield backend, service
    finally:
        try:
            await backend.close_filed()
        finally:
            await _close_http()
            _forget_built()

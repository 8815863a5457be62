"""The real AICC adapter against the real AICC stand-in: the shapes they share agree."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import CONTINUED_MARKER, load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import (
    BackendUnavailable,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    InvalidCase,
)
from cases.template import load_template_spec
from sandbox.aicc.standin import create_stand_in
from sandbox.calls import CallCounter
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
CASE_TYPES = load_case_types(REPO / "data" / "aicc" / "case_types.yaml")
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
KEY, SECRET = "sandbox-aicc-key", "sandbox-aicc-secret"


def adapter(http: httpx.AsyncClient, base_url: str, store_path: Path) -> AiccBackend:
    return AiccBackend(
        http,
        base_url=base_url,
        tokens=AiccTokenSource(http, base_url + DEFAULT_TOKEN_PATH, KEY, SECRET),
        spec=SPEC,
        case_type_id="casebot",
        case_type=CASE_TYPES["casebot"],
        creator_id="casebot",
        store=SqliteIdempotencyStore(store_path),
    )


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[AiccBackend]:
    settings = SandboxSettings(db_path=tmp_path / "sandbox.sqlite3", seed_file=None)
    stand_in = create_stand_in(settings, CallCounter())
    with stand_in.lifetime():
        transport = httpx.ASGITransport(app=stand_in.app)
        async with httpx.AsyncClient(transport=transport) as http:
            yield adapter(http, "http://aicc", tmp_path / "keys.sqlite3")


def draft(**values: Any) -> CaseDraft:
    base: dict[str, Any] = {
        "title": "Écran cassé",
        "description": "The screen is cracked",
        "contact": "ada@example.com",
        "priority": "Critical",
        "origin": "",
        "conversation_id": "conv-1",
        "channel": "webchat",
    }
    return CaseDraft(**(base | values))


async def test_create_then_get_reads_back_what_was_filed(backend: AiccBackend) -> None:
    created = await backend.create_case(draft(), "k-1")
    read = await backend.get_case(created.ref)

    # AICC adds members of its own (caseNo, status, state...) to what was filed
    assert read.model_copy(update={"fields": {}}) == created.model_copy(update={"fields": {}})
    assert created.fields.items() <= read.fields.items()
    assert (read.title, read.status, read.priority, read.origin) == (
        "Écran cassé",
        "open",
        "Critical",
        "webchat",
    )
    assert read.contact == "ada@example.com"
    assert read.fields["dueDate"] and read.fields["conversationId"] == "conv-1"
    assert read.created_at is not None


async def test_the_same_key_files_one_case(backend: AiccBackend) -> None:
    first = await backend.create_case(draft(), "k-1")
    second = await backend.create_case(draft(), "k-1")

    assert second.case_id == first.case_id
    assert (await backend.search_cases(CaseFilter())).total == 1


async def test_search_by_contact_status_and_conversation_with_pages(backend: AiccBackend) -> None:
    for n in range(3):
        await backend.create_case(draft(title=f"case {n}"), f"k-{n}")
    await backend.create_case(draft(contact="+447700900123", conversation_id="conv-2"), "k-x")

    first = await backend.search_cases(
        CaseFilter(contact="ada@example.com", status="open", page_size=2)
    )
    second = await backend.search_cases(
        CaseFilter(contact="ada@example.com", status="open", page_size=2), first.next_token
    )
    other = await backend.search_cases(CaseFilter(contact="+447700900123"))
    everything = await backend.search_cases(CaseFilter(contact="ada@example.com"))

    assert [case.title for case in first.cases] == ["case 2", "case 1"]
    assert [case.title for case in second.cases] == ["case 0"]
    # the list cannot filter by state, so a search by status counts no total
    assert (first.total, everything.total, second.next_token) == (None, 3, None)
    assert [case.contact for case in other.cases] == ["+447700900123"]
    # nor by extension fields: a conversation is not searched for
    with pytest.raises(InvalidCase, match="conversation"):
        await backend.search_cases(CaseFilter(conversation_id="conv-2"))


async def test_update_comment_and_history(backend: AiccBackend) -> None:
    case = await backend.create_case(draft(), "k-1")

    updated = await backend.update_case(
        case.ref, {"status": "closed", "priority": "Low", "assigned_queue": "people"}
    )
    await backend.add_comment(case.ref, "Replaced the screen")
    history = await backend.get_history(case.ref)

    assert (updated.status, updated.priority, updated.fields["ownerId"]) == (
        "closed",
        "Low",
        "people",
    )
    assert updated.fields["ownerType"] == "queue"
    # modify, then transfer, then the status moves and close, in that order
    assert [(e.field, e.old, e.new) for e in history] == [
        ("status", "open", "closed"),
        ("assigned_queue", None, "people"),
        ("priority", "Critical", "Low"),
        ("status", None, "open"),
    ]
    since = await backend.get_history(case.ref, since=datetime(2999, 1, 1, tzinfo=UTC))
    assert since == []


async def test_long_description_arrives_cut_at_a_character_boundary(
    backend: AiccBackend,
) -> None:
    text = "ß" * 15_000  # 30,000 bytes
    case = await backend.create_case(draft(description=text), "k-1")

    assert case.description.endswith(CONTINUED_MARKER)
    assert len(case.description.encode()) <= 20_000


async def test_missing_cases_and_over_long_titles_raise_the_interfaces_errors(
    backend: AiccBackend,
) -> None:
    with pytest.raises(CaseNotFound):
        await backend.get_case("nope")
    with pytest.raises(CaseNotFound):
        await backend.add_comment("nope", "hello")
    with pytest.raises(InvalidCase, match="128 bytes"):
        await backend.create_case(draft(title="漢" * 43), "k-2")


async def test_adapter_over_the_sandbox_server_counts_one_token_for_many_calls(
    tmp_path: Path,
    sandbox_settings: Callable[..., SandboxSettings],
    start_sandbox: Callable[[SandboxSettings], Any],
) -> None:
    server = start_sandbox(sandbox_settings(tmp_path / "sandbox.sqlite3"))
    async with httpx.AsyncClient() as http:
        backend = adapter(http, f"{server.url}/aicc", tmp_path / "keys.sqlite3")
        case = await backend.create_case(draft(), "k-1")
        await backend.add_comment(case.ref, "one")
        comments = (await http.get(f"{server.url}/aicc/_aicc/cases/{case.ref}/comments")).json()
        calls = (await http.get(f"{server.url}/_sandbox/calls")).json()

    assert [comment["content"] for comment in comments] == ["one"]
    # the new case is not queried back: its caseId is all AICC answers and all that was missing
    assert calls["aicc"] == {"CreateCase": 1, "GetToken": 1, "ProcessCase": 1}


async def test_a_create_whose_reply_was_lost_is_not_filed_twice_on_retry(
    tmp_path: Path,
    sandbox_settings: Callable[..., SandboxSettings],
    start_sandbox: Callable[[SandboxSettings], Any],
) -> None:
    server = start_sandbox(sandbox_settings(tmp_path / "sandbox.sqlite3"))
    async with httpx.AsyncClient() as http:
        backend = adapter(http, f"{server.url}/aicc", tmp_path / "keys.sqlite3")
        await backend.search_cases(CaseFilter())  # the token, before the faults
        await http.put(f"{server.url}/_sandbox/faults", json={"aicc": {"lost_reply_share": 1}})
        with pytest.raises(BackendUnavailable):
            await backend.create_case(draft(), "k-1")
        await http.delete(f"{server.url}/_sandbox/faults")

        case = await backend.create_case(draft(), "k-1")
        again = await backend.create_case(draft(), "k-1")
        calls = (await http.get(f"{server.url}/_sandbox/calls")).json()
        found = await backend.search_cases(CaseFilter(contact="ada@example.com"))

    assert again.case_id == case.case_id
    assert [c.case_id for c in found.cases] == [case.case_id]
    assert calls["aicc"]["CreateCase"] == 1

"""The action server puts an ended chat's transcript on its case for the gateway alone."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from actions.kit.server import caller_check
from actions.kit.transcripts import TRANSCRIPTS_PATH, TranscriptFiler
from cases.backend import BackendUnavailable, CaseNotFound
from tests.unit.actions.fakes import FakeCases

TOKEN = "internal-token-for-tests-0123456789"
BEARER = f"Bearer {TOKEN}"
BODY = {"case_ref": "10000001", "contact_id": "c-1", "transcript": "Customer: hi\nSam: hello"}


@pytest.fixture
def cases() -> FakeCases:
    cases = FakeCases()
    cases.add("10000001", contact="+447700900123")
    return cases


def filer(cases: FakeCases, token: str | None = TOKEN) -> TranscriptFiler:
    return TranscriptFiler(lambda: cases, None if token is None else SecretStr(token))


async def test_the_transcript_goes_on_the_case_once_per_chat(cases: FakeCases) -> None:
    filing = filer(cases)

    assert await filing.handle(BEARER, BODY) == (204, {})
    assert await filing.handle(BEARER, BODY) == (204, {})

    [(ref, text, _)] = cases.comments
    assert ref == "10000001"
    assert text == "Chat with our team (contact c-1):\nCustomer: hi\nSam: hello"


@pytest.mark.parametrize("authorization", [None, "", "Bearer wrong", TOKEN, f"{BEARER}x"])
async def test_a_post_without_the_internal_token_is_401_and_files_nothing(
    cases: FakeCases, authorization: str | None
) -> None:
    status, _ = await filer(cases).handle(authorization, BODY)

    assert status == 401 and cases.comments == []


async def test_without_an_internal_token_the_endpoint_is_off(cases: FakeCases) -> None:
    status, _ = await filer(cases, None).handle(BEARER, BODY)

    assert status == 404 and cases.comments == []


@pytest.mark.parametrize(
    "body",
    [None, [], {}, {**BODY, "transcript": ""}, {**BODY, "extra": 1}, {**BODY, "case_ref": 7}],
)
async def test_a_body_that_does_not_fit_is_422(cases: FakeCases, body: Any) -> None:
    status, _ = await filer(cases).handle(BEARER, body)

    assert status == 422 and cases.comments == []


async def test_an_unknown_case_is_404_and_a_failing_back_end_503_to_try_again(
    cases: FakeCases,
) -> None:
    filing = filer(cases)
    cases.failure = CaseNotFound("10000001")
    assert (await filing.handle(BEARER, BODY))[0] == 404

    cases.failure = BackendUnavailable("down")
    assert (await filing.handle(BEARER, BODY))[0] == 503

    cases.failure = None
    assert (await filing.handle(BEARER, BODY))[0] == 204
    assert len(cases.comments) == 1


async def test_the_rasa_token_check_leaves_the_gateways_endpoint_to_its_own_token() -> None:
    request = type("R", (), {"path": TRANSCRIPTS_PATH, "headers": {}})()

    assert await caller_check("action-server-token-0123456789-abcdef")(request) is None

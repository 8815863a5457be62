"""The action server puts an ended chat's transcript on its case for the gateway alone."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from actions.kit.server import caller_check
from actions.kit.transcripts import KEY_PREFIX, TRANSCRIPTS_PATH, TranscriptFiler
from cases.aicc.idempotency import IdempotencyStore, SqliteIdempotencyStore, Submission
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


def filer(
    cases: FakeCases, token: str | None = TOKEN, keys: IdempotencyStore | None = None
) -> TranscriptFiler:
    store = keys if keys is not None else SqliteIdempotencyStore(":memory:")
    secret = None if token is None else SecretStr(token)
    return TranscriptFiler(lambda: cases, secret, lambda: store)


class DownKeys(SqliteIdempotencyStore):
    """A key store whose calls named in ``down`` fail as an unreachable database does."""

    def __init__(self, *down: str) -> None:
        super().__init__(":memory:")
        self.down = set(down)

    def get(self, key: str) -> Submission | None:
        if "get" in self.down:
            raise BackendUnavailable("keys down")
        return super().get(key)

    def finish(self, key: str, case_id: str) -> None:
        if "finish" in self.down:
            raise BackendUnavailable("keys down")
        super().finish(key, case_id)


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


async def test_a_transcript_filed_through_one_action_server_is_not_filed_again_through_another(
    cases: FakeCases, tmp_path: Any
) -> None:
    shared = tmp_path / "keys.sqlite3"
    first = filer(cases, keys=SqliteIdempotencyStore(shared))
    # the gateway's retry (its 204 lost) reaches a second server, or this one restarted
    second = filer(cases, keys=SqliteIdempotencyStore(shared))

    assert await first.handle(BEARER, BODY) == (204, {})
    assert await second.handle(BEARER, BODY) == (204, {})

    assert len(cases.comments) == 1
    other_chat = {**BODY, "contact_id": "c-2"}
    assert await second.handle(BEARER, other_chat) == (204, {})
    assert len(cases.comments) == 2


async def test_a_key_noted_by_a_server_that_died_before_marking_it_is_filed_again(
    cases: FakeCases,
) -> None:
    keys = SqliteIdempotencyStore(":memory:")
    keys.begin(KEY_PREFIX + "c-1", "digest")

    assert await filer(cases, keys=keys).handle(BEARER, BODY) == (204, {})

    assert len(cases.comments) == 1, "twice is better than never"


async def test_a_key_store_that_is_down_is_503_and_files_nothing(cases: FakeCases) -> None:
    assert await filer(cases, keys=DownKeys("get")).handle(BEARER, BODY) == (
        503,
        {"error": "the case system cannot take it now"},
    )
    assert cases.comments == []


async def test_a_transcript_on_the_case_is_204_though_its_key_could_not_be_marked(
    cases: FakeCases,
) -> None:
    status, _ = await filer(cases, keys=DownKeys("finish")).handle(BEARER, BODY)

    assert status == 204, "told 503, the gateway would file it a second time"
    assert len(cases.comments) == 1

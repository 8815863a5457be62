"""The action server's caller check and what it refuses to start with."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr
from sanic import Sanic

from actions.kit import server
from actions.kit.server import caller_check, start_refusals
from actions.kit.settings import ActionSettings
from cases.aicc.settings import AiccSettings

TOKEN = "action-server-token-for-tests-0123456789"


def request(path: str, authorization: str | None = None) -> Any:
    headers = {} if authorization is None else {"authorization": authorization}
    return SimpleNamespace(path=path, headers=headers)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
async def test_running_an_action_without_the_token_is_401(authorization: str | None) -> None:
    check = caller_check(TOKEN)

    for path in ("/webhook", "/actions", "/anything"):
        answer = await check(request(path, authorization))
        assert answer is not None
        assert answer.status == 401


async def test_the_token_rasa_sends_lets_the_call_through() -> None:
    check = caller_check(TOKEN)

    assert await check(request("/webhook", f"Bearer {TOKEN}")) is None


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics"])
async def test_probes_answer_without_the_token(path: str) -> None:
    assert await caller_check(TOKEN)(request(path)) is None


def settings(tmp_path: Path, token: str | None = TOKEN) -> ActionSettings:
    return ActionSettings(
        outbox_db=tmp_path / "outbox.sqlite3",
        action_server_token=None if token is None else SecretStr(token),
    )


def aicc(base_url: str | None, secret: str = "sandbox-aicc-secret") -> AiccSettings:
    return AiccSettings(
        aicc_base_url=base_url, aicc_app_key="sandbox-aicc-key", aicc_app_secret=SecretStr(secret)
    )


def test_a_missing_or_short_token_is_refused(tmp_path: Path) -> None:
    sandbox = aicc("http://127.0.0.1:8081/aicc")

    assert start_refusals(settings(tmp_path), sandbox) == []
    [missing] = start_refusals(settings(tmp_path, None), sandbox)
    [short] = start_refusals(settings(tmp_path, "x" * 31), sandbox)
    assert "ACTION_SERVER_TOKEN" in missing
    assert "ACTION_SERVER_TOKEN" in short


def test_the_sandboxs_aicc_credentials_are_refused_against_a_real_tenant(tmp_path: Path) -> None:
    refusals = start_refusals(settings(tmp_path), aicc("https://aicc.example.com"))

    assert [r.split(" ")[0] for r in refusals] == ["AICC_APP_KEY", "AICC_APP_SECRET"]
    assert "https://aicc.example.com" in refusals[0]
    assert start_refusals(settings(tmp_path), aicc("http://sandbox:8081/aicc")) == []
    assert start_refusals(settings(tmp_path), aicc(None)) == []


def test_the_server_does_not_start_without_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "get_settings", lambda: settings(tmp_path, None))
    monkeypatch.setattr(server, "get_aicc_settings", lambda: aicc(None))

    with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN"):
        server.attach(Sanic(f"casebot_test_{uuid.uuid4().hex[:8]}"))


def test_codes_kept_in_a_shared_database_need_one_hash_key_for_every_server(
    tmp_path: Path,
) -> None:
    sandbox = aicc("http://127.0.0.1:8081/aicc")
    codes_on = settings(tmp_path).model_copy(update={"otp_email_sender": "casebot@example.com"})
    keyed = codes_on.model_copy(update={"otp_hash_key": SecretStr("k" * 32)})

    [refusal] = start_refusals(codes_on, sandbox, shared_database=True)

    assert "OTP_HASH_KEY" in refusal
    assert start_refusals(keyed, sandbox, shared_database=True) == []
    # one server alone hashes under a key of its own, which is enough for itself
    assert start_refusals(codes_on, sandbox, shared_database=False) == []
    # no codes offered, nothing to hash
    assert start_refusals(settings(tmp_path), sandbox, shared_database=True) == []

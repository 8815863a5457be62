from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from pydantic import SecretStr, ValidationError

SECRET = "host-site-shared-secret-of-some-length"
AGENT_SECRET = "host-site-agents-own-secret-of-some-length"


def token(secret: str = SECRET, **claims: Any) -> str:
    body: dict[str, Any] = {"sub": "user-42", "exp": int(time.time()) + 600}
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, secret, algorithm="HS256")


@pytest.fixture
async def gateway(client_with: Any) -> Any:
    return await client_with(
        webchat_identity_secret=SecretStr(SECRET),
        webchat_agent_identity_secret=SecretStr(AGENT_SECRET),
    )


async def post(client: Any, bearer: str | None, sender: str = "tab-1") -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    return await client.post(
        "/webchat/messages", json={"sender": sender, "message": "status?"}, headers=headers
    )


async def test_verified_customer_reaches_rasa_with_identity_contact_and_own_conversation(
    gateway: Any, fake_rasa: Any
) -> None:
    signed = token(email="Ada@Example.com", phone="+44 7700 900123", customer_id="arn:p/1")

    response = await post(gateway, signed)

    assert response.status_code == 200
    [message] = fake_rasa.messages()
    assert message["metadata"]["role"] == "customer"
    assert message["metadata"]["contact"] == "+447700900123"
    assert message["metadata"]["identity"] == {
        "subject": "user-42",
        "role": "customer",
        "email": "ada@example.com",
        "phone": "+447700900123",
        "customer_id": "arn:p/1",
    }
    assert message["sender"].startswith("webchat:u")
    assert message["sender"].endswith(":tab-1")


async def test_same_sender_id_without_the_token_is_another_conversation(
    gateway: Any, fake_rasa: Any
) -> None:
    await post(gateway, token(email="ada@example.com"))
    await post(gateway, None)
    await post(gateway, token(sub="user-43", email="eve@example.com"))

    senders = [message["sender"] for message in fake_rasa.messages()]
    assert len(set(senders)) == 3
    assert senders[1] == "webchat:tab-1"
    assert "identity" not in fake_rasa.messages()[1]["metadata"]


async def test_agent_role_and_id_come_from_the_token_only(gateway: Any, fake_rasa: Any) -> None:
    await post(gateway, token(AGENT_SECRET, role="agent", agent_id="arn:aws:connect:::agent/7"))
    await post(gateway, token(role="customer", agent_id="arn:aws:connect:::agent/7"))

    agent, customer = (message["metadata"] for message in fake_rasa.messages())
    assert agent["role"] == "agent"
    assert agent["identity"]["agent_id"] == "arn:aws:connect:::agent/7"
    assert customer["role"] == "customer"
    assert "agent_id" not in customer["identity"]


@pytest.mark.parametrize(
    "bad",
    [
        token(secret="someone-elses-secret-of-some-length"),
        token(exp=int(time.time()) - 3600),
        token(exp=None),
        token(sub=None),
        token(role="admin"),
        token(phone="not a phone"),
        jwt.encode({"sub": "u", "exp": int(time.time()) + 60}, "", algorithm="none"),
        "not-a-jwt",
    ],
    ids=["wrong-secret", "expired", "no-exp", "no-sub", "unknown-role", "bad-phone", "alg-none",
         "garbage"],
)  # fmt: skip
async def test_token_that_does_not_verify_is_401_and_reaches_nobody(
    gateway: Any, fake_rasa: Any, bad: str
) -> None:
    response = await post(gateway, bad)

    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_non_bearer_authorization_is_401(gateway: Any, fake_rasa: Any) -> None:
    response = await gateway.post(
        "/webchat/messages",
        json={"sender": "s", "message": "hi"},
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
    )

    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_tokens_are_refused_when_no_secret_is_configured(client: Any, fake_rasa: Any) -> None:
    response = await post(client, token())

    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_issuer_and_audience_are_checked_when_configured(
    client_with: Any, fake_rasa: Any
) -> None:
    gateway = await client_with(
        webchat_identity_secret=SecretStr(SECRET),
        webchat_identity_issuer="https://shop.example",
        webchat_identity_audience="casebot",
    )

    good = await post(gateway, token(iss="https://shop.example", aud="casebot"))
    wrong_issuer = await post(gateway, token(iss="https://evil.example", aud="casebot"))
    no_audience = await post(gateway, token(iss="https://shop.example"))

    assert [good.status_code, wrong_issuer.status_code, no_audience.status_code] == [200, 401, 401]


async def test_an_agent_token_signed_with_the_customers_key_is_401(
    gateway: Any, fake_rasa: Any
) -> None:
    response = await post(gateway, token(role="agent", agent_id="arn:aws:connect:::agent/7"))

    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_a_customer_token_signed_with_the_agents_key_is_401(
    gateway: Any, fake_rasa: Any
) -> None:
    response = await post(gateway, token(AGENT_SECRET, email="ada@example.com"))

    assert response.status_code == 401
    assert fake_rasa.requests == []


async def test_without_an_agents_key_no_agent_token_is_taken(
    client_with: Any, fake_rasa: Any
) -> None:
    gateway = await client_with(webchat_identity_secret=SecretStr(SECRET))

    response = await post(gateway, token(role="agent"))

    assert response.status_code == 401
    assert fake_rasa.requests == []


@pytest.mark.parametrize(
    "secrets",
    [
        {"webchat_identity_secret": SecretStr("x" * 31)},
        {"webchat_agent_identity_secret": SecretStr("\u00e9" * 15)},
        {
            "webchat_identity_secret": SecretStr(SECRET),
            "webchat_agent_identity_secret": SecretStr(SECRET),
        },
    ],
    ids=["short-customer-key", "short-agent-key", "one-key-for-both"],
)
def test_settings_refuse_a_short_key_or_one_key_for_customers_and_agents(
    settings_with: Any, secrets: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="WEBCHAT|at least 32 bytes"):
        settings_with(**secrets)

"""Nobody becomes an agent or another signed-in user at the webchat without the host site's key.

Every forged, tampered, unsigned or stale token claiming ``role: agent`` is refused before Rasa
hears anything; a page that puts claims in its own metadata reaches Rasa as an anonymous user
with those claims under ``client``; and an anonymous sender id cannot name a signed-in user's
conversation.
"""

from __future__ import annotations

import base64
import json
import time
import warnings
from typing import Any

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning
from pydantic import SecretStr

from api.channels.webchat.identity import Identity

SECRET = "host-site-shared-secret-of-some-length"
AGENT_SECRET = "host-site-agents-own-secret-of-some-length"
AGENT = {"role": "agent", "agent_id": "arn:aws:connect:us-east-1:1:instance/i/agent/7"}


def claims(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"sub": "agent-7", "exp": int(time.time()) + 600, **AGENT}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def signed(body: dict[str, Any], key: str = AGENT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(body, key, algorithm=algorithm)


def with_payload(token: str, body: dict[str, Any]) -> str:
    """``token`` with its payload swapped for ``body``, keeping the original signature."""
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def unsigned(body: dict[str, Any]) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}."


def signed_hs512(body: dict[str, Any]) -> str:
    # the host site's own key with another algorithm: PyJWT warns that it is short for HS512
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return signed(body, AGENT_SECRET, "HS512")


CUSTOMER = signed(
    claims(sub="eve-3", role="customer", agent_id=None, email="eve@example.com"), SECRET
)
FORGED = {
    "signed with another key": signed(claims(), "a-guess-at-the-host-sites-secret-key"),
    "signed with the customers' key": signed(claims(), SECRET),
    "alg none": unsigned(claims()),
    "alg none from pyjwt": jwt.encode(claims(), None, algorithm="none"),
    "signature stripped": signed(claims()).rpartition(".")[0] + ".",
    "customer token turned agent": with_payload(CUSTOMER, claims(sub="eve-3")),
    "hs512 with the right key": signed_hs512(claims()),
    "expired": signed(claims(exp=int(time.time()) - 120)),
    "not yet valid": signed(claims(nbf=int(time.time()) + 3600)),
    "no expiry": signed(claims(exp=None)),
    "no subject": signed(claims(sub=None)),
    "blank subject": signed(claims(sub="  ")),
    "numeric subject": signed(claims(sub=7)),
    "role spelt differently": signed(claims(role="Agent")),
    "role as a list": signed(claims(role=["agent"])),
    "agent id not text": signed(claims(agent_id={"userArn": "x"})),
}


@pytest.fixture
async def gateway(client_with: Any) -> Any:
    return await client_with(
        webchat_identity_secret=SecretStr(SECRET),
        webchat_agent_identity_secret=SecretStr(AGENT_SECRET),
    )


async def post(
    client: Any, bearer: str | None, sender: str = "tab-1", metadata: dict[str, Any] | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    body: dict[str, Any] = {"sender": sender, "message": "open cases for +44 7700 900123"}
    if metadata is not None:
        body["metadata"] = metadata
    return await client.post("/webchat/messages", json=body, headers=headers)


@pytest.mark.parametrize("token", FORGED.values(), ids=FORGED.keys())
async def test_a_token_claiming_agent_that_does_not_verify_reaches_nobody(
    gateway: Any, fake_rasa: Any, token: str
) -> None:
    response = await post(gateway, token)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert fake_rasa.requests == []


async def test_the_same_agent_claims_signed_with_the_right_key_make_an_agent(
    gateway: Any, fake_rasa: Any
) -> None:
    # the forged tokens above fail for what is wrong with them, not for their claims
    response = await post(gateway, signed(claims()))

    assert response.status_code == 200
    [message] = fake_rasa.messages()
    assert message["metadata"]["role"] == "agent"
    assert message["metadata"]["identity"]["agent_id"] == AGENT["agent_id"]


async def test_claims_a_page_puts_in_its_metadata_stay_under_client(
    gateway: Any, fake_rasa: Any
) -> None:
    posed = {"role": "agent", "phone": "+447700900123", "identity": {"role": "agent"}}

    response = await post(gateway, None, metadata=posed)

    assert response.status_code == 200
    [message] = fake_rasa.messages()
    assert message["metadata"]["role"] == "customer"
    assert "identity" not in message["metadata"]
    assert "phone" not in message["metadata"]
    assert message["metadata"]["client"] == posed


async def test_an_anonymous_sender_id_naming_a_signed_in_users_conversation_is_refused(
    gateway: Any, fake_rasa: Any
) -> None:
    agent = signed(claims())
    assert (await post(gateway, agent, sender="tab-1")).status_code == 200
    [agents] = [m["sender"] for m in fake_rasa.messages()]
    namespace = Identity(subject="agent-7").namespace
    assert agents == f"webchat:u{namespace}:tab-1"

    response = await post(gateway, None, sender=f"u{namespace}:tab-1")

    assert response.status_code == 422
    assert [m["sender"] for m in fake_rasa.messages()] == [agents]


async def test_sender_ids_shaped_otherwise_are_still_taken(gateway: Any, fake_rasa: Any) -> None:
    senders = ["u1234:tab", "user:tab-1", "uABCDEF0123456789:tab", "tab-u0123456789abcdef:x"]

    answers = [await post(gateway, None, sender=sender) for sender in senders]

    assert [answer.status_code for answer in answers] == [200] * len(senders)
    assert [m["sender"] for m in fake_rasa.messages()] == [f"webchat:{s}" for s in senders]

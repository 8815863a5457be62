"""Whose cases a person sees, in real conversations through the running gateway.

The whole stack from the Procfile, with signed webchat identities and the WhatsApp channel on.
Ann and Bob are signed in on webchat with their own tokens; an agent writes from an allow-listed
WhatsApp number, a customer from another. Ann's case is filed in the sandbox with her address.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from pydantic import SecretStr

from api.channels.webchat.identity import Identity
from api.channels.whatsapp.signature import sign
from api.rasa import RasaClient
from tests.support.stack import DOMAIN_ID, MODEL, TEMPLATE_ID, Stack, running_stack, stack_env

pytestmark = pytest.mark.e2e

IDENTITY_SECRET = "host-site-identity-secret-for-the-e2e-stack"
APP_SECRET = "case-access-app-secret"
GRAPH_TOKEN = "case-access-graph-token"
PHONE_NUMBER_ID = "100000000000042"
AGENT_NUMBER = "447700900777"
STRANGER_NUMBER = "447700900555"
# ids of the seeded template's fields (data/connect_cases/domain.yaml)
DESCRIPTION = "3b8e2f60-5a41-4c9d-8e77-0c2d4f6a8b10"
CONTACT = "6d1a9c47-2e83-4b5f-9a60-7c3e5b1d2f21"
PRIORITY = "9f4c2b18-7d65-4a3e-b1c0-2e8d6f4a9c32"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    tmp = tmp_path_factory.mktemp("access-stack")
    env = stack_env(tmp)
    sandbox = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
    env.update(
        {
            "WEBCHAT_IDENTITY_SECRET": IDENTITY_SECRET,
            "AGENT_WHATSAPP_NUMBERS": f"+{AGENT_NUMBER}",
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "case-access-verify-token",
            "WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE_URL": f"{sandbox}/whatsapp",
            "SANDBOX_WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
        }
    )
    with running_stack(tmp, env) as running:
        yield running


def token(subject: str, **claims: Any) -> str:
    body = {"sub": subject, "exp": int(time.time()) + 3600, **claims}
    return jwt.encode(body, IDENTITY_SECRET, algorithm="HS256")


class WebchatUser:
    def __init__(self, stack: Stack, bearer: str | None = None) -> None:
        self.stack = stack
        self.bearer = bearer
        self.sender = f"tab-{uuid.uuid4().hex[:8]}"

    def post(self, text: str, sender: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
        return httpx.post(
            f"{self.stack.gateway_url}/webchat/messages",
            json={"sender": sender or self.sender, "message": text},
            headers=headers,
            timeout=60,
        )

    def say(self, text: str) -> str:
        response = self.post(text)
        assert response.status_code == 200, response.text
        return json.dumps(response.json(), sort_keys=True)


class WhatsAppUser:
    def __init__(self, stack: Stack, number: str) -> None:
        self.stack = stack
        self.number = number
        self.sandbox = stack.cases_endpoint.removesuffix("/connectcases")

    def sent_to_me(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.sandbox}/whatsapp/_whatsapp/sent", timeout=10)
        response.raise_for_status()
        return [e["body"] for e in response.json() if e["body"].get("to") == self.number]

    def say(self, text: str, settle: float = 2.0) -> str:
        """Send ``text`` through Meta's signed webhook; what the assistant wrote back."""
        before = len(self.sent_to_me())
        message = {
            "from": self.number,
            "id": f"wamid.{uuid.uuid4().hex}",
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": text},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Sam"}, "wa_id": self.number}],
            "messages": [message],
        }
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
            }
        ).encode()
        answer = httpx.post(
            f"{self.stack.gateway_url}/webhooks/whatsapp",
            content=body,
            headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 90
        while len(self.sent_to_me()) == before:
            assert time.monotonic() < deadline, f"no answer to {text!r}"
            time.sleep(0.2)
        count, quiet_since = len(self.sent_to_me()), time.monotonic()
        while time.monotonic() - quiet_since < settle:
            time.sleep(0.2)
            if len(self.sent_to_me()) != count:
                count, quiet_since = len(self.sent_to_me()), time.monotonic()
        return json.dumps(self.sent_to_me()[before:], sort_keys=True)


def file_case(stack: Stack, title: str, contact: str) -> tuple[str, str]:
    """A case as the assistant would file it; its case id and reference."""
    client = stack.cases_client()
    created = client.create_case(
        domainId=DOMAIN_ID,
        templateId=TEMPLATE_ID,
        fields=[
            {"id": "title", "value": {"stringValue": title}},
            {"id": DESCRIPTION, "value": {"stringValue": "No hot water since Sunday."}},
            {"id": CONTACT, "value": {"stringValue": contact}},
            {"id": PRIORITY, "value": {"stringValue": "Medium"}},
        ],
    )
    case = client.get_case(
        domainId=DOMAIN_ID, caseId=created["caseId"], fields=[{"id": "reference_number"}]
    )
    [ref] = [f["value"]["stringValue"] for f in case["fields"] if f["id"] == "reference_number"]
    return created["caseId"], ref


def missing_ref(stack: Stack) -> str:
    """A reference of the right shape that names no case."""
    ref = "99999999"
    found = stack.cases_client().search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "reference_number", "value": {"stringValue": ref}}}},
    )
    assert found["cases"] == []
    return ref


@pytest.fixture(scope="module")
def anns_case(stack: Stack) -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    email = f"ann.{tag}@example.org"
    case_id, ref = file_case(stack, f"Ann's boiler {tag}", email)
    return {"case_id": case_id, "ref": ref, "title": f"Ann's boiler {tag}", "email": email}


def test_a_signed_in_customer_sees_their_case_and_another_gets_the_no_case_answer(
    stack: Stack, anns_case: dict[str, str]
) -> None:
    ref, title, missing = anns_case["ref"], anns_case["title"], missing_ref(stack)
    ann = WebchatUser(stack, token(f"ann-{ref}", email=anns_case["email"]))
    bob = WebchatUser(stack, token(f"bob-{ref}", email=f"bob.{ref}@example.org"))

    assert title in ann.say(f"what's the status of case {ref}?")

    for asked in ("what's the status of case {}?", "close case {}", "any update on {}"):
        theirs = bob.say(asked.format(ref))
        nobodys = bob.say(asked.format(missing))
        assert theirs.replace(ref, "<ref>") == nobodys.replace(missing, "<ref>")
        assert title not in theirs
    # intents only the gateway may start, typed by hand
    for typed in ('/case_updated{{"case_ref": "{}"}}', '/case_filed{{"case_ref": "{}"}}'):
        theirs = bob.say(typed.format(ref))
        nobodys = bob.say(typed.format(missing))
        assert theirs.replace(ref, "<ref>") == nobodys.replace(missing, "<ref>")
        assert title not in theirs and ref not in theirs
    assert ref not in bob.say("what's the status of my last case?")


def test_forged_agent_tokens_and_borrowed_conversations_are_refused(
    stack: Stack, anns_case: dict[str, str]
) -> None:
    claims = {"sub": "agent-9", "exp": int(time.time()) + 600, "role": "agent"}
    forged = [
        jwt.encode(claims, "not-the-host-sites-secret-at-all-really", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "exp": int(time.time()) - 600}, IDENTITY_SECRET, algorithm="HS256"),
    ]
    for bearer in forged:
        answer = WebchatUser(stack, bearer).post(f"status of case {anns_case['ref']}")
        assert answer.status_code == 401, answer.text
        assert anns_case["title"] not in answer.text

    ann = WebchatUser(stack, token(f"ann-{anns_case['ref']}", email=anns_case["email"]))
    assert anns_case["title"] in ann.say(f"status of case {anns_case['ref']}")
    namespace = Identity(subject=f"ann-{anns_case['ref']}").namespace
    borrowed = WebchatUser(stack).post("status of my case", sender=f"u{namespace}:{ann.sender}")
    assert borrowed.status_code == 422
    assert anns_case["title"] not in borrowed.text


def test_an_allow_listed_whatsapp_agent_reads_and_changes_the_case_as_themselves(
    stack: Stack, anns_case: dict[str, str]
) -> None:
    ref, title, missing = anns_case["ref"], anns_case["title"], missing_ref(stack)
    stranger = WhatsAppUser(stack, STRANGER_NUMBER)
    theirs = stranger.say(f"status of case {ref}")
    nobodys = stranger.say(f"status of case {missing}")
    assert theirs.replace(ref, "<ref>") == nobodys.replace(missing, "<ref>")
    assert title not in theirs

    agent = WhatsAppUser(stack, AGENT_NUMBER)
    assert title in agent.say(f"status of case {ref}")
    assert ref in agent.say(f"put case {ref} on hold")

    client = stack.cases_client()
    on_hold = next(
        f["fieldId"]
        for f in client.list_fields(domainId=DOMAIN_ID)["fields"]
        if f["name"] == "On hold"
    )
    case = client.get_case(
        domainId=DOMAIN_ID,
        caseId=anns_case["case_id"],
        fields=[{"id": "status"}, {"id": on_hold}],
    )
    # on hold is the custom field: the system status stays open, as on AWS
    assert {f["id"]: f["value"] for f in case["fields"]} == {
        "status": {"stringValue": "open"},
        on_hold: {"booleanValue": True},
    }
    events = client.get_case_audit_events(domainId=DOMAIN_ID, caseId=anns_case["case_id"])
    [changed] = [
        event
        for event in events["auditEvents"]
        if any(field["eventFieldId"] == on_hold for field in event["fields"])
        and event["type"] == "Case.Updated"
    ]
    assert changed["performedBy"]["user"] == {"customEntity": f"agent -{AGENT_NUMBER} via whatsapp"}


async def test_the_gateways_own_case_notice_still_names_the_customers_case(stack: Stack) -> None:
    # what the case-events webhook does: trigger_intent in the customer's WhatsApp conversation
    number = f"4477009{uuid.uuid4().int % 10**5:05d}"
    _, ref = file_case(stack, "Fridge humming", f"+{number}")
    async with httpx.AsyncClient(timeout=60) as http:
        rasa = RasaClient(http, stack.rasa_url, SecretStr(stack.env["RASA_API_TOKEN"]))
        notice = await rasa.trigger(
            f"whatsapp:{number}", "case_updated", {"case_ref": ref, "phone": f"+{number}"}
        )

    [message] = notice.messages
    assert message.text is not None
    assert message.text.startswith(f"Update on your case {ref}: it is now open")
    # the title is whoever filed the case's words: never repeated to the number told
    assert "Fridge" not in message.text

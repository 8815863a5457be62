"""Live chats on WhatsApp and Twilio through a gateway killed (SIGKILL) mid-chat and restarted.

The Procfile's processes started one by one, so the gateway alone can die. Two customers, one
on Meta's Cloud API and one on Twilio, each in a live chat with an agent (the sandbox's agent
API). Around the kill: a customer's message whose webhook was acknowledged just before it, one
posted while the gateway is down (the provider delivers it again until answered), the first
delivered again after the restart as if its acknowledgement had been lost, and the agent
writing while no gateway runs. Judged only on the stand-ins' records: what Graph and Twilio
were asked to send, and the chat's own transcript.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from api.channels.twilio.signature import signature
from api.channels.whatsapp.signature import sign
from api.handoff.relay import BACK
from tests.e2e.test_live_chat_browser import live_chat_env
from tests.support.processes import Process, procfile_commands
from tests.support.stack import MODEL, ready_urls, stack_env

pytestmark = pytest.mark.e2e

APP_SECRET = "live-chat-restart-app-secret"
GRAPH_TOKEN = "live-chat-restart-graph-token"
PHONE_NUMBER_ID = "100000000000077"
TWILIO_SID = "AC" + "7" * 32
TWILIO_TOKEN = "live-chat-restart-twilio-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
SECONDS = 150
JOINED = "Agent from our team has joined the chat."


class Running:
    """The four processes, each stoppable on its own."""

    def __init__(self, tmp: Path) -> None:
        env = stack_env(tmp)
        self.sandbox = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
        self.gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        env.update(live_chat_env(env, tmp))
        env.update(
            {
                "WHATSAPP_APP_SECRET": APP_SECRET,
                "WHATSAPP_VERIFY_TOKEN": "live-chat-restart-verify",
                "WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                "WHATSAPP_API_BASE_URL": f"{self.sandbox}/whatsapp",
                "SANDBOX_WHATSAPP_ACCESS_TOKEN": GRAPH_TOKEN,
                "TWILIO_ACCOUNT_SID": TWILIO_SID,
                "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
                "TWILIO_WEBHOOK_URL": f"{self.gateway}/webhooks/twilio",
                "TWILIO_API_BASE_URL": f"{self.sandbox}/twilio",
                "SANDBOX_TWILIO_ACCOUNT_SID": TWILIO_SID,
                "SANDBOX_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            }
        )
        self.env = env
        commands = procfile_commands()
        self.processes = {
            name: Process(name, commands[name], env, tmp / f"{name}.log")
            for name in ("sandbox", "rasa", "actions", "gateway")
        }
        self.urls = ready_urls(env)

    def start(self) -> None:
        for process in self.processes.values():
            process.start()
        for name, url in self.urls.items():
            self.processes[name].wait_ready(url)

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            process.stop()

    def hold_chat_replies(self, hold: bool) -> None:
        """The participant service does what it is asked but holds its answers (or not)."""
        faults = {"connectparticipant": {"timeout_share": 1.0, "timeout_seconds": 30}}
        if hold:
            answer = httpx.put(f"{self.sandbox}/_sandbox/faults", json=faults, timeout=10)
        else:
            answer = httpx.delete(f"{self.sandbox}/_sandbox/faults", timeout=10)
        assert answer.status_code == 200, answer.text

    def kill_gateway(self) -> None:
        self.processes["gateway"].stop(kill=True)

    def start_gateway(self) -> None:
        self.processes["gateway"].start()
        self.processes["gateway"].wait_ready(self.urls["gateway"])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    stack = Running(tmp_path_factory.mktemp("live-chat-restart"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


class Customer:
    """A customer on one provider: writes through its webhook, reads what it was asked to send."""

    conversation_id: str

    def __init__(self, running: Running, http: httpx.Client) -> None:
        self.running = running
        self.http = http

    def post(self, message_id: str, text: str) -> bool:
        """The provider delivers one message; whether the gateway acknowledged it."""
        raise NotImplementedError

    def sent(self) -> list[str]:
        """What the provider was asked to send this customer, oldest first."""
        raise NotImplementedError

    def deliver(self, message_id: str, text: str) -> None:
        """As a provider does: again and again until the gateway acknowledges it."""
        deadline = time.monotonic() + SECONDS
        while not self.post(message_id, text):
            assert time.monotonic() < deadline, f"{text!r} never acknowledged"
            time.sleep(0.5)


class WhatsAppCustomer(Customer):
    def __init__(self, running: Running, http: httpx.Client) -> None:
        super().__init__(running, http)
        self.number = f"4477009{uuid.uuid4().int % 10**5:05d}"
        self.conversation_id = f"whatsapp:{self.number}"

    def post(self, message_id: str, text: str) -> bool:
        message = {
            "from": self.number,
            "id": message_id,
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": text},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Wanda"}, "wa_id": self.number}],
            "messages": [message],
        }
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
            }
        ).encode()
        try:
            answer = self.http.post(
                f"{self.running.gateway}/webhooks/whatsapp",
                content=body,
                headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
            )
        except httpx.TransportError:
            return False
        return answer.status_code == 200

    def sent(self) -> list[str]:
        found = self.http.get(f"{self.running.sandbox}/whatsapp/_whatsapp/sent").json()
        return [
            _shown(entry["body"])
            for entry in found
            if entry["body"].get("to") == self.number and entry["error_code"] is None
        ]


class TwilioCustomer(Customer):
    def __init__(self, running: Running, http: httpx.Client) -> None:
        super().__init__(running, http)
        self.phone = f"+4477008{uuid.uuid4().int % 10**5:05d}"
        self.conversation_id = f"twilio:{self.phone}"

    def post(self, message_id: str, text: str) -> bool:
        url = f"{self.running.gateway}/webhooks/twilio"
        params = [
            ("MessageSid", message_id),
            ("AccountSid", TWILIO_SID),
            ("From", f"whatsapp:{self.phone}"),
            ("To", TWILIO_NUMBER),
            ("Body", text),
            ("NumMedia", "0"),
            ("ProfileName", "Tom"),
        ]
        try:
            answer = self.http.post(
                url,
                content=urlencode(params),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature(url, params, TWILIO_TOKEN),
                },
            )
        except httpx.TransportError:
            return False
        return answer.status_code == 200

    def sent(self) -> list[str]:
        found = self.http.get(f"{self.running.sandbox}/twilio/_twilio/sent").json()
        return [
            str(entry["body"])
            for entry in found
            if entry["to"] == f"whatsapp:{self.phone}" and entry["error_code"] is None
        ]


def _shown(body: dict[str, Any]) -> str:
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return f"[{body.get('type')}]"


class Desk:
    """The agent, through the sandbox's agent API."""

    def __init__(self, running: Running, http: httpx.Client) -> None:
        self.api = f"{running.sandbox}/_sandbox/connect-chat/chats"
        self.http = http

    def chat_of(self, conversation_id: str) -> str:
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            for chat in self.http.get(self.api, params={"state": "WAITING"}).json()["chats"]:
                if chat["attributes"].get("conversationId") == conversation_id:
                    return str(chat["contactId"])
            time.sleep(0.3)
        raise AssertionError(f"no chat waits for {conversation_id}")

    def do(self, contact_id: str, action: str, body: dict[str, str] | None = None) -> None:
        answer = self.http.post(f"{self.api}/{contact_id}/{action}", json=body)
        assert answer.status_code == 200, answer.text

    def say(self, contact_id: str, text: str) -> None:
        self.do(contact_id, "messages", {"content": text})

    def customer_lines(self, contact_id: str) -> list[str]:
        items = self.http.get(f"{self.api}/{contact_id}").json()["items"]
        return [
            str(item["Content"])
            for item in items
            if item["ParticipantRole"] == "CUSTOMER" and item["Type"] == "MESSAGE"
        ]


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not check():
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.3)


def test_live_chats_on_whatsapp_and_twilio_lose_and_double_nothing_across_a_gateway_kill(
    running: Running, http: httpx.Client
) -> None:
    desk = Desk(running, http)
    customers: list[Customer] = [WhatsAppCustomer(running, http), TwilioCustomer(running, http)]
    tag = uuid.uuid4().hex[:4]
    ids = {id(c): f"{type(c).__name__[:2]}{uuid.uuid4().hex}" for c in customers}

    def mid(customer: Customer, n: int) -> str:
        return (
            f"{'wamid.' if isinstance(customer, WhatsAppCustomer) else 'SM'}{ids[id(customer)]}{n}"
        )

    contacts: dict[int, str] = {}
    for customer in customers:
        customer.deliver(mid(customer, 0), "I want to talk to a person")
        contacts[id(customer)] = desk.chat_of(customer.conversation_id)
        desk.do(contacts[id(customer)], "accept")

    def agent(customer: Customer, n: int) -> str:
        return f"Agent {n} to {type(customer).__name__} {tag}"

    def own(customer: Customer, n: int) -> str:
        return f"Customer {n} of {type(customer).__name__} {tag}"

    for customer in customers:
        contact = contacts[id(customer)]
        desk.say(contact, agent(customer, 1))
        eventually(lambda c=customer: agent(c, 1) in c.sent(), "the agent's first message")
        customer.deliver(mid(customer, 1), own(customer, 1))
        eventually(
            lambda c=customer, k=contact: desk.customer_lines(k)[-1:] == [own(c, 1)],
            "the customer's first message",
        )

    # acknowledged and sent on to the chat, and the gateway killed before the chat's answer
    # reaches it (the stand-in holds its replies): it cannot know the message went
    running.hold_chat_replies(True)
    for customer in customers:
        customer.deliver(mid(customer, 2), own(customer, 2))
    for customer in customers:
        eventually(
            lambda c=customer: own(c, 2) in desk.customer_lines(contacts[id(c)]),
            "the message on its way when the gateway dies",
        )
    running.kill_gateway()
    running.hold_chat_replies(False)
    for customer in customers:
        desk.say(contacts[id(customer)], agent(customer, 2))
        desk.say(contacts[id(customer)], agent(customer, 3))
        # the provider finds no gateway, and will try again
        assert not customer.post(mid(customer, 3), own(customer, 3))

    running.start_gateway()
    for customer in customers:
        # an acknowledgement that never reached the provider: the same message again
        customer.deliver(mid(customer, 2), own(customer, 2))
        customer.deliver(mid(customer, 3), own(customer, 3))
        desk.say(contacts[id(customer)], agent(customer, 4))
        customer.deliver(mid(customer, 4), own(customer, 4))

    for customer in customers:
        contact = contacts[id(customer)]
        told = [agent(customer, n) for n in (1, 2, 3, 4)]
        wrote = [own(customer, n) for n in (1, 2, 3, 4)]
        eventually(lambda c=customer, t=told: t[-1] in c.sent(), "the agent's last message")
        eventually(lambda k=contact, w=wrote: w[-1] in desk.customer_lines(k), "the last message")
        relayed = [text for text in customer.sent() if tag in text or text == JOINED]
        assert relayed == [JOINED, *told], relayed
        assert desk.customer_lines(contact)[1:] == wrote

    for customer in customers:
        desk.do(contacts[id(customer)], "end")
    for customer in customers:
        eventually(lambda c=customer: BACK in c.sent(), "the assistant back")
    time.sleep(2)
    for customer in customers:
        assert customer.sent().count(BACK) == 1
        assert customer.sent().count(JOINED) == 1

"""Users as the gateway vouches for them, and case back ends over the sandbox, for access tests.

A user's tracker metadata is made by the gateway's own code (``api.channels``), from what each
channel really authenticates: a WhatsApp number, a signed identity token, or nothing at all.
The back ends are the real adapters (Connect Cases over boto3, AICC over httpx) talking to the
sandbox's stand-ins, whose records of who changed what are read back as each case's trail.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import jwt
import yaml
from pydantic import SecretStr

from api.channels.twilio.payload import TwilioMessage
from api.channels.twilio.webhook import to_inbound as twilio_inbound
from api.channels.webchat.identity import verify_identity_token
from api.channels.webchat.messages import WebchatMessage
from api.channels.webchat.messages import to_inbound as webchat_inbound
from api.channels.whatsapp import webhook as whatsapp_channel
from api.channels.whatsapp.payload import Message
from api.conversation import phone_metadata
from api.settings import GatewaySettings
from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import IdempotencyStore, SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import CaseBackend, CaseDraft, CaseNotFound
from cases.connect.backend import ConnectCasesBackend
from cases.connect.queues import QueueDirectory
from cases.template import load_template_spec
from tests.unit.sandbox.conftest import REPO, SEED_FILE, SandboxServer

IDENTITY_SECRET = "host-site-identity-secret-for-access-tests"
AGENT_IDENTITY_SECRET = "host-site-agents-identity-secret-for-access-tests"
AGENT_PHONE = "+447700900777"
AGENT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/agent-7"
#: AICC operator ids hold 20 bytes, so an agent there is known by a short id
AICC_AGENT_ID = "agent-7"
GATEWAY = GatewaySettings(
    _env_file=None,  # type: ignore[call-arg]
    rasa_api_token=SecretStr("unused"),
    webchat_identity_secret=SecretStr(IDENTITY_SECRET),
    webchat_agent_identity_secret=SecretStr(AGENT_IDENTITY_SECRET),
    agent_whatsapp_numbers=frozenset({AGENT_PHONE}),
)
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
WRITES = frozenset({"CreateCase", "UpdateCase", "CreateRelatedItem", "AddComment"})


@dataclass(frozen=True)
class User:
    """Who is on the other end: their conversation and the metadata Rasa gets with a message."""

    conversation_id: str
    metadata: dict[str, Any]
    #: references of the cases opened in this conversation
    opened: tuple[str, ...] = ()

    def having_opened(self, *refs: str) -> User:
        """The same user, having opened ``refs`` in this conversation."""
        return User(self.conversation_id, self.metadata, (*self.opened, *refs))


def on_whatsapp(phone: str) -> User:
    """A user writing from ``phone`` (E.164), as Meta's signed webhook names them."""
    message = Message.model_validate(
        {"id": f"wamid.{uuid.uuid4().hex}", "from": phone.lstrip("+"), "type": "text",
         "text": {"body": "hi"}}
    )  # fmt: skip
    inbound = whatsapp_channel.to_inbound(message, "hi", GATEWAY)
    return User(inbound.conversation_id, phone_metadata(inbound, "Sam", []))


def on_twilio(phone: str) -> User:
    """A user writing from ``phone`` (E.164) through Twilio's signed WhatsApp webhook."""
    message = TwilioMessage.model_validate(
        {"MessageSid": f"SM{uuid.uuid4().hex}", "From": f"whatsapp:{phone}", "Body": "hi"}
    )
    inbound = twilio_inbound(message, "hi", GATEWAY)
    return User(inbound.conversation_id, phone_metadata(inbound, "Sam", []))


def signed(**claims: Any) -> str:
    """An identity token the host site signs for its logged-in user."""
    body = {"sub": f"user-{uuid.uuid4().hex[:8]}", "exp": int(time.time()) + 600, **claims}
    key = AGENT_IDENTITY_SECRET if claims.get("role") == "agent" else IDENTITY_SECRET
    return jwt.encode(body, key, algorithm="HS256")


def on_webchat(token: str | None = None, client: dict[str, Any] | None = None) -> User:
    """A webchat user: signed in with ``token``, or anonymous; ``client`` is what the page adds."""
    identity = verify_identity_token(token, GATEWAY) if token is not None else None
    message = WebchatMessage(
        sender=f"tab-{uuid.uuid4().hex[:8]}", message="hi", metadata=client or {}
    )
    inbound = webchat_inbound(message, GATEWAY, identity)
    return User(inbound.conversation_id, inbound.rasa_metadata())


def unique_phone() -> str:
    """A UK mobile number no other test uses (one in 10**8: a shared one would own cases)."""
    return f"+4477{uuid.uuid4().int % 10**8:08d}"


def unique_email(who: str) -> str:
    """An email address no other test uses."""
    return f"{who}.{uuid.uuid4().hex[:8]}@example.org"


def unique_profile() -> str:
    """A Customer Profiles ARN no other test uses."""
    return f"arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/{uuid.uuid4().hex}"


class Stand:
    """A real back-end adapter over the sandbox, and what the sandbox recorded of each case."""

    name: str
    backend: CaseBackend
    #: a reference of the back end's shape that names no case
    missing_ref: str
    #: how an agent with an identity token is known to this back end
    agent_id: str

    def __init__(self, server: SandboxServer) -> None:
        self._server = server

    async def open(
        self, title: str, contact: str, customer_id: str | None = None, conversation: str = ""
    ) -> str:
        """File a case as the assistant would; its reference."""
        conversation = conversation or f"webchat:{uuid.uuid4().hex[:10]}"
        draft = CaseDraft(
            title=title,
            description="It keeps happening, every morning.",
            contact=contact,
            priority="Medium",
            origin="webchat",
            conversation_id=conversation,
            channel=conversation.partition(":")[0],
            customer_id=customer_id,
        )
        case = await self.backend.create_case(draft, uuid.uuid4().hex)
        return case.ref

    async def trail(self, ref: str) -> list[tuple[str, str | None]]:
        """Every change recorded on the case, as (what changed, who changed it)."""
        return [(event.field, event.by) for event in await self.backend.get_history(ref)]

    def writes(self) -> dict[str, int]:
        """How many writes of each kind the back end's stand-in has served so far."""
        counts = httpx.get(f"{self._server.url}/_sandbox/calls", timeout=10).json()
        return {op: n for op, n in counts.get(self.name, {}).items() if op in WRITES}

    def assistant(self, channel: str) -> str:
        """Who a change the assistant makes for a customer on ``channel`` is recorded as."""
        raise NotImplementedError

    def agent(self, agent: str, channel: str) -> str:
        """Who a change an agent known as ``agent`` makes on ``channel`` is recorded as."""
        raise NotImplementedError

    async def close(self) -> None:
        """Let go of the adapter's connections."""


class ConnectStand(Stand):
    """Connect Cases through boto3 against the sandbox's Connect Cases stand-in."""

    name = "connectcases"
    missing_ref = "99999999"
    agent_id = AGENT_ARN

    def __init__(self, server: SandboxServer) -> None:
        super().__init__(server)
        seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
        self.backend = ConnectCasesBackend(
            server.client(),
            seed["domain"]["domainId"],
            seed["template"]["templateId"],
            spec=SPEC,
            assistant_name="casebot",
            # assigned_queue holds a queue id: the handoff queue's name is looked up on the instance
            queues=QueueDirectory(
                boto3.client(
                    "connect",
                    endpoint_url=f"{server.url}/connect",
                    region_name="us-east-1",
                    aws_access_key_id="sandbox",
                    aws_secret_access_key="sandbox",
                ),
                "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13",
            ),
        )

    def assistant(self, channel: str) -> str:
        return f"casebot via {channel}"

    def agent(self, agent: str, channel: str) -> str:
        # Connect records a user ARN as such; anything else as a named custom entity, which
        # may not hold a "+"
        if agent.startswith("arn:"):
            return agent
        return f"agent {agent} via {channel}".replace("+", "-")


class AiccStand(Stand):
    """Huawei AICC through httpx against the sandbox's AICC stand-in."""

    name = "aicc"
    missing_ref = "2099123199999999"
    agent_id = AICC_AGENT_ID

    def __init__(self, server: SandboxServer, keys: IdempotencyStore) -> None:
        super().__init__(server)
        self._http = httpx.AsyncClient(timeout=10)
        base_url = f"{server.url}/aicc"
        self._base_url = base_url
        self.backend = AiccBackend(
            self._http,
            base_url=base_url,
            tokens=AiccTokenSource(
                self._http, base_url + DEFAULT_TOKEN_PATH, "sandbox-aicc-key", "sandbox-aicc-secret"
            ),
            spec=SPEC,
            case_type_id="casebot",
            case_type=load_case_types(REPO / "data" / "aicc" / "case_types.yaml")["casebot"],
            creator_id="casebot",
            store=keys,
        )

    async def trail(self, ref: str) -> list[tuple[str, str | None]]:
        # AICC keeps comments apart from the history of field changes
        changes = await super().trail(ref)
        answer = await self._http.get(f"{self._base_url}/_aicc/cases/{ref}/comments")
        answer.raise_for_status()
        return changes + [("comment", comment["creatorId"]) for comment in answer.json()]

    def assistant(self, channel: str) -> str:
        return "casebot"

    def agent(self, agent: str, channel: str) -> str:
        return agent

    async def close(self) -> None:
        await self._http.aclose()


def stand_for(kind: str, server: SandboxServer, tmp: Path) -> Stand:
    """The stand of back end ``kind`` (``connect`` or ``aicc``), keeping its files in ``tmp``."""
    if kind == "connect":
        return ConnectStand(server)
    return AiccStand(server, SqliteIdempotencyStore(tmp / "aicc-keys.sqlite3"))


async def exists(backend: CaseBackend, ref: str) -> bool:
    """Whether ``ref`` names a case at all (for anyone)."""
    try:
        await backend.get_case(ref)
    except CaseNotFound:
        return False
    return True

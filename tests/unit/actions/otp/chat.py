"""A customer's conversation with the code actions over the sandbox: Connect Cases and SES.

Each turn runs the action the rules would run, with the slots the earlier turns set (and
first, as Rasa does with every message, the action of ``otp_case``'s slot mapping), and reads
what the assistant said. Codes are read back from the SES stand-in, as a customer reads mail.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import boto3
import httpx
from botocore.config import Config

from actions.changes import ActionAddCaseComment, ActionAskCloseCase, ActionUpdateCase
from actions.kit.otp import CodeSender, OneTimeCodes
from actions.kit.sdk import Action, CollectingDispatcher
from actions.kit.settings import ActionSettings
from actions.lookup import ActionCheckCaseStatus
from actions.otp.mailer import SesClient, SesMailer
from actions.verification import ActionSendCode, ActionVerifyCode, ActionWithdrawCodeOffer
from cases.backend import CaseBackend
from tests.unit.actions.fakes import entity, tracker

SENDER = "casebot@example.com"
ANONYMOUS = {"channel": "webchat", "origin": "webchat", "role": "customer"}


def ses_client(sandbox_url: str) -> SesClient:
    client: SesClient = boto3.client(
        "sesv2",
        endpoint_url=f"{sandbox_url}/ses",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )
    return client


def mailed_codes(sandbox_url: str, to: str) -> list[str]:
    """The codes the SES stand-in mailed to ``to``, oldest first."""
    sent = httpx.get(f"{sandbox_url}/_sandbox/ses/outbound-emails", params={"to": to}).json()
    return [re.findall(r"\b\d{6}\b", mail["Text"])[0] for mail in sent]


def mailer(sandbox_url: str, sender: str = SENDER) -> SesMailer:
    return SesMailer(ses_client(sandbox_url), sender, minutes=10)


class Chat:
    """One conversation: its slots, carried from turn to turn as Rasa carries them."""

    def __init__(
        self,
        backend: CaseBackend,
        settings: ActionSettings,
        codes: OneTimeCodes,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.codes = codes
        self.metadata = metadata or ANONYMOUS
        self.sender = f"webchat:{uuid.uuid4().hex[:12]}"
        self.slots: dict[str, Any] = {}

    def action(self, kind: type[Action]) -> Action:
        if kind is ActionCheckCaseStatus:
            return ActionCheckCaseStatus(self.backend, self.settings, codes=self.codes)
        made: Action = kind(self.backend, self.settings, codes=self.codes)  # type: ignore[call-arg]
        return made

    async def turn(
        self,
        kind: type[Action],
        text: str = "",
        intent: str = "",
        entities: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Run one action on the latest message, after the offer's slot mapping as Rasa runs it
        on every message; what the action said. Slots either set are kept."""
        dispatcher = CollectingDispatcher()
        for step in (ActionWithdrawCodeOffer, kind):
            said = tracker(
                text=text,
                intent=intent,
                entities=entities,
                metadata=self.metadata,
                slots=self.slots,
                sender=self.sender,
            )
            for event in await self.action(step).run(dispatcher, said, {}):
                if event.get("event") == "slot":
                    self.slots[event["name"]] = event["value"]
        return dispatcher.messages

    async def says(self, text: str, intent: str) -> None:
        """A message a response answers (no custom action): only the slot mapping runs."""
        said = tracker(
            text=text, intent=intent, metadata=self.metadata, slots=self.slots, sender=self.sender
        )
        action = self.action(ActionWithdrawCodeOffer)
        for event in await action.run(CollectingDispatcher(), said, {}):
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]

    async def ask_status(self, ref: str) -> list[dict[str, Any]]:
        return await self.turn(
            ActionCheckCaseStatus,
            f"what's the status of {ref}?",
            "check_case_status",
            [entity("case_ref", ref)],
        )

    async def give_contact(self, contact: str) -> list[dict[str, Any]]:
        kind = "email" if "@" in contact else "phone"
        return await self.turn(ActionSendCode, contact, "inform", [entity(kind, contact)])

    async def give_code(self, code: str, then: type[Action] | None = None) -> list[dict[str, Any]]:
        """Type the code; with ``then``, also run the request's action, as the rules do."""
        said = await self.turn(ActionVerifyCode, f"the code is {code}", "give_code")
        if then is not None and self.slots.get("otp_then"):
            said += await self.turn(then, f"the code is {code}", "give_code")
        return said


RESUMED = {
    "check_case_status": ActionCheckCaseStatus,
    "update_case": ActionUpdateCase,
    "add_case_comment": ActionAddCaseComment,
    "close_case": ActionAskCloseCase,
}


class Mailbox:
    """A sender that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, to: str, code: str) -> bool:
        self.sent.append((to, code))
        return True


class HeldSender:
    """A sender that does not finish until it is let go: shows the answer does not wait."""

    def __init__(self, inner: CodeSender) -> None:
        self.inner = inner
        self.started = 0
        self.release = asyncio.Event()

    async def send(self, to: str, code: str) -> bool:
        self.started += 1
        await self.release.wait()
        return await self.inner.send(to, code)

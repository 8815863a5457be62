"""What SendEmail refuses beyond botocore's model, as strict as SES for what casebot sends.

botocore's model requires ``Content`` only; SES itself refuses more. Known from SES's
documentation: a sender must be a verified identity (the address, or its domain) or the
message is rejected with "Email address is not verified. The following identities failed the
check in region <REGION>: <address>"; a message has at most 50 recipients; ``Content`` holds
exactly one of ``Simple``, ``Raw`` and ``Template``.

ASSUMED, everything else here (SES does not publish its exact words or order of checks):
- a ``Simple`` message without ``FromEmailAddress`` is a BadRequestException ("Missing
  required header 'From'."), and one without any recipient in ``Destination`` is a
  BadRequestException ("Missing required parameter: Destination.");
- a ``Simple`` body with neither ``Text`` nor ``Html`` is a BadRequestException;
- an address that is not ``local@domain`` (a display name ``"Name <local@domain>"`` allowed)
  is a BadRequestException ("Illegal address");
- recipients are not checked against verified identities: the stand-in is an account with
  production access, where only the sender must be verified (in SES's own sandbox mode every
  recipient must be verified too);
- only ``Simple`` content is sent: ``Raw`` and ``Template`` answer BadRequestException
  ("The sandbox sends Simple content only"), since casebot sends neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sandbox.ses.errors import BadRequestException, MessageRejected

MAX_RECIPIENTS = 50

# "local@domain" or "Name <local@domain>"; bounded parts, read once
_ADDRESS = re.compile(r"(?:[^<>]{0,256}<)?([^<>@\s]{1,64})@([A-Za-z0-9.-]{1,253})>?")


def address_of(written: str) -> str:
    """The bare address of ``written`` (a display name dropped), lower-cased domain."""
    found = _ADDRESS.fullmatch(written.strip())
    if found is None or "." not in found.group(2):
        raise BadRequestException(f"Illegal address: {written[:320]}")
    return f"{found.group(1)}@{found.group(2).lower()}"


def simple_message(params: dict[str, Any]) -> dict[str, Any]:
    """The ``Simple`` message of a SendEmail call, refused as SES refuses what it cannot send."""
    content = params.get("Content") or {}
    kinds = [kind for kind in ("Simple", "Raw", "Template") if kind in content]
    if len(kinds) != 1:
        raise BadRequestException("Content must have exactly one of Simple, Raw or Template.")
    if kinds != ["Simple"]:
        raise BadRequestException("The sandbox sends Simple content only")
    message: dict[str, Any] = content["Simple"]
    body = message.get("Body") or {}
    if "Text" not in body and "Html" not in body:
        raise BadRequestException("Body must have Text or Html.")
    return message


def recipients(params: dict[str, Any]) -> list[str]:
    """Every recipient address of the call, checked."""
    destination = params.get("Destination") or {}
    written = [
        address
        for field in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in destination.get(field) or []
    ]
    if not written:
        raise BadRequestException("Missing required parameter: Destination.")
    if len(written) > MAX_RECIPIENTS:
        raise BadRequestException(f"Recipient count exceeds {MAX_RECIPIENTS}.")
    return [address_of(address) for address in written]


def verified_sender(params: dict[str, Any], identities: Iterable[str], region: str) -> str:
    """The sender's address, when it (or its domain) is a verified identity."""
    written = params.get("FromEmailAddress")
    if not written:
        raise BadRequestException("Missing required header 'From'.")
    sender = address_of(written)
    domain = sender.rpartition("@")[2]
    known = {identity.strip().lower() for identity in identities}
    if sender.lower() not in known and domain not in known:
        raise MessageRejected(
            "Email address is not verified. The following identities failed the check in"
            f" region {region.upper()}: {sender}"
        )
    return sender

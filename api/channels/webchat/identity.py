"""Who a webchat user is, as the host site vouches for them in a signed token.

The host site that embeds the chat signs a JWT (HS256) naming its logged-in user, with
``WEBCHAT_IDENTITY_SECRET`` for a customer and ``WEBCHAT_AGENT_IDENTITY_SECRET`` for an agent::

    {"sub": "user-42", "exp": 1767225600, "email": "ada@example.com",
     "phone": "+447700900123", "customer_id": "arn:aws:profile:...", "role": "customer"}

``sub`` and ``exp`` are required; ``iss``/``aud`` are checked when configured. ``role: agent``
(with an optional ``agent_id``, e.g. the agent's Connect user ARN) makes the user an agent, and
such a token verifies only with the agents' key: the customers' key, which signs a token for
anyone who logs in to the host site, can never make an agent. A token that does not verify is
refused outright (401); a missing token means an anonymous user.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

import jwt
import phonenumbers
from pydantic import JsonValue

from api.settings import GatewaySettings

ALGORITHMS = ["HS256"]
# tokens are minted by another machine whose clock may be a little off
LEEWAY_SECONDS = 30
_MAX_CLAIM_CHARS = 2_048
#: hex digits of ``Identity.namespace``
NAMESPACE_CHARS = 16
# how a signed-in user's webchat sender id starts (see ``api.channels.webchat.messages``)
_SIGNED_IN_SENDER = re.compile(rf"u[0-9a-f]{{{NAMESPACE_CHARS}}}:")


class IdentityError(Exception):
    """The identity token is malformed, expired, or not signed with our secret."""


@dataclass(frozen=True)
class Identity:
    """A user the host site vouches for."""

    subject: str
    role: Literal["customer", "agent"] = "customer"
    email: str | None = None
    phone: str | None = None
    customer_id: str | None = None
    agent_id: str | None = None

    @property
    def namespace(self) -> str:
        """A short stable name for the subject, to keep their conversations apart."""
        return hashlib.sha256(self.subject.encode()).hexdigest()[:NAMESPACE_CHARS]

    def metadata(self) -> dict[str, JsonValue]:
        """What the actions are told about the user (only the claims that are set)."""
        claims: dict[str, str | None] = {
            "subject": self.subject,
            "role": self.role,
            "email": self.email,
            "phone": self.phone,
            "customer_id": self.customer_id,
            "agent_id": self.agent_id,
        }
        return {key: value for key, value in claims.items() if value is not None}


def looks_signed_in(sender: str) -> bool:
    """Whether ``sender`` starts like a signed-in user's (``u`` + their namespace + ``:``).

    An anonymous user sending such an id would land in that user's conversation, with what
    their token vouched for still in it.
    """
    return _SIGNED_IN_SENDER.match(sender) is not None


def verify_identity_token(token: str, settings: GatewaySettings) -> Identity:
    """The identity in ``token``; ``IdentityError`` when it does not verify."""
    role = _claimed_role(token)
    secret = (
        settings.webchat_agent_identity_secret
        if role == "agent"
        else settings.webchat_identity_secret
    )
    if secret is None:
        raise IdentityError(f"{role} identity tokens are not accepted here")
    try:
        claims = jwt.decode(
            token,
            secret.get_secret_value(),
            algorithms=ALGORITHMS,
            audience=settings.webchat_identity_audience,
            issuer=settings.webchat_identity_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["sub", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise IdentityError(f"identity token refused: {type(exc).__name__}") from exc
    if claims.get("role", "customer") != role:
        raise IdentityError("identity token names an unknown role")
    return Identity(
        subject=_claim(claims, "sub") or "",
        role=role,
        email=_email(_claim(claims, "email")),
        phone=_phone(_claim(claims, "phone")),
        customer_id=_claim(claims, "customer_id"),
        agent_id=_claim(claims, "agent_id") if role == "agent" else None,
    )


def _claimed_role(token: str) -> Literal["customer", "agent"]:
    """The role a token claims, read before it is verified, to pick the key that must sign it."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise IdentityError(f"identity token refused: {type(exc).__name__}") from exc
    role = unverified.get("role", "customer")
    if role == "agent":
        return "agent"
    if role == "customer":
        return "customer"
    raise IdentityError("identity token names an unknown role")


def _claim(claims: dict[str, object], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_CLAIM_CHARS:
        raise IdentityError(f"identity token claim {name!r} is not usable text")
    return value.strip()


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    if "@" not in value:
        raise IdentityError("identity token email is not an address")
    return value.lower()


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise IdentityError("identity token phone is not in international form") from exc
    if not phonenumbers.is_possible_number(number):
        raise IdentityError("identity token phone is not a possible number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

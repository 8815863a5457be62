"""An IVR handoff, from an Amazon Connect contact-flow Lambda event or a plain JSON body.

Connect's event::

    {"Name": "ContactFlowEvent", "Details": {"ContactData": {"ContactId", "InitialContactId",
     "InstanceARN", "CustomerEndpoint": {"Address": "+E164"}, "Attributes": {...}},
     "Parameters": {...}}}

The caller chose an intent and maybe keyed in a case reference; the flow passes them as the
Lambda block's parameters or as contact attributes (``intent`` or ``ivr_intent``,
``case_ref``), parameters first. The plain body is ``{"caller", "contact_id", "intent"?,
"case_ref"?, "contact_arn"?, "attributes"?}`` for IVRs other than Connect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: an intent name as the domain spells them
_INTENT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
INTENT_KEYS = ("intent", "ivr_intent")
CASE_REF_KEYS = ("case_ref", "ivr_case_ref")


class HandoffError(ValueError):
    """The body is not a handoff the gateway can act on."""


class Handoff(BaseModel):
    """A caller to continue with on WhatsApp."""

    model_config = ConfigDict(frozen=True)

    caller: str
    contact_id: str = Field(min_length=1, max_length=256)
    #: the contact's ARN in Amazon Connect, when the IVR is Connect
    contact_arn: str | None = None
    #: what the caller chose in the IVR menu (open_case, check_case_status...)
    intent: str | None = None
    case_ref: str | None = Field(default=None, max_length=64)

    @field_validator("caller", mode="before")
    @classmethod
    def _e164(cls, value: object) -> object:
        if isinstance(value, str):
            value = re.sub(r"[\s().-]", "", value)
            if not _E164.match(value):
                raise ValueError("caller must be a phone number in E.164")
        return value

    @field_validator("intent", mode="before")
    @classmethod
    def _intent(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or None
            if value is not None and not _INTENT.match(value):
                raise ValueError("intent must be an intent name")
        return value

    @field_validator("case_ref", "contact_arn", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @property
    def wa_id(self) -> str:
        """The caller's WhatsApp id: the number's digits."""
        return self.caller.lstrip("+")


def parse_handoff(body: object) -> Handoff:
    """The handoff ``body`` describes; raises ``HandoffError`` when it describes none."""
    if not isinstance(body, dict):
        raise HandoffError("the body must be a JSON object")
    try:
        if isinstance(body.get("Details"), dict):
            return _from_connect(body["Details"])
        attributes = _strings(body.get("attributes"))
        return Handoff.model_validate(
            {
                "caller": body.get("caller"),
                "contact_id": body.get("contact_id"),
                "contact_arn": body.get("contact_arn"),
                "intent": body.get("intent") or _first(attributes, INTENT_KEYS),
                "case_ref": body.get("case_ref") or _first(attributes, CASE_REF_KEYS),
            }
        )
    except ValueError as exc:
        raise HandoffError(str(exc)) from None


def _from_connect(details: Mapping[str, Any]) -> Handoff:
    contact = details.get("ContactData")
    contact = contact if isinstance(contact, dict) else {}
    endpoint = contact.get("CustomerEndpoint")
    caller = endpoint.get("Address") if isinstance(endpoint, dict) else None
    parameters = _strings(details.get("Parameters"))
    attributes = _strings(contact.get("Attributes"))
    contact_id = contact.get("ContactId")
    instance = contact.get("InstanceARN")
    arn = (
        f"{instance}/contact/{contact_id}"
        if isinstance(instance, str) and instance and isinstance(contact_id, str)
        else None
    )
    return Handoff.model_validate(
        {
            "caller": caller,
            "contact_id": contact_id,
            "contact_arn": arn,
            "intent": _first(parameters, INTENT_KEYS) or _first(attributes, INTENT_KEYS),
            "case_ref": _first(parameters, CASE_REF_KEYS) or _first(attributes, CASE_REF_KEYS),
        }
    )


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(key): item for key, item in value.items() if isinstance(item, str)}


def _first(values: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if values.get(key, "").strip():
            return values[key].strip()
    return None

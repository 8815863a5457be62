"""Twilio's WhatsApp webhook parameters as a typed message.

Twilio posts ``application/x-www-form-urlencoded`` parameters: ``MessageSid``, ``From``
(``whatsapp:+E164``), ``To``, ``Body``, ``NumMedia`` with ``MediaUrl0..`` and
``MediaContentType0..``, ``ProfileName``, ``WaId``, ``ButtonText``/``ButtonPayload`` for a
quick reply, and ``Latitude``/``Longitude``/``Address``/``Label`` for a shared location.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

WHATSAPP_PREFIX = "whatsapp:"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: Twilio allows at most ten media items on one message
MAX_MEDIA = 10


class TwilioMedia(BaseModel):
    """One attached media item, downloadable with the account's credentials."""

    model_config = ConfigDict(frozen=True)

    url: str
    content_type: str | None = None


class TwilioMessage(BaseModel):
    """One message a user sent through Twilio."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    message_sid: str = Field(alias="MessageSid", min_length=1)
    from_: str = Field(alias="From", min_length=1)
    to: str = Field(default="", alias="To")
    body: str = Field(default="", alias="Body")
    profile_name: str | None = Field(default=None, alias="ProfileName")
    button_payload: str | None = Field(default=None, alias="ButtonPayload")
    button_text: str | None = Field(default=None, alias="ButtonText")
    latitude: float | None = Field(default=None, alias="Latitude")
    longitude: float | None = Field(default=None, alias="Longitude")
    address: str | None = Field(default=None, alias="Address")
    label: str | None = Field(default=None, alias="Label")
    media: list[TwilioMedia] = Field(default_factory=list)

    @property
    def phone(self) -> str:
        """The sender's number in E.164 (``From`` without its channel prefix)."""
        return self.from_.removeprefix(WHATSAPP_PREFIX)

    @property
    def has_valid_sender(self) -> bool:
        """Whether ``From`` is a WhatsApp sender (``whatsapp:`` and a phone number).

        The same account's SMS or voice numbers post here with a bare number; taking one of
        those as a WhatsApp user would let a text message speak for that number on WhatsApp.
        """
        return self.from_.startswith(WHATSAPP_PREFIX) and bool(_E164.match(self.phone))

    def is_addressed_to(self, number: str) -> bool:
        """Whether ``To`` is ``number``, the business's ``whatsapp:+...`` sender."""
        return "".join(self.to.split()) == "".join(number.split())


def parse_params(params: Sequence[tuple[str, str]]) -> TwilioMessage:
    """The message the parameters describe; raises ``pydantic.ValidationError`` if malformed."""
    values = dict(params)
    try:
        count = min(int(values.get("NumMedia", "0") or "0"), MAX_MEDIA)
    except ValueError:
        count = 0
    media = [
        {"url": values[f"MediaUrl{i}"], "content_type": values.get(f"MediaContentType{i}")}
        for i in range(count)
        if values.get(f"MediaUrl{i}")
    ]
    fields = {key: value for key, value in values.items() if value != ""}
    return TwilioMessage.model_validate({**fields, "media": media})


def message_text(message: TwilioMessage) -> str | None:
    """What the user said, as text for Rasa; ``None`` when there is nothing to say."""
    if message.button_payload:
        return message.button_payload
    if message.body.strip():
        return message.body
    if message.button_text:
        return message.button_text
    if message.latitude is not None and message.longitude is not None:
        text = f"Location: {message.latitude}, {message.longitude}"
        details = ", ".join(part for part in (message.label, message.address) if part)
        return f"{text} ({details})" if details else text
    if message.media:
        kind = (message.media[0].content_type or "media").split("/")[0]
        return f"[{kind}]"
    return None

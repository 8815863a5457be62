"""The WhatsApp Cloud API webhook notification, as far as the gateway reads it.

Unknown fields are ignored (Meta adds some every version); unknown message types parse too,
with only their common fields, so a new kind never makes a whole notification fail.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Profile(_Model):
    """What the user shows as their name."""

    name: str | None = None


class Contact(_Model):
    """The user a notification is about."""

    wa_id: str
    profile: Profile = Field(default_factory=Profile)


class Text(_Model):
    """A text message's content."""

    body: str


class Reply(_Model):
    """A chosen reply button or list row: ``id`` is the payload the gateway gave it."""

    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Model):
    """The answer to an interactive message."""

    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None

    @property
    def reply(self) -> Reply | None:
        """The chosen button or row, whichever kind it was."""
        return self.button_reply or self.list_reply


class Button(_Model):
    """The answer to a template's quick-reply button."""

    payload: str | None = None
    text: str = ""


class Media(_Model):
    """An image, document, audio or video; its bytes are fetched by ``id``."""

    id: str
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None


class Location(_Model):
    """A shared location."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Message(_Model):
    """One message a user sent."""

    id: str = Field(min_length=1)
    from_: str = Field(alias="from", min_length=1)
    timestamp: int | None = None
    type: str
    text: Text | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    image: Media | None = None
    document: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    location: Location | None = None

    @property
    def media(self) -> Media | None:
        """The attached media of a media message."""
        return self.image or self.document or self.audio or self.video


class StatusError(_Model):
    """Why a message failed."""

    code: int | None = None
    title: str | None = None


class Status(_Model):
    """A delivery receipt of a message the business sent."""

    id: str
    #: sent, delivered, read or failed
    status: str
    timestamp: int | None = None
    recipient_id: str | None = None
    errors: list[StatusError] = Field(default_factory=list)


class Value(_Model):
    """The content of one change."""

    messaging_product: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)

    def contact_of(self, wa_id: str) -> Contact:
        """The contact a message came from (Meta lists one per sender)."""
        for contact in self.contacts:
            if contact.wa_id == wa_id:
                return contact
        return Contact(wa_id=wa_id)


class Change(_Model):
    """One change of a subscribed field; only ``messages`` is read."""

    field: str
    value: Value


class Entry(_Model):
    """The changes of one WhatsApp Business Account."""

    id: str | None = None
    changes: list[Change] = Field(default_factory=list)


class Notification(_Model):
    """The whole webhook body."""

    object: Literal["whatsapp_business_account"]
    entry: list[Entry]

    def values(self) -> list[Value]:
        """The ``messages`` changes' values, in order."""
        return [
            change.value
            for entry in self.entry
            for change in entry.changes
            if change.field == "messages"
        ]


def message_text(message: Message) -> str | None:
    """What the user said, as text for Rasa; ``None`` for kinds the assistant ignores."""
    if message.text is not None:
        return message.text.body
    if message.interactive is not None and message.interactive.reply is not None:
        return message.interactive.reply.id
    if message.button is not None:
        return message.button.payload or message.button.text
    media = message.media
    if media is not None:
        return media.caption or f"[{message.type}]"
    if message.location is not None:
        place = message.location
        text = f"Location: {place.latitude}, {place.longitude}"
        details = ", ".join(part for part in (place.name, place.address) if part)
        return f"{text} ({details})" if details else text
    return None

"""The bot's messages as Twilio WhatsApp messages: text, a numbered list for buttons, media.

WhatsApp through Twilio's Messages API takes plain text, so a message's buttons become a
numbered list under its text; the user answers with the number or the option's words, and
``choice_payload`` turns a number back into that button's payload. Text longer than one
message allows is split on line, then word, boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.outbound import split_text
from api.rasa import BotMessage, Button

#: Twilio refuses a message body longer than this
BODY_LIMIT = 1600

TwilioBody = dict[str, str]


def numbered(buttons: Sequence[Button]) -> str:
    """The buttons' titles as a numbered list, one per line."""
    return "\n".join(f"{number}. {button.title}" for number, button in enumerate(buttons, 1))


def render(message: BotMessage) -> list[TwilioBody]:
    """The Twilio message bodies (``Body``, maybe ``MediaUrl``) that show one bot message."""
    text = message.text or ""
    if message.buttons:
        options = numbered(message.buttons)
        text = f"{text}\n\n{options}" if text.strip() else options
    bodies: list[TwilioBody] = [{"Body": piece} for piece in split_text(text, BODY_LIMIT)]
    if message.image:
        bodies.append({"MediaUrl": message.image})
    return bodies


def latest_buttons(messages: Sequence[BotMessage]) -> list[Button]:
    """The buttons the user is answering next: those of the last message that had any."""
    for message in reversed(messages):
        if message.buttons:
            return list(message.buttons)
    return []


def choice_payload(text: str, choices: Sequence[Button]) -> str | None:
    """The payload of the option ``text`` names by number or by title; ``None`` otherwise."""
    said = text.strip().rstrip(".)").strip()
    if said.isdigit() and 1 <= int(said) <= len(choices):
        return choices[int(said) - 1].payload
    for choice in choices:
        if said.casefold() == choice.title.strip().casefold():
            return choice.payload
    return None

"""The bot's messages as WhatsApp Cloud API message bodies, within WhatsApp's limits.

Text longer than a message allows is split on line, then word, boundaries. Up to three Rasa
buttons become reply buttons, more become a list (ten rows a message); the id of each is the
button's payload, so the user's choice comes back as that payload. A ``custom`` message with a
``"whatsapp"`` object is sent as that object, for what only WhatsApp can show.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import JsonValue

from api.outbound import split_text
from api.rasa import BotMessage, Button

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LABEL = "Choose"
#: the body of buttons the bot sent without text; WhatsApp requires one
CHOOSE_PROMPT = "Please choose one:"
ELLIPSIS = "…"

Body = dict[str, JsonValue]


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else its start and an ellipsis in ``limit`` characters."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _unique_titles(titles: Sequence[str], limit: int) -> list[str]:
    # WhatsApp refuses two buttons with the same title, which cutting can make
    result: list[str] = []
    for title in titles:
        candidate = shorten(title, limit)
        number = 2
        while candidate in result:
            suffix = f" {number}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            number += 1
        result.append(candidate)
    return result


def _message(to: str, kind: str, content: JsonValue) -> Body:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_message(to: str, text: str) -> Body:
    """A plain text message."""
    return _message(to, "text", {"body": text, "preview_url": False})


def template_message(to: str, name: str, language: str) -> Body:
    """An approved template, the only kind allowed outside the 24-hour window."""
    return _message(to, "template", {"name": name, "language": {"code": language}})


def code_template_message(to: str, name: str, language: str, code: str) -> Body:
    """An AUTHENTICATION template: WhatsApp's own words around ``code``, which its copy-code
    button (a ``url`` button, index 0) copies; the code is both components' one parameter."""
    body = template_message(to, name, language)
    content = body["template"]
    if isinstance(content, dict):
        content["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": code}]},
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": code}],
            },
        ]
    return body


def _reply_buttons(to: str, body: str, buttons: Sequence[Button]) -> Body:
    titles = _unique_titles([button.title for button in buttons], BUTTON_TITLE_LIMIT)
    return _message(
        to,
        "interactive",
        {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": button.payload, "title": title}}
                    for button, title in zip(buttons, titles, strict=True)
                ]
            },
        },
    )


def _list(to: str, body: str, buttons: Sequence[Button]) -> Body:
    titles = _unique_titles([button.title for button in buttons], ROW_TITLE_LIMIT)
    rows: list[JsonValue] = []
    for button, title in zip(buttons, titles, strict=True):
        row: dict[str, JsonValue] = {"id": button.payload, "title": title}
        if title != button.title.strip():
            # the row has room for the whole title as its description
            row["description"] = shorten(button.title, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    return _message(
        to,
        "interactive",
        {
            "type": "list",
            "body": {"text": body},
            "action": {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]},
        },
    )


def _with_buttons(to: str, text: str, buttons: Sequence[Button]) -> list[Body]:
    pieces = split_text(text, TEXT_LIMIT) or [CHOOSE_PROMPT]
    last = split_text(pieces.pop(), BODY_LIMIT)
    leading = [text_message(to, piece) for piece in pieces + last[:-1]]
    body = last[-1]
    if len(buttons) <= MAX_BUTTONS:
        return [*leading, _reply_buttons(to, body, buttons)]
    lists = [
        _list(to, body if start == 0 else CHOOSE_PROMPT, buttons[start : start + MAX_ROWS])
        for start in range(0, len(buttons), MAX_ROWS)
    ]
    return leading + lists


def render(message: BotMessage, to: str) -> list[Body]:
    """The WhatsApp messages that show one bot message to ``to``, in order."""
    bodies: list[Body] = []
    text = message.text or ""
    if message.buttons:
        bodies.extend(_with_buttons(to, text, message.buttons))
    else:
        bodies.extend(text_message(to, piece) for piece in split_text(text, TEXT_LIMIT))
    if message.image:
        bodies.append(_message(to, "image", {"link": message.image}))
    custom = message.custom.get("whatsapp") if isinstance(message.custom, dict) else None
    if isinstance(custom, dict):
        bodies.append({**custom, "messaging_product": "whatsapp", "to": to})
    return bodies

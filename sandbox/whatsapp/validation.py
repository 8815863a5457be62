"""The limits Graph enforces on outgoing messages, so a body it would refuse is refused here;
templates it holds approved are checked by ``sandbox.whatsapp.templates``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.whatsapp.errors import GraphApiError
from sandbox.whatsapp.templates import Approved, check_template

TYPES = frozenset(
    {"text", "interactive", "template", "image", "document", "audio", "video", "location"}
)


def _fail(details: str) -> GraphApiError:
    return GraphApiError(100, f"Invalid parameter: {details}")


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{name} is required")
    if len(value) > limit:
        raise _fail(f"{name} is longer than {limit} characters")
    return value


def _unique(values: list[str], name: str) -> None:
    if len(set(values)) != len(values):
        raise _fail(f"{name} must be unique")


def _buttons(interactive: dict[str, Any]) -> None:
    _text((interactive.get("body") or {}).get("text"), "body.text", 1024)
    buttons = (interactive.get("action") or {}).get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _fail("action.buttons must hold 1 to 3 buttons")
    replies = [button.get("reply") or {} for button in buttons]
    titles = [_text(reply.get("title"), "button title", 20) for reply in replies]
    ids = [_text(reply.get("id"), "button id", 256) for reply in replies]
    _unique(titles, "button titles")
    _unique(ids, "button ids")


def _list(interactive: dict[str, Any]) -> None:
    _text((interactive.get("body") or {}).get("text"), "body.text", 4096)
    action = interactive.get("action") or {}
    _text(action.get("button"), "action.button", 20)
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise _fail("action.sections must hold 1 to 10 sections")
    rows = [row for section in sections for row in (section.get("rows") or [])]
    if not 1 <= len(rows) <= 10:
        raise _fail("a list must hold 1 to 10 rows in total")
    ids = [_text(row.get("id"), "row id", 200) for row in rows]
    for row in rows:
        _text(row.get("title"), "row title", 24)
        if row.get("description") is not None:
            _text(row["description"], "row description", 72)
    _unique(ids, "row ids")


def validate_message(body: Any, approved: Mapping[str, Approved] | None = None) -> None:
    """Raise ``GraphApiError`` when Graph would refuse to send ``body`` (code 100 for its
    shape; a template's own codes for a send of one of the ``approved`` templates)."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        raise _fail("messaging_product must be whatsapp")
    to = body.get("to")
    if not isinstance(to, str) or not to.lstrip("+").isdigit():
        raise _fail("to must be a phone number")
    kind = body.get("type", "text")
    if kind not in TYPES or not isinstance(body.get(kind), dict):
        raise _fail(f"a message of type {kind!r} needs a {kind!r} object")
    content: dict[str, Any] = body[kind]
    if kind == "text":
        _text(content.get("body"), "text.body", 4096)
    elif kind == "interactive":
        if content.get("type") == "button":
            _buttons(content)
        elif content.get("type") == "list":
            _list(content)
        else:
            raise _fail("interactive.type must be button or list")
    elif kind == "template":
        _text(content.get("name"), "template.name", 512)
        _text((content.get("language") or {}).get("code"), "template.language.code", 16)
        check_template(content, approved or {})
    elif kind in {"image", "document", "audio", "video"} and not (
        content.get("link") or content.get("id")
    ):
        raise _fail(f"{kind} needs a link or an id")

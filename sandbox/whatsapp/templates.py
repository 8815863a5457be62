"""The message templates the stand-in holds approved, and what Graph refuses of a send of one.

Known from Meta's documentation: a one-time password goes in an AUTHENTICATION template, whose
words WhatsApp fixes ("<code> is your verification code.", an optional security line and
expiry footer) and whose one button copies the code: created as an ``otp`` button, it is a
``url`` button once approved. A send names the template and its language and gives the code
twice: as the body's one ``text`` parameter and as the one ``text`` parameter of the button
component (``sub_type`` ``url``, ``index`` ``"0"``); a code is at most 15 characters. A name
with no template in the language sent is error 132001, a count of parameters unlike the
template's 132000, and a parameter of another format 132012.

ASSUMED, everything else here (Meta does not publish its order of checks or all its codes):
- a body or button missing, a component of another kind, or a second body or button is 132000;
- a code longer than 15 characters, a blank one, or a button parameter unlike the body's (the
  button would copy another code than the message shows) is 131009, "Parameter value is not
  valid";
- the button's ``index`` is taken as ``"0"`` or ``0``, and nothing else;
- a template the stand-in holds no definition of is taken as approved and goes unchecked
  beyond its name and language code (the stand-in cannot know what a business had approved);
  only those named in ``SANDBOX_WHATSAPP_AUTH_TEMPLATES`` are checked as above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.whatsapp.errors import GraphApiError

#: the longest one-time code an authentication template carries
CODE_MAX = 15
#: the authentication template the stand-in holds unless told otherwise
DEFAULT_AUTH_TEMPLATES = "casebot_code:en"


@dataclass(frozen=True)
class Approved:
    """An approved authentication template: its name and the language it was approved in."""

    name: str
    language: str


def auth_templates(spec: str) -> dict[str, Approved]:
    """The templates ``spec`` lists, ``name:language`` separated by commas (``en`` when no
    language is given)."""
    found: dict[str, Approved] = {}
    for item in spec.split(","):
        name, _, language = item.strip().partition(":")
        if name.strip():
            found[name.strip()] = Approved(name.strip(), language.strip() or "en")
    return found


def check_template(content: Mapping[str, Any], approved: Mapping[str, Approved]) -> None:
    """Raise ``GraphApiError`` when Graph would refuse to send the template ``content``
    (its name and language code already present)."""
    template = approved.get(content["name"])
    if template is None:
        return
    if content["language"]["code"] != template.language:
        raise GraphApiError(132001, "Template name does not exist in the translation")
    components = content.get("components")
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise _count("an authentication template takes a body and a button component")
    bodies = [c for c in components if c.get("type") == "body"]
    buttons = [c for c in components if c.get("type") == "button"]
    if len(bodies) != 1 or len(buttons) != 1 or len(components) != 2:
        raise _count("an authentication template takes one body and one button component")
    [button] = buttons
    if button.get("sub_type") != "url" or button.get("index") not in ("0", 0):
        raise _count("the copy-code button is the url button at index 0")
    code = _one_text(bodies[0])
    if not code.strip() or len(code) > CODE_MAX:
        raise GraphApiError(131009, f"a one-time code is 1 to {CODE_MAX} characters")
    if _one_text(button) != code:
        raise GraphApiError(131009, "the button's code is not the body's")


def _one_text(component: Mapping[str, Any]) -> str:
    parameters = component.get("parameters")
    if not isinstance(parameters, list) or len(parameters) != 1:
        raise _count("the body and the button take one parameter each: the code")
    [parameter] = parameters
    text = parameter.get("text") if isinstance(parameter, dict) else None
    if (
        not isinstance(parameter, dict)
        or parameter.get("type") != "text"
        or not isinstance(text, str)
    ):
        raise GraphApiError(
            132012, "Parameter format does not match format in the created template"
        )
    return text


def _count(details: str) -> GraphApiError:
    return GraphApiError(
        132000, f"Number of parameters does not match the expected number of params: {details}"
    )
